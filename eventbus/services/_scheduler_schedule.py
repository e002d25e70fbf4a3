"""Schedules and schedule groups: CreateSchedule's request checks, and firing on the virtual clock.

A schedule keeps one kernel timer for its next scheduled time: the first time of its expression that
is not before now, nor (recurring schedules only) before its ``StartDate``; and strictly before its
``EndDate``, if it has one ("EventBridge Scheduler ignores StartDate/EndDate for one-time schedules",
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html). A ``rate()``
schedule counts its periods from its ``StartDate``, or from its creation, and fires at that instant
itself ("If you do not provide a StartDate for a rate-based schedule, your schedule starts invoking the
target immediately", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html);
``cron()`` and ``at()`` are read in ``ScheduleExpressionTimezone`` with AWS's daylight-saving rules
(see eventbus/_schedule.py and notes/schedules.md).

When the timer comes due, the next one is set from that scheduled time, and the target is invoked:
at once with ``FlexibleTimeWindow`` ``OFF``, or with ``FLEXIBLE`` at an instant drawn from the
simulation's generator within ``MaximumWindowInMinutes`` after the scheduled time ("it invokes the
target within 15 minutes after the scheduled time",
https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html).
A ``DISABLED`` schedule keeps no timer. UpdateSchedule, disabling and deleting cancel the timer and any
invocation still waiting in its window. After a schedule's last invocation (a one-time schedule's only
one, or a recurring schedule's last before its ``EndDate``) it is complete, and with
``ActionAfterCompletion`` ``DELETE`` it is deleted; a recurring schedule without an ``EndDate`` is never
deleted (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

import msgspec

from .._schedule import ScheduleExpression
from .._simulation import Timer
from ..errors import ValidationError
from ._scheduler_common import (
    DEFAULT_GROUP,
    Violations,
    check_enum,
    check_length,
    check_name,
    check_pattern,
    check_range,
    check_required,
    raise_violations,
    to_utc,
    whole_seconds,
)
from ._scheduler_target import ScheduleTarget, check_target, invoke, parse_target

if TYPE_CHECKING:
    from ._scheduler_service import SchedulerService

__all__ = ("Schedule", "ScheduleGroup", "ScheduleSpec", "parse_spec")

ScheduleState = Literal["ENABLED", "DISABLED"]
CompletionAction = Literal["NONE", "DELETE"]

_STATES: Final = ("ENABLED", "DISABLED")
_MODES: Final = ("OFF", "FLEXIBLE")
_ACTIONS: Final = ("NONE", "DELETE")
_KMS_ARN: Final = r"arn:aws[a-z-]*:kms:[a-z0-9\-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*"
_CLIENT_TOKEN: Final = "[a-zA-Z0-9-_]+"
#: A recurring schedule's StartDate may be at most this far in the past.
_START_GRACE: Final = timedelta(minutes=5)
_TICK: Final = timedelta(microseconds=1)
_NOT_IN_REQUEST: Final = frozenset({"Arn", "CreationDate", "LastModificationDate"})


class ScheduleSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Everything CreateSchedule and UpdateSchedule set on a schedule, validated.

    Attributes:
        expression: the parsed ``ScheduleExpression``.
        timezone: ``ScheduleExpressionTimezone`` (``UTC`` when not given).
        start: ``StartDate`` (UTC), or None.
        end: ``EndDate`` (UTC), or None.
        state: ``ENABLED`` or ``DISABLED``.
        window_minutes: ``MaximumWindowInMinutes`` with mode ``FLEXIBLE``; None with ``OFF``.
        target: the target.
        description: ``Description``, or None.
        kms_key_arn: ``KmsKeyArn``, or None (kept; the simulation encrypts nothing).
        action_after_completion: ``NONE`` or ``DELETE``.
    """

    expression: ScheduleExpression
    timezone: str
    start: datetime | None
    end: datetime | None
    state: ScheduleState
    window_minutes: int | None
    target: ScheduleTarget
    description: str | None
    kms_key_arn: str | None
    action_after_completion: CompletionAction

    @property
    def one_time(self) -> bool:
        """True for an ``at()`` schedule."""
        return self.expression.kind == "at"


def _check_request(params: Mapping[str, Any]) -> Violations:
    """The request-model violations of a CreateSchedule / UpdateSchedule request, in member order."""
    violations: Violations = check_required(params.get("Name"), "name") + check_name(params.get("Name"), "name")
    violations += check_name(params.get("GroupName"), "groupName")
    expression = params.get("ScheduleExpression")
    violations += check_required(expression, "scheduleExpression")
    violations += check_length(expression, "scheduleExpression", low=1, high=256)
    violations += check_length(params.get("Description"), "description", high=512)
    violations += check_length(params.get("ScheduleExpressionTimezone"), "scheduleExpressionTimezone", low=1, high=50)
    violations += check_enum(params.get("State"), "state", _STATES)
    kms = params.get("KmsKeyArn")
    violations += check_length(kms, "kmsKeyArn", low=1, high=2048) + check_pattern(kms, "kmsKeyArn", _KMS_ARN)
    violations += check_target(params.get("Target"))
    window = params.get("FlexibleTimeWindow")
    violations += check_required(window, "flexibleTimeWindow")
    if window is not None:
        violations += check_required(window.get("Mode"), "flexibleTimeWindow.mode")
        violations += check_enum(window.get("Mode"), "flexibleTimeWindow.mode", _MODES)
        violations += check_range(window.get("MaximumWindowInMinutes"), "flexibleTimeWindow.maximumWindowInMinutes", 1, 1440)
    token = params.get("ClientToken")
    violations += check_length(token, "clientToken", low=1, high=64) + check_pattern(token, "clientToken", _CLIENT_TOKEN)
    violations += check_enum(params.get("ActionAfterCompletion"), "actionAfterCompletion", _ACTIONS)
    return violations


def parse_spec(
    params: Mapping[str, Any], *, now: datetime, kept_start: datetime | None = None
) -> tuple[str, str, ScheduleSpec]:
    """Validate a CreateSchedule / UpdateSchedule request as AWS does.

    Args:
        params: the request.
        now: the current instant.
        kept_start: on UpdateSchedule, the schedule's current ``StartDate``: sent again unchanged, it
            is not held to the five-minute rule (a choice: AWS's rule is reported for CreateSchedule,
            and an update that keeps a schedule's past StartDate would otherwise always fail).

    Returns:
        The schedule's name, its group's name and its settings.

    Raises:
        ValidationError: the request-model violations (``N validation errors detected: ...``); then
            ``Invalid Schedule Expression <expression>.`` (AWS's text); an unknown time zone; mode
            ``FLEXIBLE`` without ``MaximumWindowInMinutes``; a recurring schedule's ``StartDate``
            more than five minutes ago (``The StartDate you specify cannot be earlier than 5 minutes
            ago.``, AWS's text as reported in getmoto/moto#8172); an ``EndDate`` not after the
            ``StartDate``; an ``Input`` that a Lambda, Step Functions or EventBridge target cannot take.
    """
    raise_violations(_check_request(params))
    timezone = str(params.get("ScheduleExpressionTimezone") or "UTC")
    expression = ScheduleExpression.parse(str(params["ScheduleExpression"]), dialect="scheduler", timezone=timezone)
    window = params["FlexibleTimeWindow"]
    minutes = window.get("MaximumWindowInMinutes")
    if window["Mode"] == "FLEXIBLE" and minutes is None:
        # AWS's wording is not confirmed.
        raise ValidationError("MaximumWindowInMinutes must be specified when FlexibleTimeWindow Mode is FLEXIBLE.")
    start = None if params.get("StartDate") is None else whole_seconds(to_utc(params["StartDate"], "StartDate"))
    end = None if params.get("EndDate") is None else whole_seconds(to_utc(params["EndDate"], "EndDate"))
    if expression.kind != "at":
        if start is not None and start != kept_start and start < now - _START_GRACE:
            raise ValidationError("The StartDate you specify cannot be earlier than 5 minutes ago.")
        if start is not None and end is not None and end <= start:
            # AWS's wording is not confirmed.
            raise ValidationError("The EndDate you specify must be after the StartDate.")
    target = parse_target(params["Target"])
    spec = ScheduleSpec(
        expression=expression,
        timezone=timezone,
        start=start,
        end=end,
        state="DISABLED" if params.get("State") == "DISABLED" else "ENABLED",
        window_minutes=int(minutes) if window["Mode"] == "FLEXIBLE" and minutes is not None else None,
        target=target,
        description=params.get("Description"),
        kms_key_arn=params.get("KmsKeyArn"),
        action_after_completion="DELETE" if params.get("ActionAfterCompletion") == "DELETE" else "NONE",
    )
    return str(params["Name"]), str(params.get("GroupName") or DEFAULT_GROUP), spec


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


class ScheduleGroup:
    """A schedule group: a name, tags, and the schedules in it.

    Attributes:
        name: the group's name.
        arn: ``arn:aws:scheduler:<region>:<account>:schedule-group/<name>``.
        schedules: the group's schedules by name.
        tags: the group's tags.
    """

    __slots__ = ("arn", "creation_date", "last_modification_date", "name", "schedules", "service", "tags")

    def __init__(self, service: SchedulerService, name: str, *, tags: Mapping[str, str] | None = None) -> None:
        self.service = service
        self.name = name
        self.arn = service.sim.arn("scheduler", f"schedule-group/{name}")
        self.creation_date = self.last_modification_date = service.sim.now
        self.tags: dict[str, str] = dict(tags or {})
        self.schedules: dict[str, Schedule] = {}

    def describe(self) -> dict[str, Any]:
        """The GetScheduleGroup response shape (also a ListScheduleGroups summary)."""
        return {
            "Arn": self.arn,
            "Name": self.name,
            "State": "ACTIVE",
            "CreationDate": self.creation_date,
            "LastModificationDate": self.last_modification_date,
        }

    def __repr__(self) -> str:
        return f"eventbus.scheduler.ScheduleGroup({self.name!r}, schedules={len(self.schedules)})"


class Schedule:
    """An EventBridge Scheduler schedule on the simulation's clock.

    Build one with :meth:`SchedulerService.create_schedule` (or ``CreateSchedule``).

    Attributes:
        name: the schedule's name.
        group: its :class:`ScheduleGroup`.
        arn: ``arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>``.
        spec: its current settings (:class:`ScheduleSpec`).
        invocations: how many times it has invoked its target.
    """

    __slots__ = (
        "_cursor",
        "_next",
        "_pending",
        "_timer",
        "arn",
        "creation_date",
        "deleted",
        "group",
        "invocations",
        "last_modification_date",
        "name",
        "service",
        "spec",
    )

    def __init__(self, service: SchedulerService, group: ScheduleGroup, name: str, spec: ScheduleSpec) -> None:
        self.service = service
        self.group = group
        self.name = name
        self.arn = service.sim.arn("scheduler", f"schedule/{group.name}/{name}")
        self.spec = spec
        self.creation_date = self.last_modification_date = service.sim.now
        self.invocations = 0
        self.deleted = False
        self._timer: Timer | None = None
        self._next: datetime | None = None
        self._pending: list[Timer] = []
        self._cursor: datetime | None = None

    # ---------------------------------------------------------- reading
    @property
    def expression(self) -> str:
        """The ``ScheduleExpression`` text."""
        return self.spec.expression.text

    @property
    def state(self) -> ScheduleState:
        """``ENABLED`` or ``DISABLED``."""
        return self.spec.state

    @property
    def enabled(self) -> bool:
        return self.spec.state == "ENABLED"

    @property
    def target(self) -> ScheduleTarget:
        return self.spec.target

    @property
    def next_fire(self) -> datetime | None:
        """The next scheduled time (UTC), or None when the schedule is disabled, done or deleted."""
        return self._next

    def describe(self) -> dict[str, Any]:
        """The GetSchedule response shape."""
        spec = self.spec
        out: dict[str, Any] = {
            "ActionAfterCompletion": spec.action_after_completion,
            "Arn": self.arn,
            "CreationDate": self.creation_date,
        }
        if spec.description is not None:
            out["Description"] = spec.description
        if spec.end is not None:
            out["EndDate"] = spec.end
        out["FlexibleTimeWindow"] = (
            {"Mode": "OFF"} if spec.window_minutes is None else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": spec.window_minutes}
        )
        out["GroupName"] = self.group.name
        if spec.kms_key_arn is not None:
            out["KmsKeyArn"] = spec.kms_key_arn
        out["LastModificationDate"] = self.last_modification_date
        out["Name"] = self.name
        out["ScheduleExpression"] = spec.expression.text
        out["ScheduleExpressionTimezone"] = spec.timezone
        if spec.start is not None:
            out["StartDate"] = spec.start
        out["State"] = spec.state
        out["Target"] = spec.target.to_aws()
        return out

    def summary(self) -> dict[str, Any]:
        """The ``ScheduleSummary`` shape ListSchedules returns."""
        return {
            "Arn": self.arn,
            "CreationDate": self.creation_date,
            "GroupName": self.group.name,
            "LastModificationDate": self.last_modification_date,
            "Name": self.name,
            "State": self.spec.state,
            "Target": {"Arn": self.spec.target.arn},
        }

    def request(self) -> dict[str, Any]:
        """The UpdateSchedule request that would set this schedule's settings again."""
        return {key: value for key, value in self.describe().items() if key not in _NOT_IN_REQUEST}

    # --------------------------------------------------------- changing
    def update(self, **changes: Any) -> Schedule:
        """Change some settings, keeping the others (see :meth:`SchedulerService.update_schedule`)."""
        return self.service.update_schedule(self.name, group=self.group.name, **changes)

    def enable(self) -> Schedule:
        """Set the state to ``ENABLED`` (an UpdateSchedule with every other setting kept)."""
        return self.update(state="ENABLED")

    def disable(self) -> Schedule:
        """Set the state to ``DISABLED``: no invocation until enabled again."""
        return self.update(state="DISABLED")

    def delete(self) -> None:
        """DeleteSchedule."""
        self.service.delete_schedule(self.name, group=self.group.name)

    def _apply(self, spec: ScheduleSpec) -> None:
        """UpdateSchedule: the new settings replace the old, and the timer is set again."""
        self._disarm()
        self.spec = spec
        self.last_modification_date = self.service.sim.now
        self._arm()

    # ----------------------------------------------------------- firing
    def _anchor(self) -> datetime:
        return self.spec.start if self.spec.start is not None else self.creation_date

    def _arm(self) -> None:
        """Set the timer for the next scheduled time, if the schedule is enabled and has one."""
        if self._timer is not None or self.deleted or self.spec.state != "ENABLED":
            return
        sim = self.service.sim
        spec = self.spec
        floor = sim.now
        if spec.start is not None and not spec.one_time and spec.start > floor:
            floor = spec.start
        cursor = floor - _TICK
        if self._cursor is not None and self._cursor > cursor:
            cursor = self._cursor
        fire = spec.expression.next_after(cursor, anchor=self._anchor())
        if fire is None or (not spec.one_time and spec.end is not None and fire >= spec.end):
            self._next = None
            return
        self._next = fire
        self._timer = sim.call_at((fire - sim.start).total_seconds(), self._due, fire)

    def _disarm(self) -> None:
        """Cancel the timer and any invocation waiting in a flexible window."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for pending in self._pending:
            pending.cancel()
        self._pending = []
        self._next = None

    def _due(self, scheduled: datetime) -> None:
        """The timer for ``scheduled`` came due: set the next one, then invoke (now or within the window)."""
        sim = self.service.sim
        self._timer = None
        self._next = None
        self._cursor = scheduled
        execution_id = sim.new_hex(16)
        self._arm()
        last = self._timer is None
        minutes = self.spec.window_minutes
        if minutes is None:
            self._invoke(scheduled, execution_id, last)
            return
        delay = sim.rng.randrange(minutes * 60)
        self._pending = [timer for timer in self._pending if not timer.cancelled]
        self._pending.append(sim.call_later(delay, self._invoke, scheduled, execution_id, last))

    def _invoke(self, scheduled: datetime, execution_id: str, last: bool) -> None:
        if self.deleted:
            return
        sim = self.service.sim
        spec = self.spec
        scheduled_time = _iso(scheduled)
        self.invocations += 1
        sim.record(
            "scheduler.fired",
            self.arn,
            execution_id,
            {
                "scheduled_time": scheduled_time,
                "target": spec.target.arn,
                "delay": round(sim.time - (scheduled - sim.start).total_seconds(), 6),
            },
        )
        invoke(sim, spec.target, schedule_arn=self.arn, scheduled_time=scheduled_time, execution_id=execution_id)
        if last:
            self._complete()

    def _complete(self) -> None:
        """The last invocation was made: journal it, and delete the schedule if it asks for that."""
        spec = self.spec
        delete = spec.action_after_completion == "DELETE" and (spec.one_time or spec.end is not None)
        self.service.sim.record("scheduler.completed", self.arn, "", {"action": spec.action_after_completion})
        if delete:
            self.service._remove(self, reason="ActionAfterCompletion")

    def __repr__(self) -> str:
        return f"eventbus.scheduler.Schedule({self.group.name}/{self.name}, {self.spec.expression.text!r}, {self.spec.state})"
