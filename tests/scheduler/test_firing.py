"""When EventBridge Scheduler schedules fire on the virtual clock.

Pages: schedule types, time zones and daylight saving
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), StartDate / EndDate and
one-time schedules (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html),
flexible time windows (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html),
deletion after completion (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html),
UpdateSchedule (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html) and
schedule groups (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_DeleteScheduleGroup.html).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventbus import ResourceNotFoundError, Simulation

HOUR = 3600.0
DAY = 86400.0


def recorder(sim: Simulation) -> tuple[list[str], Callable[[Any], None]]:
    """A target that records the virtual instant (ISO text) of each invocation."""
    times: list[str] = []

    def target(payload: Any) -> None:
        times.append(sim.iso())

    return times, target


def kinds(sim: Simulation, prefix: str = "scheduler.") -> list[str]:
    return [record.kind for record in sim.journal if record.kind.startswith(prefix)]


# ---------------------------------------------------------- time zones
def test_cron_in_new_york_follows_the_spring_forward_change() -> None:
    # schedule-types.html#daylist-savings-time: cron is read in ScheduleExpressionTimezone. 09:00 in New
    # York is 14:00 UTC under EST and 13:00 UTC under EDT (clocks went forward on Sunday 2024-03-10).
    sim = Simulation(start="2024-03-08T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("morning", "cron(0 9 * * ? *)", target=target, timezone="America/New_York")
    sim.advance(4 * DAY)
    assert times == [
        "2024-03-08T14:00:00Z",
        "2024-03-09T14:00:00Z",
        "2024-03-10T13:00:00Z",
        "2024-03-11T13:00:00Z",
    ]


def test_cron_inside_the_spring_forward_gap_is_skipped_that_day() -> None:
    # schedule-types.html#daylist-savings-time: "if a cron expression falls on a non-existent date and
    # time, your schedule invocation is skipped". 02:30 did not exist in New York on 2024-03-10.
    sim = Simulation(start="2024-03-09T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("gap", "cron(30 2 * * ? *)", target=target, timezone="America/New_York")
    sim.advance(3 * DAY)
    assert times == ["2024-03-09T07:30:00Z", "2024-03-11T06:30:00Z"]


def test_cron_in_the_repeated_fall_back_hour_runs_once() -> None:
    # schedule-types.html#daylist-savings-time: "When time shifts backwards in the Fall, your schedule runs
    # only once and does not repeat its invocation". 01:30 happened twice in New York on 2024-11-03.
    sim = Simulation(start="2024-11-02T12:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("repeat", "cron(30 1 * * ? *)", target=target, timezone="America/New_York")
    sim.advance(2 * DAY)
    assert times == ["2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"]


def test_rate_days_are_24_hours_whatever_the_clocks_do() -> None:
    # schedule-types.html#daylist-savings-time: rate expressions are not affected by daylight saving.
    sim = Simulation(start="2024-03-09T12:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("daily", "rate(1 day)", target=target, timezone="America/New_York")
    sim.advance(2 * DAY + 1)
    assert times == ["2024-03-09T12:00:00Z", "2024-03-10T12:00:00Z", "2024-03-11T12:00:00Z"]


# ------------------------------------------------------ rate and dates
def test_rate_without_start_date_invokes_immediately_then_every_period() -> None:
    # schedule-types.html#rate-based: "If you do not provide a StartDate for a rate-based schedule, your
    # schedule starts invoking the target immediately."
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("often", "rate(15 minutes)", target=target)
    sim.advance(HOUR)
    assert times == [
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:15:00Z",
        "2024-01-01T00:30:00Z",
        "2024-01-01T00:45:00Z",
        "2024-01-01T01:00:00Z",
    ]


def test_rate_with_start_and_end_date() -> None:
    # API_CreateSchedule.html: StartDate is the date "after which the schedule can begin invoking its
    # target", EndDate the date "before which the schedule can invoke its target"; a rate schedule counts
    # its periods from its StartDate.
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule(
        "window",
        "rate(1 hour)",
        target=target,
        start="2024-01-01T01:30:00Z",
        end=datetime(2024, 1, 1, 5, 0, tzinfo=UTC),
    )
    assert schedule.next_fire == datetime(2024, 1, 1, 1, 30, tzinfo=UTC)
    sim.advance(DAY)
    assert times == ["2024-01-01T01:30:00Z", "2024-01-01T02:30:00Z", "2024-01-01T03:30:00Z", "2024-01-01T04:30:00Z"]
    assert schedule.next_fire is None
    assert sim.scheduler.get_schedule("window") is schedule  # ActionAfterCompletion NONE keeps it
    assert kinds(sim).count("scheduler.completed") == 1


def test_cron_with_start_date_in_the_future_waits_for_it() -> None:
    # API_CreateSchedule.html: "Depending on the schedule's recurrence expression, invocations might occur
    # on, or after, the StartDate you specify."
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("later", "cron(0 * * * ? *)", target=target, start="2024-01-01T03:00:00Z")
    sim.advance(4.5 * HOUR)
    assert times == ["2024-01-01T03:00:00Z", "2024-01-01T04:00:00Z"]


def test_recurring_schedule_with_end_date_and_delete_is_deleted_after_its_last_invocation() -> None:
    # managing-schedule-delete.html: "A recurring schedule's last invocation is the invocation that occurs
    # closest to the EndDate you specify."
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule(
        "short", "rate(10 minutes)", target=target, end="2024-01-01T00:25:00Z", action_after_completion="DELETE"
    )
    sim.advance(HOUR)
    assert times == ["2024-01-01T00:00:00Z", "2024-01-01T00:10:00Z", "2024-01-01T00:20:00Z"]
    with pytest.raises(ResourceNotFoundError, match=r"^Schedule short does not exist\.$"):
        sim.scheduler.get_schedule("short")
    deleted = [r for r in sim.journal if r.kind == "scheduler.schedule.deleted"]
    assert [r.time for r in deleted] == [1200.0]
    assert deleted[0].detail == {"reason": "ActionAfterCompletion"}


def test_recurring_schedule_with_delete_but_no_end_date_is_never_deleted() -> None:
    # managing-schedule-delete.html: "If you configure a schedule with automatic deletion but do not
    # specify a value for EndDate, EventBridge Scheduler does not automatically delete the schedule."
    sim = Simulation()
    times, target = recorder(sim)
    sim.scheduler.create_schedule("forever", "rate(1 hour)", target=target, action_after_completion="DELETE")
    sim.advance(DAY)
    assert len(times) == 25
    assert sim.scheduler.get_schedule("forever").next_fire is not None


# ------------------------------------------------------------- one-time
def test_at_fires_once_in_its_time_zone_and_delete_removes_it() -> None:
    # schedule-types.html#one-time and managing-schedule-delete.html: a one-time schedule with automatic
    # deletion is deleted "after the schedule has invoked its target once".
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule(
        "once", "at(2024-01-01T10:00:00)", target=target, timezone="America/Los_Angeles", action_after_completion="DELETE"
    )
    assert schedule.next_fire == datetime(2024, 1, 1, 18, 0, tzinfo=UTC)
    sim.advance(2 * DAY)
    assert times == ["2024-01-01T18:00:00Z"]
    assert schedule.deleted
    assert sim.scheduler.list_schedules() == []
    assert kinds(sim)[-3:] == ["scheduler.target.delivered", "scheduler.completed", "scheduler.schedule.deleted"]


def test_at_with_action_none_stays_after_firing() -> None:
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule("once", "at(2024-01-01T00:05:00)", target=target)
    sim.advance(DAY)
    assert times == ["2024-01-01T00:05:00Z"]
    assert sim.scheduler.get_schedule("once") is schedule
    assert schedule.next_fire is None
    assert schedule.invocations == 1


def test_at_ignores_start_and_end_dates() -> None:
    # API_CreateSchedule.html: "EventBridge Scheduler ignores StartDate for one-time schedules" (and EndDate).
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule(
        "once", "at(2024-01-01T06:00:00)", target=target, start="2024-01-01T08:00:00Z", end="2024-01-01T09:00:00Z"
    )
    sim.advance(DAY)
    assert times == ["2024-01-01T06:00:00Z"]


# ------------------------------------------------------ flexible window
def _flexible_times(seed: int) -> list[float]:
    sim = Simulation(seed, start="2024-01-01T00:00:00Z")
    fired: list[float] = []
    sim.scheduler.create_schedule(
        "spread", "rate(1 hour)", target=lambda payload: fired.append(sim.time), flexible_window_minutes=15
    )
    sim.advance(10 * HOUR - 1)
    return fired


def test_flexible_window_invokes_within_the_window_after_each_scheduled_time() -> None:
    # managing-schedule-flexible-time-windows.html: with a 15 minute window on an hourly schedule, "it
    # invokes the target within 15 minutes after the scheduled time".
    fired = _flexible_times(seed=7)
    assert len(fired) == 10
    for hour, when in enumerate(fired):
        assert hour * HOUR <= when < hour * HOUR + 15 * 60
    assert len({when - hour * HOUR for hour, when in enumerate(fired)}) > 1  # spread, not all on time


def test_flexible_window_times_come_from_the_seed() -> None:
    # design.md principle 1: every random choice comes from the simulation's seeded generator.
    assert _flexible_times(seed=7) == _flexible_times(seed=7)
    assert _flexible_times(seed=7) != _flexible_times(seed=8)


def test_flexible_window_keeps_the_scheduled_time_in_the_journal_and_the_input() -> None:
    # managing-schedule-context-attributes.html: <aws.scheduler.scheduled-time> is "the time you specified
    # for the schedule to invoke its target", not the moment the window chose.
    sim = Simulation(3, start="2024-01-01T00:00:00Z")
    payloads: list[Any] = []
    sim.scheduler.create_schedule(
        "spread",
        "cron(0 12 * * ? *)",
        target=payloads.append,
        flexible_window_minutes=60,
        input='{"at": "<aws.scheduler.scheduled-time>"}',
    )
    sim.advance(DAY)
    assert payloads == [{"at": "2024-01-01T12:00:00Z"}]
    fired = next(r for r in sim.journal if r.kind == "scheduler.fired")
    assert fired.detail["scheduled_time"] == "2024-01-01T12:00:00Z"
    assert 0 <= fired.detail["delay"] < 3600
    assert fired.time == 12 * HOUR + fired.detail["delay"]


def test_one_time_schedule_with_flexible_window_is_deleted_after_its_delayed_invocation() -> None:
    sim = Simulation(11, start="2024-01-01T00:00:00Z")
    fired: list[float] = []
    sim.scheduler.create_schedule(
        "once",
        "at(2024-01-01T01:00:00)",
        target=lambda payload: fired.append(sim.time),
        flexible_window_minutes=30,
        action_after_completion="DELETE",
    )
    sim.advance(2 * HOUR)
    assert len(fired) == 1
    assert HOUR <= fired[0] < 1.5 * HOUR
    deleted = next(r for r in sim.journal if r.kind == "scheduler.schedule.deleted")
    assert deleted.time == fired[0]


# ------------------------------------------------- state and updates
def test_disabled_schedule_does_not_fire_until_enabled() -> None:
    # API_CreateSchedule.html: State "Specifies whether the schedule is enabled or disabled."
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule("paused", "rate(1 hour)", target=target, state="DISABLED")
    assert schedule.next_fire is None
    sim.advance(5 * HOUR)
    assert times == []
    assert sim.pending == 0
    schedule.enable()
    sim.advance(1.5 * HOUR)
    # Periods count from the creation (00:00): the next one not before 05:00 is 05:00 itself.
    assert times == ["2024-01-01T05:00:00Z", "2024-01-01T06:00:00Z"]
    schedule.disable()
    sim.advance(5 * HOUR)
    assert len(times) == 2


def test_update_replaces_the_timer() -> None:
    # API_UpdateSchedule.html: the new settings replace the schedule's; the old timer must not fire.
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule("job", "cron(0 12 * * ? *)", target=target)
    sim.advance(HOUR)
    schedule.update(expression="cron(30 3 * * ? *)")
    assert schedule.next_fire == datetime(2024, 1, 1, 3, 30, tzinfo=UTC)
    assert sim.pending == 1
    sim.advance(DAY)
    assert times == ["2024-01-01T03:30:00Z"]
    assert schedule.last_modification_date == datetime(2024, 1, 1, 1, 0, tzinfo=UTC)


def test_update_keeps_a_rate_schedule_from_repeating_an_occurrence() -> None:
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule("job", "rate(1 hour)", target=target)
    sim.advance(0.5 * HOUR)
    schedule.update(expression="rate(20 minutes)")
    sim.advance(0.5 * HOUR)
    # 00:00 fired under the old rate; the new one counts from the creation too: 00:40, then 01:00.
    assert times == ["2024-01-01T00:00:00Z", "2024-01-01T00:40:00Z", "2024-01-01T01:00:00Z"]


def test_update_cancels_an_invocation_waiting_in_its_window() -> None:
    sim = Simulation(5, start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    schedule = sim.scheduler.create_schedule(
        "spread", "at(2024-01-01T01:00:00)", target=target, flexible_window_minutes=60
    )
    sim.advance(HOUR)  # due at 01:00, waiting for its moment in the window
    schedule.update(state="DISABLED")
    sim.advance(2 * HOUR)
    assert times == []


def test_deleted_schedule_stops_firing() -> None:
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule("job", "rate(1 hour)", target=target)
    sim.advance(1.5 * HOUR)
    sim.scheduler.delete_schedule("job")
    sim.advance(DAY)
    assert len(times) == 2
    assert sim.pending == 0


def test_deleting_a_group_deletes_its_schedules() -> None:
    # API_DeleteScheduleGroup.html: "Deleting a schedule group results in EventBridge Scheduler deleting
    # all schedules associated with the group."
    sim = Simulation(start="2024-01-01T00:00:00Z")
    times, target = recorder(sim)
    sim.scheduler.create_schedule_group("reports")
    sim.scheduler.create_schedule("a", "rate(1 hour)", target=target, group="reports")
    sim.scheduler.create_schedule("b", "rate(1 hour)", target=target, group="reports")
    sim.scheduler.create_schedule("c", "rate(1 hour)", target=target)
    sim.advance(0.5 * HOUR)
    sim.scheduler.delete_schedule_group("reports")
    sim.advance(HOUR)
    assert [s.name for s in sim.scheduler.list_schedules()] == ["c"]
    assert times == ["2024-01-01T00:00:00Z"] * 3 + ["2024-01-01T01:00:00Z"]


def test_same_seed_same_journal() -> None:
    # design.md principle 1: the same seed and inputs give the same journal, byte for byte.
    def run(seed: int) -> list[tuple[float, str, str, str]]:
        sim = Simulation(seed, start="2024-01-01T00:00:00Z")
        sim.scheduler.create_schedule("a", "rate(7 minutes)", target=lambda payload: None, flexible_window_minutes=5)
        sim.scheduler.create_schedule("b", "cron(*/13 * * * ? *)", target=lambda payload: None)
        sim.advance(3 * HOUR)
        return [(r.time, r.kind, r.resource, r.id) for r in sim.journal]

    assert run(1) == run(1)


def test_next_fire_is_whole_minutes_for_cron_created_mid_minute() -> None:
    sim = Simulation(start="2024-01-01T00:00:30Z")
    schedule = sim.scheduler.create_schedule("job", "cron(* * * * ? *)", target=lambda payload: None)
    assert schedule.next_fire == datetime(2024, 1, 1, 0, 1, tzinfo=UTC)
    assert schedule.next_fire - sim.now == timedelta(seconds=30)
