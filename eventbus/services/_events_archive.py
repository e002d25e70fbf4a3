"""Archives and replays, on the virtual clock.

Archives ("Archiving and replaying events in Amazon EventBridge",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html; CreateArchive,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html): an archive keeps
the events of one bus, all of them or those matching its pattern, for ``RetentionDays`` days (0:
indefinitely). AWS implements it as a managed rule on the bus, ``Events-Archive-<name>``, whose
pattern also requires ``replay-name`` to be absent so that replayed events are not archived again;
the simulation does the same, so the archive rule shows in ListRules with its ``ManagedBy``.

Replays (StartReplay, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html;
"Replaying archived events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html):
the events whose time lies in ``[EventStartTime, EventEndTime)`` are sent again to the archive's own
bus ("Cross event bus replay is not permitted"), to the rules named in ``Destination.FilterArns`` or,
without them, to all its rules. Each replayed event carries ``replay-name``. AWS replays "in
one-minute intervals, ordered by event time" (order within a minute is not guaranteed): here each
non-empty minute of event time is sent in one step. A replay moves through ``STARTING``, ``RUNNING``
and ``COMPLETED`` (or ``CANCELLING`` then ``CANCELLED`` after CancelReplay, or ``FAILED``). AWS
publishes no timings; the simulation starts a replay ``EventsService.replay_startup`` seconds after
StartReplay and sends one minute of events every ``EventsService.replay_bucket_interval`` seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import msgspec

from .._simulation import Timer
from .._transform_json import to_json
from ._events_common import ARCHIVE_MANAGER, ARCHIVE_RULE_PREFIX, illegal_status
from ._events_envelope import entry_size

if TYPE_CHECKING:
    from ._events_bus import EventBus, Rule
    from ._events_service import EventsService

__all__ = ("Archive", "Replay")

_DAY: Final = 86400.0
_decode = msgspec.json.decode


def _archive_pattern(pattern_text: str | None) -> str:
    """The managed rule's pattern: the archive's, and no ``replay-name``."""
    pattern: dict[str, Any] = _decode(pattern_text) if pattern_text else {}
    if not isinstance(pattern, dict):  # the archive's own pattern is validated first
        pattern = {}
    pattern["replay-name"] = [{"exists": False}]
    return to_json(pattern)


def _event_epoch(event: Mapping[str, Any]) -> float:
    text = str(event.get("time", ""))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class _Archived(msgspec.Struct):
    event: dict[str, Any]
    event_epoch: float
    archived_at: float
    size: int


class Archive:
    """An archive of a bus's events. Create one with ``bus.archive(...)`` or CreateArchive."""

    def __init__(
        self,
        service: EventsService,
        name: str,
        bus: EventBus,
        *,
        event_pattern: str | None,
        retention_days: int,
        description: str | None,
    ) -> None:
        sim = service.sim
        self.service = service
        self.name = name
        self.arn = sim.arn("events", f"archive/{name}")
        self.bus = bus
        self.event_pattern = event_pattern
        self.retention_days = retention_days
        self.description = description
        self.state = "ENABLED"
        self.created = sim.now
        self._events: deque[_Archived] = deque()
        self._size = 0
        self._expiry: Timer | None = None
        self.rule: Rule = bus.put_rule(
            ARCHIVE_RULE_PREFIX + name,
            event_pattern=_archive_pattern(event_pattern),
            managed_by=ARCHIVE_MANAGER,
        )
        self.rule.archive = self

    # ------------------------------------------------------------ storage
    def store(self, event: Mapping[str, Any]) -> None:
        """Keep ``event`` (a private copy) until its retention runs out."""
        sim = self.service.sim
        copy: dict[str, Any] = _decode(msgspec.json.encode(event))
        size = entry_size(
            {
                "Time": copy.get("time"),
                "Source": copy.get("source"),
                "DetailType": copy.get("detail-type"),
                "Detail": to_json(copy.get("detail")),
                "Resources": copy.get("resources"),
            }
        )
        self._events.append(_Archived(copy, _event_epoch(copy), sim.time, size))
        self._size += size
        sim.record("events.archived", self.arn, str(copy.get("id", "")), {"bus": self.bus.name})
        if self._expiry is None:
            self._schedule_expiry()

    def _schedule_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.retention_days == 0 or not self._events:
            return
        sim = self.service.sim
        self._expiry = sim.call_at(self._events[0].archived_at + self.retention_days * _DAY, self._expire)

    def _expire(self) -> None:
        self._expiry = None
        sim = self.service.sim
        horizon = sim.time - self.retention_days * _DAY
        expired = 0
        while self._events and self._events[0].archived_at <= horizon:
            self._size -= self._events.popleft().size
            expired += 1
        if expired:
            sim.record("events.archive.expired", self.arn, "", {"events": expired})
        self._schedule_expiry()

    @property
    def event_count(self) -> int:
        """How many events the archive holds."""
        return len(self._events)

    @property
    def size_bytes(self) -> int:
        """The size of the events held, counted as PutEvents counts entries."""
        return self._size

    def events_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The archived events whose ``time`` lies in ``[start, end)``, in event-time order."""
        low, high = start.timestamp(), end.timestamp()
        chosen = [item for item in self._events if low <= item.event_epoch < high]
        chosen.sort(key=lambda item: item.event_epoch)
        return [item.event for item in chosen]

    @property
    def events(self) -> list[dict[str, Any]]:
        """The archived events, in the order they were archived."""
        return [item.event for item in self._events]

    # ------------------------------------------------------------- change
    def update(self, *, description: str | None, event_pattern: str | None, retention_days: int | None) -> None:
        """UpdateArchive: a new description, pattern or retention (the others stay)."""
        if description is not None:
            self.description = description
        if event_pattern is not None:
            self.event_pattern = event_pattern
            self.bus.put_rule(
                self.rule.name, event_pattern=_archive_pattern(event_pattern), managed_by=ARCHIVE_MANAGER
            )
        if retention_days is not None:
            self.retention_days = retention_days
            self._schedule_expiry()
            if retention_days and self._events:
                self._expire()

    def _delete(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self.rule.targets.clear()
        self.bus.delete_rule(self.rule.name, force=True)
        self._events.clear()
        self._size = 0

    # ----------------------------------------------------------- describe
    def summary(self) -> dict[str, Any]:
        """The ``Archive`` shape ListArchives returns."""
        return {
            "ArchiveName": self.name,
            "EventSourceArn": self.bus.arn,
            "State": self.state,
            "RetentionDays": self.retention_days,
            "SizeBytes": self._size,
            "EventCount": len(self._events),
            "CreationTime": self.created,
        }

    def describe(self) -> dict[str, Any]:
        """The DescribeArchive response shape."""
        out: dict[str, Any] = {"ArchiveArn": self.arn, "ArchiveName": self.name, "EventSourceArn": self.bus.arn}
        if self.description is not None:
            out["Description"] = self.description
        if self.event_pattern is not None:
            out["EventPattern"] = self.event_pattern
        out.update(
            {
                "State": self.state,
                "RetentionDays": self.retention_days,
                "SizeBytes": self._size,
                "EventCount": len(self._events),
                "CreationTime": self.created,
            }
        )
        return out

    def __repr__(self) -> str:
        return f"eventbus.events.Archive({self.name!r}, bus={self.bus.name!r}, events={len(self._events)})"


class Replay:
    """A replay of archived events; start one with ``sim.events.start_replay(...)`` or StartReplay."""

    def __init__(
        self,
        service: EventsService,
        name: str,
        archive: Archive,
        *,
        start: datetime,
        end: datetime,
        filter_arns: Sequence[str] | None,
        description: str | None,
    ) -> None:
        sim = service.sim
        self.service = service
        self.name = name
        self.arn = sim.arn("events", f"replay/{name}")
        self.archive = archive
        self.archive_arn = archive.arn
        self.bus = archive.bus
        self.event_start = start
        self.event_end = end
        self.filter_arns = list(filter_arns) if filter_arns else None
        self.description = description
        self.state = "STARTING"
        self.state_reason: str | None = None
        self.started = sim.now
        self.ended: datetime | None = None
        self.last_replayed: datetime | None = None
        self._buckets: deque[list[dict[str, Any]]] = deque()
        self._timer: Timer | None = None
        self._record()
        self._timer = sim.call_later(service.replay_startup, self._run)

    def _record(self) -> None:
        detail: dict[str, Any] = {"state": self.state}
        if self.state_reason:
            detail["reason"] = self.state_reason
        self.service.sim.record("events.replay", self.arn, "", detail)

    def _finish(self, state: str, reason: str | None = None) -> None:
        self.state = state
        self.state_reason = reason
        self.ended = self.service.sim.now
        self._timer = None
        self._record()

    def _run(self) -> None:
        """STARTING to RUNNING: gather the events and group them by minute of event time."""
        self._timer = None
        if self.state == "CANCELLING":
            self._finish("CANCELLED")
            return
        if self.service.buses.get(self.bus.name) is not self.bus:
            self._finish("FAILED", f"Event bus {self.bus.name} does not exist.")
            return
        buckets: dict[int, list[dict[str, Any]]] = {}
        for event in self.archive.events_between(self.event_start, self.event_end):
            buckets.setdefault(int(_event_epoch(event) // 60), []).append(event)
        self._buckets = deque(buckets[minute] for minute in sorted(buckets))
        self.state = "RUNNING"
        self._record()
        self._step()

    def _step(self) -> None:
        """Send one minute of events, then wait for the next step."""
        self._timer = None
        sim = self.service.sim
        if self.state == "CANCELLING":
            self._finish("CANCELLED")
            return
        if self.service.buses.get(self.bus.name) is not self.bus:
            self._finish("FAILED", f"Event bus {self.bus.name} does not exist.")
            return
        if not self._buckets:
            self._finish("COMPLETED")
            return
        bucket = self._buckets.popleft()
        replayed = []
        for original in bucket:
            event: dict[str, Any] = {}
            for key, value in original.items():
                if key == "resources":
                    event["replay-name"] = self.name
                event[key] = value
            event.setdefault("replay-name", self.name)
            replayed.append(event)
            sim.record("events.replayed", self.arn, str(event.get("id", "")), {"bus": self.bus.name})
        self.last_replayed = datetime.fromtimestamp(_event_epoch(bucket[-1]), UTC)
        only = frozenset(self.filter_arns) if self.filter_arns else None
        self.bus._ingest(replayed, sim.iso(), only)
        if self._buckets:
            self._timer = sim.call_later(self.service.replay_bucket_interval, self._step)
        else:
            self._finish("COMPLETED")

    def cancel(self) -> None:
        """CancelReplay: a STARTING or RUNNING replay becomes CANCELLING, then CANCELLED at its next step.

        Raises:
            ConflictError: ``IllegalStatusException`` in any other state.
        """
        if self.state not in ("STARTING", "RUNNING"):
            raise illegal_status(self.name)
        self.state = "CANCELLING"
        self._record()

    @property
    def done(self) -> bool:
        """Whether the replay reached COMPLETED, CANCELLED or FAILED."""
        return self.state in ("COMPLETED", "CANCELLED", "FAILED")

    # ----------------------------------------------------------- describe
    def summary(self) -> dict[str, Any]:
        """The ``Replay`` shape ListReplays returns."""
        out: dict[str, Any] = {"ReplayName": self.name, "EventSourceArn": self.archive_arn, "State": self.state}
        if self.state_reason is not None:
            out["StateReason"] = self.state_reason
        out["EventStartTime"] = self.event_start
        out["EventEndTime"] = self.event_end
        if self.last_replayed is not None:
            out["EventLastReplayedTime"] = self.last_replayed
        out["ReplayStartTime"] = self.started
        if self.ended is not None:
            out["ReplayEndTime"] = self.ended
        return out

    def describe(self) -> dict[str, Any]:
        """The DescribeReplay response shape."""
        out: dict[str, Any] = {"ReplayName": self.name, "ReplayArn": self.arn}
        if self.description is not None:
            out["Description"] = self.description
        destination: dict[str, Any] = {"Arn": self.bus.arn}
        if self.filter_arns:
            destination["FilterArns"] = list(self.filter_arns)
        out.update(self.summary())
        out["Destination"] = destination
        return out

    def __repr__(self) -> str:
        return f"eventbus.events.Replay({self.name!r}, state={self.state!r})"



