"""The simulation kernel: virtual time, ordering, tasks, handlers and determinism (design.md principles 1, 2, 5)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

import eventbus
from eventbus import Outcome, Simulation, SimulationError


def test_start_defaults_to_a_fixed_instant_not_now() -> None:
    assert Simulation().now == datetime(2024, 1, 1, tzinfo=UTC)
    assert Simulation().time == 0.0


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-03-01T12:30:00Z", datetime(2025, 3, 1, 12, 30, tzinfo=UTC)),
        ("2025-03-01T14:30:00+02:00", datetime(2025, 3, 1, 12, 30, tzinfo=UTC)),
        (datetime(2025, 3, 1, 12, 30, tzinfo=UTC), datetime(2025, 3, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_start_accepts_iso_text_and_aware_datetimes(start: str | datetime, expected: datetime) -> None:
    assert Simulation(start=start).now == expected


def test_start_refuses_naive_datetimes_and_bad_text() -> None:
    with pytest.raises(SimulationError, match="aware"):
        Simulation(start=datetime(2025, 1, 1))
    with pytest.raises(SimulationError, match="not an ISO-8601"):
        Simulation(start="yesterday")


def test_timers_run_in_time_order_then_scheduling_order() -> None:
    sim = Simulation()
    seen: list[str] = []
    sim.call_later(5, seen.append, "c")
    sim.call_later(1, seen.append, "a")
    sim.call_later(5, seen.append, "d")
    sim.call_later(1, seen.append, "b")
    sim.call_later(3, seen.append, "x")
    sim.advance(10)
    assert seen == ["a", "b", "x", "c", "d"]


def test_advance_lands_exactly_on_its_target_and_runs_nothing_later() -> None:
    sim = Simulation()
    seen: list[float] = []
    sim.call_later(2.5, lambda: seen.append(sim.time))
    sim.call_later(7.0, lambda: seen.append(sim.time))
    sim.advance(4)
    assert sim.time == 4.0
    assert seen == [2.5]
    sim.advance(3)
    assert sim.time == 7.0
    assert seen == [2.5, 7.0]
    sim.advance(0)
    assert sim.time == 7.0


def test_each_timer_sees_the_clock_at_its_own_deadline() -> None:
    sim = Simulation(start="2024-02-28T23:59:00Z")
    seen: list[str] = []
    sim.call_later(120, lambda: seen.append(sim.iso()))
    sim.advance(3600)
    assert seen == ["2024-02-29T00:01:00Z"]
    assert sim.iso() == "2024-02-29T00:59:00Z"


def test_timers_scheduled_by_timers_run_in_the_same_advance_when_due() -> None:
    sim = Simulation()
    seen: list[tuple[str, float]] = []

    def first() -> None:
        seen.append(("first", sim.time))
        sim.call_later(0, lambda: seen.append(("same-instant", sim.time)))
        sim.call_later(2, lambda: seen.append(("later", sim.time)))
        sim.call_later(100, lambda: seen.append(("too-late", sim.time)))

    sim.call_later(1, first)
    sim.advance(5)
    assert seen == [("first", 1.0), ("same-instant", 1.0), ("later", 3.0)]


def test_a_timer_scheduled_at_the_current_instant_runs_after_those_already_due() -> None:
    sim = Simulation()
    seen: list[str] = []
    sim.call_soon(lambda: (seen.append("a"), sim.call_soon(seen.append, "c")))
    sim.call_soon(seen.append, "b")
    sim.run_until_idle()
    assert seen == ["a", "b", "c"]


def test_cancelled_timers_do_not_run() -> None:
    sim = Simulation()
    seen: list[str] = []
    keep = sim.call_later(1, seen.append, "kept")
    drop = sim.call_later(1, seen.append, "dropped")
    drop.cancel()
    drop.cancel()  # twice is harmless
    assert drop.cancelled
    assert not keep.cancelled
    assert sim.pending == 1
    sim.advance(2)
    assert seen == ["kept"]
    keep.cancel()  # after firing: harmless
    assert sim.next_deadline() is None


def test_a_timer_can_cancel_a_later_one() -> None:
    sim = Simulation()
    seen: list[str] = []
    later = sim.call_later(2, seen.append, "later")
    sim.call_later(1, later.cancel)
    sim.advance(3)
    assert seen == []


def test_run_until_idle_does_not_move_time() -> None:
    sim = Simulation()
    seen: list[str] = []
    sim.call_soon(seen.append, "now")
    sim.call_later(1, seen.append, "later")
    sim.run_until_idle()
    assert seen == ["now"]
    assert sim.time == 0.0


def test_run_until_stops_at_the_instant_the_condition_holds() -> None:
    sim = Simulation()
    box: list[int] = []
    for i in range(1, 6):
        sim.call_later(i * 10, box.append, i)
    assert sim.run_until(lambda: len(box) >= 3) is True
    assert sim.time == 30.0
    assert sim.run_until(lambda: len(box) >= 10, timeout=15) is False
    assert sim.time == 45.0
    assert box == [1, 2, 3, 4]


def test_run_until_without_timeout_returns_false_when_nothing_is_left() -> None:
    sim = Simulation()
    sim.call_later(3, lambda: None)
    assert sim.run_until(lambda: False) is False
    assert sim.time == 3.0


def test_advance_to_accepts_instants() -> None:
    sim = Simulation(start="2024-01-01T00:00:00Z")
    sim.advance_to("2024-01-02T00:00:00Z")
    assert sim.time == 86400.0
    sim.advance_to(datetime(2024, 1, 1, tzinfo=UTC))  # in the past: time never goes back
    assert sim.time == 86400.0


def test_time_never_goes_backwards() -> None:
    sim = Simulation()
    with pytest.raises(SimulationError, match="negative"):
        sim.advance(-1)
    with pytest.raises(SimulationError, match="negative"):
        sim.call_later(-1, lambda: None)


def test_a_callback_cannot_advance_the_simulation_it_runs_in() -> None:
    sim = Simulation()
    errors: list[Exception] = []

    def reentrant() -> None:
        try:
            sim.advance(1)
        except SimulationError as exc:
            errors.append(exc)

    sim.call_soon(reentrant)
    sim.run_until_idle()
    assert len(errors) == 1
    assert "already running" in str(errors[0])
    assert not sim.running


def test_async_tasks_sleep_on_the_virtual_clock() -> None:
    sim = Simulation()
    seen: list[tuple[str, float]] = []

    async def worker(name: str, pause: float) -> str:
        seen.append((name + " start", sim.time))
        await sim.sleep(pause)
        seen.append((name + " end", sim.time))
        return name.upper()

    a = sim.spawn(worker("a", 12 * 3600))  # a 12-hour wait costs no wall time
    b = sim.spawn(worker("b", 1))
    sim.advance(13 * 3600)
    assert seen == [("a start", 0.0), ("b start", 0.0), ("b end", 1.0), ("a end", 43200.0)]
    assert a.result() == "A"
    assert b.result() == "B"


def test_tasks_await_futures_resolved_by_timers() -> None:
    sim = Simulation()
    future: eventbus.Future[int] = eventbus.Future()
    sim.call_later(5, future.set_result, 42)

    async def waiter() -> int:
        return await future + 1

    task = sim.spawn(waiter())
    sim.advance(4)
    assert not task.done()
    sim.advance(1)
    assert task.result() == 43


def test_async_callbacks_given_to_timers_run_as_tasks() -> None:
    sim = Simulation()
    seen: list[float] = []

    async def tick() -> None:
        await sim.sleep(2)
        seen.append(sim.time)

    sim.call_later(1, tick)
    sim.advance(5)
    assert seen == [3.0]


def test_sync_and_async_handlers_give_outcomes() -> None:
    sim = Simulation()
    outcomes: list[Outcome] = []

    async def slow_double(x: int) -> int:
        await sim.sleep(3)
        return 2 * x

    sim.invoke(lambda x: x + 1, 1, on_done=outcomes.append)
    sim.invoke(slow_double, 5, on_done=outcomes.append)
    assert outcomes == [Outcome(True, 2)]
    sim.advance(3)
    assert outcomes == [Outcome(True, 2), Outcome(True, 10)]


def test_a_raising_handler_is_a_journaled_outcome_not_a_crash() -> None:
    sim = Simulation()
    outcomes: list[Outcome] = []

    def broken(_: object) -> None:
        raise RuntimeError("database is down")

    async def broken_later(_: object) -> None:
        await sim.sleep(1)
        raise KeyError("missing")

    sim.invoke(broken, {}, on_done=outcomes.append, resource="arn:aws:lambda:us-east-1:123456789012:function:f", name="req-1")
    sim.invoke(broken_later, {}, on_done=outcomes.append, name="req-2")
    sim.advance(2)
    assert [(o.ok, o.error_type, o.error_message) for o in outcomes] == [
        (False, "RuntimeError", "database is down"),
        (False, "KeyError", "'missing'"),
    ]
    raised = sim.journal.select("handler.raised")
    assert [(r.id, r.detail["error_type"]) for r in raised] == [("req-1", "RuntimeError"), ("req-2", "KeyError")]
    assert raised[0].resource == "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert raised[1].time == 1.0


def test_a_task_awaiting_an_event_loop_primitive_fails_clearly_when_driven_synchronously() -> None:
    import asyncio

    sim = Simulation()
    outcomes: list[Outcome] = []

    async def needs_loop(_: object) -> None:
        await asyncio.sleep(0)

    sim.invoke(needs_loop, None, on_done=outcomes.append)
    sim.run_until_idle()
    assert len(outcomes) == 1
    assert not outcomes[0].ok
    assert isinstance(outcomes[0].error, SimulationError)
    assert "advance_async" in outcomes[0].error_message


def _run_scenario(seed: int) -> bytes:
    sim = Simulation(seed)
    for i in range(5):
        sim.call_later(sim.rng.uniform(0, 10), lambda i=i: sim.record("test.fired", "", sim.new_uuid(), {"i": i}))
    sim.advance(20)
    return sim.journal.dumps()


def test_the_same_seed_gives_a_byte_identical_journal() -> None:
    assert _run_scenario(7) == _run_scenario(7)


def test_a_different_seed_gives_different_ids() -> None:
    assert _run_scenario(7) != _run_scenario(8)
    assert Simulation(1).new_uuid() != Simulation(2).new_uuid()


def test_ids_come_from_the_seeded_generator() -> None:
    a, b = Simulation(3), Simulation(3)
    assert [a.new_uuid(), a.new_hex(8), a.new_token()] == [b.new_uuid(), b.new_hex(8), b.new_token()]
    u = a.new_uuid()
    assert len(u) == 36
    assert u[14] == "4"


def test_time_conversions() -> None:
    sim = Simulation(start="2024-01-01T00:00:00Z")
    sim.advance(1.2345)
    assert sim.iso() == "2024-01-01T00:00:01Z"
    assert sim.iso(millis=True) == "2024-01-01T00:00:01.234Z"
    assert sim.epoch_millis() == 1704067201234
    assert sim.arn("sqs", "orders") == "arn:aws:sqs:us-east-1:123456789012:orders"


def test_account_id_is_checked() -> None:
    with pytest.raises(SimulationError, match="12 digits"):
        Simulation(account_id="123")


class FakeWallClock:
    """A real-time clock whose 'wall time' moves only when slept on, so real mode is testable without sleeping."""

    real = True

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def jump(self, to: float) -> None:
        pass

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(max(0.0, seconds))


def test_real_time_mode_waits_for_timers_instead_of_jumping() -> None:
    clock = FakeWallClock()
    sim = Simulation(clock=clock)
    seen: list[float] = []
    sim.call_later(2, lambda: seen.append(sim.time))
    sim.advance(5)
    assert seen == [2.0]
    assert clock.slept == [2.0, 3.0]
    assert sim.time == 5.0


def test_clock_argument_is_checked() -> None:
    with pytest.raises(SimulationError, match="clock must be"):
        Simulation(clock="sundial")  # type: ignore[arg-type]


def test_new_uuid_is_the_text_of_a_version_4_uuid_of_the_drawn_bits() -> None:
    import random
    import uuid

    sim, reference = Simulation(11), random.Random(11)
    for _ in range(1000):
        assert sim.new_uuid() == str(uuid.UUID(int=reference.getrandbits(128), version=4))


def test_journal_records_are_not_tracked_by_the_garbage_collector() -> None:
    import gc

    sim = Simulation()
    sim.record("a.b", "r", "i", {"k": 1})
    sim.record("a.c")
    assert not gc.is_tracked(sim.journal[1])
    assert not gc.is_tracked(sim.journal[2])


@pytest.mark.parametrize("seconds", [math.nan, math.inf])
def test_advancing_by_a_non_finite_time_is_refused_instead_of_running_forever(seconds: float) -> None:
    # NaN never compares greater than a deadline and infinity is never reached: with a repeating
    # schedule, advance(nan) / advance(inf) / run_until(timeout=nan) used to loop forever.
    sim = Simulation()
    sim.events.bus("default").rule("tick", schedule="rate(1 minute)").target(lambda event: None)
    with pytest.raises(SimulationError, match="finite"):
        sim.advance(seconds)
    with pytest.raises(SimulationError, match="finite"):
        sim.run_until(lambda: False, timeout=seconds)
    assert sim.time == 0.0


def test_steps_that_add_up_in_decimal_add_up_on_the_clock() -> None:
    sim = Simulation()
    fired: list[float] = []
    sim.call_later(1.0, lambda: fired.append(sim.time))
    sim.call_later(10.0, lambda: fired.append(sim.time))
    for _ in range(10):
        sim.advance(0.1)  # 0.1 summed ten times is 0.9999999999999999 in floating point
    assert fired == [1.0]
    sim.advance(8.999)
    sim.advance(0.001)
    assert fired == [1.0, 10.0]
    assert sim.time == 10.0
