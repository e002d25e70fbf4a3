"""``sim.events``: the simulation's EventBridge, its buses, archives and replays.

Event buses ("Event buses in Amazon EventBridge", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html):
every account has a ``default`` bus, which cannot be deleted; custom buses are created and deleted
by name. Deleting a bus that does not exist, like deleting a rule that does not exist, succeeds
silently (AWS-validated snapshots).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from .._simulation import Simulation
from .._transform_json import to_json
from ..errors import ValidationError
from ..matching import EventPattern
from ._delivery import callable_endpoint
from ._events_archive import Archive, Replay
from ._events_bus import EventBus, Rule
from ._events_common import (
    DEFAULT_BUS,
    archive_exists,
    archive_not_found,
    bus_exists,
    bus_name_from,
    bus_not_found,
    check_length,
    check_name,
    raise_violations,
    replay_exists,
    replay_not_found,
    rule_not_found,
    to_datetime,
)
from ._events_envelope import (
    PutEventsResult,
    PutEventsResultEntry,
    check_request,
    entry_error,
    event_time,
    make_event,
    prepare_entry,
)

if TYPE_CHECKING:
    from ._events_api import EventsApi

__all__ = ("EventsService",)

_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")
_decode = msgspec.json.decode


class EventsService:
    """The simulation's EventBridge: ``sim.events``.

    Attributes:
        sim: the simulation.
        buses: the event buses by name (``default`` always among them).
        archives: the archives by name.
        replays: the replays by name.
        replay_startup: seconds from StartReplay until a replay is RUNNING (the simulation's choice;
            AWS publishes none).
        replay_bucket_interval: seconds between two one-minute buckets of a replay.

    Example::

        sim = Simulation()
        orders = sim.events.bus("orders")

        @orders.on({"source": ["shop"], "detail-type": ["OrderPlaced"]})
        def ship(event):
            ...

        orders.put(source="shop", detail_type="OrderPlaced", detail={"id": 1})
        sim.run_until_idle()
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.buses: dict[str, EventBus] = {}
        self.archives: dict[str, Archive] = {}
        self.replays: dict[str, Replay] = {}
        self.replay_startup = 60.0
        self.replay_bucket_interval = 1.0
        self._api: EventsApi | None = None
        default = EventBus(self, DEFAULT_BUS)
        default.created = default.modified = sim.start
        self.buses[DEFAULT_BUS] = default
        sim.registry.register(default.arn, default)

    def __repr__(self) -> str:
        return f"eventbus.events.EventsService(buses={sorted(self.buses)!r})"

    @property
    def api(self) -> EventsApi:
        """The AWS-named operations (``api.call("PutEvents", {...})``), for the boto3 facade."""
        if self._api is None:
            from ._events_api import EventsApi

            self._api = EventsApi(self)
        return self._api

    # -------------------------------------------------------------- buses
    @property
    def default_bus(self) -> EventBus:
        """The account's ``default`` event bus."""
        return self.buses[DEFAULT_BUS]

    def bus(self, name: str = DEFAULT_BUS) -> EventBus:
        """The bus called ``name``, created if it does not exist yet."""
        existing = self.buses.get(bus_name_from(name))
        return existing if existing is not None else self.create_bus(name)

    def create_bus(
        self,
        name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> EventBus:
        """CreateEventBus.

        Raises:
            ValidationError: a name AWS's model refuses.
            ResourceExistsError: ``Event bus <name> already exists.``
        """
        violations = check_name(name, "name", max_length=256, pattern=r"[/\.\-_A-Za-z0-9]+")
        violations += check_length(description, "description", max_length=512)
        raise_violations(violations)
        if name in self.buses:
            raise bus_exists(name)
        bus = EventBus(self, name, description=description, tags=tags, extra=extra)
        self.buses[name] = bus
        self.sim.registry.register(bus.arn, bus)
        self.sim.record("events.bus.created", bus.arn)
        return bus

    def get_bus(self, name_or_arn: str | None = None) -> EventBus:
        """The bus named (or whose ARN is) ``name_or_arn``; the default bus for None.

        Raises:
            ResourceNotFoundError: ``Event bus <name> does not exist.``
        """
        name = bus_name_from(name_or_arn)
        bus = self.buses.get(name)
        if bus is None or (name_or_arn and name_or_arn.startswith("arn:") and name_or_arn != bus.arn):
            raise bus_not_found(name)
        return bus

    def delete_bus(self, name: str) -> None:
        """DeleteEventBus: its rules go with it; a bus that does not exist is ignored.

        Raises:
            ValidationError: ``Cannot delete event bus default.``
        """
        if name == DEFAULT_BUS:
            raise ValidationError("Cannot delete event bus default.")
        bus = self.buses.pop(name, None)
        if bus is None:
            return
        for rule in list(bus.rules.values()):
            rule._disarm()
        self.sim.registry.unregister(bus.arn)
        self.sim.record("events.bus.deleted", bus.arn)

    # ------------------------------------------------------------- events
    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> PutEventsResult:
        """PutEvents: validate each entry, accept the valid ones and deliver them.

        The call returns at once; the accepted events are matched and delivered when the simulation
        next runs what is due (``sim.run_until_idle()``, ``sim.advance(...)``), as EventBridge
        delivers asynchronously.

        Raises:
            ValidationError: more than 10 entries, or more than 256 KB in all (see
                :mod:`eventbus.services._events_envelope`).
        """
        prepared = [prepare_entry(entry) for entry in entries]
        check_request([entry for entry, _ in prepared])
        sim = self.sim
        now = sim.iso()
        results: list[PutEventsResultEntry] = []
        batches: dict[str, list[dict[str, Any]]] = {}
        failed = 0
        for entry, malformed in prepared:
            problem = ("MalformedDetail", "Detail is malformed.") if malformed else entry_error(entry)
            if problem is not None:
                failed += 1
                results.append(PutEventsResultEntry(error_code=problem[0], error_message=problem[1]))
                continue
            event_id = sim.new_uuid()
            when = event_time(entry["Time"]) if entry.get("Time") is not None else now
            event = make_event(entry, event_id=event_id, time=when, account=sim.account_id, region=sim.region)
            results.append(PutEventsResultEntry(event_id=event_id))
            target = entry.get("EventBusName")
            name = bus_name_from(target)
            bus = self.buses.get(name)
            if bus is not None and target and target.startswith("arn:") and target != bus.arn:
                bus = None
            bus_arn = bus.arn if bus is not None else sim.arn("events", f"event-bus/{name}")
            sim.record("events.put", bus_arn, event_id, {"source": event["source"], "detail-type": event["detail-type"]})
            if bus is None:
                sim.record("events.dropped", bus_arn, event_id, {"reason": "EventBusNotFound"})
                continue
            batches.setdefault(bus.name, []).append(event)
        for name, events in batches.items():
            sim.call_soon(self.buses[name]._ingest, events, now, None)
        return PutEventsResult(failed, tuple(results))

    def test_event_pattern(self, event_pattern: Mapping[str, Any] | str, event: Mapping[str, Any] | str) -> bool:
        """TestEventPattern: whether ``event`` matches ``event_pattern``.

        Raises:
            InvalidEventPatternError: the pattern is not valid.
            ValidationError: ``Parameter Event is not valid.``: the event is not a JSON object with
                ``id``, ``account``, ``source``, ``time``, ``region`` and ``detail-type``.
        """
        pattern = EventPattern(event_pattern if isinstance(event_pattern, str) else to_json(event_pattern))
        parsed: Any = event
        if isinstance(event, str):
            try:
                parsed = _decode(event)
            except (msgspec.DecodeError, RecursionError):
                raise ValidationError("Parameter Event is not valid.") from None
        if not isinstance(parsed, Mapping) or any(field not in parsed for field in _EVENT_FIELDS):
            raise ValidationError("Parameter Event is not valid.")
        try:
            return pattern.matches(parsed)
        except RecursionError:  # nested deeper than any event PutEvents would accept
            raise ValidationError("Parameter Event is not valid.") from None

    # ------------------------------------------------------------ archives
    def create_archive(
        self,
        name: str,
        source: EventBus | str,
        *,
        event_pattern: Mapping[str, Any] | str | None = None,
        retention_days: int = 0,
        description: str | None = None,
    ) -> Archive:
        """CreateArchive on the bus ``source`` (a bus or its ARN).

        Raises:
            ValidationError: a bad name, negative retention.
            ResourceExistsError: ``Archive <name> already exists.``
            ResourceNotFoundError: ``Event bus <name> does not exist.``
            InvalidEventPatternError: a pattern EventBridge would refuse.
        """
        violations = check_name(name, "archiveName", max_length=48)
        if retention_days < 0:
            violations.append((str(retention_days), "retentionDays", "Member must have value greater than or equal to 0"))
        violations += check_length(description, "description", max_length=512)
        raise_violations(violations)
        if name in self.archives:
            raise archive_exists(name)
        bus = source if isinstance(source, EventBus) else self.get_bus(source)
        pattern_text = None
        if event_pattern is not None:
            pattern_text = event_pattern if isinstance(event_pattern, str) else to_json(event_pattern)
            EventPattern(pattern_text)
        archive = Archive(
            self, name, bus, event_pattern=pattern_text, retention_days=retention_days, description=description
        )
        self.archives[name] = archive
        self.sim.record("events.archive.created", archive.arn, "", {"bus": bus.name})
        return archive

    def get_archive(self, name: str) -> Archive:
        """The archive called ``name``.

        Raises:
            ResourceNotFoundError: ``Archive <name> does not exist.``
        """
        archive = self.archives.get(name)
        if archive is None:
            raise archive_not_found(name)
        return archive

    def update_archive(
        self,
        name: str,
        *,
        description: str | None = None,
        event_pattern: Mapping[str, Any] | str | None = None,
        retention_days: int | None = None,
    ) -> Archive:
        """UpdateArchive.

        AWS answers an unknown archive here with ``InternalException`` ("Service encountered
        unexpected problem. Please try again.", AWS-validated snapshot); the simulation raises
        ``ResourceNotFoundException`` instead, which SDKs do not retry.
        """
        archive = self.get_archive(name)
        if retention_days is not None and retention_days < 0:
            raise_violations([(str(retention_days), "retentionDays", "Member must have value greater than or equal to 0")])
        pattern_text = None
        if event_pattern is not None:
            pattern_text = event_pattern if isinstance(event_pattern, str) else to_json(event_pattern)
            EventPattern(pattern_text)
        archive.update(description=description, event_pattern=pattern_text, retention_days=retention_days)
        return archive

    def delete_archive(self, name: str) -> None:
        """DeleteArchive (its managed rule goes with it).

        Raises:
            ResourceNotFoundError: ``Archive <name> does not exist.``
        """
        archive = self.get_archive(name)
        archive._delete()
        del self.archives[name]
        self.sim.record("events.archive.deleted", archive.arn)

    # ------------------------------------------------------------- replays
    def start_replay(
        self,
        name: str,
        *,
        archive: Archive | str,
        start: datetime | str | float,
        end: datetime | str | float,
        destination: EventBus | str | None = None,
        rules: Sequence[Rule | str] | None = None,
        description: str | None = None,
    ) -> Replay:
        """StartReplay: send the archived events of ``[start, end)`` again to the archive's bus.

        Args:
            name: the replay's name.
            archive: the archive (or its name or ARN).
            start: EventStartTime (aware datetime, ISO text or epoch seconds).
            end: EventEndTime.
            destination: the bus (or its ARN); must be the archive's bus. Default: that bus.
            rules: the rules (or rule ARNs) to replay to (``FilterArns``); default: all.
            description: the replay's description.

        Raises:
            ResourceExistsError: ``Replay <name> already exists.``
            ValidationError: an unknown archive, another bus, or ``start`` not before ``end``.
            ResourceNotFoundError: a destination bus that does not exist.
        """
        violations = check_name(name, "replayName", max_length=64)
        violations += check_length(description, "description", max_length=512)
        raise_violations(violations)
        if name in self.replays:
            raise replay_exists(name)
        if isinstance(archive, Archive):
            source = archive
        else:
            archive_name = archive.rsplit("archive/", 1)[-1] if archive.startswith("arn:") else archive
            found = self.archives.get(archive_name)
            if found is None or (archive.startswith("arn:") and archive != found.arn):
                raise ValidationError(
                    f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does not exist."
                )
            source = found
        if destination is None:
            bus = source.bus
        else:
            bus = destination if isinstance(destination, EventBus) else self.get_bus(destination)
        if bus is not source.bus:
            raise ValidationError("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
        event_start = to_datetime(start, "EventStartTime")
        event_end = to_datetime(end, "EventEndTime")
        if event_start >= event_end:
            raise ValidationError("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
        filter_arns = [rule.arn if isinstance(rule, Rule) else rule for rule in rules or ()]
        known = {rule.arn for rule in bus.rules.values()}
        for arn in filter_arns:
            if arn not in known:
                # AWS's wording for an unknown rule in FilterArns is not confirmed.
                raise ValidationError(f"Parameter Destination.FilterArns is not valid. Reason: Rule {arn} does not exist.")
        replay = Replay(
            self, name, source, start=event_start, end=event_end, filter_arns=filter_arns, description=description
        )
        self.replays[name] = replay
        return replay

    def get_replay(self, name: str) -> Replay:
        """The replay called ``name``.

        Raises:
            ResourceNotFoundError: ``Replay <name> does not exist.``
        """
        replay = self.replays.get(name)
        if replay is None:
            raise replay_not_found(name)
        return replay

    def cancel_replay(self, name: str) -> Replay:
        """CancelReplay (see :meth:`Replay.cancel`)."""
        replay = self.get_replay(name)
        replay.cancel()
        return replay

    # ------------------------------------------------------------ helpers
    def rule_by_arn(self, arn: str) -> Rule:
        """The rule whose ARN is ``arn``.

        Raises:
            ResourceNotFoundError: ``Rule <name> does not exist on EventBus <bus>.``
        """
        resource = arn.split(":rule/", 1)[-1]
        bus_name, _, rule_name = resource.rpartition("/")
        bus_name = bus_name or DEFAULT_BUS
        bus = self.buses.get(bus_name)
        rule = bus.rules.get(rule_name) if bus is not None else None
        if rule is None or rule.arn != arn:
            raise rule_not_found(rule_name, bus_name)
        return rule

    def _arn_of(self, destination: Any) -> str:
        """The ARN of a target or queue given as an ARN, a resource with ``arn``, or a callable."""
        if isinstance(destination, str):
            return destination
        arn = getattr(destination, "arn", None)
        if isinstance(arn, str):
            return arn
        if callable(destination):
            return callable_endpoint(self.sim, destination).arn
        raise TypeError(f"expected an ARN, a resource with an arn, or a callable; got {destination!r}")
