"""Event buses and their rules: matching, scheduled rules, and the native Python API.

A bus keeps every event-pattern rule in one :class:`~eventbus.matching.PatternSet`, so that matching
an event costs what the event's fields cost, not one test per rule. A bus is itself a delivery
endpoint: a rule on one bus may target another bus, which takes the event in again ("Sending and
receiving events between event buses",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html).

Rules follow the PutRule reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html):
a rule has an event pattern, a schedule expression (on the default bus only) or both; putting a rule
that exists replaces it ("If you omit arguments in PutRule, the old values for those arguments are not
kept"), keeps its targets and ignores the tags given. A scheduled rule sends, at each fire time on the
virtual clock, an event with ``source`` ``aws.events``, ``detail-type`` ``Scheduled Event``,
``resources`` ``[rule ARN]`` and an empty ``detail`` to its own targets
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import msgspec

from .._schedule import ScheduleExpression
from .._simulation import Outcome, Timer
from .._transform_json import to_json
from ..arn import parse_arn
from ..errors import ValidationError
from ..matching import EventPattern, PatternSet
from ._events_common import (
    DEFAULT_BUS,
    MAX_TARGETS_PER_RULE,
    check_length,
    check_name,
    managed_rule,
    raise_violations,
    rule_not_found,
    too_many_targets,
)
from ._events_envelope import PutEventsResult
from ._events_targets import RuleTarget, dispatch, parse_targets, whole_event_json

if TYPE_CHECKING:
    from ._events_archive import Archive
    from ._events_service import EventsService

__all__ = ("EventBus", "Rule")

F = TypeVar("F", bound=Callable[..., Any])

RULE_STATES: Final = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_UNSAFE: Final = re.compile(r"[^\.\-_A-Za-z0-9]+")
_decode = msgspec.json.decode


def _safe_name(text: str, fallback: str) -> str:
    cleaned = _UNSAFE.sub("-", text).strip("-")[:56]
    return cleaned or fallback


def _pattern_text(pattern: str | bytes | Mapping[str, Any] | None) -> str | None:
    if pattern is None:
        return None
    if isinstance(pattern, bytes):
        return pattern.decode()
    if isinstance(pattern, str):
        return pattern
    return to_json(pattern)


class Rule:
    """An EventBridge rule on a bus: a pattern and/or a schedule, a state, and up to five targets.

    Build one with :meth:`EventBus.rule` (or PutRule through the API); add targets with
    :meth:`target`.
    """

    def __init__(self, bus: EventBus, name: str, *, managed_by: str | None = None, tags: Mapping[str, str] | None = None) -> None:
        self.bus = bus
        self.name = name
        self.arn = bus.service.sim.arn("events", f"rule/{name}" if bus.name == DEFAULT_BUS else f"rule/{bus.name}/{name}")
        self.event_pattern: str | None = None
        self.pattern: EventPattern | None = None
        self.schedule: ScheduleExpression | None = None
        self.state = "ENABLED"
        self.description: str | None = None
        self.role_arn: str | None = None
        self.managed_by = managed_by
        self.tags: dict[str, str] = dict(tags or {})
        self.targets: dict[str, RuleTarget] = {}
        self.archive: Archive | None = None
        self._anchor: datetime = bus.service.sim.now
        self._timer: Timer | None = None

    # ------------------------------------------------------------- state
    @property
    def enabled(self) -> bool:
        """Whether the rule acts on events (``ENABLED`` or ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``)."""
        return self.state != "DISABLED"

    def enable(self) -> Rule:
        """EnableRule: the rule acts on events again (and its schedule resumes)."""
        self._check_unmanaged()
        self.state = "ENABLED"
        self._arm()
        return self

    def disable(self) -> Rule:
        """DisableRule: the rule stops acting on events (and its schedule pauses)."""
        self._check_unmanaged()
        self.state = "DISABLED"
        self._disarm()
        return self

    def _check_unmanaged(self, force: bool = False) -> None:
        if self.managed_by is not None and not force:
            raise managed_rule(self.name)

    def _configure(
        self,
        *,
        pattern: EventPattern | None,
        pattern_text: str | None,
        schedule: ScheduleExpression | None,
        state: str,
        description: str | None,
        role_arn: str | None,
    ) -> None:
        if schedule is None or self.schedule is None or schedule.text != self.schedule.text:
            self._anchor = self.bus.service.sim.now
        self.event_pattern = pattern_text
        self.pattern = pattern
        self.schedule = schedule
        self.state = state
        self.description = description
        self.role_arn = role_arn
        self._disarm()
        self._arm()

    # ----------------------------------------------------------- targets
    def target(
        self,
        destination: Any,
        *,
        id: str | None = None,
        input: str | Mapping[str, Any] | None = None,
        input_path: str | None = None,
        input_transformer: Mapping[str, Any] | None = None,
        retry_policy: Mapping[str, int] | None = None,
        max_retries: int | None = None,
        max_event_age: int | None = None,
        dead_letter: Any = None,
        message_group_id: str | None = None,
        role_arn: str | None = None,
    ) -> RuleTarget:
        """Add (or replace) a target: an ARN, a resource with an ``arn`` (queue, topic, bus), or a callable.

        Args:
            destination: where events go. A plain Python callable receives the payload, parsed
                from JSON when it is JSON; its exception is a failed delivery.
            id: the target's ``Id``; by default derived from the destination's name.
            input: ``Input``: constant JSON (text, or a mapping serialised for you).
            input_path: ``InputPath``, e.g. ``"$.detail"``.
            input_transformer: ``{"InputPathsMap": {...}, "InputTemplate": "..."}``.
            retry_policy: ``{"MaximumRetryAttempts": n, "MaximumEventAgeInSeconds": s}``.
            max_retries: shorthand for ``MaximumRetryAttempts``.
            max_event_age: shorthand for ``MaximumEventAgeInSeconds``.
            dead_letter: the dead-letter queue (an ARN or a queue with an ``arn``).
            message_group_id: ``SqsParameters.MessageGroupId``, required for a FIFO queue.
            role_arn: ``RoleArn`` (kept; the simulation has no IAM).

        Returns:
            The target as stored.
        """
        arn = self.bus.service._arn_of(destination)
        policy = dict(retry_policy or {})
        if max_retries is not None:
            policy["MaximumRetryAttempts"] = max_retries
        if max_event_age is not None:
            policy["MaximumEventAgeInSeconds"] = max_event_age
        spec: dict[str, Any] = {"Id": id or self._free_target_id(destination, arn), "Arn": arn}
        if input is not None:
            spec["Input"] = input if isinstance(input, str) else to_json(input)
        if input_path is not None:
            spec["InputPath"] = input_path
        if input_transformer is not None:
            spec["InputTransformer"] = dict(input_transformer)
        if policy:
            spec["RetryPolicy"] = policy
        if dead_letter is not None:
            spec["DeadLetterConfig"] = {"Arn": self.bus.service._arn_of(dead_letter)}
        if message_group_id is not None:
            spec["SqsParameters"] = {"MessageGroupId": message_group_id}
        if role_arn is not None:
            spec["RoleArn"] = role_arn
        self.put_targets([spec])
        return self.targets[spec["Id"]]

    def _free_target_id(self, destination: Any, arn: str) -> str:
        if callable(destination) and not hasattr(destination, "arn"):
            base = _safe_name(getattr(destination, "__name__", "callable"), "callable")
        else:
            base = _safe_name(parse_arn(arn).resource_name.rsplit("/", 1)[-1].rsplit(":", 1)[-1], "target")
        candidate, n = base, 1
        while candidate in self.targets:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def put_targets(self, targets: Sequence[Mapping[str, Any]], *, force: bool = False) -> list[dict[str, str]]:
        """PutTargets: validate and add (or replace, by ``Id``) targets in AWS's ``Target`` shape.

        Returns:
            The failed entries (``TargetId``, ``ErrorCode``, ``ErrorMessage``): none in a simulation,
            where no concurrent change can interfere.

        Raises:
            ValidationError: a target AWS would refuse (see :func:`parse_targets`).
            LimitExceededError: more than five targets on the rule.
        """
        self._check_unmanaged(force)
        parsed = parse_targets(targets)
        new_ids = {target.id for target in parsed} - set(self.targets)
        if len(self.targets) + len(new_ids) > MAX_TARGETS_PER_RULE:
            raise too_many_targets()
        for target in parsed:
            self.targets[target.id] = target
        return []

    def remove_targets(self, ids: Sequence[str], *, force: bool = False) -> list[dict[str, str]]:
        """RemoveTargets: remove targets by ``Id``; an unknown ``Id`` is ignored.

        Returns:
            The failed entries: none in a simulation (see :meth:`put_targets`).
        """
        self._check_unmanaged(force)
        for target_id in ids:
            self.targets.pop(target_id, None)
        return []

    def delete(self, *, force: bool = False) -> None:
        """DeleteRule: a rule that still has targets cannot be deleted (``Rule can't be deleted since
        it has targets.``); a managed rule needs ``force``."""
        self.bus.delete_rule(self.name, force=force)

    # ----------------------------------------------------------- schedule
    def _arm(self) -> None:
        if self.schedule is None or not self.enabled or self._timer is not None:
            return
        sim = self.bus.service.sim
        fire = self.schedule.next_after(sim.now, anchor=self._anchor)
        if fire is None:
            return
        self._timer = sim.call_at((fire - sim.start).total_seconds(), self._fire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        sim = self.bus.service.sim
        event: dict[str, Any] = {
            "version": "0",
            "id": sim.new_uuid(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": sim.account_id,
            "time": sim.iso(),
            "region": sim.region,
            "resources": [self.arn],
            "detail": {},
        }
        sim.record("events.scheduled", self.arn, event["id"], {"time": event["time"]})
        if self.targets:
            sim.record("events.matched", self.bus.arn, event["id"], {"rules": [self.name]})
            event_json = whole_event_json(event)
            for target in list(self.targets.values()):
                dispatch(sim, self, target, event, ingestion_time=event["time"], event_json=event_json)
        self._arm()

    # ---------------------------------------------------------- describe
    def describe(self) -> dict[str, Any]:
        """The DescribeRule response shape."""
        out = self.summary()
        out["CreatedBy"] = self.bus.service.sim.account_id
        return out

    def summary(self) -> dict[str, Any]:
        """The ``Rule`` shape ListRules returns."""
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.event_pattern is not None:
            out["EventPattern"] = self.event_pattern
        if self.schedule is not None:
            out["ScheduleExpression"] = self.schedule.text
        out["State"] = self.state
        if self.description is not None:
            out["Description"] = self.description
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        if self.managed_by is not None:
            out["ManagedBy"] = self.managed_by
        out["EventBusName"] = self.bus.name
        return out

    def __repr__(self) -> str:
        return f"eventbus.events.Rule({self.name!r}, bus={self.bus.name!r}, state={self.state!r})"


class EventBus:
    """An event bus: takes events in (PutEvents, other buses), matches them against its rules and
    delivers them to the rules' targets.

    Get one with ``sim.events.bus("orders")`` or ``sim.events.default_bus``.
    """

    def __init__(
        self,
        service: EventsService,
        name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.service = service
        self.name = name
        sim = service.sim
        self.arn = sim.arn("events", f"event-bus/{name}")
        self.description = description
        self.policy: str | None = None
        self.tags: dict[str, str] = dict(tags or {})
        self.extra: dict[str, Any] = dict(extra or {})
        self.created = sim.now
        self.modified = sim.now
        self.rules: dict[str, Rule] = {}
        self._patterns = PatternSet()

    # ------------------------------------------------------------ events
    def put(
        self,
        *,
        source: str,
        detail_type: str,
        detail: Mapping[str, Any] | str,
        resources: Sequence[str] = (),
        time: datetime | str | None = None,
    ) -> str:
        """Put one event on this bus (PutEvents with one entry) and return its id.

        Raises:
            ValidationError: the entry AWS would refuse; ``.code`` is the entry's ``ErrorCode``
                (``InvalidArgument``, ``MalformedDetail``, ``NotAuthorizedForSourceException``).
        """
        entry: dict[str, Any] = {
            "Source": source,
            "DetailType": detail_type,
            "Detail": detail,
            "Resources": list(resources),
            "EventBusName": self.name,
        }
        if time is not None:
            entry["Time"] = time
        result = self.service.put_events([entry]).entries[0]
        if result.event_id is None:
            raise ValidationError(result.error_message or "", code=result.error_code)
        return result.event_id

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> PutEventsResult:
        """PutEvents with AWS-shaped entries (``Source``, ``DetailType``, ``Detail`` ...); entries
        without an ``EventBusName`` go to this bus. ``Detail`` may be a mapping."""
        return self.service.put_events([{"EventBusName": self.name, **entry} for entry in entries])

    def accept(self, message: Any, on_done: Callable[[Outcome], None]) -> None:
        """Take an event from a rule on another bus, as a delivery endpoint.

        The event is taken in again as it was sent (same id); the destination bus's rules and
        archives see it. A payload that is not an event is refused and not retried.
        """
        sim = self.service.sim
        try:
            event = _decode(message.body)
        except msgspec.DecodeError:
            event = None
        if not isinstance(event, dict) or not all(key in event for key in ("id", "source", "detail-type", "detail")):
            on_done(Outcome(False, None, ValidationError("Event is not valid.", retryable=False)))
            return
        sim.record("events.put", self.arn, str(event["id"]), {"source": event["source"], "from": message.source_arn})
        sim.call_soon(self._ingest, [event], sim.iso(), None)
        on_done(Outcome(True))

    def _ingest(self, events: Sequence[dict[str, Any]], ingestion_time: str, only: frozenset[str] | None) -> None:
        """Match each event against the rules and deliver it to the targets of those that match.

        Args:
            events: the events, in order.
            ingestion_time: when EventBridge took them in.
            only: rule ARNs allowed to act (a replay's ``FilterArns``), or None for all rules.
        """
        sim = self.service.sim
        rules = self.rules
        patterns = self._patterns
        if not len(patterns):
            return
        for event in events:
            matched = [
                rule
                for rule in map(rules.__getitem__, patterns.match(event))
                if rule.enabled and (only is None or rule.arn in only)
            ]
            if not matched:
                continue
            event_id = event["id"]
            sim.record("events.matched", self.arn, event_id, {"rules": [rule.name for rule in matched]})
            event_json = whole_event_json(event)
            for rule in matched:
                if rule.archive is not None:
                    rule.archive.store(event)
                    continue
                for target in list(rule.targets.values()):
                    dispatch(sim, rule, target, event, ingestion_time=ingestion_time, event_json=event_json)

    # ------------------------------------------------------------- rules
    def rule(
        self,
        name: str,
        pattern: Mapping[str, Any] | str | None = None,
        *,
        schedule: str | None = None,
        state: str | None = None,
        description: str | None = None,
    ) -> Rule:
        """The rule called ``name``, created or replaced when a pattern or schedule is given.

        Example::

            rule = bus.rule("big-orders", pattern={"detail": {"total": [{"numeric": [">", 100]}]}})
            rule.target(handle_big_order)
        """
        existing = self.rules.get(name)
        if existing is not None and pattern is None and schedule is None and state is None and description is None:
            return existing
        return self.put_rule(name, event_pattern=pattern, schedule_expression=schedule, state=state, description=description)

    def put_rule(
        self,
        name: str,
        *,
        event_pattern: Mapping[str, Any] | str | None = None,
        schedule_expression: str | None = None,
        state: str | None = None,
        description: str | None = None,
        role_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
        managed_by: str | None = None,
    ) -> Rule:
        """PutRule: create the rule, or replace the one called ``name`` (keeping its targets).

        Raises:
            ValidationError: a bad name, state or schedule; neither pattern nor schedule
                (``Parameter(s) EventPattern or ScheduleExpression must be specified.``); a schedule
                on a custom bus (``ScheduleExpression is supported only on the default event bus.``).
            InvalidEventPatternError: a pattern EventBridge would refuse.
        """
        violations = check_name(name, "name", max_length=64)
        pattern_text = _pattern_text(event_pattern)
        violations += check_length(pattern_text, "eventPattern", max_length=4096)
        violations += check_length(schedule_expression, "scheduleExpression", max_length=256)
        violations += check_length(description, "description", max_length=512)
        if state is not None and state not in RULE_STATES:
            violations.append((state, "state", f"Member must satisfy enum value set: [{', '.join(RULE_STATES)}]"))
        raise_violations(violations)
        existing = self.rules.get(name)
        if existing is not None and managed_by is None:
            existing._check_unmanaged()
        if not pattern_text and not schedule_expression:
            raise ValidationError("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        schedule = None
        if schedule_expression:
            if self.name != DEFAULT_BUS:
                raise ValidationError("ScheduleExpression is supported only on the default event bus.")
            schedule = ScheduleExpression.parse(schedule_expression, dialect="events")
        pattern = None
        if pattern_text:
            pattern = EventPattern(pattern_text)
        rule = existing if existing is not None else Rule(self, name, managed_by=managed_by, tags=tags)
        rule._configure(
            pattern=pattern,
            pattern_text=pattern_text,
            schedule=schedule,
            state=state or "ENABLED",
            description=description,
            role_arn=role_arn,
        )
        if pattern is not None:
            self._patterns.add(name, pattern)
        elif name in self._patterns:
            self._patterns.remove(name)
        if existing is None:
            self.rules[name] = rule
            self.service.sim.record("events.rule.created", rule.arn, "", {"bus": self.name})
        return rule

    def get_rule(self, name: str) -> Rule:
        """The rule called ``name``.

        Raises:
            ResourceNotFoundError: ``Rule <name> does not exist on EventBus <bus>.``
        """
        rule = self.rules.get(name)
        if rule is None:
            raise rule_not_found(name, self.name)
        return rule

    def delete_rule(self, name: str, *, force: bool = False) -> None:
        """DeleteRule: deleting a rule that does not exist does nothing, as in AWS.

        Raises:
            ValidationError: ``Rule can't be deleted since it has targets.``
            ServiceError: ``ManagedRuleException`` for a managed rule without ``force``.
        """
        rule = self.rules.get(name)
        if rule is None:
            return
        rule._check_unmanaged(force)
        if rule.targets and not (force and rule.managed_by is not None):
            raise ValidationError("Rule can't be deleted since it has targets.")
        rule._disarm()
        del self.rules[name]
        if name in self._patterns:
            self._patterns.remove(name)
        self.service.sim.record("events.rule.deleted", rule.arn, "", {"bus": self.name})

    def on(self, pattern: Mapping[str, Any] | str, *, name: str | None = None, **target_options: Any) -> Callable[[F], F]:
        """A decorator routing the events that match ``pattern`` straight to the decorated callable.

        Example::

            @bus.on({"source": ["app"]})
            def audit(event):
                ...

        Args:
            pattern: the event pattern.
            name: the rule's name (default: from the function's name).
            target_options: passed to :meth:`Rule.target` (``input_path``, ``max_retries`` ...).
        """

        def decorate(function: F) -> F:
            rule_name = name
            if rule_name is None:
                base = _safe_name(getattr(function, "__name__", "handler"), "handler")
                rule_name, n = base, 1
                while rule_name in self.rules:
                    n += 1
                    rule_name = f"{base}-{n}"
            self.rule(rule_name, pattern=pattern).target(function, **target_options)
            return function

        return decorate

    # ---------------------------------------------------------- archives
    def archive(
        self,
        name: str,
        *,
        pattern: Mapping[str, Any] | str | None = None,
        retention_days: int = 0,
        description: str | None = None,
    ) -> Archive:
        """CreateArchive on this bus: keep its events (those matching ``pattern``, or all) for
        ``retention_days`` days (0: forever)."""
        return self.service.create_archive(
            name, self.arn, event_pattern=pattern, retention_days=retention_days, description=description
        )

    # ---------------------------------------------------------- describe
    def describe(self) -> dict[str, Any]:
        """The DescribeEventBus response shape."""
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.description is not None:
            out["Description"] = self.description
        out.update(self.extra)
        if self.policy is not None:
            out["Policy"] = self.policy
        out["CreationTime"] = self.created
        out["LastModifiedTime"] = self.modified
        return out

    def summary(self) -> dict[str, Any]:
        """The ``EventBus`` shape ListEventBuses returns."""
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.description is not None:
            out["Description"] = self.description
        if self.policy is not None:
            out["Policy"] = self.policy
        out["CreationTime"] = self.created
        out["LastModifiedTime"] = self.modified
        return out

    def __repr__(self) -> str:
        return f"eventbus.events.EventBus({self.name!r}, rules={len(self.rules)})"
