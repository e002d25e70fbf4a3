"""Amazon SQS, simulated: standard and FIFO queues on the simulation's clock.

``sim.sqs`` is the service; ``sim.sqs.create_queue("orders")`` a :class:`Queue`::

    sim = Simulation()
    dlq = sim.sqs.create_queue("orders-dlq")
    orders = sim.sqs.create_queue("orders", visibility_timeout=30, dead_letter=dlq, max_receive_count=3)
    orders.send("hello", attributes={"kind": "greeting"})
    [message] = orders.receive(max_messages=10, wait_time_seconds=20)   # jumps virtual time if needed
    orders.delete(message.receipt_handle)

``sim.sqs.api.call("SendMessage", {...})`` serves the AWS-named operations with botocore's input
and output shapes (what the boto3 facade routes to). Errors are the AWS errors, with AWS's codes,
messages and HTTP statuses (see the ``*Error`` classes).
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/welcome.html
"""

from __future__ import annotations

from ._sqs_api import SqsApi
from ._sqs_errors import (
    BatchEntryIdsNotDistinctError,
    BatchRequestTooLongError,
    EmptyBatchRequestError,
    InvalidAddressError,
    InvalidAttributeNameError,
    InvalidAttributeValueError,
    InvalidBatchEntryIdError,
    InvalidMessageContentsError,
    InvalidParameterValueError,
    MessageNotInflightError,
    MissingParameterError,
    MoveTaskNotFoundError,
    OverLimitError,
    PurgeQueueInProgressError,
    QueueDeletedRecentlyError,
    QueueDoesNotExistError,
    QueueNameExistsError,
    ReceiptHandleIsInvalidError,
    SqsServiceError,
    TooManyEntriesInBatchRequestError,
    UnsupportedOperationError,
)
from ._sqs_md5 import md5_of_attributes, md5_of_body
from ._sqs_model import (
    BatchFailure,
    BatchResult,
    Message,
    MessageAttribute,
    MoveTask,
    QueueStatistics,
    SendBatchResult,
    SendEntry,
    SendResult,
    SqsFaults,
)
from ._sqs_queue import Queue
from ._sqs_service import OPERATIONS, SqsService
from ._sqs_validation import RedriveAllowPolicy, RedrivePolicy

__all__ = (
    "OPERATIONS",
    "BatchEntryIdsNotDistinctError",
    "BatchFailure",
    "BatchRequestTooLongError",
    "BatchResult",
    "EmptyBatchRequestError",
    "InvalidAddressError",
    "InvalidAttributeNameError",
    "InvalidAttributeValueError",
    "InvalidBatchEntryIdError",
    "InvalidMessageContentsError",
    "InvalidParameterValueError",
    "Message",
    "MessageAttribute",
    "MessageNotInflightError",
    "MissingParameterError",
    "MoveTask",
    "MoveTaskNotFoundError",
    "OverLimitError",
    "PurgeQueueInProgressError",
    "Queue",
    "QueueDeletedRecentlyError",
    "QueueDoesNotExistError",
    "QueueNameExistsError",
    "QueueStatistics",
    "ReceiptHandleIsInvalidError",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SendBatchResult",
    "SendEntry",
    "SendResult",
    "SqsApi",
    "SqsFaults",
    "SqsService",
    "SqsServiceError",
    "TooManyEntriesInBatchRequestError",
    "UnsupportedOperationError",
    "md5_of_attributes",
    "md5_of_body",
)

# Public classes report the public module (reprs, tracebacks and pickles say eventbus.services.sqs).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
