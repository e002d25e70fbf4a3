"""The errors SNS answers with, coded and worded as AWS codes and words them.

SNS speaks the AWS query protocol: an error is ``<Error><Type>Sender</Type><Code>..</Code>
<Message>..</Message></Error>``. The codes and HTTP statuses are those of botocore's ``sns``
service model (``InvalidParameter`` 400, ``ParameterValueInvalid`` 400, ``NotFound`` 404,
``ResourceNotFound`` 404 ...; https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html). The
messages were taken from responses recorded against AWS (LocalStack's AWS-validated snapshots,
``tests/aws/services/sns/test_sns.snapshot.json``); where a text could not be confirmed the function
building it says so.

Each class also inherits the builtin a Python caller would catch (``ValueError`` for a refused
parameter, ``LookupError`` for a missing topic or subscription).
"""

from __future__ import annotations

import re
from typing import Final

from ..errors import LimitExceededError, ResourceNotFoundError, ServiceError, ValidationError

__all__ = (
    "INVALID_XML_CHARACTER",
    "AuthorizationError",
    "BatchEntryIdsNotDistinctError",
    "BatchRequestTooLongError",
    "EmptyBatchRequestError",
    "InvalidBatchEntryIdError",
    "InvalidParameterError",
    "InvalidParameterValueError",
    "NotFoundError",
    "SnsResourceNotFoundError",
    "SnsValidationError",
    "TagLimitExceededError",
    "TooManyEntriesInBatchRequestError",
    "TopicLimitExceededError",
    "arn_error",
    "check_xml_text",
    "invalid",
    "topic_not_found",
)

#: Characters XML 1.0 cannot carry (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF
#: are the legal ones). The query protocol carries every input and output in XML, so SNS refuses them.
INVALID_XML_CHARACTER: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class InvalidParameterError(ValidationError):
    """A parameter SNS refuses (code ``InvalidParameter``, 400), e.g. ``Invalid parameter: TopicArn``."""

    default_code = "InvalidParameter"
    default_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, sender_fault=True)

    def __repr__(self) -> str:
        return f"eventbus.services.sns.{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidParameterValueError(ValidationError):
    """A message attribute SNS refuses (code ``ParameterValueInvalid``, 400)."""

    default_code = "ParameterValueInvalid"
    default_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, sender_fault=True)


class SnsValidationError(ValidationError):
    """A request that breaks the API model (code ``ValidationError``, 400), e.g. a null member."""

    default_code = "ValidationError"
    default_status = 400


class NotFoundError(ResourceNotFoundError):
    """A topic or subscription that does not exist (code ``NotFound``, 404): ``Topic does not exist``."""

    default_code = "NotFound"
    default_status = 404


class SnsResourceNotFoundError(ResourceNotFoundError):
    """A tagged resource that does not exist (code ``ResourceNotFound``, 404)."""

    default_code = "ResourceNotFound"
    default_status = 404


class AuthorizationError(ServiceError):
    """An action the caller may not take (code ``AuthorizationError``, 403)."""

    default_code = "AuthorizationError"
    default_status = 403


class TopicLimitExceededError(LimitExceededError):
    """The account's topic quota (code ``TopicLimitExceeded``, 403)."""

    default_code = "TopicLimitExceeded"
    default_status = 403


class TagLimitExceededError(LimitExceededError):
    """More than 50 tags on a resource (code ``TagLimitExceeded``, 400)."""

    default_code = "TagLimitExceeded"
    default_status = 400


class TooManyEntriesInBatchRequestError(ValidationError):
    """PublishBatch with more than 10 entries (code ``TooManyEntriesInBatchRequest``)."""

    default_code = "TooManyEntriesInBatchRequest"
    default_status = 400


class BatchEntryIdsNotDistinctError(ValidationError):
    """Two PublishBatch entries with one Id (code ``BatchEntryIdsNotDistinct``)."""

    default_code = "BatchEntryIdsNotDistinct"
    default_status = 400


class BatchRequestTooLongError(ValidationError):
    """PublishBatch entries larger than the size limit together (code ``BatchRequestTooLong``)."""

    default_code = "BatchRequestTooLong"
    default_status = 400


class EmptyBatchRequestError(ValidationError):
    """PublishBatch without entries (code ``EmptyBatchRequest``)."""

    default_code = "EmptyBatchRequest"
    default_status = 400


class InvalidBatchEntryIdError(ValidationError):
    """A PublishBatch entry Id that is not 1-80 of ``[A-Za-z0-9_-]`` (code ``InvalidBatchEntryId``)."""

    default_code = "InvalidBatchEntryId"
    default_status = 400


def invalid(text: str) -> InvalidParameterError:
    """``InvalidParameter`` with the message ``Invalid parameter: <text>``."""
    return InvalidParameterError(f"Invalid parameter: {text}")


def topic_not_found() -> NotFoundError:
    """``NotFound`` ``Topic does not exist`` (AWS-validated snapshot)."""
    return NotFoundError("Topic does not exist")


def arn_error(parameter: str, value: str) -> InvalidParameterError:
    """An ARN parameter that is not an ARN at all (AWS-validated snapshot).

    ``Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1``; an empty
    value is counted as one element, as AWS counts it.
    """
    return invalid(f"{parameter} Reason: An ARN must have at least 6 elements, not {len(value.split(':'))}")


def check_xml_text(value: str, parameter: str) -> None:
    """Refuse text the query protocol cannot carry.

    SNS's requests and responses are XML documents; a character outside XML 1.0's ``Char``
    production (most C0 control characters, U+FFFE, U+FFFF, lone surrogates) cannot be encoded in
    them, so SNS refuses it before doing anything else. The wording is the simulation's (AWS's text
    for this case was not found).

    Raises:
        InvalidParameterError: ``Invalid parameter: <parameter> Reason: contains characters that are
            not valid in XML``.
    """
    if INVALID_XML_CHARACTER.search(value) is not None:
        raise invalid(f"{parameter} Reason: contains characters that are not valid in XML")
