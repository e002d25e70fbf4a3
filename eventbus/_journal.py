"""The journal: every observable state change of a simulation, as typed records on virtual time.

Reports, timelines, invariant checks and replay read the journal; nothing reads a service's private
state. A journal dumped to JSON Lines (one record per line) and loaded back compares equal, and two
simulations with the same seed and the same inputs dump byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import msgspec

from .errors import EventBusError

__all__ = ("Journal", "JournalFormatError", "Record")


class Record(msgspec.Struct, frozen=True, omit_defaults=True, gc=False):
    """One state change.

    Attributes:
        seq: position in the journal, from 0.
        time: virtual seconds since the simulation's start.
        kind: what happened, ``service.event`` (for example ``sqs.sent``, ``events.matched``).
        resource: the ARN of the resource it happened to ('' for the simulation itself).
        id: the message, event or request id it concerns ('' when none).
        detail: everything else, JSON-compatible. Treat it as read-only: records without detail
            share one empty mapping.

    Records are not tracked by the garbage collector (they are immutable and hold only JSON-like
    data, so they cannot form cycles): a journal of millions of records costs no collector time.
    """

    seq: int
    time: float
    kind: str
    resource: str = ""
    id: str = ""
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class JournalFormatError(EventBusError, ValueError):
    """A journal file that cannot be read; the message names the line."""


#: The detail of records without one, shared (read-only).
NO_DETAIL: dict[str, Any] = {}
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Record)


class Journal(Sequence[Record]):
    """An append-only sequence of :class:`Record`.

    A simulation owns one (``sim.journal``); services append to it. Observers registered with
    :meth:`subscribe` see each record as it is appended (reports and progress bars use this).
    """

    __slots__ = ("_observers", "_records")

    def __init__(self, records: Sequence[Record] = ()) -> None:
        self._records: list[Record] = list(records)
        self._observers: list[Callable[[Record], None]] = []

    def append(self, time: float, kind: str, resource: str = "", id: str = "", detail: dict[str, Any] | None = None) -> Record:
        """Append a record and hand it to the observers; returns it."""
        record = Record(len(self._records), time, kind, resource, id, detail if detail is not None else NO_DETAIL)
        self._records.append(record)
        for observer in self._observers:
            observer(record)
        return record

    def _unobserved(self) -> list[Record] | None:
        """The record list while no observer is registered, else None.

        For a loop that appends many records with nothing else running in between: it appends
        ``Record(len(records), time, kind, resource, id, detail)`` (``NO_DETAIL`` for none) to the
        list itself, the record :meth:`append` would make, and calls :meth:`append` when this is None.
        """
        return None if self._observers else self._records

    def subscribe(self, observer: Callable[[Record], None]) -> Callable[[], None]:
        """Call ``observer`` with every record appended from now on; returns a function that stops it."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | Sequence[Record]:
        return self._records[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Journal):
            return self._records == other._records
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"eventbus.Journal(<{len(self._records)} records>)"

    def select(self, kind: str | None = None, *, resource: str | None = None, id: str | None = None) -> list[Record]:
        """The records with this kind (or kind prefix ending in ``.``), resource and id, in order."""
        out = []
        for r in self._records:
            if kind is not None and r.kind != kind and not (kind.endswith(".") and r.kind.startswith(kind)):
                continue
            if resource is not None and r.resource != resource:
                continue
            if id is not None and r.id != id:
                continue
            out.append(r)
        return out

    def dumps(self) -> bytes:
        """The journal as JSON Lines bytes, one record per line."""
        return b"".join(_encoder.encode(r) + b"\n" for r in self._records)

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the journal to ``path`` as JSON Lines."""
        with open(path, "wb") as f:
            f.write(self.dumps())

    @classmethod
    def loads(cls, data: bytes | str) -> Journal:
        """Read a journal from JSON Lines text.

        Raises:
            JournalFormatError: naming the first line that is not a record.
        """
        if isinstance(data, str):
            data = data.encode()
        records = []
        for lineno, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(_decoder.decode(line))
            except msgspec.DecodeError as exc:
                raise JournalFormatError(f"line {lineno}: not a journal record: {exc}") from None
        return cls(records)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Journal:
        """Read a journal written by :meth:`dump`."""
        with open(path, "rb") as f:
            return cls.loads(f.read())
