"""Schedule expressions of EventBridge rules and EventBridge Scheduler: ``rate()``, ``cron()`` and ``at()``.

Pure: parsing checks AWS's grammar and raises AWS's error; evaluation maps an instant to the next fire
instant. Nothing here reads a clock; the services ask ``next_after(now)`` and set a timer.

Two dialects:

* ``"events"``: scheduled rules (``PutRule``). ``rate()`` and ``cron()`` only, always UTC; an invalid
  expression is ``ValidationException: Parameter ScheduleExpression is not valid.``
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html).
* ``"scheduler"``: EventBridge Scheduler (``CreateSchedule``). Adds ``at()`` and an IANA time zone in which
  ``cron()`` and ``at()`` are read, with AWS's daylight-saving rules; an invalid expression is
  ``ValidationException: Invalid Schedule Expression <expression>.`` (the text AWS returned in LocalStack's
  recorded snapshots, tests/aws/services/scheduler/test_scheduler.snapshot.json)
  (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).

Example::

    >>> from datetime import datetime, UTC
    >>> expression = ScheduleExpression.parse("cron(15 10 ? * 6L 2019-2022)")
    >>> expression.next_after(datetime(2022, 1, 1, tzinfo=UTC))
    datetime.datetime(2022, 1, 28, 10, 15, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import ClassVar, Literal, Self
from zoneinfo import ZoneInfo, available_timezones

from eventbus._cron import CronSpec, InvalidCronError, parse_cron_fields
from eventbus.errors import SimulationError, ValidationError

__all__ = ("AtExpression", "CronExpression", "RateExpression", "ScheduleDialect", "ScheduleExpression")

ScheduleDialect = Literal["events", "scheduler"]
"""Whose grammar and error text apply: ``"events"`` (scheduled rules) or ``"scheduler"`` (EventBridge Scheduler)."""

RateUnit = Literal["minute", "hour", "day"]

_RATE = re.compile(r"rate\(([0-9]+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\(([^ ]+(?: +[^ ]+)*)\)")
_AT = re.compile(r"at\(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\)")
_UNIT_LENGTH: dict[str, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}
_MAX_RATE_VALUE = 2**31 - 1  # AWS does not document a ceiling; a Java int is the natural one (unconfirmed)
_ONE_MINUTE = timedelta(minutes=1)
_TICK = timedelta(microseconds=1)
# Cron years are 1970-2199: searching from further out changes nothing and keeps zone arithmetic in range.
_SEARCH_FLOOR = datetime(1969, 12, 30, tzinfo=UTC)
_SEARCH_CEILING = datetime(2200, 1, 2, tzinfo=UTC)


def _invalid_expression(text: str, dialect: ScheduleDialect) -> ValidationError:
    if dialect == "scheduler":
        return ValidationError(f"Invalid Schedule Expression {text}.", code="ValidationException")
    return ValidationError("Parameter ScheduleExpression is not valid.", code="ValidationException")


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str, dialect: ScheduleDialect) -> ZoneInfo:
    if dialect == "events":
        if name != "UTC":
            raise SimulationError(
                f"EventBridge rules evaluate schedules in UTC only, got timezone={name!r}; "
                'use dialect="scheduler" for EventBridge Scheduler time zones'
            )
        return ZoneInfo("UTC")
    if name not in _known_time_zones():
        # AWS's wording for an unknown ScheduleExpressionTimezone is not confirmed.
        raise ValidationError(f"Invalid Schedule Expression Timezone {name}.", code="ValidationException")
    return ZoneInfo(name)


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise SimulationError(f"{name} must be an aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _first_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant a naive wall time first happens in ``zone``: ``None`` inside a spring-forward gap, the
    earlier of the two in a fall-back overlap (EventBridge Scheduler "runs the schedule only once")."""
    try:
        instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    except OverflowError:  # at(9999-12-31T23:59:59) west of Greenwich
        return None
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None  # the wall time does not exist that day
    return instant


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleExpression:
    """A parsed ``rate()``, ``cron()`` or ``at()`` expression; build one with :meth:`parse`.

    Attributes:
        text: the expression exactly as given.
        dialect: ``"events"`` for EventBridge rules, ``"scheduler"`` for EventBridge Scheduler.
        timezone: the IANA time zone ``cron()`` and ``at()`` are read in (always ``"UTC"`` for rules).
    """

    kind: ClassVar[Literal["rate", "cron", "at"]]

    text: str
    dialect: ScheduleDialect = "events"
    timezone: str = "UTC"

    @classmethod
    def parse(cls, text: str, *, dialect: ScheduleDialect = "events", timezone: str = "UTC") -> Self:
        """Parse ``text`` with AWS's grammar for ``dialect``.

        Args:
            text: ``rate(5 minutes)``, ``cron(0 12 * * ? *)`` or (Scheduler only) ``at(2022-11-20T13:00:00)``.
            dialect: ``"events"`` (PutRule) or ``"scheduler"`` (CreateSchedule).
            timezone: Scheduler's ``ScheduleExpressionTimezone``; rules accept only ``"UTC"``.

        Raises:
            ValidationError: the expression (or the Scheduler time zone) AWS would refuse, with AWS's message.
            SimulationError: a time zone other than UTC for the ``"events"`` dialect.
        """
        if dialect not in ("events", "scheduler"):
            raise SimulationError(f'dialect must be "events" or "scheduler", got {dialect!r}')
        zone = _zone(timezone, dialect)
        expression = _parse(text, dialect, timezone, zone)
        if not isinstance(expression, cls):
            raise _invalid_expression(text, dialect)
        return expression

    def next_after(self, instant: datetime, *, anchor: datetime | None = None) -> datetime | None:
        """The first fire instant strictly after ``instant`` (aware, returned in UTC), or ``None`` if none is left.

        Args:
            instant: an aware datetime.
            anchor: when a ``rate()`` schedule started (the rule's creation, or Scheduler's StartDate or
                creation); required for ``rate()``, ignored by ``cron()`` and ``at()``.
        """
        raise NotImplementedError

    def fire_times(
        self, start: datetime, end: datetime, *, anchor: datetime | None = None
    ) -> Iterator[datetime]:
        """Every fire instant in ``[start, end)``, in order, in UTC."""
        cursor = _as_utc(start, "start") - _TICK
        stop = _as_utc(end, "end")
        while (fire := self.next_after(cursor, anchor=anchor)) is not None and fire < stop:
            yield fire
            cursor = fire

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class RateExpression(ScheduleExpression):
    """``rate(value unit)``: every ``value`` minutes, hours or days, counted from an anchor.

    Rules: "A rate expression starts when you create the scheduled event rule, and then it runs on a
    defined schedule" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html);
    the first event comes one period after creation (the page does not say; this is the reading that
    "starts when you create" then "runs on a defined schedule" gives). Scheduler: "If you do not provide a
    StartDate for a rate-based schedule, your schedule starts invoking the target immediately", and
    StartDate sets "the first occurrence", so the anchor itself fires. A day is always 24 hours, also
    across daylight-saving changes, and the time zone plays no part
    (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time).
    """

    kind: ClassVar[Literal["rate", "cron", "at"]] = "rate"

    value: int
    unit: RateUnit

    @property
    def period(self) -> timedelta:
        """The time between two fires."""
        return self.value * _UNIT_LENGTH[self.unit]

    @property
    def fires_at_anchor(self) -> bool:
        """Whether the anchor is itself a fire time (Scheduler) or the first fire is one period later (rules)."""
        return self.dialect == "scheduler"

    def next_after(self, instant: datetime, *, anchor: datetime | None = None) -> datetime | None:
        if anchor is None:
            raise SimulationError(f"{self.text} needs an anchor: the instant the schedule started")
        now, start = _as_utc(instant, "instant"), _as_utc(anchor, "anchor")
        count = max(0 if self.fires_at_anchor else 1, (now - start) // self.period + 1)
        try:
            return start + count * self.period
        except OverflowError:
            return None


@dataclass(frozen=True, slots=True, kw_only=True)
class CronExpression(ScheduleExpression):
    """``cron(minutes hours day-of-month month day-of-week year)``, read as wall-clock time in ``timezone``.

    Fires at whole minutes. In a Scheduler time zone: "When time shifts forward in the Spring, if a cron
    expression falls on a non-existent date and time, your schedule invocation is skipped. When time
    shifts backwards in the Fall, your schedule runs only once and does not repeat its invocation"; the
    single run is the one before the shift
    (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time).

    Attributes:
        spec: the compiled fields (allowed minutes, hours, months, years and the day rule).
    """

    kind: ClassVar[Literal["rate", "cron", "at"]] = "cron"

    spec: CronSpec = field(repr=False)
    zone: ZoneInfo = field(repr=False, compare=False)

    def next_after(self, instant: datetime, *, anchor: datetime | None = None) -> datetime | None:
        now = _as_utc(instant, "instant")
        if now >= _SEARCH_CEILING:
            return None
        local = max(now, _SEARCH_FLOOR).astimezone(self.zone)
        wall = local.replace(tzinfo=None, second=0, microsecond=0, fold=0) + _ONE_MINUTE
        while (found := self.spec.next_wall(wall)) is not None:
            fire = _first_instant(found, self.zone)
            if fire is not None and fire > now:
                return fire
            # Skipped (spring gap) or already past (asked from the second pass of a fall-back hour).
            wall = found + _ONE_MINUTE
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class AtExpression(ScheduleExpression):
    """``at(yyyy-mm-ddThh:mm:ss)`` (EventBridge Scheduler only): one invocation at that wall time in ``timezone``.

    Scheduler ignores StartDate and EndDate for one-time schedules
    (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time). AWS does not say
    what a wall time inside a spring-forward gap does; like a cron time there, it never fires
    (``instant`` is ``None``). An ambiguous fall-back time fires at its first occurrence.

    Attributes:
        wall: the naive local date and time written in the expression.
    """

    kind: ClassVar[Literal["rate", "cron", "at"]] = "at"

    wall: datetime
    zone: ZoneInfo = field(repr=False, compare=False)

    @property
    def instant(self) -> datetime | None:
        """The UTC instant of the invocation, or ``None`` if the wall time does not exist in the time zone."""
        return _first_instant(self.wall, self.zone)

    def next_after(self, instant: datetime, *, anchor: datetime | None = None) -> datetime | None:
        fire = self.instant
        return fire if fire is not None and fire > _as_utc(instant, "instant") else None


def _parse(text: str, dialect: ScheduleDialect, timezone: str, zone: ZoneInfo) -> ScheduleExpression:
    if match := _RATE.fullmatch(text):
        if len(match[1].lstrip("0")) > len(str(_MAX_RATE_VALUE)):  # int() of a huge string is slow
            raise _invalid_expression(text, dialect)
        return _parse_rate(text, dialect, timezone, int(match[1]), match[2])
    if match := _CRON.fullmatch(text):
        try:
            spec = parse_cron_fields([field for field in match[1].split(" ") if field])
        except InvalidCronError as error:
            raise _invalid_expression(text, dialect) from error
        return CronExpression(text=text, dialect=dialect, timezone=timezone, spec=spec, zone=zone)
    if dialect == "scheduler" and (match := _AT.fullmatch(text)):
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        try:
            wall = datetime(year, month, day, hour, minute, second)
        except ValueError as error:  # 2023-02-30, hour 24...
            raise _invalid_expression(text, dialect) from error
        return AtExpression(text=text, dialect=dialect, timezone=timezone, wall=wall, zone=zone)
    raise _invalid_expression(text, dialect)


def _parse_rate(
    text: str, dialect: ScheduleDialect, timezone: str, value: int, unit_text: str
) -> RateExpression:
    """Rules: the unit is singular when the value is 1 and plural otherwise ("rate(1 hours) and rate(5 hour)
    aren't valid"). Scheduler's guide lists only ``minutes | hours | days`` and writes ``rate(1 days)``,
    while its API reference lists all six words: Scheduler takes the plural with any value and the singular
    with 1 (unconfirmed against AWS)."""
    plural = unit_text.endswith("s")
    agrees = plural != (value == 1) or (dialect == "scheduler" and plural)
    if not 1 <= value <= _MAX_RATE_VALUE or not agrees:
        raise _invalid_expression(text, dialect)
    unit: RateUnit = (
        "minute" if unit_text.startswith("minute") else "hour" if unit_text.startswith("hour") else "day"
    )
    try:
        value * _UNIT_LENGTH[unit]
    except OverflowError as error:
        raise _invalid_expression(text, dialect) from error
    return RateExpression(text=text, dialect=dialect, timezone=timezone, value=value, unit=unit)
