"""The simulation's EventBridge Scheduler: schedule groups, schedules, tags, and the native Python API.

Every account has a ``default`` schedule group; other groups are created and deleted, and deleting a
group deletes its schedules (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html,
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_DeleteScheduleGroup.html). Tags belong
to schedule groups only (the ``ResourceArn`` of TagResource is a schedule group ARN in the API model).
The native methods build the same request the AWS-named operations take and go through the same
checks, so that a schedule made from Python is one AWS would accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

from .._simulation import Simulation
from .._transform_json import to_json
from ..errors import SimulationError, ValidationError
from ._delivery import callable_endpoint
from ._scheduler_common import (
    DEFAULT_GROUP,
    MAX_GROUPS,
    check_name,
    check_required,
    group_exists,
    group_not_found,
    quota_exceeded,
    raise_violations,
    schedule_exists,
    schedule_not_found,
)
from ._scheduler_schedule import Schedule, ScheduleGroup, parse_spec

if TYPE_CHECKING:
    from ._scheduler_api import SchedulerApi

__all__ = ("SchedulerService",)

#: The keyword arguments of :meth:`SchedulerService.update_schedule` and the request members they set.
_MEMBERS: Final = {
    "expression": "ScheduleExpression",
    "timezone": "ScheduleExpressionTimezone",
    "start": "StartDate",
    "end": "EndDate",
    "state": "State",
    "description": "Description",
    "action_after_completion": "ActionAfterCompletion",
    "kms_key_arn": "KmsKeyArn",
}
_TARGET_MEMBERS: Final = frozenset(
    {"target", "input", "role_arn", "retry_policy", "max_retries", "max_event_age", "dead_letter", "message_group_id", "detail_type", "source"}
)


class SchedulerService:
    """EventBridge Scheduler in a simulation: ``sim.scheduler``.

    Example::

        sim = Simulation(start="2024-03-09T00:00:00Z")
        reports = []
        sim.scheduler.create_schedule(
            "nightly", "cron(0 2 * * ? *)", target=reports.append,
            timezone="America/New_York", input='{"job": "report"}',
        )
        sim.advance(3 * 86400)   # fires at 02:00 New York time each day, across the DST change
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.groups: dict[str, ScheduleGroup] = {}
        self._schedules: dict[str, Schedule] = {}  # by ARN, in creation order
        self._create_group(DEFAULT_GROUP, {})

    @cached_property
    def api(self) -> SchedulerApi:
        """The AWS-named operations (``sim.scheduler.api.call("CreateSchedule", {...})``)."""
        from ._scheduler_api import SchedulerApi

        return SchedulerApi(self)

    # ------------------------------------------------------------ groups
    def create_schedule_group(self, name: str, *, tags: Mapping[str, str] | None = None) -> ScheduleGroup:
        """CreateScheduleGroup.

        Raises:
            ValidationError: a name that is not 1..64 characters of ``[0-9a-zA-Z-_.]``.
            ConflictError: a group of that name exists.
            ServiceError: ``ServiceQuotaExceededException`` past 500 groups.
        """
        raise_violations(check_required(name, "name") + check_name(name, "name"))
        if name in self.groups:
            raise group_exists(name)
        if len(self.groups) >= MAX_GROUPS:
            # AWS's wording is not confirmed.
            raise quota_exceeded(f"The maximum number of schedule groups ({MAX_GROUPS}) has been reached.")
        return self._create_group(name, tags or {})

    def _create_group(self, name: str, tags: Mapping[str, str]) -> ScheduleGroup:
        group = ScheduleGroup(self, name, tags=tags)
        self.groups[name] = group
        self.sim.registry.register(group.arn, group)
        self.sim.record("scheduler.group.created", group.arn)
        return group

    def get_schedule_group(self, name: str = DEFAULT_GROUP) -> ScheduleGroup:
        """GetScheduleGroup.

        Raises:
            ResourceNotFoundError: no group of that name.
        """
        group = self.groups.get(name)
        if group is None:
            raise group_not_found(name)
        return group

    def list_schedule_groups(self, *, prefix: str | None = None) -> list[ScheduleGroup]:
        """ListScheduleGroups: the groups whose names start with ``prefix``, in creation order."""
        return [group for name, group in self.groups.items() if prefix is None or name.startswith(prefix)]

    def delete_schedule_group(self, name: str) -> None:
        """DeleteScheduleGroup: the group and every schedule in it are deleted.

        Raises:
            ValidationError: the ``default`` group, which cannot be deleted (AWS's wording is not confirmed).
            ResourceNotFoundError: no group of that name.
        """
        if name == DEFAULT_GROUP:
            raise ValidationError("The default schedule group cannot be deleted.")
        group = self.get_schedule_group(name)
        for schedule in list(group.schedules.values()):
            self._remove(schedule, reason="ScheduleGroupDeleted")
        del self.groups[name]
        self.sim.registry.unregister(group.arn)
        self.sim.record("scheduler.group.deleted", group.arn)

    def group_by_arn(self, arn: str) -> ScheduleGroup:
        """The group whose ARN is ``arn`` (for the tagging operations).

        Raises:
            ResourceNotFoundError: no such group.
        """
        resource = self.sim.registry.get(arn)
        if not isinstance(resource, ScheduleGroup) or resource.service is not self:
            raise group_not_found(arn.rpartition("/")[2])
        return resource

    # --------------------------------------------------------- schedules
    def create_schedule(
        self,
        name: str,
        expression: str,
        *,
        target: object,
        timezone: str | None = None,
        input: str | Mapping[str, Any] | list[Any] | None = None,
        flexible_window_minutes: int | None = None,
        retry_policy: Mapping[str, int] | None = None,
        max_retries: int | None = None,
        max_event_age: int | None = None,
        dead_letter: object = None,
        start: Any = None,
        end: Any = None,
        group: str | None = None,
        state: str = "ENABLED",
        description: str | None = None,
        action_after_completion: str = "NONE",
        role_arn: str | None = None,
        message_group_id: str | None = None,
        detail_type: str | None = None,
        source: str | None = None,
        kms_key_arn: str | None = None,
    ) -> Schedule:
        """CreateSchedule from Python.

        Args:
            name: the schedule's name (1..64 characters of ``[0-9a-zA-Z-_.]``).
            expression: ``at(yyyy-mm-ddThh:mm:ss)``, ``rate(value unit)`` or ``cron(six fields)``.
            target: what to invoke: an ARN, a resource with an ``arn`` (a queue, a topic, a bus, a
                function), or a plain Python callable (it receives the input, decoded when it is JSON).
            timezone: ``ScheduleExpressionTimezone``, an IANA name (default UTC).
            input: the target's ``Input`` (text, or an object serialised to JSON).
            flexible_window_minutes: ``FlexibleTimeWindow`` ``FLEXIBLE`` with this window (1..1440);
                None for ``OFF``.
            retry_policy: a ``RetryPolicy`` in AWS's shape; ``max_retries`` and ``max_event_age`` set
                its two members directly.
            dead_letter: the DLQ: a standard SQS queue or its ARN.
            start: ``StartDate`` (aware datetime, epoch seconds or ISO text).
            end: ``EndDate``.
            group: the schedule group (default ``default``).
            state: ``ENABLED`` or ``DISABLED``.
            description: ``Description``.
            action_after_completion: ``NONE`` or ``DELETE``.
            role_arn: the execution role (default: a role in the simulation's account; never checked).
            message_group_id: ``SqsParameters.MessageGroupId`` for a FIFO queue target.
            detail_type: ``EventBridgeParameters.DetailType`` for an event bus target.
            source: ``EventBridgeParameters.Source`` for an event bus target.
            kms_key_arn: ``KmsKeyArn`` (kept, not used).

        Raises:
            ValidationError, ResourceNotFoundError, ConflictError: as CreateSchedule would.
        """
        params: dict[str, Any] = {
            "Name": name,
            "ScheduleExpression": expression,
            "FlexibleTimeWindow": _window(flexible_window_minutes),
            "Target": self._target(
                target,
                input=input,
                role_arn=role_arn,
                retry_policy=retry_policy,
                max_retries=max_retries,
                max_event_age=max_event_age,
                dead_letter=dead_letter,
                message_group_id=message_group_id,
                detail_type=detail_type,
                source=source,
            ),
            "State": state,
            "ActionAfterCompletion": action_after_completion,
        }
        optional = {
            "GroupName": group,
            "ScheduleExpressionTimezone": timezone,
            "StartDate": start,
            "EndDate": end,
            "Description": description,
            "KmsKeyArn": kms_key_arn,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        return self.put_schedule(params, create=True)

    def update_schedule(self, name: str, *, group: str | None = None, **changes: Any) -> Schedule:
        """UpdateSchedule from Python: the settings given replace those of the schedule, the others are kept.

        (The AWS operation replaces every setting, resetting those left out; this method sends it the
        schedule's current settings with ``changes`` applied.) Keyword arguments are those of
        :meth:`create_schedule`; passing ``None`` for an optional one removes it.

        Raises:
            ResourceNotFoundError: no such schedule or group.
            ValidationError: settings AWS would refuse.
        """
        schedule = self.get_schedule(name, group=group)
        unknown = set(changes) - set(_MEMBERS) - _TARGET_MEMBERS - {"flexible_window_minutes"}
        if unknown:
            raise SimulationError(f"update_schedule() got unknown settings: {', '.join(sorted(unknown))}")
        params = schedule.request()
        for key, member in _MEMBERS.items():
            if key in changes:
                if changes[key] is None:
                    params.pop(member, None)
                else:
                    params[member] = changes[key]
        if "flexible_window_minutes" in changes:
            params["FlexibleTimeWindow"] = _window(changes["flexible_window_minutes"])
        if _TARGET_MEMBERS & set(changes):
            params["Target"] = self._merge_target(params["Target"], changes)
        return self.put_schedule(params, create=False)

    def get_schedule(self, name: str, *, group: str | None = None) -> Schedule:
        """GetSchedule.

        Raises:
            ResourceNotFoundError: no such group, or no schedule of that name in it.
        """
        schedule = self.get_schedule_group(group or DEFAULT_GROUP).schedules.get(name)
        if schedule is None:
            raise schedule_not_found(name)
        return schedule

    def delete_schedule(self, name: str, *, group: str | None = None) -> None:
        """DeleteSchedule: the schedule stops at once (an invocation already under way still finishes).

        Raises:
            ResourceNotFoundError: no such group, or no schedule of that name in it.
        """
        self._remove(self.get_schedule(name, group=group), reason="DeleteSchedule")

    def list_schedules(
        self, *, group: str | None = None, prefix: str | None = None, state: str | None = None
    ) -> list[Schedule]:
        """ListSchedules: schedules in creation order, optionally of one group, name prefix or state.

        Raises:
            ResourceNotFoundError: a ``group`` that does not exist.
        """
        chosen = None if group is None else self.get_schedule_group(group)
        return [
            schedule
            for schedule in self._schedules.values()
            if (chosen is None or schedule.group is chosen)
            and (prefix is None or schedule.name.startswith(prefix))
            and (state is None or schedule.state == state)
        ]

    @property
    def schedules(self) -> list[Schedule]:
        """Every schedule, in creation order."""
        return self.list_schedules()

    # --------------------------------------------------------- internals
    def put_schedule(self, params: Mapping[str, Any], *, create: bool) -> Schedule:
        """CreateSchedule (``create``) or UpdateSchedule with ``params`` in the operation's input shape.

        The request is checked first, then the group's and the schedule's existence, as AWS does.
        """
        sim = self.sim
        group_name = str(params.get("GroupName") or DEFAULT_GROUP)
        current = self.groups.get(group_name)
        existing = None if current is None else current.schedules.get(str(params.get("Name")))
        kept_start = None if create or existing is None else existing.spec.start
        name, group_name, spec = parse_spec(params, now=sim.now, kept_start=kept_start)
        group = self.get_schedule_group(group_name)
        if create:
            if existing is not None:
                raise schedule_exists(name)
            schedule = Schedule(self, group, name, spec)
            group.schedules[name] = schedule
            self._schedules[schedule.arn] = schedule
            sim.registry.register(schedule.arn, schedule)
            sim.record("scheduler.schedule.created", schedule.arn, "", {"expression": spec.expression.text, "state": spec.state})
            schedule._arm()
            return schedule
        if existing is None:
            raise schedule_not_found(name)
        existing._apply(spec)
        sim.record("scheduler.schedule.updated", existing.arn, "", {"expression": spec.expression.text, "state": spec.state})
        return existing

    def _remove(self, schedule: Schedule, *, reason: str) -> None:
        if schedule.deleted:
            return
        schedule._disarm()
        schedule.deleted = True
        schedule.group.schedules.pop(schedule.name, None)
        self._schedules.pop(schedule.arn, None)
        self.sim.registry.unregister(schedule.arn)
        self.sim.record("scheduler.schedule.deleted", schedule.arn, "", {"reason": reason})

    def _target_arn(self, target: object) -> str:
        if isinstance(target, str):
            return target
        arn = getattr(target, "arn", None)
        if isinstance(arn, str):
            return arn
        if callable(target):
            return callable_endpoint(self.sim, target).arn
        raise SimulationError(f"a schedule target must be an ARN, a resource with an arn, or a callable; got {target!r}")

    def _target(
        self,
        target: object,
        *,
        input: str | Mapping[str, Any] | list[Any] | None,
        role_arn: str | None,
        retry_policy: Mapping[str, int] | None,
        max_retries: int | None,
        max_event_age: int | None,
        dead_letter: object,
        message_group_id: str | None,
        detail_type: str | None,
        source: str | None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Arn": self._target_arn(target),
            "RoleArn": role_arn or f"arn:aws:iam::{self.sim.account_id}:role/eventbus-scheduler",
        }
        if input is not None:
            out["Input"] = input if isinstance(input, str) else to_json(input)
        policy = dict(retry_policy or {})
        if max_retries is not None:
            policy["MaximumRetryAttempts"] = max_retries
        if max_event_age is not None:
            policy["MaximumEventAgeInSeconds"] = max_event_age
        if policy:
            out["RetryPolicy"] = policy
        if dead_letter is not None:
            out["DeadLetterConfig"] = {"Arn": self._target_arn(dead_letter)}
        if message_group_id is not None:
            out["SqsParameters"] = {"MessageGroupId": message_group_id}
        if detail_type is not None or source is not None:
            out["EventBridgeParameters"] = {"DetailType": detail_type, "Source": source}
        return out

    def _merge_target(self, current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        merged = dict(current)
        if "target" in changes:
            merged["Arn"] = self._target_arn(changes["target"])
        if "role_arn" in changes:
            merged["RoleArn"] = changes["role_arn"] or f"arn:aws:iam::{self.sim.account_id}:role/eventbus-scheduler"
        if "input" in changes:
            value = changes["input"]
            if value is None:
                merged.pop("Input", None)
            else:
                merged["Input"] = value if isinstance(value, str) else to_json(value)
        policy = dict(merged.get("RetryPolicy") or {})
        if "retry_policy" in changes:
            policy = dict(changes["retry_policy"] or {})
        if changes.get("max_retries") is not None:
            policy["MaximumRetryAttempts"] = changes["max_retries"]
        if changes.get("max_event_age") is not None:
            policy["MaximumEventAgeInSeconds"] = changes["max_event_age"]
        merged["RetryPolicy"] = policy
        if "dead_letter" in changes:
            if changes["dead_letter"] is None:
                merged.pop("DeadLetterConfig", None)
            else:
                merged["DeadLetterConfig"] = {"Arn": self._target_arn(changes["dead_letter"])}
        if "message_group_id" in changes:
            if changes["message_group_id"] is None:
                merged.pop("SqsParameters", None)
            else:
                merged["SqsParameters"] = {"MessageGroupId": changes["message_group_id"]}
        if "detail_type" in changes or "source" in changes:
            bridge = dict(merged.get("EventBridgeParameters") or {})
            for key, member in (("detail_type", "DetailType"), ("source", "Source")):
                if key in changes:
                    bridge[member] = changes[key]
            merged["EventBridgeParameters"] = bridge
        return merged

    def __repr__(self) -> str:
        return f"eventbus.scheduler.SchedulerService(groups={len(self.groups)}, schedules={len(self.schedules)})"


def _window(minutes: int | None) -> dict[str, Any]:
    return {"Mode": "OFF"} if minutes is None else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes}

