"""eventbus: a deterministic, in-process simulator of AWS's event-driven serverless services.

EventBridge, SNS, SQS and Lambda-style triggers routing to plain Python callables, on one virtual
clock and one seeded random generator: the same seed gives the same journal, byte for byte.
"""

from __future__ import annotations

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

__version__ = "0.1.0"

__all__ = (
    "DEFAULT_START",
    "Arn",
    "ConflictError",
    "EventBusError",
    "Future",
    "InvalidEventPatternError",
    "Journal",
    "JournalFormatError",
    "LimitExceededError",
    "Outcome",
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
    "parse_arn",
)
