"""The input file of ``eventbus replay``: one JSON object per line, each one input to the simulation.

Three kinds of line, told apart by their keys:

* **an EventBridge event**, sent with PutEvents, either as a full envelope (what a rule's target
  receives: ``{"version": "0", "id": ..., "source": ..., "detail-type": ..., "detail": {...}}``) or
  as a PutEvents entry (``{"Source": ..., "DetailType": ..., "Detail": ...}``). The bus is named by
  ``"EventBusName"`` or ``"bus"`` (a name or an ARN; default: the ``default`` bus). Of an envelope,
  ``source``, ``detail-type``, ``detail``, ``resources`` and ``time`` are sent; ``id``, ``account``
  and ``region`` are assigned by the simulation, as PutEvents assigns them
  (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html). A ``Detail``
  may be JSON text (as the API takes it) or an object.
* **an SQS send** (SendMessage): ``{"queue": ..., "body": ...}``. ``queue`` is a queue name, URL or
  ARN; ``body`` (or ``MessageBody``) is the message text, or any other JSON value, sent as its
  compact JSON text. Optional: ``attributes`` (``{"name": "text" | number}`` or the AWS
  ``MessageAttributes`` shape), ``group_id`` / ``MessageGroupId``, ``deduplication_id`` /
  ``MessageDeduplicationId``, ``delay`` / ``DelaySeconds``
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
* **an SNS publish** (Publish): ``{"topic": ..., "message": ...}``. ``topic`` is a topic name or
  ARN; ``message`` (or ``Message``) is text or any other JSON value (sent as compact JSON).
  Optional: ``subject`` / ``Subject``, ``attributes`` / ``MessageAttributes``, ``group_id`` /
  ``MessageGroupId``, ``deduplication_id`` / ``MessageDeduplicationId``, ``MessageStructure``
  (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).

When it happens, on the simulation's virtual clock (any kind of line):

* ``"at"``: seconds since the simulation's start (``30``, ``"90s"``, ``"1h30m"``) or an ISO-8601
  instant (``"2024-01-01T00:05:00Z"``);
* ``"after"``: seconds (or a duration) after the previous line;
* neither: at the same time as the previous line (the first line: at the start).

Time never goes backwards: a line timed before the previous one is an error. Blank lines and lines
whose first non-blank character is ``#`` are skipped. Unknown keys are errors, so that a misspelt
key is never silently ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import msgspec

from .errors import EventBusError

__all__ = ("InputError", "InputKind", "InputLine", "parse_duration", "parse_input_line", "parse_inputs")

InputKind = Literal["event", "sqs", "sns"]


class InputError(EventBusError, ValueError):
    """A line of a replay input file that cannot be used; the message starts with ``file:line:``.

    Attributes:
        path: the file as named by the caller.
        line: the 1-based line number (0 when the error is about the whole file).
        reason: the message without its ``file:line:`` prefix.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


class InputLine(msgspec.Struct, frozen=True, kw_only=True):
    """One validated input line.

    Attributes:
        line: its 1-based line number in the file.
        kind: ``"event"`` (PutEvents), ``"sqs"`` (SendMessage) or ``"sns"`` (Publish).
        target: the bus, queue or topic as written (None: the default event bus).
        at: an absolute time: seconds since the start, or an ISO-8601 instant; None when not given.
        after: seconds after the previous line; None when not given.
        request: the call's arguments: a PutEvents entry (without ``EventBusName``) for events; for
            SQS ``body``, ``attributes``, ``group_id``, ``deduplication_id``, ``delay_seconds``; for
            SNS ``message``, ``subject``, ``attributes``, ``group_id``, ``deduplication_id``,
            ``message_structure`` (absent keys were not given).
    """

    line: int
    kind: InputKind
    target: str | None
    at: float | str | None = None
    after: float | None = None
    request: dict[str, Any] = msgspec.field(default_factory=dict)


_TIME_KEYS: Final = ("at", "after")
_ENVELOPE_KEYS: Final = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail", "replay-name"}
)
_ENTRY_KEYS: Final = frozenset({"Source", "DetailType", "Detail", "Resources", "Time", "TraceHeader"})
_BUS_KEYS: Final = ("bus", "EventBusName")
# (our short key, AWS's key, request key)
_SQS_KEYS: Final = (
    ("body", "MessageBody", "body"),
    ("attributes", "MessageAttributes", "attributes"),
    ("group_id", "MessageGroupId", "group_id"),
    ("deduplication_id", "MessageDeduplicationId", "deduplication_id"),
    ("delay", "DelaySeconds", "delay_seconds"),
)
_SNS_KEYS: Final = (
    ("message", "Message", "message"),
    ("subject", "Subject", "subject"),
    ("attributes", "MessageAttributes", "attributes"),
    ("group_id", "MessageGroupId", "group_id"),
    ("deduplication_id", "MessageDeduplicationId", "deduplication_id"),
    ("structure", "MessageStructure", "message_structure"),
)
_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")
_UNITS: Final = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_decoder: Final = msgspec.json.Decoder()
_encode: Final = msgspec.json.encode


#: The longest duration a replay accepts (``after``, ``--until``): 100 years of virtual time, far
#: inside what dates can express, so that reports can always print the instants.
MAX_DURATION = 100 * 365.25 * 86400


def parse_duration(value: str | float | int) -> float:
    """Seconds from a number or a duration text such as ``"90"``, ``"90s"``, ``"1h30m"``, ``"1d"``, ``"250ms"``.

    Raises:
        ValueError: not a non-negative finite duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            pos, total = 0, 0.0
            for match in _DURATION_PART.finditer(text):
                if match.start() != pos:
                    break
                total += float(match.group(1)) * _UNITS[match.group(2)]
                pos = match.end()
            if pos != len(text) or not text:
                raise ValueError(
                    f"not a duration: {value!r} (use seconds, or units d, h, m, s, ms: '90s', '1h30m', '1d')"
                ) from None
            seconds = total
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {value!r} (must be zero or more seconds)")
    if seconds > MAX_DURATION:
        raise ValueError(f"not a duration: {value!r} (at most 100 years, {MAX_DURATION:.0f} seconds)")
    return seconds


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class _Line:
    """Checks of one decoded line; every failure raises InputError naming the line."""

    def __init__(self, path: str, line: int, data: dict[str, Any]) -> None:
        self.path, self.line, self.data = path, line, data

    def fail(self, reason: str) -> InputError:
        return InputError(self.path, self.line, reason)

    def string(self, key: str, *, empty: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string, not {_type_name(value)}")
        if not empty and not value:
            raise self.fail(f"{key!r} must not be empty")
        return value

    def one_of(self, short: str, aws: str) -> tuple[str, Any] | None:
        if short in self.data and aws in self.data:
            raise self.fail(f"give {short!r} or {aws!r}, not both")
        for key in (short, aws):
            if key in self.data:
                return key, self.data[key]
        return None

    def check_keys(self, allowed: Iterable[str], what: str) -> None:
        allowed = set(allowed) | set(_TIME_KEYS)
        unknown = sorted(key for key in self.data if key not in allowed)
        if unknown:
            names = ", ".join(repr(key) for key in unknown)
            raise self.fail(
                f"unknown field{'s' if len(unknown) > 1 else ''} {names} in {what} (allowed: {', '.join(sorted(allowed))})"
            )

    def time(self) -> tuple[float | str | None, float | None]:
        at, after = self.data.get("at"), self.data.get("after")
        if at is not None and after is not None:
            raise self.fail("give 'at' or 'after', not both")
        if after is not None:
            try:
                return None, parse_duration(after)
            except ValueError as exc:
                raise self.fail(f"'after': {exc}") from None
        if at is None:
            return None, None
        if isinstance(at, str) and ("T" in at or at.count("-") >= 2):
            return at, None  # an ISO-8601 instant, resolved against the simulation's start
        try:
            return parse_duration(at), None
        except ValueError as exc:
            raise self.fail(f"'at': {exc} (or an ISO-8601 instant such as '2024-01-01T00:05:00Z')") from None

    def bus(self) -> str | None:
        if "bus" in self.data and "EventBusName" in self.data:
            raise self.fail("give 'bus' or 'EventBusName', not both")
        return self.string("bus") if "bus" in self.data else self.string("EventBusName")

    def attributes(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"'attributes' must be an object, not {_type_name(value)}")
        out: dict[str, Any] = {}
        for name, attribute in value.items():
            if isinstance(attribute, bool) or not isinstance(attribute, (str, int, float, dict, list)):
                raise self.fail(
                    f"attribute {name!r} must be a string, a number, a list of strings or an AWS "
                    f"MessageAttributeValue object, not {_type_name(attribute)}"
                )
            out[name] = attribute
        return out


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else _encode(value).decode()


def _event(checker: _Line, envelope: bool) -> InputLine:
    data = checker.data
    at, after = checker.time()
    if envelope:
        checker.check_keys(_ENVELOPE_KEYS | set(_BUS_KEYS), "an EventBridge event envelope")
        source = checker.string("source")
        detail_type = checker.string("detail-type")
        if source is None or detail_type is None:
            raise checker.fail("an EventBridge event envelope needs 'source' and 'detail-type'")
        detail = data.get("detail", {})
        if not isinstance(detail, dict):
            raise checker.fail(f"'detail' must be an object, not {_type_name(detail)}")
        entry: dict[str, Any] = {"Source": source, "DetailType": detail_type, "Detail": _as_text(detail)}
        resources_key, time_key = "resources", "time"
    else:
        checker.check_keys(_ENTRY_KEYS | set(_BUS_KEYS), "a PutEvents entry")
        entry = {}
        for key in ("Source", "DetailType"):
            value = checker.string(key)
            if value is None:
                raise checker.fail(f"a PutEvents entry needs 'Source', 'DetailType' and 'Detail' ({key!r} is missing)")
            entry[key] = value
        if "Detail" not in data:
            raise checker.fail("a PutEvents entry needs 'Source', 'DetailType' and 'Detail' ('Detail' is missing)")
        detail = data["Detail"]
        if not isinstance(detail, (str, dict)):
            raise checker.fail(f"'Detail' must be JSON text or an object, not {_type_name(detail)}")
        entry["Detail"] = _as_text(detail)
        trace = checker.string("TraceHeader")
        if trace is not None:
            entry["TraceHeader"] = trace
        resources_key, time_key = "Resources", "Time"
    resources = data.get(resources_key)
    if resources is not None:
        if not isinstance(resources, list) or not all(isinstance(item, str) for item in resources):
            raise checker.fail(f"{resources_key!r} must be an array of strings (ARNs)")
        entry["Resources"] = list(resources)
    when = checker.string(time_key)
    if when is not None:
        entry["Time"] = when
    return InputLine(line=checker.line, kind="event", target=checker.bus(), at=at, after=after, request=entry)


def _send(checker: _Line, kind: Literal["sqs", "sns"]) -> InputLine:
    at, after = checker.time()
    table = _SQS_KEYS if kind == "sqs" else _SNS_KEYS
    where = "queue" if kind == "sqs" else "topic"
    what = "an SQS send" if kind == "sqs" else "an SNS publish"
    checker.check_keys([where] + [k for row in table for k in row[:2]], what)
    target = checker.string(where, empty=False)
    if target is None:
        raise checker.fail(f"{where!r} must name a {where}")
    request: dict[str, Any] = {}
    for short, aws, name in table:
        found = checker.one_of(short, aws)
        if found is None:
            continue
        key, value = found
        if name in ("body", "message"):
            if value is None:
                continue
            request[name] = _as_text(value)
        elif name == "attributes":
            request[name] = checker.attributes(value)
        elif name == "delay_seconds":
            if isinstance(value, bool) or not isinstance(value, int):
                raise checker.fail(f"{key!r} must be a whole number of seconds, not {_type_name(value)}")
            request[name] = value
        else:
            if not isinstance(value, str):
                raise checker.fail(f"{key!r} must be a string, not {_type_name(value)}")
            request[name] = value
    body_key = "body" if kind == "sqs" else "message"
    if body_key not in request:
        aws_key = "MessageBody" if kind == "sqs" else "Message"
        raise checker.fail(f"{what} needs {body_key!r} (or {aws_key!r})")
    return InputLine(line=checker.line, kind=kind, target=target, at=at, after=after, request=request)


def parse_input_line(text: str | bytes, line: int, path: str = "<input>") -> InputLine | None:
    """Validate one line of a replay input file; None for a blank or ``#`` comment line.

    Raises:
        InputError: ``path:line: reason``: not JSON, not an object, not one of the three kinds,
            an unknown or mistyped field.
    """
    raw = text.encode() if isinstance(text, str) else text
    stripped = raw.strip()
    if not stripped or stripped.startswith(b"#"):
        return None
    try:
        data = _decoder.decode(stripped)
    except msgspec.DecodeError as exc:
        raise InputError(path, line, f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(path, line, f"expected a JSON object, got {_type_name(data)}")
    checker = _Line(path, line, data)
    kinds = [
        name
        for name, present in (
            ("an EventBridge event envelope", "source" in data or "detail-type" in data),
            ("a PutEvents entry", "Source" in data or "DetailType" in data),
            ("an SQS send", "queue" in data),
            ("an SNS publish", "topic" in data),
        )
        if present
    ]
    if len(kinds) > 1:
        raise checker.fail(f"ambiguous line: it looks like {' and like '.join(kinds)}")
    if not kinds:
        raise checker.fail(
            "not an input: expected an EventBridge event ('source' and 'detail-type', or 'Source', "
            "'DetailType' and 'Detail'), an SQS send ('queue' and 'body') or an SNS publish ('topic' and 'message')"
        )
    if "queue" in data:
        return _send(checker, "sqs")
    if "topic" in data:
        return _send(checker, "sns")
    return _event(checker, envelope="Source" not in data and "DetailType" not in data)


def parse_inputs(
    lines: Iterable[str | bytes], path: str = "<input>", *, keep_going: bool = False
) -> tuple[list[InputLine], list[InputError]]:
    """Validate every line; returns the inputs and (with ``keep_going``) the errors of skipped lines.

    Raises:
        InputError: the first bad line, unless ``keep_going``.
    """
    inputs: list[InputLine] = []
    errors: list[InputError] = []
    for number, text in enumerate(lines, 1):
        try:
            parsed = parse_input_line(text, number, path)
        except InputError as error:
            if not keep_going:
                raise
            errors.append(error)
            continue
        if parsed is not None:
            inputs.append(parsed)
    return inputs, errors


def describe_request(item: InputLine) -> Mapping[str, Any]:
    """A short JSON-compatible summary of an input, for the journal's ``replay.input`` record."""
    if item.kind == "event":
        return {"source": item.request["Source"], "detail-type": item.request["DetailType"]}
    out: dict[str, Any] = {}
    for key in ("group_id", "subject"):
        if key in item.request:
            out[key] = item.request[key]
    return out
