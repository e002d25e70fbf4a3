"""SQS's AWS-named operations over the native queues: what the boto3 facade routes to.

``SqsApi.call(operation, params)`` takes botocore's input shape for the operation (the request as a
client built it, after the JSON protocol is undone: ``BinaryValue`` as bytes) and returns the
output shape (``{"Messages": [...]}`` and so on), or raises the AWS error as an
:class:`~eventbus.services.sqs.SqsServiceError` carrying ``code`` (the JSON ``__type`` shape name),
``query_code`` (the ``x-amzn-query-error`` code), the message and the HTTP status.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._sqs_errors import (
    InvalidParameterValueError,
    MissingParameterError,
    QueueDoesNotExistError,
    UnsupportedOperationError,
)
from ._sqs_model import BatchFailure, Message
from ._sqs_queue import AttributeSelection, Queue
from ._sqs_validation import check_batch_ids, check_range
from ._wire_ready import WireReady

if TYPE_CHECKING:
    from ._sqs_service import SqsService

__all__ = ("SqsApi",)

Params = Mapping[str, Any]

#: What a ReceiveMessage that names no attributes returns of them: none.
_NO_ATTRIBUTES = AttributeSelection((), ())
Result = dict[str, Any]


def _required(params: Params, name: str) -> Any:
    value = params.get(name)
    if value is None:
        raise MissingParameterError(f"The request must contain the parameter {name}.")
    return value


def _batch_result(successful: list[dict[str, Any]], failed: list[dict[str, Any]]) -> Result:
    """A batch operation's result as SQS's JSON protocol sends it: an empty ``Successful`` or
    ``Failed`` list is left out (since SQS moved to the JSON protocol in November 2023; reported in
    https://github.com/aws/aws-sdk/issues/657 and followed by LocalStack and ElasticMQ). The API
    reference still lists both members; SDKs treat them as optional."""
    result: Result = {}
    if successful:
        result["Successful"] = successful
    if failed:
        result["Failed"] = failed
    return result


def _failure(failure: BatchFailure) -> dict[str, Any]:
    return {"Id": failure.id, "SenderFault": failure.sender_fault, "Code": failure.code, "Message": failure.message}


def _message(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_of_body,
        "Body": message.body,
    }
    if message.attributes:
        out["Attributes"] = message.attributes
    if message.message_attributes:
        out["MD5OfMessageAttributes"] = message.md5_of_message_attributes
        out["MessageAttributes"] = {name: value.to_aws() for name, value in message.message_attributes.items()}
    return out


class SqsApi:
    """The SQS operations by their AWS names, with botocore's input and output shapes.

    ``call("CreateQueue", {"QueueName": "orders"})`` returns ``{"QueueUrl": ...}``; each
    operation is also a method (``create_queue(params)``).
    """

    def __init__(self, service: SqsService) -> None:
        self.service = service
        self._operations: dict[str, Callable[[Params], Result]] = {
            "AddPermission": self.add_permission,
            "CancelMessageMoveTask": self.cancel_message_move_task,
            "ChangeMessageVisibility": self.change_message_visibility,
            "ChangeMessageVisibilityBatch": self.change_message_visibility_batch,
            "CreateQueue": self.create_queue,
            "DeleteMessage": self.delete_message,
            "DeleteMessageBatch": self.delete_message_batch,
            "DeleteQueue": self.delete_queue,
            "GetQueueAttributes": self.get_queue_attributes,
            "GetQueueUrl": self.get_queue_url,
            "ListDeadLetterSourceQueues": self.list_dead_letter_source_queues,
            "ListMessageMoveTasks": self.list_message_move_tasks,
            "ListQueueTags": self.list_queue_tags,
            "ListQueues": self.list_queues,
            "PurgeQueue": self.purge_queue,
            "ReceiveMessage": self.receive_message,
            "RemovePermission": self.remove_permission,
            "SendMessage": self.send_message,
            "SendMessageBatch": self.send_message_batch,
            "SetQueueAttributes": self.set_queue_attributes,
            "StartMessageMoveTask": self.start_message_move_task,
            "TagQueue": self.tag_queue,
            "UntagQueue": self.untag_queue,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        """The operation names :meth:`call` serves."""
        return tuple(self._operations)

    def call(self, operation: str, params: Params | None = None) -> Result:
        """Run the SQS operation ``operation`` with botocore-shaped ``params``; return its output."""
        handler = self._operations.get(operation)
        if handler is None:
            raise UnsupportedOperationError(f"The action {operation} is not valid for this endpoint.")
        return handler(params or {})

    def _queue(self, params: Params) -> Queue:
        """The queue ``QueueUrl`` names: never a deleted one (a deleted queue leaves the service's
        table), so the operations below need not check."""
        url = params.get("QueueUrl")
        if url is None:
            raise MissingParameterError("The request must contain the parameter QueueUrl.")
        return self.service.queue_by_url(url)

    # --------------------------------------------------------------- queues
    def create_queue(self, params: Params) -> Result:
        name = _required(params, "QueueName")
        queue = self.service._create(name, params.get("Attributes") or {}, params.get("tags"), None)
        return {"QueueUrl": queue.url}

    def get_queue_url(self, params: Params) -> Result:
        name = _required(params, "QueueName")
        owner = params.get("QueueOwnerAWSAccountId")
        if (owner is not None and owner != self.service.sim.account_id) or not isinstance(name, str) or "/" in name or name.startswith("arn:"):
            raise QueueDoesNotExistError("The specified queue does not exist.")
        return {"QueueUrl": self.service.get_queue(name).url}

    def list_queues(self, params: Params) -> Result:
        """Queue URLs by name prefix; with MaxResults (1-1,000), pages with an opaque NextToken."""
        urls = [q.url for q in self.service.list_queues(params.get("QueueNamePrefix") or "")]
        return self._page(urls, params, "QueueUrls")

    def _page(self, items: list[str], params: Params, key: str) -> Result:
        """One page of ``items``: all (up to 1,000) without MaxResults, else MaxResults and a
        NextToken when more remain. ``QueueUrls`` is left out when empty, as AWS does."""
        limit = params.get("MaxResults")
        token = params.get("NextToken")
        start = 0
        if token is not None:
            try:
                start = int(json.loads(base64.b64decode(token))["offset"])
            except (ValueError, TypeError, KeyError):
                raise InvalidParameterValueError("Invalid NextToken value.") from None  # (unverified wording)
        size = 1000 if limit is None else check_range("MaxResults", limit, 1, 1000, "MaxResults must be an integer between 1 and 1000.")
        page = items[start : start + size]
        out: Result = {key: page} if page or key == "queueUrls" else {}
        if limit is not None and start + size < len(items):
            out["NextToken"] = base64.b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return out

    def delete_queue(self, params: Params) -> Result:
        self.service.delete_queue(self._queue(params))
        return {}

    def get_queue_attributes(self, params: Params) -> Result:
        attributes = self._queue(params).get_attributes(params.get("AttributeNames") or ())
        return {"Attributes": attributes} if attributes else {}

    def set_queue_attributes(self, params: Params) -> Result:
        queue = self._queue(params)
        self.service.set_queue_attributes(queue, _required(params, "Attributes"))
        return {}

    def purge_queue(self, params: Params) -> Result:
        self._queue(params).purge()
        return {}

    def list_dead_letter_source_queues(self, params: Params) -> Result:
        urls = [q.url for q in self.service.dead_letter_sources(self._queue(params))]
        return self._page(urls, params, "queueUrls")

    # ------------------------------------------------------------- messages
    def send_message(self, params: Params) -> Result:
        queue = self._queue(params)
        queue._check_open()
        from ._sqs_validation import normalize_message_attributes

        body = params.get("MessageBody")
        if body is None:
            raise MissingParameterError("The request must contain the parameter MessageBody.")
        attributes, size = normalize_message_attributes(params.get("MessageAttributes"))
        group_id = params.get("MessageGroupId")
        dedup_id = params.get("MessageDeduplicationId")
        if queue.fifo:
            queue._check_fifo_send(group_id, dedup_id)
        result = queue._send(
            body,
            params.get("DelaySeconds"),
            attributes,
            size,
            params.get("MessageSystemAttributes"),
            group_id,
            dedup_id,
            None,
            self.service.sim.time,
        )
        out: Result = {"MD5OfMessageBody": result.md5_of_body, "MessageId": result.message_id}
        if result.md5_of_message_attributes is not None:
            out["MD5OfMessageAttributes"] = result.md5_of_message_attributes
        if result.md5_of_message_system_attributes is not None:
            out["MD5OfMessageSystemAttributes"] = result.md5_of_message_system_attributes
        if result.sequence_number is not None:
            out["SequenceNumber"] = result.sequence_number
        return out

    def send_message_batch(self, params: Params) -> Result:
        queue = self._queue(params)
        entries = params.get("Entries")
        if entries is None:
            raise MissingParameterError("The request must contain the parameter Entries.")
        if not queue.fifo:
            plain_ids: list[Any] = []
            plain_bodies: list[Any] = []
            for e in entries:
                if type(e) is not dict or len(e) != 2 or "Id" not in e or "MessageBody" not in e:
                    break
                plain_ids.append(e["Id"])
                plain_bodies.append(e["MessageBody"])
            else:  # bodies alone (the common case): the same checks and results, in one pass
                checked = check_batch_ids(plain_ids, "SendMessageBatchRequestEntry")
                stored, refused = queue._store_bodies(plain_bodies, checked, wire=True)
                if not refused:  # _batch_result's answer, inline for the common case
                    return {"Successful": stored} if stored else {}
                return _batch_result(stored, [_failure(f) for f in refused])
        ids = [e.get("Id") for e in entries]
        prepared = [
            (
                e.get("MessageBody"),
                e.get("DelaySeconds"),
                e.get("MessageAttributes"),
                e.get("MessageSystemAttributes"),
                e.get("MessageGroupId"),
                e.get("MessageDeduplicationId"),
            )
            for e in entries
        ]
        result = queue._send_batch(ids, prepared)
        successful = []
        for sent in result.successful:
            item: dict[str, Any] = {"Id": sent.id, "MessageId": sent.message_id, "MD5OfMessageBody": sent.md5_of_body}
            if sent.md5_of_message_attributes is not None:
                item["MD5OfMessageAttributes"] = sent.md5_of_message_attributes
            if sent.md5_of_message_system_attributes is not None:
                item["MD5OfMessageSystemAttributes"] = sent.md5_of_message_system_attributes
            if sent.sequence_number is not None:
                item["SequenceNumber"] = sent.sequence_number
            successful.append(item)
        return _batch_result(successful, [_failure(f) for f in result.failed])

    def receive_message(self, params: Params) -> Result:
        """ReceiveMessage; a WaitTimeSeconds long poll jumps the simulation's clock (see Queue.receive)."""
        queue = self._queue(params)
        n = params.get("MaxNumberOfMessages", 1)
        wait = params.get("WaitTimeSeconds")
        visibility = params.get("VisibilityTimeout")
        if type(n) is int and 0 < n <= 10 and wait is None and visibility is None:  # _check_receive's answer then
            wait, visibility = queue.receive_wait_time, queue._visibility_timeout
        else:
            n, wait, visibility = queue._check_receive(n, wait, visibility)
        names = params.get("AttributeNames")
        system_names = params.get("MessageSystemAttributeNames")
        message_names = params.get("MessageAttributeNames")
        attempt_id = params.get("ReceiveRequestAttemptId")
        if names or system_names or message_names:
            selection = AttributeSelection([*(names or ()), *(system_names or ())], message_names or ())
            messages = [_message(m) for m in queue._receive_messages(n, wait, visibility, selection, attempt_id)]
        else:  # no attributes asked for: the four members every message has, straight from the queue
            messages = queue._receive_messages(n, wait, visibility, _NO_ATTRIBUTES, attempt_id, plain=True)
            # Text members only, none null: as the JSON protocol writes them.
            return WireReady(Messages=messages) if messages else {}
        return {"Messages": messages} if messages else {}

    def delete_message(self, params: Params) -> Result:
        self._queue(params).delete(_required(params, "ReceiptHandle"))
        return {}

    def delete_message_batch(self, params: Params) -> Result:
        queue = self._queue(params)
        entries = params.get("Entries")
        if entries is None:
            raise MissingParameterError("The request must contain the parameter Entries.")
        ids: list[Any] = []
        handles: list[Any] = []
        for e in entries:
            ids.append(e.get("Id"))
            handles.append(e.get("ReceiptHandle"))
        checked = check_batch_ids(ids, "DeleteMessageBatchRequestEntry")
        successful, failed = queue._delete_pairs(zip(checked, handles, strict=True), wire=True)
        if not failed:  # _batch_result's answer, inline for the common case
            return {"Successful": successful} if successful else {}
        return _batch_result(successful, [_failure(f) for f in failed])

    def change_message_visibility(self, params: Params) -> Result:
        self._queue(params).change_visibility(_required(params, "ReceiptHandle"), _required(params, "VisibilityTimeout"))
        return {}

    def change_message_visibility_batch(self, params: Params) -> Result:
        queue = self._queue(params)
        queue._check_open()
        entries = _required(params, "Entries")
        check_batch_ids((e.get("Id") for e in entries), "ChangeMessageVisibilityBatchRequestEntry")
        result = queue.change_visibility_batch({e["Id"]: (e.get("ReceiptHandle"), e.get("VisibilityTimeout")) for e in entries})
        return _batch_result([{"Id": i} for i in result.successful], [_failure(f) for f in result.failed])

    # ------------------------------------------------------------------ tags
    def tag_queue(self, params: Params) -> Result:
        self._queue(params).tag(_required(params, "Tags"))
        return {}

    def untag_queue(self, params: Params) -> Result:
        self._queue(params).untag(_required(params, "TagKeys"))
        return {}

    def list_queue_tags(self, params: Params) -> Result:
        tags = self._queue(params).tags
        return {"Tags": tags} if tags else {}

    # ----------------------------------------------------------- permissions
    def add_permission(self, params: Params) -> Result:
        self._queue(params).add_permission(
            _required(params, "Label"), _required(params, "AWSAccountIds"), _required(params, "Actions")
        )
        return {}

    def remove_permission(self, params: Params) -> Result:
        self._queue(params).remove_permission(_required(params, "Label"))
        return {}

    # ------------------------------------------------------------ move tasks
    def start_message_move_task(self, params: Params) -> Result:
        handle = self.service.start_message_move_task(
            _required(params, "SourceArn"), params.get("DestinationArn"), params.get("MaxNumberOfMessagesPerSecond")
        )
        return {"TaskHandle": handle}

    def list_message_move_tasks(self, params: Params) -> Result:
        tasks = self.service.list_message_move_tasks(_required(params, "SourceArn"), params.get("MaxResults", 1))
        results = []
        for task in tasks:
            entry: dict[str, Any] = {
                "Status": task.status,
                "SourceArn": task.source_arn,
                "ApproximateNumberOfMessagesMoved": task.approximate_number_of_messages_moved,
                "StartedTimestamp": task.started_timestamp,
            }
            if task.task_handle is not None:
                entry["TaskHandle"] = task.task_handle
            if task.destination_arn is not None:
                entry["DestinationArn"] = task.destination_arn
            if task.max_number_of_messages_per_second is not None:
                entry["MaxNumberOfMessagesPerSecond"] = task.max_number_of_messages_per_second
            if task.approximate_number_of_messages_to_move is not None:
                entry["ApproximateNumberOfMessagesToMove"] = task.approximate_number_of_messages_to_move
            if task.failure_reason is not None:
                entry["FailureReason"] = task.failure_reason
            results.append(entry)
        return {"Results": results}

    def cancel_message_move_task(self, params: Params) -> Result:
        moved = self.service.cancel_message_move_task(_required(params, "TaskHandle"))
        return {"ApproximateNumberOfMessagesMoved": moved}
