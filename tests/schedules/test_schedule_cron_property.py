"""Property: next_after agrees with a brute-force, minute-by-minute reference over a bounded window.

The reference does not use eventbus's parser: the strategy draws a structured expression, renders its
text, and judges each minute with predicates written from the AWS wildcard descriptions
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html) and the daylight
saving rules of https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from eventbus._schedule import ScheduleExpression

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Field:
    """A rendered field and a predicate on its values."""

    text: str
    accepts: Callable[[int], bool]


@dataclass(frozen=True)
class DayField:
    text: str
    accepts: Callable[[date], bool]


def aws_weekday(day: date) -> int:
    return {6: 1, 0: 2, 1: 3, 2: 4, 3: 5, 4: 6, 5: 7}[day.weekday()]


def last_day(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


@dataclass(frozen=True)
class Item:
    """One comma-separated piece of a field, judged by a predicate rather than by enumerating it."""

    form: str
    a: int
    b: int
    step: int
    low: int
    high: int

    def in_range(self, v: int) -> bool:
        return self.a <= v <= self.b if self.a <= self.b else v >= self.a or v <= self.b  # wraps past the top

    def accepts(self, v: int) -> bool:
        if self.form == "value":
            return v == self.a
        if self.form == "range":
            return self.in_range(v)
        if self.form == "start/step":
            return v >= self.a and (v - self.a) % self.step == 0
        if self.form == "*/step":
            return (v - self.low) % self.step == 0
        span = self.high - self.low + 1
        return self.in_range(v) and ((v - self.a) % span) % self.step == 0


@st.composite
def items(
    draw: st.DrawFn, low: int, high: int, names: tuple[str, ...] = (), steps: bool = True, wraps: bool = True
) -> Field:
    """One ``,``-list of values, ranges (wrapping past the top unless ``wraps`` is false) and increments."""
    forms = ["value", "range", "start/step", "*/step", "range/step"] if steps else ["value", "range"]
    rendered: list[str] = []
    pieces: list[Item] = []
    for _ in range(draw(st.integers(1, 3))):
        form = draw(st.sampled_from(forms))
        a, b = draw(st.integers(low, high)), draw(st.integers(low, high))
        if not wraps:
            a, b = min(a, b), max(a, b)
        step = draw(st.integers(1, high))
        use_names = bool(names) and draw(st.booleans())
        start, stop = (names[a - low], names[b - low]) if use_names else (str(a), str(b))
        rendered.append(
            {
                "value": start,
                "range": f"{start}-{stop}",
                "start/step": f"{a}/{step}",
                "*/step": f"*/{step}",
                "range/step": f"{a}-{b}/{step}",
            }[form]
        )
        pieces.append(Item(form, a, b, step, low, high))
    return Field(",".join(rendered), lambda v: any(piece.accepts(v) for piece in pieces))


def star(low: int, high: int) -> st.SearchStrategy[Field]:
    return st.just(Field("*", lambda v: low <= v <= high))


def values(low: int, high: int, names: tuple[str, ...] = ()) -> st.SearchStrategy[Field]:
    return st.one_of(star(low, high), items(low, high, names))


@st.composite
def days_of_month(draw: st.DrawFn) -> DayField:
    kind = draw(st.sampled_from(["*", "list", "L", "LW", "W"]))
    if kind == "*":
        return DayField("*", lambda d: True)
    if kind == "list":
        field = draw(items(1, 31))
        return DayField(field.text, lambda d: field.accepts(d.day))
    if kind == "L":
        return DayField("L", lambda d: d.day == last_day(d))
    if kind == "LW":
        return DayField(
            "LW",
            lambda d: d.day == max(n for n in range(1, last_day(d) + 1) if d.replace(day=n).weekday() < 5),
        )
    target = draw(
        st.one_of(st.sampled_from([1, 2, 28, 29, 30, 31]), st.integers(1, 31))
    )  # month edges matter

    def nearest_weekday(d: date) -> bool:
        if target > last_day(d):
            return False
        weekdays = [n for n in range(1, last_day(d) + 1) if d.replace(day=n).weekday() < 5]
        return d.day == min(weekdays, key=lambda n: abs(n - target))

    return DayField(f"{target}W", nearest_weekday)


@st.composite
def days_of_week(draw: st.DrawFn) -> DayField:
    kind = draw(st.sampled_from(["*", "list", "L", "nL", "#"]))
    if kind == "*":
        return DayField("*", lambda d: True)
    if kind == "list":
        field = draw(items(1, 7, DAYS, steps=False))
        return DayField(field.text, lambda d: field.accepts(aws_weekday(d)))
    if kind == "L":
        return DayField("L", lambda d: aws_weekday(d) == 7)
    weekday = draw(st.integers(1, 7))
    text = DAYS[weekday - 1] if draw(st.booleans()) else str(weekday)
    if kind == "nL":
        return DayField(f"{text}L", lambda d: aws_weekday(d) == weekday and d.day + 7 > last_day(d))
    nth = draw(st.integers(1, 5))
    return DayField(f"{text}#{nth}", lambda d: aws_weekday(d) == weekday and (d.day - 1) // 7 + 1 == nth)


@dataclass(frozen=True)
class Cron:
    text: str
    minute: Field
    hour: Field
    day: DayField
    month: Field
    year: Field

    def matches(self, wall: datetime, day_cache: dict[date, bool]) -> bool:
        if not (self.minute.accepts(wall.minute) and self.hour.accepts(wall.hour)):
            return False
        day = wall.date()
        if day not in day_cache:
            day_cache[day] = (
                self.day.accepts(day) and self.month.accepts(day.month) and self.year.accepts(day.year)
            )
        return day_cache[day]


@st.composite
def crons(draw: st.DrawFn) -> Cron:
    minute = draw(values(0, 59))
    hour = draw(values(0, 23))
    month = draw(values(1, 12, MONTHS))
    year = draw(st.one_of(star(1970, 2199), items(2022, 2028, steps=False, wraps=False)))
    if draw(st.booleans()):
        day = draw(days_of_month())
        dom, dow = day.text, "?"
    else:
        day = draw(days_of_week())
        dom, dow = "?", day.text
    text = f"cron({minute.text} {hour.text} {dom} {month.text} {dow} {year.text})"
    return Cron(text, minute, hour, day, month, year)


anywhere = st.builds(
    lambda day, minute, second: (
        datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=day, minutes=minute, seconds=second)
    ),
    st.integers(0, 4 * 365),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from([0, 0, 30, 59]),
)
# A week before a month's end, so windows cross month ends (L, W, 29-31, # near the end) more often.
before_month_end = st.builds(
    lambda year, month, back, minute: (
        datetime(year, month, 1, tzinfo=UTC)
        + timedelta(days=calendar.monthrange(year, month)[1] - back, minutes=minute)
    ),
    st.integers(2023, 2026),
    st.integers(1, 12),
    st.integers(1, 8),
    st.integers(0, 24 * 60 - 1),
)
instants = st.one_of(anywhere, before_month_end)

WINDOW = timedelta(days=10)


@settings(max_examples=250, deadline=None, derandomize=True)
@given(cron=crons(), start=instants)
def test_next_after_matches_minute_stepping_in_utc(cron: Cron, start: datetime) -> None:
    expression = ScheduleExpression.parse(cron.text)
    got = expression.next_after(start)

    cache: dict[date, bool] = {}
    wall = start.replace(second=0, microsecond=0, tzinfo=None) + MINUTE
    end = (start + WINDOW).replace(tzinfo=None)
    expected = None
    while wall <= end:
        if cron.matches(wall, cache):
            expected = wall.replace(tzinfo=UTC)
            break
        wall += MINUTE
    if expected is not None:
        assert got == expected, cron.text
    else:
        assert got is None or got > start + WINDOW, cron.text


# Daylight-saving changes of 2023-2026 in the two zones the tests use.
TRANSITIONS = [
    datetime(2023, 3, 12, 7, tzinfo=UTC),
    datetime(2023, 11, 5, 6, tzinfo=UTC),
    datetime(2024, 3, 10, 7, tzinfo=UTC),
    datetime(2024, 11, 3, 6, tzinfo=UTC),
    datetime(2023, 3, 26, 1, tzinfo=UTC),
    datetime(2023, 10, 29, 1, tzinfo=UTC),
    datetime(2024, 3, 31, 1, tzinfo=UTC),
    datetime(2024, 10, 27, 1, tzinfo=UTC),
]


@st.composite
def near_transitions(draw: st.DrawFn) -> datetime:
    base = draw(st.sampled_from(TRANSITIONS))
    return base + timedelta(
        minutes=draw(st.integers(-36 * 60, 12 * 60)), seconds=draw(st.sampled_from([0, 30]))
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(cron=crons(), start=near_transitions(), zone=st.sampled_from(["America/New_York", "Europe/London"]))
def test_next_after_across_daylight_saving_matches_minute_stepping(
    cron: Cron, start: datetime, zone: str
) -> None:
    """A UTC minute fires when its local wall time matches and it is that wall time's first occurrence
    (a repeated fall-back time runs once; a skipped spring-forward time never appears)."""
    expression = ScheduleExpression.parse(cron.text, dialect="scheduler", timezone=zone)
    got = expression.next_after(start)
    tz = ZoneInfo(zone)

    cache: dict[date, bool] = {}
    instant = start.replace(second=0, microsecond=0) + MINUTE
    end = start + timedelta(days=2)
    expected = None
    while instant <= end:
        local = instant.astimezone(tz)
        if local.fold == 0 and cron.matches(local.replace(tzinfo=None), cache):
            expected = instant
            break
        instant += MINUTE
    if expected is not None:
        assert got == expected, cron.text
    else:
        assert got is None or got > end, cron.text
