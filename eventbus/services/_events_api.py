"""The EventBridge API by its AWS operation names, for the boto3 facade: ``sim.events.api.call(op, params)``.

Parameters and results are the input and output shapes of botocore's ``events`` service model
(API version 2015-10-07), as a botocore client passes and receives them: member names as in the
model, timestamps as aware ``datetime`` objects (epoch seconds and ISO-8601 text are accepted too).
Errors are :class:`eventbus.errors.ServiceError` subclasses carrying AWS's code, message and status.

Operations follow the Amazon EventBridge API Reference
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ..errors import ResourceNotFoundError, ServiceError, ValidationError
from ._events_bus import RULE_STATES
from ._events_common import (
    DEFAULT_BUS,
    bus_name_from,
    paginate,
    raise_violations,
    tags_from_aws,
    tags_to_aws,
)

if TYPE_CHECKING:
    from ._events_bus import EventBus, Rule
    from ._events_service import EventsService

__all__ = ("EventsApi",)

Params = Mapping[str, Any]
Result = dict[str, Any]

_ARCHIVE_STATES: Final = ("ENABLED", "DISABLED", "CREATING", "UPDATING", "CREATE_FAILED", "UPDATE_FAILED")
_REPLAY_STATES: Final = ("STARTING", "RUNNING", "CANCELLING", "COMPLETED", "CANCELLED", "FAILED")


def _required(params: Params, *names: tuple[str, str]) -> None:
    """AWS's ``Value null at '<location>' ... Member must not be null`` for missing required members."""
    missing = [location for name, location in names if params.get(name) is None]
    if missing:
        count = len(missing)
        raise ValidationError(
            f"{count} validation error{'' if count == 1 else 's'} detected: "
            + "; ".join(f"Value null at '{location}' failed to satisfy constraint: Member must not be null" for location in missing)
        )


def _enum(value: str | None, location: str, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise_violations([(value, location, f"Member must satisfy enum value set: [{', '.join(allowed)}]")])


def _one_filter(operation: str, params: Params) -> None:
    given = [name for name in ("NamePrefix", "EventSourceArn", "State") if params.get(name) is not None]
    if len(given) > 1:
        raise ValidationError(
            f"At most one filter is allowed for {operation}. Use either : State, EventSourceArn, or NamePrefix."
        )


class EventsApi:
    """EventBridge's operations by name over a simulation's :class:`EventsService`.

    Example:
        >>> from eventbus import Simulation
        >>> api = Simulation().events.api
        >>> api.call("CreateEventBus", {"Name": "orders"})["EventBusArn"]
        'arn:aws:events:us-east-1:123456789012:event-bus/orders'
    """

    def __init__(self, service: EventsService) -> None:
        self.service = service
        self._operations: dict[str, Callable[[Params], Result]] = {
            "CreateEventBus": self._create_event_bus,
            "DeleteEventBus": self._delete_event_bus,
            "DescribeEventBus": self._describe_event_bus,
            "ListEventBuses": self._list_event_buses,
            "PutEvents": self._put_events,
            "PutRule": self._put_rule,
            "DescribeRule": self._describe_rule,
            "ListRules": self._list_rules,
            "DeleteRule": self._delete_rule,
            "EnableRule": self._enable_rule,
            "DisableRule": self._disable_rule,
            "PutTargets": self._put_targets,
            "RemoveTargets": self._remove_targets,
            "ListTargetsByRule": self._list_targets_by_rule,
            "ListRuleNamesByTarget": self._list_rule_names_by_target,
            "TestEventPattern": self._test_event_pattern,
            "CreateArchive": self._create_archive,
            "DescribeArchive": self._describe_archive,
            "ListArchives": self._list_archives,
            "UpdateArchive": self._update_archive,
            "DeleteArchive": self._delete_archive,
            "StartReplay": self._start_replay,
            "DescribeReplay": self._describe_replay,
            "ListReplays": self._list_replays,
            "CancelReplay": self._cancel_replay,
            "TagResource": self._tag_resource,
            "UntagResource": self._untag_resource,
            "ListTagsForResource": self._list_tags_for_resource,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        """The operation names this layer serves."""
        return tuple(self._operations)

    def call(self, operation: str, params: Params) -> Result:
        """Run ``operation`` with ``params`` (the operation's input shape) and return its output shape.

        Raises:
            ServiceError: the error AWS would return (``ResourceNotFoundException``,
                ``ValidationException``, ``InvalidEventPatternException`` ...), or
                ``UnknownOperationException`` for an operation this layer does not serve.
        """
        handler = self._operations.get(operation)
        if handler is None:
            raise ServiceError(f"Operation {operation} is not supported.", code="UnknownOperationException", status=400)
        return handler(params)

    # ------------------------------------------------------------- buses
    def _create_event_bus(self, params: Params) -> Result:
        _required(params, ("Name", "name"))
        extra = {key: params[key] for key in ("KmsKeyIdentifier", "DeadLetterConfig", "LogConfig") if params.get(key)}
        bus = self.service.create_bus(
            params["Name"], description=params.get("Description"), tags=tags_from_aws(params.get("Tags")), extra=extra
        )
        out: Result = {"EventBusArn": bus.arn}
        if bus.description is not None:
            out["Description"] = bus.description
        out.update(extra)
        return out

    def _delete_event_bus(self, params: Params) -> Result:
        _required(params, ("Name", "name"))
        self.service.delete_bus(params["Name"])
        return {}

    def _describe_event_bus(self, params: Params) -> Result:
        return self.service.get_bus(params.get("Name")).describe()

    def _list_event_buses(self, params: Params) -> Result:
        prefix = params.get("NamePrefix") or ""
        buses = sorted((bus for name, bus in self.service.buses.items() if name.startswith(prefix)), key=lambda b: b.name)
        page, token = paginate(buses, params.get("NextToken"), params.get("Limit"))
        out: Result = {"EventBuses": [bus.summary() for bus in page]}
        if token:
            out["NextToken"] = token
        return out

    # ------------------------------------------------------------ events
    def _put_events(self, params: Params) -> Result:
        _required(params, ("Entries", "entries"))
        return self.service.put_events(list(params["Entries"])).to_aws()

    def _test_event_pattern(self, params: Params) -> Result:
        _required(params, ("EventPattern", "eventPattern"), ("Event", "event"))
        return {"Result": self.service.test_event_pattern(params["EventPattern"], params["Event"])}

    # ------------------------------------------------------------- rules
    def _bus(self, params: Params) -> EventBus:
        return self.service.get_bus(params.get("EventBusName") or DEFAULT_BUS)

    def _rule(self, params: Params, key: str = "Name") -> Rule:
        _required(params, (key, key.lower()))
        return self._bus(params).get_rule(params[key])

    def _put_rule(self, params: Params) -> Result:
        _required(params, ("Name", "name"))
        _enum(params.get("State"), "state", RULE_STATES)
        rule = self._bus(params).put_rule(
            params["Name"],
            event_pattern=params.get("EventPattern"),
            schedule_expression=params.get("ScheduleExpression"),
            state=params.get("State"),
            description=params.get("Description"),
            role_arn=params.get("RoleArn"),
            tags=tags_from_aws(params.get("Tags")),
        )
        return {"RuleArn": rule.arn}

    def _describe_rule(self, params: Params) -> Result:
        return self._rule(params).describe()

    def _list_rules(self, params: Params) -> Result:
        prefix = params.get("NamePrefix") or ""
        bus = self._bus(params)
        rules = sorted((rule for name, rule in bus.rules.items() if name.startswith(prefix)), key=lambda r: r.name)
        page, token = paginate(rules, params.get("NextToken"), params.get("Limit"))
        out: Result = {"Rules": [rule.summary() for rule in page]}
        if token:
            out["NextToken"] = token
        return out

    def _delete_rule(self, params: Params) -> Result:
        _required(params, ("Name", "name"))
        self._bus(params).delete_rule(params["Name"], force=bool(params.get("Force")))
        return {}

    def _enable_rule(self, params: Params) -> Result:
        self._rule(params).enable()
        return {}

    def _disable_rule(self, params: Params) -> Result:
        self._rule(params).disable()
        return {}

    # ----------------------------------------------------------- targets
    def _put_targets(self, params: Params) -> Result:
        _required(params, ("Rule", "rule"), ("Targets", "targets"))
        failed = self._rule(params, "Rule").put_targets(list(params["Targets"]))
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def _remove_targets(self, params: Params) -> Result:
        _required(params, ("Rule", "rule"), ("Ids", "ids"))
        failed = self._rule(params, "Rule").remove_targets(list(params["Ids"]), force=bool(params.get("Force")))
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def _list_targets_by_rule(self, params: Params) -> Result:
        rule = self._rule(params, "Rule")
        page, token = paginate(list(rule.targets.values()), params.get("NextToken"), params.get("Limit"))
        out: Result = {"Targets": [target.to_aws() for target in page]}
        if rule.archive is not None and not page:
            out["Targets"] = [{"Id": rule.name, "Arn": rule.archive.arn}]
        if token:
            out["NextToken"] = token
        return out

    def _list_rule_names_by_target(self, params: Params) -> Result:
        _required(params, ("TargetArn", "targetArn"))
        arn = params["TargetArn"]
        bus = self._bus(params)
        names = sorted(rule.name for rule in bus.rules.values() if any(t.arn == arn for t in rule.targets.values()))
        page, token = paginate(names, params.get("NextToken"), params.get("Limit"))
        out: Result = {"RuleNames": page}
        if token:
            out["NextToken"] = token
        return out

    # ---------------------------------------------------------- archives
    def _create_archive(self, params: Params) -> Result:
        _required(params, ("ArchiveName", "archiveName"), ("EventSourceArn", "eventSourceArn"))
        archive = self.service.create_archive(
            params["ArchiveName"],
            params["EventSourceArn"],
            event_pattern=params.get("EventPattern"),
            retention_days=int(params.get("RetentionDays") or 0),
            description=params.get("Description"),
        )
        return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": archive.created}

    def _describe_archive(self, params: Params) -> Result:
        _required(params, ("ArchiveName", "archiveName"))
        return self.service.get_archive(params["ArchiveName"]).describe()

    def _list_archives(self, params: Params) -> Result:
        _one_filter("ListArchives", params)
        _enum(params.get("State"), "state", _ARCHIVE_STATES)
        archives = sorted(self.service.archives.values(), key=lambda a: a.name)
        if params.get("NamePrefix"):
            archives = [a for a in archives if a.name.startswith(params["NamePrefix"])]
        if params.get("EventSourceArn"):
            bus = self.service.get_bus(params["EventSourceArn"])
            archives = [a for a in archives if a.bus is bus]
        if params.get("State"):
            archives = [a for a in archives if a.state == params["State"]]
        page, token = paginate(archives, params.get("NextToken"), params.get("Limit"))
        out: Result = {"Archives": [archive.summary() for archive in page]}
        if token:
            out["NextToken"] = token
        return out

    def _update_archive(self, params: Params) -> Result:
        _required(params, ("ArchiveName", "archiveName"))
        retention = params.get("RetentionDays")
        archive = self.service.update_archive(
            params["ArchiveName"],
            description=params.get("Description"),
            event_pattern=params.get("EventPattern"),
            retention_days=int(retention) if retention is not None else None,
        )
        return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": archive.created}

    def _delete_archive(self, params: Params) -> Result:
        _required(params, ("ArchiveName", "archiveName"))
        self.service.delete_archive(params["ArchiveName"])
        return {}

    # ----------------------------------------------------------- replays
    def _start_replay(self, params: Params) -> Result:
        _required(
            params,
            ("ReplayName", "replayName"),
            ("EventSourceArn", "eventSourceArn"),
            ("EventStartTime", "eventStartTime"),
            ("EventEndTime", "eventEndTime"),
            ("Destination", "destination"),
        )
        destination = params["Destination"]
        _required(destination, ("Arn", "destination.arn"))
        replay = self.service.start_replay(
            params["ReplayName"],
            archive=params["EventSourceArn"],
            start=params["EventStartTime"],
            end=params["EventEndTime"],
            destination=destination["Arn"],
            rules=list(destination.get("FilterArns") or ()),
            description=params.get("Description"),
        )
        return {"ReplayArn": replay.arn, "State": replay.state, "ReplayStartTime": replay.started}

    def _describe_replay(self, params: Params) -> Result:
        _required(params, ("ReplayName", "replayName"))
        return self.service.get_replay(params["ReplayName"]).describe()

    def _list_replays(self, params: Params) -> Result:
        _one_filter("ListReplays", params)
        _enum(params.get("State"), "state", _REPLAY_STATES)
        replays = sorted(self.service.replays.values(), key=lambda r: r.name)
        if params.get("NamePrefix"):
            replays = [r for r in replays if r.name.startswith(params["NamePrefix"])]
        if params.get("EventSourceArn"):
            replays = [r for r in replays if r.archive_arn == params["EventSourceArn"]]
        if params.get("State"):
            replays = [r for r in replays if r.state == params["State"]]
        page, token = paginate(replays, params.get("NextToken"), params.get("Limit"))
        out: Result = {"Replays": [replay.summary() for replay in page]}
        if token:
            out["NextToken"] = token
        return out

    def _cancel_replay(self, params: Params) -> Result:
        _required(params, ("ReplayName", "replayName"))
        replay = self.service.cancel_replay(params["ReplayName"])
        return {"ReplayArn": replay.arn, "State": replay.state}

    # -------------------------------------------------------------- tags
    def _tags_of(self, arn: str) -> dict[str, str]:
        """The tag dict of the bus or rule at ``arn`` (the resources EventBridge lets you tag)."""
        if ":event-bus/" in arn:
            return self.service.get_bus(arn).tags
        if ":rule/" in arn:
            return self.service.rule_by_arn(arn).tags
        name = bus_name_from(arn)
        raise ResourceNotFoundError(f"Resource {name} does not exist.")

    def _tag_resource(self, params: Params) -> Result:
        _required(params, ("ResourceARN", "resourceARN"), ("Tags", "tags"))
        self._tags_of(params["ResourceARN"]).update(tags_from_aws(params["Tags"]))
        return {}

    def _untag_resource(self, params: Params) -> Result:
        _required(params, ("ResourceARN", "resourceARN"), ("TagKeys", "tagKeys"))
        tags = self._tags_of(params["ResourceARN"])
        for key in params["TagKeys"]:
            tags.pop(key, None)
        return {}

    def _list_tags_for_resource(self, params: Params) -> Result:
        _required(params, ("ResourceARN", "resourceARN"))
        return {"Tags": tags_to_aws(self._tags_of(params["ResourceARN"]))}
