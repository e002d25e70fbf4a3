"""The cron part of AWS schedule expressions: field grammar and the next matching wall-clock minute.

AWS documents six fields, ``minutes hours day-of-month month day-of-week year``, with the wildcards
``, - * /`` everywhere except day-of-week (``, - * ? L #``), plus ``? L W`` in day-of-month and ``? L #``
in day-of-week; exactly one of the two day fields is ``?``
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html and
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based). The dialect
descends from Quartz's ``CronExpression`` (minus the seconds field); where the AWS pages are silent this
module follows Quartz, and notes/schedules.md lists each such choice.

This module knows nothing about time zones or instants: it maps a naive wall-clock minute to the next
naive wall-clock minute the expression names. ``eventbus._schedule`` turns wall times into instants.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ("CronSpec", "InvalidCronError", "aws_weekday", "parse_cron_fields")

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

# (lowest value, highest value, largest step, whether a range may wrap past the top: "20-2" in hours).
_MINUTE = (0, 59, 59, True)
_HOUR = (0, 23, 23, True)
_DAY_OF_MONTH = (1, 31, 31, True)
_MONTH = (1, 12, 12, True)
_DAY_OF_WEEK = (1, 7, 7, True)
_YEAR = (1970, 2199, 2199 - 1970, False)


class InvalidCronError(ValueError):
    """A cron field AWS would refuse; ``eventbus._schedule`` turns it into the dialect's ValidationError."""


def aws_weekday(day: date) -> int:
    """AWS's day-of-week number of ``day``: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


# --- day rules -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DaySet:
    """Explicit days of the month (``*``, ``1,15``, ``1-7``, ``1/10``...); days past the month's end never fire."""

    days: tuple[int, ...]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        return self.days[: bisect_right(self.days, calendar.monthrange(year, month)[1])]


@dataclass(frozen=True, slots=True)
class _LastDay:
    """``L`` in day-of-month: the last day of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        return (calendar.monthrange(year, month)[1],)


@dataclass(frozen=True, slots=True)
class _LastWeekday:
    """``LW``: the last weekday (Monday to Friday) of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        last = calendar.monthrange(year, month)[1]
        # Saturday (7) steps back one day to Friday, Sunday (1) two days.
        shift = {7: 1, 1: 2}.get(aws_weekday(date(year, month, last)), 0)
        return (last - shift,)


@dataclass(frozen=True, slots=True)
class _NearestWeekday:
    """``15W``: the weekday nearest the given day, never crossing into another month.

    A Saturday moves to the Friday before, unless that is in the previous month (``1W`` on Saturday the
    1st is Monday the 3rd); a Sunday moves to the Monday after, unless that is in the next month
    (``31W`` on Sunday the 31st is Friday the 29th). A month without that day (``31W`` in April) does not
    fire (Quartz's behaviour).
    """

    day: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        last = calendar.monthrange(year, month)[1]
        if self.day > last:
            return ()
        weekday = aws_weekday(date(year, month, self.day))
        if weekday == 7:  # Saturday
            return (self.day - 1,) if self.day > 1 else (self.day + 2,)
        if weekday == 1:  # Sunday
            return (self.day + 1,) if self.day < last else (self.day - 2,)
        return (self.day,)


@dataclass(frozen=True, slots=True)
class _WeekdaySet:
    """Explicit days of the week, AWS numbering (1 = Sunday); ``L`` alone means 7 (Saturday)."""

    weekdays: frozenset[int]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        first = aws_weekday(date(year, month, 1))
        last = calendar.monthrange(year, month)[1]
        return tuple(day for day in range(1, last + 1) if (first + day - 2) % 7 + 1 in self.weekdays)


@dataclass(frozen=True, slots=True)
class _LastWeekdayOfMonth:
    """``6L`` / ``FRIL``: the last given weekday of the month (the last Friday)."""

    weekday: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        last = calendar.monthrange(year, month)[1]
        back = (aws_weekday(date(year, month, last)) - self.weekday) % 7
        return (last - back,)


@dataclass(frozen=True, slots=True)
class _NthWeekdayOfMonth:
    """``2#1`` / ``MON#1``: the n-th given weekday of the month; a month without a 5th one does not fire."""

    weekday: int
    nth: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        first = 1 + (self.weekday - aws_weekday(date(year, month, 1))) % 7
        day = first + 7 * (self.nth - 1)
        return (day,) if day <= calendar.monthrange(year, month)[1] else ()


_DayRule = (
    _DaySet
    | _LastDay
    | _LastWeekday
    | _NearestWeekday
    | _WeekdaySet
    | _LastWeekdayOfMonth
    | _NthWeekdayOfMonth
)


# --- the compiled expression ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A compiled cron expression: the allowed values of each field, and one day rule.

    Attributes:
        minutes, hours, months, years: the allowed values, sorted.
        day_rule: the rule of whichever day field is not ``?``.
    """

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    day_rule: _DayRule

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The days of ``month`` in ``year`` the expression fires on, sorted."""
        return self.day_rule.days_in(year, month)

    def next_wall(self, start: datetime) -> datetime | None:
        """The first wall-clock minute at or after ``start`` (naive, whole minute) the expression names.

        Steps field by field (year, month, day, hour, minute) through sorted allowed values, so a yearly
        expression or one whose only year is 2199 answers in a few steps; ``None`` after the last year.
        """
        floor = (start.year, start.month, start.day, start.hour, start.minute)
        for year in self.years[bisect_left(self.years, floor[0]) :]:
            same_year = year == floor[0]
            for month in self.months[bisect_left(self.months, floor[1] if same_year else 1) :]:
                same_month = same_year and month == floor[1]
                days = self.days_in(year, month)
                for day in days[bisect_left(days, floor[2] if same_month else 1) :]:
                    same_day = same_month and day == floor[2]
                    for hour in self.hours[bisect_left(self.hours, floor[3] if same_day else 0) :]:
                        same_hour = same_day and hour == floor[3]
                        index = bisect_left(self.minutes, floor[4] if same_hour else 0)
                        if index < len(self.minutes):
                            return datetime(year, month, day, hour, self.minutes[index])
        return None


# --- parsing -------------------------------------------------------------------------------------------


def parse_cron_fields(fields: list[str]) -> CronSpec:
    """Compile the six fields of ``cron(...)``; raises InvalidCronError with the reason when AWS would refuse.

    Names (``JAN``, ``mon``) and the letters ``L``, ``W`` are case-insensitive, as in Quartz (AWS's own
    workshop writes ``mon-sun``).
    """
    if len(fields) != 6:
        raise InvalidCronError(f"cron needs six fields, got {len(fields)}")
    minute, hour, day_of_month, month, day_of_week, year = (field.upper() for field in fields)
    if (day_of_month == "?") == (day_of_week == "?"):
        raise InvalidCronError("exactly one of day-of-month and day-of-week must be '?'")
    day_rule = _parse_day_of_month(day_of_month) if day_of_week == "?" else _parse_day_of_week(day_of_week)
    return CronSpec(
        minutes=tuple(sorted(_parse_values(minute, _MINUTE))),
        hours=tuple(sorted(_parse_values(hour, _HOUR))),
        months=tuple(sorted(_parse_values(month, _MONTH, _MONTH_NAMES))),
        years=tuple(sorted(_parse_values(year, _YEAR))),
        day_rule=day_rule,
    )


def _parse_day_of_month(field: str) -> _DayRule:
    if field == "L":
        return _LastDay()
    if field == "LW":
        return _LastWeekday()
    if field.endswith("W"):
        day = _number(field[:-1], _DAY_OF_MONTH)
        return _NearestWeekday(day)
    if "L" in field or "W" in field:
        # "L-3", "L,15", "1-L", "W": Quartz has L-n offsets but the AWS pages do not, and L and W may not be
        # combined with lists or ranges.
        raise InvalidCronError(f"unsupported use of L or W in day-of-month {field!r}")
    return _DaySet(tuple(sorted(_parse_values(field, _DAY_OF_MONTH))))


def _parse_day_of_week(field: str) -> _DayRule:
    if field == "L":
        return _WeekdaySet(frozenset({7}))  # L alone is the last day of the week, Saturday
    if "/" in field:
        raise InvalidCronError("day-of-week does not take '/' increments")
    if "#" in field:
        weekday_text, _, nth_text = field.partition("#")
        weekday = _number(weekday_text, _DAY_OF_WEEK, _DAY_NAMES)
        nth = _digits(nth_text)
        if not 1 <= nth <= 5:
            raise InvalidCronError(f"'#' takes an occurrence from 1 to 5, got {nth_text!r}")
        return _NthWeekdayOfMonth(weekday, nth)
    if field.endswith("L"):
        return _LastWeekdayOfMonth(_number(field[:-1], _DAY_OF_WEEK, _DAY_NAMES))
    return _WeekdaySet(frozenset(_parse_values(field, _DAY_OF_WEEK, _DAY_NAMES)))


def _parse_values(field: str, limits: tuple[int, int, int, bool], names: tuple[str, ...] = ()) -> set[int]:
    """A ``, - * /`` field: a comma list of ``*``, ``v``, ``a-b``, each optionally followed by ``/step``."""
    low, high, max_step, wraps = limits
    if field == "*":
        return set(range(low, high + 1))
    values: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            step = _digits(step_text)
            if not 1 <= step <= max_step:
                raise InvalidCronError(f"increment {step_text!r} is out of range")
        if base == "*" and slash:
            start, stop = low, high
        elif "-" in base:
            start_text, _, stop_text = base.partition("-")
            start, stop = _number(start_text, limits, names), _number(stop_text, limits, names)
        else:
            start = _number(base, limits, names)
            stop = high if slash else start  # "5/15" counts from 5 to the top of the field
        if stop < start and not wraps:
            raise InvalidCronError(f"range {base!r} runs backwards")
        span = high - low + 1
        length = (stop - start) % span  # a wrapping range such as hours "20-2" continues past the top
        values.update(low + (start - low + offset) % span for offset in range(0, length + 1, step))
    return values


def _number(text: str, limits: tuple[int, int, int, bool], names: tuple[str, ...] = ()) -> int:
    low, high = limits[0], limits[1]
    if text in names:
        return names.index(text) + low
    value = _digits(text)
    if not low <= value <= high:
        raise InvalidCronError(f"value {text!r} is outside {low}-{high}")
    return value


def _digits(text: str) -> int:
    if not text or not text.isascii() or not text.isdigit():
        raise InvalidCronError(f"expected a number, got {text!r}")
    return int(text)
