"""The errors SQS answers with, named and coded as AWS names and codes them.

SQS speaks the AWS JSON protocol but was a query-protocol service first, so every error has two
names (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html):

* ``code``: the modeled error shape, sent as the JSON ``__type`` (for example ``QueueDoesNotExist``,
  or ``InvalidParameterValueException`` for the generic errors that have no modeled shape);
* ``query_code``: the legacy query-protocol code, sent in the ``x-amzn-query-error`` header (for
  example ``AWS.SimpleQueueService.NonExistentQueue``), which is what boto3 reports as
  ``error.response["Error"]["Code"]``.

Both pairs, the messages and the HTTP statuses below were taken from responses recorded against
AWS (LocalStack's AWS-validated snapshots, ``tests/aws/services/sqs/test_sqs.snapshot.json``) and
from the SQS API reference's error lists, e.g.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html.
Each class also inherits the builtin a Python caller would catch (``LookupError``, ``ValueError``).
"""

from __future__ import annotations

from typing import ClassVar

from ..errors import (
    ConflictError,
    LimitExceededError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceError,
    ValidationError,
)

__all__ = (
    "BatchEntryIdsNotDistinctError",
    "BatchRequestTooLongError",
    "EmptyBatchRequestError",
    "InvalidAddressError",
    "InvalidAttributeNameError",
    "InvalidAttributeValueError",
    "InvalidBatchEntryIdError",
    "InvalidMessageContentsError",
    "InvalidParameterValueError",
    "MessageNotInflightError",
    "MissingParameterError",
    "MoveTaskNotFoundError",
    "OverLimitError",
    "PurgeQueueInProgressError",
    "QueueDeletedRecentlyError",
    "QueueDoesNotExistError",
    "QueueNameExistsError",
    "ReceiptHandleIsInvalidError",
    "SqsServiceError",
    "TooManyEntriesInBatchRequestError",
    "UnsupportedOperationError",
)


class SqsServiceError(ServiceError):
    """What every SQS error adds to :class:`~eventbus.errors.ServiceError`: the legacy query code.

    Attributes:
        code: the modeled error shape (the JSON ``__type``), e.g. ``QueueDoesNotExist``.
        query_code: the query-protocol code (``x-amzn-query-error``), e.g.
            ``AWS.SimpleQueueService.NonExistentQueue``.
    """

    default_query_code: ClassVar[str] = ""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, status=status, sender_fault=True)
        self.query_code = self.default_query_code or self.code

    def __repr__(self) -> str:
        return f"eventbus.services.sqs.{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class QueueDoesNotExistError(SqsServiceError, ResourceNotFoundError):
    """The queue named by a URL, a name or an ARN does not exist (or was deleted)."""

    default_code = "QueueDoesNotExist"
    default_query_code = "AWS.SimpleQueueService.NonExistentQueue"
    default_status = 400


class QueueNameExistsError(SqsServiceError, ResourceExistsError):
    """CreateQueue named an existing queue with a different value for one of its attributes."""

    default_code = "QueueNameExists"
    default_query_code = "QueueAlreadyExists"
    default_status = 400


class QueueDeletedRecentlyError(SqsServiceError, ConflictError):
    """CreateQueue named a queue deleted less than 60 seconds ago."""

    default_code = "QueueDeletedRecently"
    default_query_code = "AWS.SimpleQueueService.QueueDeletedRecently"
    default_status = 400


class PurgeQueueInProgressError(SqsServiceError, ConflictError):
    """A second PurgeQueue within 60 seconds of the last one (HTTP 403, as AWS answers)."""

    default_code = "PurgeQueueInProgress"
    default_query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    default_status = 403


class InvalidParameterValueError(SqsServiceError, ValidationError):
    """A request parameter out of its range or not valid for the queue (no modeled shape in AWS)."""

    default_code = "InvalidParameterValueException"
    default_query_code = "InvalidParameterValue"
    default_status = 400


class MissingParameterError(SqsServiceError, ValidationError):
    """A required parameter is missing or empty (no modeled shape in AWS)."""

    default_code = "MissingRequiredParameterException"
    default_query_code = "MissingParameter"
    default_status = 400


class InvalidAttributeNameError(SqsServiceError, ValidationError):
    """A queue attribute name SQS does not know, or one not valid for this queue type."""

    default_code = "InvalidAttributeName"
    default_status = 400


class InvalidAttributeValueError(SqsServiceError, ValidationError):
    """A queue attribute value out of its range."""

    default_code = "InvalidAttributeValue"
    default_status = 400


class InvalidMessageContentsError(SqsServiceError, ValidationError):
    """A message body with characters outside the allowed set."""

    default_code = "InvalidMessageContents"
    default_status = 400


class ReceiptHandleIsInvalidError(SqsServiceError, ValidationError):
    """A receipt handle that SQS never issued, or one issued by another queue."""

    default_code = "ReceiptHandleIsInvalid"
    default_status = 400


class MessageNotInflightError(SqsServiceError, ValidationError):
    """Modeled by AWS for ChangeMessageVisibility; AWS has not been seen returning it (see Queue)."""

    default_code = "MessageNotInflight"
    default_query_code = "AWS.SimpleQueueService.MessageNotInflight"
    default_status = 400


class TooManyEntriesInBatchRequestError(SqsServiceError, ValidationError):
    """A batch of more than 10 entries."""

    default_code = "TooManyEntriesInBatchRequest"
    default_query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    default_status = 400


class EmptyBatchRequestError(SqsServiceError, ValidationError):
    """A batch with no entries."""

    default_code = "EmptyBatchRequest"
    default_query_code = "AWS.SimpleQueueService.EmptyBatchRequest"
    default_status = 400


class BatchEntryIdsNotDistinctError(SqsServiceError, ValidationError):
    """Two entries of one batch share an ``Id``."""

    default_code = "BatchEntryIdsNotDistinct"
    default_query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    default_status = 400


class InvalidBatchEntryIdError(SqsServiceError, ValidationError):
    """A batch entry ``Id`` outside ``[A-Za-z0-9_-]{1,80}``."""

    default_code = "InvalidBatchEntryId"
    default_query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"
    default_status = 400


class BatchRequestTooLongError(SqsServiceError, ValidationError):
    """The messages of one SendMessageBatch together exceed 1 MiB."""

    default_code = "BatchRequestTooLong"
    default_query_code = "AWS.SimpleQueueService.BatchRequestTooLong"
    default_status = 400


class OverLimitError(SqsServiceError, LimitExceededError):
    """An action that would pass a hard limit (for example AddPermission's 7 actions)."""

    default_code = "OverLimit"
    default_status = 403


class UnsupportedOperationError(SqsServiceError, ValidationError):
    """An operation SQS does not support (or this simulation does not know)."""

    default_code = "UnsupportedOperation"
    default_query_code = "AWS.SimpleQueueService.UnsupportedOperation"
    default_status = 400


class InvalidAddressError(SqsServiceError, ValidationError):
    """A queue URL that is not an address of this endpoint."""

    default_code = "InvalidAddress"
    default_status = 404


class MoveTaskNotFoundError(SqsServiceError, ResourceNotFoundError):
    """A message move task's source, destination or handle that does not exist."""

    default_code = "ResourceNotFoundException"
    default_query_code = "ResourceNotFoundException"
    default_status = 404
