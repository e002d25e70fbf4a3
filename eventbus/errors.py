"""Errors raised by eventbus.

Every error eventbus raises derives from :class:`EventBusError`. Errors that AWS itself would return
from an API call derive from :class:`ServiceError` and carry the AWS error ``code``, the ``message``
exactly as AWS words it, and the HTTP ``status`` AWS answers with, so that the boto3 facade can turn
them back into the wire error a real client would see. ``str(error)`` is the AWS message alone.

Subclasses also inherit the builtin exception a Python caller would naturally catch::

    EventBusError
    ├── SimulationError            misuse of the simulation itself (not an AWS error)
    └── ServiceError               an AWS-shaped error: .code, .message, .status
        ├── ValidationError        (also ValueError)   400, e.g. ValidationException
        │   └── InvalidEventPatternError               InvalidEventPatternException
        ├── ResourceNotFoundError  (also LookupError)  400, e.g. ResourceNotFoundException
        ├── ResourceExistsError                        400, e.g. ResourceAlreadyExistsException
        ├── LimitExceededError                         400, e.g. LimitExceededException
        └── ConflictError                              409/400, e.g. PurgeQueueInProgress

A service raises one of these with the AWS code of the specific situation, for example
``ResourceNotFoundError("The specified queue does not exist.", code="AWS.SimpleQueueService.NonExistentQueue")``.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = (
    "ConflictError",
    "EventBusError",
    "InvalidEventPatternError",
    "LimitExceededError",
    "ResourceExistsError",
    "ResourceNotFoundError",
    "ServiceError",
    "SimulationError",
    "ValidationError",
)


class EventBusError(Exception):
    """The root of every error eventbus raises."""


class SimulationError(EventBusError):
    """The simulation was used in a way it cannot honour (not an AWS error)."""


class ServiceError(EventBusError):
    """An error AWS would return: an error code, AWS's message and an HTTP status.

    Args:
        message: the message exactly as AWS words it; ``str(error)`` returns it.
        code: the AWS error code; defaults to the class's ``default_code``.
        status: the HTTP status; defaults to the class's ``default_status``.
        sender_fault: whether AWS blames the caller (``Sender``) or itself (``Receiver``).
        retryable: whether a delivery that failed with this error may succeed if tried again
            (a missing target or a denied permission cannot).
    """

    default_code: ClassVar[str] = "InternalFailure"
    default_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.message = message
        self.code = code if code is not None else self.default_code
        self.status = status if status is not None else self.default_status
        self.sender_fault = sender_fault if sender_fault is not None else self.status < 500

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"eventbus.errors.{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(ServiceError, ValueError):
    """A request parameter AWS would refuse."""

    default_code = "ValidationException"
    default_status = 400


class InvalidEventPatternError(ValidationError):
    """An event pattern or filter policy that does not compile.

    ``str()`` is AWS's message, ``Event pattern is not valid. Reason: <reason>``; ``.reason`` is the
    part after ``Reason:``.
    """

    default_code = "InvalidEventPatternException"

    def __init__(self, message: str, *, code: str | None = None, reason: str | None = None) -> None:
        super().__init__(message, code=code)
        self.reason = reason if reason is not None else message


class ResourceNotFoundError(ServiceError, LookupError):
    """A resource (queue, topic, bus, rule, function, ARN) that does not exist."""

    default_code = "ResourceNotFoundException"
    default_status = 400


class ResourceExistsError(ServiceError):
    """A resource that already exists with different settings."""

    default_code = "ResourceAlreadyExistsException"
    default_status = 400


class LimitExceededError(ServiceError):
    """A quota or hard limit AWS enforces."""

    default_code = "LimitExceededException"
    default_status = 400


class ConflictError(ServiceError):
    """An operation that conflicts with one in progress (a purge, a move task, a replay)."""

    default_code = "ConflictException"
    default_status = 409
