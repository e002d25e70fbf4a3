"""Cron fire instants (UTC) at exactly the right minutes.

Field semantics from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
("Wildcards"); W, L and # details where that page is silent follow Quartz (notes/schedules.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from eventbus._schedule import ScheduleExpression
from eventbus.errors import SimulationError


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def fires(text: str, start: datetime, end: datetime) -> list[datetime]:
    return list(ScheduleExpression.parse(text).fire_times(start, end))


def days(text: str, start: datetime, end: datetime) -> list[tuple[int, int, int]]:
    return [(fire.year, fire.month, fire.day) for fire in fires(text, start, end)]


# --- the documented examples ---------------------------------------------------------------------------


def test_daily_at_ten_utc() -> None:
    # "0 10 * * ? *": Run at 10:00 am (UTC+0) every day.
    assert fires("cron(0 10 * * ? *)", at(2024, 5, 1), at(2024, 5, 4)) == [
        at(2024, 5, 1, 10),
        at(2024, 5, 2, 10),
        at(2024, 5, 3, 10),
    ]


def test_next_after_is_strictly_after() -> None:
    expression = ScheduleExpression.parse("cron(15 12 * * ? *)")
    assert expression.next_after(at(2024, 5, 1, 12, 15)) == at(2024, 5, 2, 12, 15)
    assert expression.next_after(at(2024, 5, 1, 12, 14) + timedelta(seconds=59)) == at(2024, 5, 1, 12, 15)
    assert expression.next_after(at(2024, 5, 1, 12, 15) + timedelta(microseconds=1)) == at(2024, 5, 2, 12, 15)


def test_weekdays_only_mon_fri() -> None:
    # "0 18 ? * MON-FRI *": 2024-05-04/05 is a weekend.
    assert days("cron(0 18 ? * MON-FRI *)", at(2024, 5, 1), at(2024, 5, 8)) == [
        (2024, 5, 1),
        (2024, 5, 2),
        (2024, 5, 3),
        (2024, 5, 6),
        (2024, 5, 7),
    ]


def test_every_30_minutes_from_10_pm_to_2_am_on_weekdays() -> None:
    # "0/30 20-2 ? * MON-FRI *": the hours range wraps past midnight; the day filter applies to each hour.
    friday = at(2024, 5, 3)
    got = fires("cron(0/30 20-2 ? * MON-FRI *)", friday, friday + timedelta(days=4))
    hours = sorted({(fire.day, fire.hour) for fire in got})
    assert hours[:6] == [(3, 0), (3, 1), (3, 2), (3, 20), (3, 21), (3, 22)]
    assert not [fire for fire in got if fire.day in (4, 5)]  # Saturday, Sunday
    assert got[0] == at(2024, 5, 3, 0, 0)
    assert len(got) == 2 * 7 * 2  # Friday and Monday, hours 20-23 and 0-2, two per hour


def test_last_friday_of_each_month_in_2019_to_2022() -> None:
    # "cron(15 10 ? * 6L 2019-2022)" from the rules page.
    got = fires("cron(15 10 ? * 6L 2019-2022)", at(2022, 9, 1), at(2030, 1, 1))
    assert got == [
        at(2022, 9, 30, 10, 15),
        at(2022, 10, 28, 10, 15),
        at(2022, 11, 25, 10, 15),
        at(2022, 12, 30, 10, 15),
    ]


# --- month ends and leap years -------------------------------------------------------------------------


def test_31st_is_skipped_in_shorter_months_not_moved() -> None:
    assert days("cron(0 12 31 * ? *)", at(2024, 1, 1), at(2025, 1, 1)) == [
        (2024, 1, 31),
        (2024, 3, 31),
        (2024, 5, 31),
        (2024, 7, 31),
        (2024, 8, 31),
        (2024, 10, 31),
        (2024, 12, 31),
    ]


def test_30th_never_in_february() -> None:
    assert ScheduleExpression.parse("cron(0 0 30 2 ? *)").next_after(at(1970, 1, 1)) is None


def test_february_29_only_in_leap_years() -> None:
    assert days("cron(0 0 29 2 ? *)", at(2021, 1, 1), at(2033, 1, 1)) == [
        (2024, 2, 29),
        (2028, 2, 29),
        (2032, 2, 29),
    ]
    # 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
    assert days("cron(0 0 29 2 ? 1996-2104)", at(1996, 1, 1), at(2200, 1, 1))[:2] == [
        (1996, 2, 29),
        (2000, 2, 29),
    ]
    assert (2100, 2, 29) not in days("cron(0 0 29 2 ? 2096-2104)", at(2096, 1, 1), at(2200, 1, 1))
    assert days("cron(0 0 29 2 ? 2096-2104)", at(2096, 1, 1), at(2200, 1, 1)) == [
        (2096, 2, 29),
        (2104, 2, 29),
    ]


def test_day_range_past_the_month_end() -> None:
    assert days("cron(0 0 28-31 2 ? 2023-2024)", at(2023, 1, 1), at(2025, 1, 1)) == [
        (2023, 2, 28),
        (2024, 2, 28),
        (2024, 2, 29),
    ]


# --- L, W and # ----------------------------------------------------------------------------------------


def test_l_is_the_last_day_of_each_month() -> None:
    assert days("cron(0 0 L * ? 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [
        (2024, 1, 31),
        (2024, 2, 29),
        (2024, 3, 31),
        (2024, 4, 30),
        (2024, 5, 31),
        (2024, 6, 30),
        (2024, 7, 31),
        (2024, 8, 31),
        (2024, 9, 30),
        (2024, 10, 31),
        (2024, 11, 30),
        (2024, 12, 31),
    ]
    assert days("cron(0 0 L 2 ? 2023)", at(2023, 1, 1), at(2024, 1, 1)) == [(2023, 2, 28)]


def test_lw_is_the_last_weekday_of_the_month() -> None:
    got = days("cron(0 21 LW * ? 2024)", at(2024, 1, 1), at(2025, 1, 1))
    assert (2024, 3, 29) in got  # 31 March 2024 is a Sunday
    assert (2024, 8, 30) in got  # 31 August 2024 is a Saturday
    assert (2024, 11, 29) in got  # 30 November 2024 is a Saturday
    assert (2024, 6, 28) in got  # 30 June 2024 is a Sunday
    assert (2024, 1, 31) in got  # a Wednesday
    assert len(got) == 12


def test_w_moves_a_weekend_day_to_the_nearest_weekday() -> None:
    # 15 June 2024 is a Saturday -> Friday 14th; 15 September 2024 is a Sunday -> Monday 16th.
    got = days("cron(0 9 15W * ? 2024)", at(2024, 1, 1), at(2025, 1, 1))
    assert (2024, 6, 14) in got
    assert (2024, 9, 16) in got
    assert (2024, 5, 15) in got  # a Wednesday stays
    assert len(got) == 12


def test_1w_on_a_saturday_is_monday_the_3rd() -> None:
    # 1 June 2024 is a Saturday; the Friday before is in May, so W does not cross back.
    assert days("cron(0 9 1W 6 ? 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [(2024, 6, 3)]
    # 1 September 2024 is a Sunday -> Monday the 2nd.
    assert days("cron(0 9 1W 9 ? 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [(2024, 9, 2)]


def test_31w_on_a_sunday_is_friday_the_29th() -> None:
    # 31 March 2024 and 31 October 2027 are Sundays; the Monday after is in the next month.
    assert days("cron(0 9 31W 3 ? 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [(2024, 3, 29)]
    assert days("cron(0 9 31W 10 ? 2027)", at(2027, 1, 1), at(2028, 1, 1)) == [(2027, 10, 29)]
    # 30 June 2024 is a Sunday and the month's last day.
    assert days("cron(0 9 30W 6 ? 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [(2024, 6, 28)]


def test_31w_does_not_fire_in_months_without_a_31st() -> None:
    got = days("cron(5 10 31W * ? 2027)", at(2027, 1, 1), at(2028, 1, 1))
    assert got == [
        (2027, 1, 29),
        (2027, 3, 31),
        (2027, 5, 31),
        (2027, 7, 30),
        (2027, 8, 31),
        (2027, 10, 29),
        (2027, 12, 31),
    ]


def test_hash_is_the_nth_weekday() -> None:
    # "3#2 would be the second Tuesday of the month".
    assert days("cron(0 9 ? * 3#2 2024)", at(2024, 1, 1), at(2024, 4, 1)) == [
        (2024, 1, 9),
        (2024, 2, 13),
        (2024, 3, 12),
    ]
    assert days("cron(0 9 ? * MON#1 2024)", at(2024, 1, 1), at(2024, 4, 1)) == [
        (2024, 1, 1),
        (2024, 2, 5),
        (2024, 3, 4),
    ]


def test_missing_fifth_occurrence_is_skipped() -> None:
    # Fridays: 2024 has five in March, May, August and November only.
    assert days("cron(0 9 ? * 6#5 2024)", at(2024, 1, 1), at(2025, 1, 1)) == [
        (2024, 3, 29),
        (2024, 5, 31),
        (2024, 8, 30),
        (2024, 11, 29),
    ]


def test_l_in_day_of_week_alone_is_saturday() -> None:
    assert days("cron(0 0 ? * L *)", at(2024, 5, 1), at(2024, 5, 15)) == [(2024, 5, 4), (2024, 5, 11)]


def test_named_last_weekday() -> None:
    assert days("cron(0 0 ? * FRIL 2024)", at(2024, 1, 1), at(2024, 3, 1)) == [(2024, 1, 26), (2024, 2, 23)]


# --- numbering, names, steps, ranges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "weekday"),
    [("1", 6), ("SUN", 6), ("2", 0), ("MON", 0), ("6", 4), ("FRI", 4), ("7", 5), ("SAT", 5), ("sat", 5)],
)
def test_day_of_week_numbering_starts_on_sunday(field: str, weekday: int) -> None:
    got = fires(f"cron(0 0 ? * {field} *)", at(2024, 5, 1), at(2024, 5, 29))
    assert len(got) == 4
    assert {fire.weekday() for fire in got} == {weekday}


def test_day_of_week_range_may_wrap() -> None:
    got = fires("cron(0 0 ? * FRI-MON *)", at(2024, 5, 1), at(2024, 5, 8))
    assert [fire.day for fire in got] == [3, 4, 5, 6]


def test_month_names_and_ranges() -> None:
    assert [
        fire.month for fire in fires("cron(0 0 1 JAN,JUL,DEC ? 2024)", at(2024, 1, 1), at(2025, 1, 1))
    ] == [1, 7, 12]
    assert [fire.month for fire in fires("cron(0 0 1 NOV-FEB ? 2024)", at(2024, 1, 1), at(2025, 1, 1))] == [
        1,
        2,
        11,
        12,
    ]
    assert [fire.month for fire in fires("cron(0 0 1 1-12/3 ? 2024)", at(2024, 1, 1), at(2025, 1, 1))] == [
        1,
        4,
        7,
        10,
    ]


@pytest.mark.parametrize(
    ("field", "minutes"),
    [
        ("0/15", [0, 15, 30, 45]),
        ("1/10", [1, 11, 21, 31, 41, 51]),  # "every tenth minute, starting from the first minute"
        ("*/20", [0, 20, 40]),
        ("10-50/20", [10, 30, 50]),
        ("50-10/5", [0, 5, 10, 50, 55]),
        ("5,35", [5, 35]),
        ("58/5", [58]),
        ("0-15/1", list(range(16))),
        ("1/10,2,3/8", [1, 2, 3, 11, 19, 21, 27, 31, 35, 41, 43, 51, 59]),
    ],
)
def test_minute_steps_and_lists(field: str, minutes: list[int]) -> None:
    got = fires(f"cron({field} 10 * * ? *)", at(2024, 5, 1), at(2024, 5, 2))
    assert [fire.minute for fire in got] == minutes
    assert {fire.hour for fire in got} == {10}


def test_day_of_month_step() -> None:
    assert days("cron(0 0 1/10 * ? 2024)", at(2024, 1, 1), at(2024, 3, 1)) == [
        (2024, 1, 1),
        (2024, 1, 11),
        (2024, 1, 21),
        (2024, 1, 31),
        (2024, 2, 1),
        (2024, 2, 11),
        (2024, 2, 21),
    ]


# --- the year field and the end of a schedule ----------------------------------------------------------


def test_year_range_and_end_of_schedule() -> None:
    expression = ScheduleExpression.parse("cron(0 0 1 1 ? 2019-2020)")
    assert list(expression.fire_times(at(2000, 1, 1), at(2100, 1, 1))) == [at(2019, 1, 1), at(2020, 1, 1)]
    assert expression.next_after(at(2020, 1, 1)) is None
    assert expression.next_after(at(1960, 1, 1)) == at(2019, 1, 1)


def test_year_step() -> None:
    assert [fire.year for fire in fires("cron(0 0 1 1 ? 2020/50)", at(2000, 1, 1), at(2300, 1, 1))] == [
        2020,
        2070,
        2120,
        2170,
    ]


def test_nothing_after_2199() -> None:
    expression = ScheduleExpression.parse("cron(59 23 31 12 ? *)")
    assert expression.next_after(at(2199, 12, 31, 23, 58)) == at(2199, 12, 31, 23, 59)
    assert expression.next_after(at(2199, 12, 31, 23, 59)) is None
    assert expression.next_after(at(2500, 1, 1)) is None


def test_far_fires_are_found_without_stepping_minutes() -> None:
    # Field-by-field stepping: each of these would take millions of minute steps.
    started = time.perf_counter()
    assert ScheduleExpression.parse("cron(0 0 1 1 ? 2199)").next_after(at(1970, 1, 1)) == at(2199, 1, 1)
    assert ScheduleExpression.parse("cron(0 0 29 2 ? 2196-2199)").next_after(at(1970, 1, 1)) == at(
        2196, 2, 29
    )
    assert ScheduleExpression.parse("cron(0 0 30 2 ? *)").next_after(at(1970, 1, 1)) is None
    assert ScheduleExpression.parse("cron(0 0 ? 2 2#5 *)").next_after(at(2016, 3, 1)) == at(2044, 2, 29)
    yearly = list(ScheduleExpression.parse("cron(0 12 25 12 ? *)").fire_times(at(1970, 1, 1), at(2300, 1, 1)))
    assert len(yearly) == 2199 - 1970 + 1
    assert time.perf_counter() - started < 0.5


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(SimulationError, match="aware"):
        ScheduleExpression.parse("cron(0 0 * * ? *)").next_after(datetime(2024, 1, 1))


def test_results_are_utc_for_any_aware_input() -> None:
    from zoneinfo import ZoneInfo

    got = ScheduleExpression.parse("cron(0 10 * * ? *)").next_after(
        datetime(2024, 5, 1, 12, tzinfo=ZoneInfo("Asia/Tokyo"))
    )
    assert got == at(2024, 5, 1, 10)
    assert got is not None
    assert got.tzinfo is UTC
