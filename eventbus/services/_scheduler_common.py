"""What the EventBridge Scheduler modules share: limits, AWS's error texts, request checks, times, paging.

Request-model errors have the wording AWS's request validation gives every Coral service, and
EventBridge Scheduler's too (``1 validation error detected: Value 'x' at 'name' failed to satisfy
constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+``, as seen from AWS in
webiny/webiny-js#5445). Member locations are the lower-camel-case paths of the request
(``target.retryPolicy.maximumRetryAttempts``). Limits come from botocore's ``scheduler`` service model
(API version 2021-06-30) and https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html.
Where AWS's wording of an error could not be found, the function that builds it says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Final, TypeVar

from ..errors import ConflictError, ResourceNotFoundError, ServiceError, ValidationError
from ._aws_common import offset_page, raise_violations, tags_from_aws, tags_to_aws
from ._aws_common import to_utc as _to_utc

__all__ = (
    "DEFAULT_GROUP",
    "DEFAULT_MAX_EVENT_AGE",
    "DEFAULT_MAX_RETRIES",
    "MAX_GROUPS",
    "NAME_PATTERN",
    "Violations",
    "check_enum",
    "check_length",
    "check_name",
    "check_pattern",
    "check_range",
    "check_required",
    "group_exists",
    "group_not_found",
    "paginate",
    "quota_exceeded",
    "raise_violations",
    "schedule_exists",
    "schedule_not_found",
    "tags_from_aws",
    "tags_to_aws",
    "to_utc",
    "whole_seconds",
)

T = TypeVar("T")
Violations = list[tuple[str | None, str, str]]

#: Every account has a schedule group named ``default``; a schedule created without ``GroupName`` joins it
#: (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html).
DEFAULT_GROUP: Final = "default"
#: The pattern of schedule and schedule group names in the API model.
NAME_PATTERN: Final = "[0-9a-zA-Z-_.]+"
#: ``RetryPolicy`` defaults: 185 retries within 24 hours
#: (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html).
DEFAULT_MAX_RETRIES: Final = 185
DEFAULT_MAX_EVENT_AGE: Final = 86400
#: Schedule groups per account and Region (https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html).
MAX_GROUPS: Final = 500

_NAME_REGEX: Final = re.compile(NAME_PATTERN)
_PAGE_TOKEN_PREFIX: Final = "page:"


# ----------------------------------------------------------------- errors
def schedule_not_found(name: str) -> ResourceNotFoundError:
    """``Schedule <name> does not exist.`` (seen from AWS in aws/aws-sdk-js-v3#5720 and dvalbuena1/visa_rescheduler_aws#23)."""
    return ResourceNotFoundError(f"Schedule {name} does not exist.", status=404)


def group_not_found(name: str) -> ResourceNotFoundError:
    """A schedule group that does not exist. AWS's wording is not confirmed; this follows its schedule text."""
    return ResourceNotFoundError(f"Schedule group {name} does not exist.", status=404)


def schedule_exists(name: str) -> ConflictError:
    """``Schedule <name> already exists.`` (the text moto answers with; not confirmed against AWS)."""
    return ConflictError(f"Schedule {name} already exists.", status=409)


def group_exists(name: str) -> ConflictError:
    """A schedule group that already exists. AWS's wording is not confirmed."""
    return ConflictError(f"Schedule group {name} already exists.", status=409)


def quota_exceeded(message: str) -> ServiceError:
    """``ServiceQuotaExceededException`` (HTTP 402 in the API model)."""
    return ServiceError(message, code="ServiceQuotaExceededException", status=402)


# ------------------------------------------------------- request checks
def check_required(value: object, location: str) -> Violations:
    """``Member must not be null`` when a required member is missing."""
    return [(None, location, "Member must not be null")] if value is None else []


def check_length(value: object, location: str, *, low: int = 0, high: int | None = None) -> Violations:
    """Length constraints of a string member (``None`` passes: absence is checked separately)."""
    if value is None:
        return []
    text = str(value)
    if high is not None and len(text) > high:
        return [(text, location, f"Member must have length less than or equal to {high}")]
    if len(text) < low:
        return [(text, location, f"Member must have length greater than or equal to {low}")]
    return []


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_pattern(value: object, location: str, pattern: str) -> Violations:
    """``Member must satisfy regular expression pattern: <pattern>`` (the whole value must match)."""
    if value is None:
        return []
    text = str(value)
    regex = _NAME_REGEX if pattern == NAME_PATTERN else _compiled(pattern)
    if regex.fullmatch(text) is None:
        return [(text, location, f"Member must satisfy regular expression pattern: {pattern}")]
    return []


def check_name(value: object, location: str) -> Violations:
    """A schedule or group name: 1..64 characters of ``[0-9a-zA-Z-_.]+``.

    The pattern violation comes before the length one, as in the message AWS gave in
    webiny/webiny-js#5445.
    """
    return check_pattern(value, location, NAME_PATTERN) + check_length(value, location, low=1, high=64)


def check_enum(value: object, location: str, allowed: Sequence[str]) -> Violations:
    """``Member must satisfy enum value set: [A, B]``."""
    if value is None or value in allowed:
        return []
    return [(str(value), location, f"Member must satisfy enum value set: [{', '.join(allowed)}]")]


def check_range(value: object, location: str, low: int, high: int) -> Violations:
    """An integer member's value range."""
    if value is None:
        return []
    if not isinstance(value, int) or isinstance(value, bool):
        return [(str(value), location, "Member must be an integer")]
    if value < low:
        return [(str(value), location, f"Member must have value greater than or equal to {low}")]
    if value > high:
        return [(str(value), location, f"Member must have value less than or equal to {high}")]
    return []


# ------------------------------------------------------------------ times
def to_utc(value: datetime | float | int | str, parameter: str) -> datetime:
    """A timestamp parameter (aware datetime, epoch seconds or ISO-8601 text) as an aware UTC datetime.

    Raises:
        ValidationError: ``Invalid <parameter>: <value>.`` for a value that is not a timestamp.
    """
    if isinstance(value, bool):
        raise ValidationError(f"Invalid {parameter}: {value!r}.")
    return _to_utc(value, invalid=f"Invalid {parameter}: {value}.")


def whole_seconds(value: datetime) -> datetime:
    """``value`` without its fraction of a second (Scheduler's dates have second precision)."""
    return value - timedelta(microseconds=value.microsecond)


# ----------------------------------------------------------------- paging
def paginate(items: Sequence[T], next_token: str | None, limit: int | None) -> tuple[list[T], str | None]:
    """One page of ``items`` from the position ``next_token`` names, and the token of the next page.

    Raises:
        ValidationError: a token this simulation did not issue (AWS's wording is not confirmed).
    """
    return offset_page(items, next_token, limit, prefix=_PAGE_TOKEN_PREFIX, invalid_token="Invalid NextToken.")


# ------------------------------------------------------------------- tags
