"""The async twins of advance/run_until_idle/run_until, under asyncio and trio (through anyio)."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from eventbus import Outcome, Simulation

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_advance_async_runs_timers_and_tasks_in_order() -> None:
    sim = Simulation()
    seen: list[tuple[str, float]] = []

    async def worker() -> None:
        await sim.sleep(3)
        seen.append(("task", sim.time))

    sim.spawn(worker())
    sim.call_later(1, lambda: seen.append(("timer", sim.time)))
    await sim.advance_async(10)
    assert seen == [("timer", 1.0), ("task", 3.0)]
    assert sim.time == 10.0


async def test_handlers_may_await_the_host_event_loop_under_the_async_twins() -> None:
    sim = Simulation()
    outcomes: list[Outcome] = []

    async def handler(x: int) -> int:
        await anyio.lowlevel.checkpoint()  # a host-loop primitive (asyncio or trio)
        await sim.sleep(2)  # simulated time
        await anyio.lowlevel.checkpoint()
        return x * 3

    sim.invoke(handler, 4, on_done=outcomes.append)
    await sim.advance_async(1)
    assert outcomes == []
    await sim.advance_async(1)
    assert outcomes == [Outcome(True, 12)]


async def test_a_handler_raising_after_a_host_await_is_an_outcome() -> None:
    sim = Simulation()
    outcomes: list[Outcome] = []

    async def handler() -> None:
        await anyio.lowlevel.checkpoint()
        raise ValueError("bad input")

    sim.invoke(handler, on_done=outcomes.append)
    await sim.run_until_idle_async()
    assert [(o.ok, o.error_type) for o in outcomes] == [(False, "ValueError")]


async def test_run_until_async_stops_when_the_condition_holds() -> None:
    sim = Simulation()
    box: list[int] = []
    for i in range(3):
        sim.call_later(5 * (i + 1), box.append, i)
    assert await sim.run_until_async(lambda: len(box) == 2) is True
    assert sim.time == 10.0
    assert await sim.run_until_async(lambda: len(box) == 9, timeout=100) is False
    assert sim.time == 110.0
