"""The EventBridge Scheduler API by its AWS operation names, for the boto3 facade.

``sim.scheduler.api.call(operation, params)``: parameters and results are the input and output shapes
of botocore's ``scheduler`` service model (API version 2021-06-30), as a botocore client passes and
receives them (member names as in the model, timestamps as aware ``datetime`` objects; epoch seconds
and ISO-8601 text are accepted too). Errors are :class:`eventbus.errors.ServiceError` subclasses with
Scheduler's codes and HTTP statuses: ``ValidationException`` (400), ``ResourceNotFoundException``
(404), ``ConflictException`` (409), ``ServiceQuotaExceededException`` (402).

Operations follow the EventBridge Scheduler API Reference
(https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ..errors import ServiceError
from ._scheduler_common import (
    DEFAULT_GROUP,
    Violations,
    check_enum,
    check_length,
    check_name,
    check_pattern,
    check_range,
    check_required,
    paginate,
    raise_violations,
    tags_from_aws,
    tags_to_aws,
)

if TYPE_CHECKING:
    from ._scheduler_service import SchedulerService

__all__ = ("SchedulerApi",)

Params = Mapping[str, Any]
Result = dict[str, Any]

_GROUP_ARN: Final = r"arn:aws[a-z-]*:scheduler:[a-z0-9\-]+:\d{12}:schedule-group\/[0-9a-zA-Z-_.]+"
_CLIENT_TOKEN: Final = "[a-zA-Z0-9-_]+"


def _paging(params: Params) -> Violations:
    violations = check_range(params.get("MaxResults"), "maxResults", 1, 100)
    return violations + check_length(params.get("NextToken"), "nextToken", low=1, high=2048)


def _token(params: Params) -> Violations:
    token = params.get("ClientToken")
    return check_length(token, "clientToken", low=1, high=64) + check_pattern(token, "clientToken", _CLIENT_TOKEN)


def _tags(tags: Any, location: str) -> Violations:
    if tags is None:
        return []
    violations: Violations = []
    if len(tags) > 200:
        violations.append((f"[{len(tags)} tags]", location, "Member must have length less than or equal to 200"))
    for index, tag in enumerate(tags, start=1):
        member = f"{location}.{index}.member"
        violations += check_required(tag.get("Key"), f"{member}.key")
        violations += check_length(tag.get("Key"), f"{member}.key", low=1, high=128)
        violations += check_required(tag.get("Value"), f"{member}.value")
        violations += check_length(tag.get("Value"), f"{member}.value", low=1, high=256)
    return violations


def _resource_arn(params: Params) -> Violations:
    arn = params.get("ResourceArn")
    violations = check_required(arn, "resourceArn") + check_length(arn, "resourceArn", low=1, high=1011)
    return violations + check_pattern(arn, "resourceArn", _GROUP_ARN)


class SchedulerApi:
    """EventBridge Scheduler's operations by name over a simulation's :class:`SchedulerService`.

    Example:
        >>> from eventbus import Simulation
        >>> api = Simulation().scheduler.api
        >>> api.call("CreateScheduleGroup", {"Name": "reports"})["ScheduleGroupArn"]
        'arn:aws:scheduler:us-east-1:123456789012:schedule-group/reports'
    """

    def __init__(self, service: SchedulerService) -> None:
        self.service = service
        self._operations: dict[str, Callable[[Params], Result]] = {
            "CreateSchedule": self._create_schedule,
            "UpdateSchedule": self._update_schedule,
            "GetSchedule": self._get_schedule,
            "DeleteSchedule": self._delete_schedule,
            "ListSchedules": self._list_schedules,
            "CreateScheduleGroup": self._create_schedule_group,
            "GetScheduleGroup": self._get_schedule_group,
            "DeleteScheduleGroup": self._delete_schedule_group,
            "ListScheduleGroups": self._list_schedule_groups,
            "TagResource": self._tag_resource,
            "UntagResource": self._untag_resource,
            "ListTagsForResource": self._list_tags_for_resource,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        """The operation names this layer serves."""
        return tuple(self._operations)

    def call(self, operation: str, params: Params) -> Result:
        """Run ``operation`` with ``params`` (its input shape) and return its output shape.

        Raises:
            ServiceError: the error AWS would return, or ``UnknownOperationException`` for an
                operation this layer does not serve.
        """
        handler = self._operations.get(operation)
        if handler is None:
            raise ServiceError(f"Operation {operation} is not supported.", code="UnknownOperationException", status=400)
        return handler(params)

    # --------------------------------------------------------- schedules
    def _create_schedule(self, params: Params) -> Result:
        return {"ScheduleArn": self.service.put_schedule(params, create=True).arn}

    def _update_schedule(self, params: Params) -> Result:
        return {"ScheduleArn": self.service.put_schedule(params, create=False).arn}

    def _named(self, params: Params) -> tuple[str, str]:
        name, group = params.get("Name"), params.get("GroupName")
        raise_violations(check_required(name, "name") + check_name(name, "name") + check_name(group, "groupName") + _token(params))
        return str(name), str(group or DEFAULT_GROUP)

    def _get_schedule(self, params: Params) -> Result:
        name, group = self._named(params)
        return self.service.get_schedule(name, group=group).describe()

    def _delete_schedule(self, params: Params) -> Result:
        name, group = self._named(params)
        self.service.delete_schedule(name, group=group)
        return {}

    def _list_schedules(self, params: Params) -> Result:
        group, prefix, state = params.get("GroupName"), params.get("NamePrefix"), params.get("State")
        raise_violations(
            check_name(group, "scheduleGroup")
            + check_name(prefix, "namePrefix")
            + check_enum(state, "state", ("ENABLED", "DISABLED"))
            + _paging(params)
        )
        found = self.service.list_schedules(group=group, prefix=prefix, state=state)
        page, token = paginate(found, params.get("NextToken"), params.get("MaxResults"))
        out: Result = {"Schedules": [schedule.summary() for schedule in page]}
        if token is not None:
            out["NextToken"] = token
        return out

    # ------------------------------------------------------------ groups
    def _create_schedule_group(self, params: Params) -> Result:
        name = params.get("Name")
        raise_violations(check_required(name, "name") + check_name(name, "name") + _tags(params.get("Tags"), "tags") + _token(params))
        group = self.service.create_schedule_group(str(name), tags=tags_from_aws(params.get("Tags")))
        return {"ScheduleGroupArn": group.arn}

    def _get_schedule_group(self, params: Params) -> Result:
        name = params.get("Name")
        raise_violations(check_required(name, "name") + check_name(name, "name"))
        return self.service.get_schedule_group(str(name)).describe()

    def _delete_schedule_group(self, params: Params) -> Result:
        name = params.get("Name")
        raise_violations(check_required(name, "name") + check_name(name, "name") + _token(params))
        self.service.delete_schedule_group(str(name))
        return {}

    def _list_schedule_groups(self, params: Params) -> Result:
        prefix = params.get("NamePrefix")
        raise_violations(check_name(prefix, "namePrefix") + _paging(params))
        found = self.service.list_schedule_groups(prefix=prefix)
        page, token = paginate(found, params.get("NextToken"), params.get("MaxResults"))
        out: Result = {"ScheduleGroups": [group.describe() for group in page]}
        if token is not None:
            out["NextToken"] = token
        return out

    # -------------------------------------------------------------- tags
    def _tag_resource(self, params: Params) -> Result:
        tags = params.get("Tags")
        raise_violations(_resource_arn(params) + check_required(tags, "tags") + _tags(tags, "tags"))
        group = self.service.group_by_arn(str(params["ResourceArn"]))
        group.tags.update(tags_from_aws(tags))
        return {}

    def _untag_resource(self, params: Params) -> Result:
        keys = params.get("TagKeys")
        violations = _resource_arn(params) + check_required(keys, "tagKeys")
        for index, key in enumerate(keys or [], start=1):
            violations += check_length(key, f"tagKeys.{index}.member", low=1, high=128)
        raise_violations(violations)
        group = self.service.group_by_arn(str(params["ResourceArn"]))
        for key in keys or []:
            group.tags.pop(str(key), None)
        return {}

    def _list_tags_for_resource(self, params: Params) -> Result:
        raise_violations(_resource_arn(params))
        return {"Tags": tags_to_aws(self.service.group_by_arn(str(params["ResourceArn"])).tags)}

