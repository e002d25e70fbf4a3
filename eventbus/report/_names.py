"""Readable names for ARNs and ids in reports: ``queue orders``, ``rule shop/big-orders``, ``event 1d2c5e8f``."""

from __future__ import annotations

from typing import Final, Protocol

__all__ = ("Names", "Writer", "clock", "seconds_text", "short_id")


class Writer(Protocol):
    """Where a report is written: anything with ``write(str)`` (a text file, ``sys.stdout``, ``io.StringIO``)."""

    def write(self, text: str, /) -> object: ...

_KINDS: Final = {
    "sqs": "queue",
    "sns": "topic",
    "lambda": "function",
    "python": "function",
}


def short_id(identifier: str) -> str:
    """The first eight characters of an id (what a reader needs to tell ids apart in one report)."""
    return identifier[:8] if len(identifier) > 8 else identifier


_last_clock: list[object] = [None, ""]


def clock(seconds: float) -> str:
    """Virtual time as ``+HH:MM:SS.mmm`` (hours grow past 24: ``+26:00:00.000``)."""
    last = _last_clock
    if seconds == last[0]:
        return str(last[1])
    text = _clock(seconds)
    last[0], last[1] = seconds, text
    return text


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    sign = "-" if millis < 0 else "+"
    hours, rest = divmod(abs(millis), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{sign}{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def seconds_text(seconds: float) -> str:
    """A duration for a sentence: ``0.8 s``, ``30 s``, ``2 min 5 s``, ``1 h 30 min``."""
    if seconds < 60:
        text = f"{seconds:.3f}".rstrip("0").rstrip(".")
        return f"{text} s"
    whole = round(seconds)
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{minutes} min" + (f" {secs} s" if secs else "")
    hours, rest = divmod(whole, 3600)
    minutes = rest // 60
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


class Names:
    """ARN to short name, memoised (reports name the same few resources many times)."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, arn: str) -> str:
        name = self._cache.get(arn)
        if name is None:
            name = self._cache[arn] = _name(arn)
        return name

    def function_arn(self, mapping_arn: str, function: str) -> str:
        """The ARN of function ``function`` in the account and region of ``mapping_arn``."""
        parts = mapping_arn.split(":", 5)
        if len(parts) < 6 or not function:
            return mapping_arn
        return ":".join([*parts[:5], f"function:{function}"])

    def kind(self, arn: str) -> str:
        """``queue``, ``bus``, ``rule``, ``topic``, ``function``, ``schedule`` ... (first word of the name)."""
        return self(arn).split(" ", 1)[0]


def _name(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return arn or "simulation"
    service, resource = parts[2], parts[5]
    if service == "events":
        kind, _, rest = resource.partition("/")
        if kind == "event-bus":
            return f"bus {rest}"
        if kind == "rule":
            return f"rule {rest}"
        return f"{kind} {rest}" if rest else arn
    if service == "scheduler":
        kind, _, rest = resource.partition("/")
        if kind == "schedule":
            group, _, name = rest.partition("/")
            return f"schedule {name}" if group == "default" else f"schedule {rest}"
        return f"{kind.replace('-', ' ')} {rest}"
    if service == "sns":
        topic, sep, subscription = resource.partition(":")
        return f"subscription {topic}/{short_id(subscription)}" if sep else f"topic {topic}"
    if service in ("lambda", "python"):
        kind, _, rest = resource.partition(":")
        if kind in ("function", "callable"):
            return f"function {rest}"
        if kind == "event-source-mapping":
            return f"event source mapping {short_id(rest)}"
    label = _KINDS.get(service)
    if label is not None:
        return f"{label} {resource}"
    return arn
