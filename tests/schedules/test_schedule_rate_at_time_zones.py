"""rate() anchors, at() one-time schedules, and EventBridge Scheduler time zones with daylight saving.

Rules: "A rate expression starts when you create the scheduled event rule"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html).
Scheduler: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (#rate-based,
#one-time, #time-zones, #daylist-savings-time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventbus._schedule import AtExpression, RateExpression, ScheduleExpression
from eventbus.errors import SimulationError

NEW_YORK = "America/New_York"
LONDON = "Europe/London"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def scheduler(text: str, zone: str = "UTC") -> ScheduleExpression:
    return ScheduleExpression.parse(text, dialect="scheduler", timezone=zone)


# --- rate() --------------------------------------------------------------------------------------------


def test_rule_rate_first_fires_one_period_after_creation() -> None:
    created = utc(2024, 5, 1, 10, 0, 37)
    expression = ScheduleExpression.parse("rate(5 minutes)")
    assert isinstance(expression, RateExpression)
    assert not expression.fires_at_anchor
    assert expression.next_after(created, anchor=created) == utc(2024, 5, 1, 10, 5, 37)
    assert expression.next_after(utc(2024, 5, 1, 10, 5, 37), anchor=created) == utc(2024, 5, 1, 10, 10, 37)
    assert expression.next_after(utc(2024, 5, 1, 10, 7), anchor=created) == utc(2024, 5, 1, 10, 10, 37)
    assert expression.next_after(utc(2024, 5, 1, 9), anchor=created) == utc(2024, 5, 1, 10, 5, 37)


def test_scheduler_rate_starts_at_its_start_date() -> None:
    # "If you do not provide a StartDate for a rate-based schedule, your schedule starts invoking the
    # target immediately"; StartDate sets "the first occurrence of the schedule".
    start = utc(2024, 5, 1, 10)
    expression = scheduler("rate(1 hour)")
    assert isinstance(expression, RateExpression)
    assert expression.fires_at_anchor
    assert expression.next_after(start - timedelta(seconds=1), anchor=start) == start
    assert expression.next_after(start, anchor=start) == utc(2024, 5, 1, 11)
    assert list(expression.fire_times(start, start + timedelta(hours=3), anchor=start)) == [
        start,
        utc(2024, 5, 1, 11),
        utc(2024, 5, 1, 12),
    ]


def test_rule_rate_counts_fires_in_a_day() -> None:
    created = utc(2024, 5, 1)
    fires = list(
        ScheduleExpression.parse("rate(1 hour)").fire_times(
            created, created + timedelta(days=1), anchor=created
        )
    )
    assert len(fires) == 23  # 01:00 ... 23:00; the creation instant itself does not fire
    assert fires[0] == utc(2024, 5, 1, 1)


def test_rate_days_are_24_hours_across_daylight_saving() -> None:
    # "days represents a 24-hour duration ... EventBridge Scheduler still evaluates the rate expression 24
    # hours after the schedule's last invocation", also in a time zone that changes its clocks.
    start = datetime(2024, 3, 9, 12, tzinfo=ZoneInfo(NEW_YORK))  # noon EST = 17:00 UTC
    expression = scheduler("rate(1 day)", NEW_YORK)
    got = list(expression.fire_times(start, start + timedelta(days=3), anchor=start))
    assert got == [
        utc(2024, 3, 9, 17),
        utc(2024, 3, 10, 17),
        utc(2024, 3, 11, 17),
    ]  # 13:00 EDT after the change


def test_rate_needs_an_anchor() -> None:
    with pytest.raises(SimulationError, match="anchor"):
        ScheduleExpression.parse("rate(5 minutes)").next_after(utc(2024, 1, 1))


def test_rate_periods() -> None:
    assert ScheduleExpression.parse("rate(90 minutes)").period == timedelta(minutes=90)  # type: ignore[attr-defined]
    assert ScheduleExpression.parse("rate(2 hours)").period == timedelta(hours=2)  # type: ignore[attr-defined]
    assert ScheduleExpression.parse("rate(7 days)").period == timedelta(days=7)  # type: ignore[attr-defined]


# --- at() ----------------------------------------------------------------------------------------------


def test_at_fires_once_in_its_time_zone() -> None:
    # The guide's example: at(2022-11-20T13:00:00) in America/Los_Angeles, "1pm UTC-8".
    expression = scheduler("at(2022-11-20T13:00:00)", "America/Los_Angeles")
    assert isinstance(expression, AtExpression)
    assert expression.instant == utc(2022, 11, 20, 21)
    assert expression.next_after(utc(2022, 1, 1)) == utc(2022, 11, 20, 21)
    assert expression.next_after(utc(2022, 11, 20, 21)) is None
    assert list(expression.fire_times(utc(2022, 1, 1), utc(2023, 1, 1))) == [utc(2022, 11, 20, 21)]


def test_at_defaults_to_utc_and_keeps_seconds() -> None:
    expression = scheduler("at(2025-01-31T15:59:42)")
    assert expression.next_after(utc(2025, 1, 1)) == utc(2025, 1, 31, 15, 59, 42)


def test_at_in_a_spring_forward_gap_never_fires() -> None:
    # 02:30 does not exist in New York on 10 March 2024; like a cron time there, it is skipped.
    expression = scheduler("at(2024-03-10T02:30:00)", NEW_YORK)
    assert isinstance(expression, AtExpression)
    assert expression.instant is None
    assert expression.next_after(utc(2024, 1, 1)) is None


def test_at_in_a_fall_back_overlap_fires_at_the_first_pass() -> None:
    expression = scheduler("at(2024-11-03T01:30:00)", NEW_YORK)
    assert expression.next_after(utc(2024, 1, 1)) == utc(2024, 11, 3, 5, 30)  # 01:30 EDT


# --- cron() in a time zone -----------------------------------------------------------------------------


def test_cron_in_new_york_is_local_wall_time() -> None:
    # The guide's example: cron(30 8 * * ? *) in America/New_York, every day at 8:30 a.m. local.
    expression = scheduler("cron(30 8 * * ? *)", NEW_YORK)
    assert list(expression.fire_times(utc(2024, 3, 9), utc(2024, 3, 12))) == [
        utc(2024, 3, 9, 13, 30),  # EST, UTC-5
        utc(2024, 3, 10, 12, 30),  # EDT, UTC-4
        utc(2024, 3, 11, 12, 30),
    ]


def test_spring_forward_skips_a_time_that_does_not_exist() -> None:
    # "if a cron expression falls on a non-existent date and time, your schedule invocation is skipped"
    # and it "resumes running the schedule normally the following day".
    expression = scheduler("cron(30 2 * * ? *)", NEW_YORK)
    assert list(expression.fire_times(utc(2024, 3, 9), utc(2024, 3, 12))) == [
        utc(2024, 3, 9, 7, 30),
        utc(2024, 3, 11, 6, 30),
    ]


def test_fall_back_runs_a_repeated_time_only_once_before_the_shift() -> None:
    # 01:30 happens twice in New York on 3 November 2024: 05:30 UTC (EDT) and 06:30 UTC (EST).
    expression = scheduler("cron(30 1 * * ? *)", NEW_YORK)
    assert list(expression.fire_times(utc(2024, 11, 2), utc(2024, 11, 5))) == [
        utc(2024, 11, 2, 5, 30),
        utc(2024, 11, 3, 5, 30),
        utc(2024, 11, 4, 6, 30),
    ]
    # Asked from inside the second pass of the hour, the next run is the next day's.
    assert expression.next_after(utc(2024, 11, 3, 6, 20)) == utc(2024, 11, 4, 6, 30)


def test_every_15_minutes_across_fall_back_leaves_the_repeated_hour_out() -> None:
    got = list(
        scheduler("cron(0/15 * * * ? *)", NEW_YORK).fire_times(utc(2024, 11, 3, 4), utc(2024, 11, 3, 8))
    )
    assert got[:8] == [utc(2024, 11, 3, 4) + timedelta(minutes=15 * i) for i in range(8)]  # 00:00-01:45 EDT
    assert got[8:] == [utc(2024, 11, 3, 7) + timedelta(minutes=15 * i) for i in range(4)]  # 02:00-02:45 EST
    assert got[8] - got[7] == timedelta(minutes=75)


def test_every_15_minutes_across_spring_forward_has_no_gap_in_utc() -> None:
    got = list(
        scheduler("cron(0/15 * * * ? *)", NEW_YORK).fire_times(utc(2024, 3, 10, 6), utc(2024, 3, 10, 8))
    )
    assert got == [utc(2024, 3, 10, 6) + timedelta(minutes=15 * i) for i in range(8)]


def test_london_spring_forward_and_fall_back() -> None:
    # Europe/London: 31 March 2024 01:00 GMT -> 02:00 BST; 27 October 2024 02:00 BST -> 01:00 GMT.
    expression = scheduler("cron(30 1 * * ? *)", LONDON)
    assert list(expression.fire_times(utc(2024, 3, 30), utc(2024, 4, 2))) == [
        utc(2024, 3, 30, 1, 30),
        utc(2024, 4, 1, 0, 30),
    ]
    assert list(expression.fire_times(utc(2024, 10, 26), utc(2024, 10, 29))) == [
        utc(2024, 10, 26, 0, 30),
        utc(2024, 10, 27, 0, 30),
        utc(2024, 10, 28, 1, 30),
    ]


def test_london_last_sunday_of_march_at_one_is_skipped_that_year() -> None:
    # cron(0 1 ? 3 1L *): the last Sunday of March is the changeover day itself, so 01:00 never exists.
    expression = scheduler("cron(0 1 ? 3 1L 2024-2026)", LONDON)
    assert expression.next_after(utc(2024, 1, 1)) is None


def test_time_zone_without_daylight_saving() -> None:
    expression = scheduler("cron(0 9 * * ? *)", "Asia/Kolkata")
    assert list(expression.fire_times(utc(2024, 3, 9), utc(2024, 3, 11))) == [
        utc(2024, 3, 9, 3, 30),
        utc(2024, 3, 10, 3, 30),
    ]


def test_scheduler_in_utc_matches_rules() -> None:
    text = "cron(0/30 20-2 ? * MON-FRI *)"
    start, end = utc(2024, 5, 1), utc(2024, 6, 1)
    assert list(scheduler(text).fire_times(start, end)) == list(
        ScheduleExpression.parse(text).fire_times(start, end)
    )


def test_extreme_instants_do_not_overflow() -> None:
    expression = scheduler("cron(0 0 * * ? *)", "Pacific/Kiritimati")
    assert expression.next_after(datetime.min.replace(tzinfo=UTC)) == utc(
        1970, 1, 1, 10, 40
    )  # UTC-10:40 then
    assert expression.next_after(datetime.max.replace(tzinfo=UTC)) is None
    assert scheduler("at(9999-12-31T23:59:59)", NEW_YORK).next_after(utc(2024, 1, 1)) is None
