"""The life of a message as the journal tells it, and the error an invariant raises (internal).

A message's life is every journal record that carries its id, or names it in a list of messages
(``lambda.esm.batch``, ``lambda.esm.batch_failed``, ``lambda.esm.partial``, an injected visibility
expiry), in journal order, with virtual times.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .._journal import Journal, Record

if TYPE_CHECKING:
    from .._simulation import Simulation

__all__ = ("InvariantViolation", "format_life", "format_records", "life", "records_of")

#: Detail keys whose list values name message ids.
_ID_LISTS = ("messages", "failed")
#: How many violations an error names beyond the first, and how many lives it shows.
_MORE, _LIVES = 10, 3


def records_of(journal: Journal | Simulation | Iterable[Record]) -> Sequence[Record]:
    """The records of a journal, a simulation's journal, or any iterable of records."""
    if isinstance(journal, Journal):
        return journal
    inner = getattr(journal, "journal", None)
    if isinstance(inner, Journal):
        return inner
    return list(journal)  # type: ignore[arg-type]


def _mentions(record: Record, message_id: str) -> bool:
    if record.id == message_id:
        return True
    detail = record.detail
    for key in _ID_LISTS:
        value = detail.get(key)
        if isinstance(value, list) and message_id in value:
            return True
    return False


def life(journal: Journal | Simulation | Iterable[Record], message_id: str) -> list[Record]:
    """Every record about ``message_id`` (an SQS message, an event, an SNS message, a request), in order."""
    if not message_id:
        return []
    return [record for record in records_of(journal) if _mentions(record, message_id)]


def _start(records: Sequence[Record]) -> datetime | None:
    for record in records[:1]:
        if record.kind == "simulation.started":
            text = str(record.detail.get("start", ""))
            try:
                return datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


_SEGMENT = re.compile(r"[:/]")


def _short(resource: str) -> str:
    """A resource's name: the last part of its ARN (queue, function, topic, rule names)."""
    if not resource.startswith("arn:"):
        return resource or "-"
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return resource
    if parts[5].startswith("event-source-mapping:"):
        return "mapping:" + parts[5].split(":", 1)[1][:8]
    if parts[2] == "sns" and parts[5].count(":") == 1:  # a subscription: topic/subscription-id
        topic, subscription = parts[5].split(":")
        return f"{topic}/{subscription[:8]}"
    return _SEGMENT.split(parts[5])[-1] or resource


def _detail(detail: dict[str, Any], focus: str = "", limit: int = 160) -> str:
    parts = []
    for key, value in detail.items():
        if key in _ID_LISTS and isinstance(value, list) and focus and focus in value:
            parts.append(f"{key}=[this one]" if len(value) == 1 else f"{key}=[{len(value)} messages incl. this one]")
            continue
        if key in _ID_LISTS and isinstance(value, list) and len(value) > 1:
            parts.append(f"{key}=[{len(value)} messages]")
            continue
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
        if isinstance(value, str) and value.startswith("arn:"):
            text = _short(value)
        parts.append(f"{key}={text}")
    line = " ".join(parts)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def format_records(records: Iterable[Record], start: datetime | None = None, focus: str = "") -> str:
    """Records as aligned lines: virtual time (+seconds and UTC), kind, resource name, detail.

    Lists of message ids in a detail are summarised (saying whether ``focus`` is among them).
    """
    lines = []
    for record in records:
        when = f"+{record.time:.3f}s"
        if start is not None:
            instant = start + timedelta(milliseconds=round(record.time * 1000))
            when = f"{when:<13} " + instant.strftime("%Y-%m-%d %H:%M:%S.") + f"{instant.microsecond // 1000:03d}"
        lines.append(f"  {when:<37} {record.kind:<28} {_short(record.resource):<20} {_detail(record.detail, focus)}".rstrip())
    return "\n".join(lines)


def format_life(journal: Journal | Simulation | Iterable[Record], message_id: str) -> str:
    """The life of ``message_id``, formatted readably (one record a line, with virtual times)."""
    records = records_of(journal)
    found = life(records, message_id)
    if not found:
        return f"  (no journal record names {message_id!r})"
    return format_records(found, _start(records), message_id)


class InvariantViolation(AssertionError):
    """An invariant does not hold: names the message (or key) and shows its life from the journal.

    Attributes:
        invariant: which check failed (``"no message lost"``, ``"FIFO order"`` ...).
        message_id: the first message (or event, or effect key) it failed for.
        problems: one line per message it failed for.
        life: the journal records of the first message.
    """

    def __init__(
        self,
        invariant: str,
        problems: Sequence[tuple[str, str]],
        records: Sequence[Record] = (),
        *,
        related: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.invariant = invariant
        self.message_id = problems[0][0] if problems else ""
        self.problems = tuple(text for _, text in problems)
        self.life = tuple(life(records, self.message_id)) if records else ()
        lines = [f"{invariant}: {self.problems[0]}" if self.problems else invariant]
        if len(self.problems) > 1:
            more = self.problems[1 : 1 + _MORE]
            lines.append(f"and {len(self.problems) - 1} more:")
            lines.extend(f"  - {text}" for text in more)
            if len(self.problems) - 1 > _MORE:
                lines.append("  ...")
        if records:
            start = _start(records)
            shown: list[str] = []
            for message_id, _ in problems:
                for each in (message_id, *((related or {}).get(message_id, ()))):
                    if each and each not in shown and len(shown) < _LIVES:
                        shown.append(each)
            for each in shown:
                lines.append(f"life of {each}:")
                found = life(records, each)
                lines.append(format_records(found, start, each) if found else "  (no journal record names it)")
        super().__init__("\n".join(lines))
