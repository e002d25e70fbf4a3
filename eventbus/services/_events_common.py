"""What the EventBridge modules share: limits, AWS's error texts, name checks, times and paging.

The error texts are the ones AWS answers with, as recorded against real AWS in LocalStack's
AWS-validated snapshots (tests/aws/services/events/*.snapshot.json) and in public issue threads;
where a text could not be confirmed the function says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final, TypeVar

from ..errors import (
    ConflictError,
    LimitExceededError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceError,
)
from ._aws_common import offset_page, raise_violations, tags_from_aws, tags_to_aws, to_utc

__all__ = (
    "ARCHIVE_MANAGER",
    "ARCHIVE_RULE_PREFIX",
    "DEFAULT_BUS",
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_TARGETS_PER_RULE",
    "NAME_PATTERN",
    "archive_exists",
    "archive_not_found",
    "bus_exists",
    "bus_name_from",
    "bus_not_found",
    "check_length",
    "check_name",
    "illegal_status",
    "managed_rule",
    "paginate",
    "raise_violations",
    "replay_exists",
    "replay_not_found",
    "rule_not_found",
    "tags_from_aws",
    "tags_to_aws",
    "to_datetime",
    "too_many_targets",
)

T = TypeVar("T")

#: The name of every account's default event bus.
DEFAULT_BUS: Final = "default"
#: PutEvents: at most 10 entries a request (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
MAX_ENTRIES: Final = 10
#: PutEvents: 256 KB, counted as "Calculating PutEvents event entry size" describes
#: (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
MAX_ENTRY_BYTES: Final = 256 * 1024
#: Targets per rule, not adjustable (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
MAX_TARGETS_PER_RULE: Final = 5
#: An archive is implemented by AWS as a managed rule named after it on its bus.
ARCHIVE_RULE_PREFIX: Final = "Events-Archive-"
#: The ``ManagedBy`` AWS reports for an archive's rule.
ARCHIVE_MANAGER: Final = "prod.vhs.events.aws.internal"
#: The pattern of rule, target, archive and replay names in the API model.
NAME_PATTERN: Final = r"[\.\-_A-Za-z0-9]+"

_NAME: Final = re.compile(NAME_PATTERN)


# ----------------------------------------------------------------- errors
def bus_not_found(name: str) -> ResourceNotFoundError:
    """``Event bus <name> does not exist.`` (AWS-validated snapshot)."""
    return ResourceNotFoundError(f"Event bus {name} does not exist.")


def bus_exists(name: str) -> ResourceExistsError:
    """``Event bus <name> already exists.`` (AWS-validated snapshot)."""
    return ResourceExistsError(f"Event bus {name} already exists.")


def rule_not_found(rule: str, bus: str) -> ResourceNotFoundError:
    """``Rule <rule> does not exist on EventBus <bus>.`` (AWS-validated snapshot)."""
    return ResourceNotFoundError(f"Rule {rule} does not exist on EventBus {bus}.")


def archive_not_found(name: str) -> ResourceNotFoundError:
    """``Archive <name> does not exist.`` (AWS-validated snapshot)."""
    return ResourceNotFoundError(f"Archive {name} does not exist.")


def archive_exists(name: str) -> ResourceExistsError:
    """``Archive <name> already exists.`` (AWS-validated snapshot)."""
    return ResourceExistsError(f"Archive {name} already exists.")


def replay_not_found(name: str) -> ResourceNotFoundError:
    """``Replay <name> does not exist.``"""
    return ResourceNotFoundError(f"Replay {name} does not exist.")


def replay_exists(name: str) -> ResourceExistsError:
    """``Replay <name> already exists.`` (AWS-validated snapshot)."""
    return ResourceExistsError(f"Replay {name} already exists.")


def too_many_targets() -> LimitExceededError:
    """PutTargets beyond five targets on a rule (AWS-validated snapshot)."""
    return LimitExceededError("The requested resource exceeds the maximum number allowed.")


def managed_rule(name: str) -> ServiceError:
    """Changing a managed rule without ``Force`` (text seen from AWS in public issue threads)."""
    return ServiceError(
        f"{name} is a managed rule. Set 'force' parameter to true to override.",
        code="ManagedRuleException",
        status=400,
    )


def illegal_status(name: str) -> ConflictError:
    """CancelReplay on a replay that is no longer cancellable."""
    return ConflictError(
        f"Replay {name} is not in a valid state for this operation.", code="IllegalStatusException", status=400
    )


# ------------------------------------------------------------ name checks
def check_name(
    value: str, location: str, *, max_length: int, pattern: str = NAME_PATTERN
) -> list[tuple[str, str, str]]:
    """The request-model violations of a name: length 1..``max_length`` and ``pattern``."""
    violations: list[tuple[str, str, str]] = []
    if len(value) > max_length:
        violations.append((value, location, f"Member must have length less than or equal to {max_length}"))
    if not value:
        violations.append((value, location, "Member must have length greater than or equal to 1"))
    regex = _NAME if pattern == NAME_PATTERN else re.compile(pattern)
    if value and regex.fullmatch(value) is None:
        violations.append((value, location, f"Member must satisfy regular expression pattern: {pattern}"))
    return violations


def check_length(value: str | None, location: str, *, max_length: int) -> list[tuple[str, str, str]]:
    """A violation when ``value`` is longer than ``max_length`` characters."""
    if value is not None and len(value) > max_length:
        return [(value, location, f"Member must have length less than or equal to {max_length}")]
    return []


def bus_name_from(name_or_arn: str | None) -> str:
    """The bus name in an ``EventBusName`` that may be a name or an ``...:event-bus/<name>`` ARN."""
    if not name_or_arn:
        return DEFAULT_BUS
    if name_or_arn.startswith("arn:"):
        _, _, resource = name_or_arn.partition(":event-bus/")
        return resource or name_or_arn
    return name_or_arn


# ------------------------------------------------------------------ times
def to_datetime(value: datetime | float | int | str, parameter: str = "Time") -> datetime:
    """A timestamp parameter (aware datetime, epoch seconds or ISO-8601 text) as an aware UTC datetime.

    Raises:
        ValidationError: ``Parameter <parameter> is not valid.`` for a value that is not a timestamp.
    """
    return to_utc(value, invalid=f"Parameter {parameter} is not valid.")


# ----------------------------------------------------------------- paging
def paginate(items: Sequence[T], next_token: str | None, limit: int | None) -> tuple[list[T], str | None]:
    """One page of ``items`` from the position ``next_token`` names, and the token of the next page.

    Raises:
        ValidationError: a token this simulation did not issue, or a limit outside 1..100.
    """
    if limit is not None and not 1 <= limit <= 100:
        bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 100"
        raise_violations([(str(limit), "limit", f"Member must have value {bound}")])
    return offset_page(items, next_token, limit, prefix="offset:", invalid_token="The NextToken provided is invalid.")


# ------------------------------------------------------------------- tags
