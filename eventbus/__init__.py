"""eventbus: a deterministic, in-process simulator of AWS's event-driven serverless services.

EventBridge, SNS, SQS and Lambda-style triggers routing to plain Python callables, on one virtual
clock and one seeded random generator: the same seed gives the same journal, byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._journal import Journal, JournalFormatError, Record
from ._simulation import DEFAULT_START, Future, Outcome, Registry, Simulation, Task, Timer
from .arn import Arn, build_arn, parse_arn
from .clock import SystemClock, VirtualClock
from .errors import (
    ConflictError,
    EventBusError,
    InvalidEventPatternError,
    LimitExceededError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceError,
    SimulationError,
    ValidationError,
)
from .matching import EventPattern, FilterPolicy, FilterPolicySet, PatternSet

if TYPE_CHECKING:
    from .aws import mock_aws

__version__ = "0.1.0"

__all__ = (
    "DEFAULT_START",
    "Arn",
    "ConflictError",
    "EventBusError",
    "EventPattern",
    "FilterPolicy",
    "FilterPolicySet",
    "Future",
    "InvalidEventPatternError",
    "Journal",
    "JournalFormatError",
    "LimitExceededError",
    "Outcome",
    "PatternSet",
    "Record",
    "Registry",
    "ResourceExistsError",
    "ResourceNotFoundError",
    "ServiceError",
    "Simulation",
    "SimulationError",
    "SystemClock",
    "Task",
    "Timer",
    "ValidationError",
    "VirtualClock",
    "__version__",
    "build_arn",
    "mock_aws",
    "parse_arn",
)


def __getattr__(name: str) -> Any:
    # mock_aws needs botocore; import it only when asked for, so `import eventbus` stays light.
    if name == "mock_aws":
        from .aws import mock_aws

        return mock_aws
    raise AttributeError(f"module 'eventbus' has no attribute {name!r}")
