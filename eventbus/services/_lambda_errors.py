"""The errors AWS Lambda's API returns, with Lambda's codes, HTTP statuses and messages (internal).

Lambda answers errors in the rest-json protocol: the code in ``x-amzn-ErrorType``, and a body
``{"Type": "User" | "Service", "Message": ...}``.
https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
"""

from __future__ import annotations

from ..errors import ConflictError, LimitExceededError, ResourceNotFoundError, ValidationError

__all__ = (
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "LambdaResourceNotFoundError",
    "LambdaValidationError",
    "RequestTooLargeError",
    "ResourceConflictError",
    "TooManyRequestsError",
    "function_not_found",
    "violation",
)


class LambdaResourceNotFoundError(ResourceNotFoundError):
    """``ResourceNotFoundException`` (404): a function, configuration or mapping that does not exist."""

    default_code = "ResourceNotFoundException"
    default_status = 404


class InvalidParameterValueError(ValidationError):
    """``InvalidParameterValueException`` (400): a parameter Lambda refuses."""

    default_code = "InvalidParameterValueException"
    default_status = 400


class LambdaValidationError(ValidationError):
    """``ValidationException`` (400): a request that breaks the API model's constraints.

    Worded as AWS words them: ``1 validation error detected: Value '3' at 'maximumRetryAttempts'
    failed to satisfy constraint: Member must have value less than or equal to 2``.
    """

    default_code = "ValidationException"
    default_status = 400


class InvalidRequestContentError(ValidationError):
    """``InvalidRequestContentException`` (400): an Invoke payload that is not JSON."""

    default_code = "InvalidRequestContentException"
    default_status = 400


class RequestTooLargeError(ValidationError):
    """``RequestTooLargeException`` (413): an Invoke payload over the 6 MB (sync) or 256 KB (async) quota."""

    default_code = "RequestTooLargeException"
    default_status = 413


class ResourceConflictError(ConflictError):
    """``ResourceConflictException`` (409): e.g. an event source mapping that already exists."""

    default_code = "ResourceConflictException"
    default_status = 409


class TooManyRequestsError(LimitExceededError):
    """``TooManyRequestsException`` (429): the function (or the account) is at its concurrency limit.

    ``reason`` is AWS's ``Reason`` member: ``ReservedFunctionConcurrentInvocationLimitExceeded`` or
    ``ConcurrentInvocationLimitExceeded``.
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
    """

    default_code = "TooManyRequestsException"
    default_status = 429

    def __init__(self, message: str = "Rate Exceeded.", *, reason: str = "ReservedFunctionConcurrentInvocationLimitExceeded") -> None:
        super().__init__(message)
        self.reason = reason


def function_not_found(arn: str) -> LambdaResourceNotFoundError:
    """``Function not found: arn:aws:lambda:...:function:name`` as Lambda words it."""
    return LambdaResourceNotFoundError(f"Function not found: {arn}")


def violation(value: object, member: str, constraint: str) -> LambdaValidationError:
    """One model violation, in AWS's wording (``Value '...' at 'member' failed to satisfy ...``)."""
    shown = "null" if value is None else f"'{value}'"
    return LambdaValidationError(
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: {constraint}"
    )

