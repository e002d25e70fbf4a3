"""PutEvents: per-entry validation, entry size, the event envelope and the results.

From the PutEvents API reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html),
PutEventsRequestEntry (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html),
PutEventsResultEntry (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html),
"Calculating PutEvents event entry size" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html)
and "Amazon EventBridge events" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).

The texts of the per-entry errors and of the request-level errors are those AWS returned in
LocalStack's AWS-validated snapshots:

* a missing or empty Source, DetailType or Detail: ``InvalidArgument``,
  ``Parameter <Name> is not valid. Reason: <Name> is a required argument.``;
* a Detail that is not a JSON object (a string, an array, broken JSON): ``MalformedDetail``,
  ``Detail is malformed.``;
* entries whose sizes add up to more than 256 KB: the whole request fails with
  ``ValidationException: Total size of the entries in the request is over the limit.``;
* more than 10 entries: ``ValidationException`` naming every entry as AWS's Java model prints it.

A source starting with ``aws.`` is reserved for AWS services: ``NotAuthorizedForSourceException``,
``Not authorized for the source.`` (seen from AWS in a public pull-request thread; the final period is
assumed). An entry naming a bus that does not exist is accepted and its event silently dropped, as
AWS does (AWS-validated snapshot ``test_put_events_nonexistent_event_bus``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import msgspec

from ..errors import ValidationError
from ._events_common import MAX_ENTRIES, MAX_ENTRY_BYTES, raise_violations, to_datetime

__all__ = (
    "PutEventsResult",
    "PutEventsResultEntry",
    "check_request",
    "entry_error",
    "entry_size",
    "event_time",
    "make_event",
    "prepare_entry",
)

_TIME_BYTES: Final = 14
_decode = msgspec.json.decode


class PutEventsResultEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    """The result of one PutEvents entry: an ``event_id``, or an ``error_code`` and ``error_message``."""

    event_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the entry was accepted."""
        return self.event_id is not None

    def to_aws(self) -> dict[str, str]:
        """The ``PutEventsResultEntry`` shape."""
        if self.event_id is not None:
            return {"EventId": self.event_id}
        return {"ErrorCode": self.error_code or "", "ErrorMessage": self.error_message or ""}


class PutEventsResult(msgspec.Struct, frozen=True):
    """What PutEvents answers: how many entries failed, and one result per entry, in request order."""

    failed_entry_count: int
    entries: tuple[PutEventsResultEntry, ...]

    @property
    def event_ids(self) -> list[str | None]:
        """The id of each entry's event (None for a failed entry)."""
        return [entry.event_id for entry in self.entries]

    def to_aws(self) -> dict[str, Any]:
        """The ``PutEvents`` response shape."""
        return {"FailedEntryCount": self.failed_entry_count, "Entries": [entry.to_aws() for entry in self.entries]}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError, RecursionError):  # not JSON: prepare_entry refuses the entry
        return ""


def entry_size(entry: Mapping[str, Any]) -> int:
    """The size AWS counts for an entry: 14 bytes for a Time, plus the UTF-8 bytes of Source,
    DetailType, Detail and each resource (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html)."""
    size = _TIME_BYTES if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if value is not None:
            size += len(_text(value).encode())
    for resource in entry.get("Resources") or ():
        if resource is not None:
            size += len(str(resource).encode())
    return size


def _java_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_text(item) for item in value) + "]"
    if isinstance(value, datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    return _text(value)


def _java_entry(entry: Mapping[str, Any]) -> str:
    fields = (
        ("time", entry.get("Time")),
        ("source", entry.get("Source")),
        ("resources", entry.get("Resources")),
        ("detailType", entry.get("DetailType")),
        ("detail", entry.get("Detail")),
        ("eventBusName", entry.get("EventBusName")),
        ("traceHeader", entry.get("TraceHeader")),
        ("kmsKeyIdentifier", None),
        ("internalMetadata", None),
    )
    return "PutEventsRequestEntry(" + ", ".join(f"{name}={_java_text(value)}" for name, value in fields) + ")"


def check_request(entries: Sequence[Mapping[str, Any]]) -> None:
    """Request-level checks: 1 to 10 entries, and at most 256 KB in all.

    Raises:
        ValidationError: with AWS's message.
    """
    if not entries:
        raise_violations([("[]", "entries", "Member must have length greater than or equal to 1")])
    if len(entries) > MAX_ENTRIES:
        listed = "[" + ", ".join(_java_entry(entry) for entry in entries) + "]"
        raise_violations([(listed, "entries", f"Member must have length less than or equal to {MAX_ENTRIES}")])
    if sum(entry_size(entry) for entry in entries) > MAX_ENTRY_BYTES:
        raise ValidationError("Total size of the entries in the request is over the limit.")


def entry_error(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why AWS would refuse this entry, as ``(ErrorCode, ErrorMessage)``; None when it is accepted."""
    for name in ("Source", "DetailType", "Detail"):
        value = entry.get(name)
        if value is None or value == "":
            return "InvalidArgument", f"Parameter {name} is not valid. Reason: {name} is a required argument."
    if str(entry["Source"]).startswith("aws."):
        return "NotAuthorizedForSourceException", "Not authorized for the source."
    detail = entry["Detail"]
    if isinstance(detail, str):
        try:
            parsed = _decode(detail)
        except (msgspec.DecodeError, RecursionError):  # nested deeper than a JSON parser accepts
            return "MalformedDetail", "Detail is malformed."
        if not isinstance(parsed, dict):
            return "MalformedDetail", "Detail is malformed."
    elif not isinstance(detail, Mapping):
        return "MalformedDetail", "Detail is malformed."
    return None


def prepare_entry(entry: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """The entry with a Python mapping ``Detail`` turned into its JSON text, and whether that failed.

    From boto3 ``Detail`` is always text; native callers may pass a mapping, which must then be JSON
    (no objects, bytes, datetimes or NaN, not nested too deeply): otherwise the entry is refused as
    ``MalformedDetail``, as text that is not a JSON object is. Converting once here also gives the
    size check the text AWS would count and lets the envelope decode the detail rather than copy it.
    """
    detail = entry.get("Detail")
    if not isinstance(detail, Mapping):
        return entry, False
    try:
        text = json.dumps(detail, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return entry, True
    return {**entry, "Detail": text}, False


def event_time(value: datetime | float | int | str) -> str:
    """An entry's ``Time`` as the envelope writes it: ISO-8601 UTC to the second, ``Z``-suffixed."""
    return to_datetime(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_event(
    entry: Mapping[str, Any], *, event_id: str, time: str, account: str, region: str
) -> dict[str, Any]:
    """The event envelope EventBridge builds from an accepted entry.

    Fields in AWS's order: ``version`` ("0"), ``id``, ``detail-type``, ``source``, ``account``,
    ``time``, ``region``, ``resources``, ``detail``
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).
    """
    detail = entry["Detail"]
    return {
        "version": "0",
        "id": event_id,
        "detail-type": str(entry["DetailType"]),
        "source": str(entry["Source"]),
        "account": account,
        "time": time,
        "region": region,
        "resources": [str(resource) for resource in entry.get("Resources") or ()],
        "detail": _decode(detail) if isinstance(detail, str) else _copy(detail),
    }


def _copy(value: Any) -> Any:
    # A private JSON copy, so that later changes to the caller's dict do not reach the event.
    return _decode(msgspec.json.encode(value))
