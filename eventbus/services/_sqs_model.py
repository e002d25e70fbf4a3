"""The values the native SQS API hands back: messages, send results, batch results, statistics.

All are frozen msgspec structs: cheap to build, safe to share, printable.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = (
    "BatchFailure",
    "BatchResult",
    "Message",
    "MessageAttribute",
    "MoveTask",
    "QueueStatistics",
    "SendBatchResult",
    "SendEntry",
    "SendResult",
    "SqsFaults",
)


class MessageAttribute(msgspec.Struct, frozen=True):
    """One message attribute: a ``String``, ``Number`` or ``Binary`` value (with an optional label,
    e.g. ``Number.float``).

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
    """

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def value(self) -> str | bytes:
        """The string (for String and Number) or the bytes (for Binary)."""
        if self.binary_value is not None:
            return self.binary_value
        return self.string_value or ""

    def to_aws(self) -> dict[str, Any]:
        """The AWS shape: ``{"DataType": ..., "StringValue"|"BinaryValue": ...}``."""
        if self.binary_value is not None:
            return {"DataType": self.data_type, "BinaryValue": self.binary_value}
        return {"DataType": self.data_type, "StringValue": self.string_value}


class Message(msgspec.Struct, frozen=True):
    """A message as ReceiveMessage returns it.

    Attributes:
        message_id: the id SQS gave the message when it was sent (stable across receives).
        receipt_handle: this receive's handle; needed to delete the message or change its
            visibility. Every receive issues a new one.
        body: the message body.
        md5_of_body: hex MD5 of the body's UTF-8 bytes.
        attributes: the system attributes asked for (``SentTimestamp``,
            ``ApproximateReceiveCount``, ``ApproximateFirstReceiveTimestamp``, ``SenderId``,
            ``AWSTraceHeader``, and on FIFO queues ``MessageGroupId``, ``MessageDeduplicationId``,
            ``SequenceNumber``; ``DeadLetterQueueSourceArn`` once dead-lettered), as strings.
        message_attributes: the message attributes asked for.
        md5_of_message_attributes: hex MD5 of the returned message attributes, or None when none.

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Message.html
    """

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str] = msgspec.field(default_factory=dict)
    message_attributes: dict[str, MessageAttribute] = msgspec.field(default_factory=dict)
    md5_of_message_attributes: str | None = None

    @property
    def receive_count(self) -> int:
        """``ApproximateReceiveCount`` as an int (0 when it was not asked for)."""
        return int(self.attributes.get("ApproximateReceiveCount", "0"))

    @property
    def group_id(self) -> str | None:
        """``MessageGroupId`` (FIFO queues), if it was asked for."""
        return self.attributes.get("MessageGroupId")


class SendResult(msgspec.Struct, frozen=True):
    """What SendMessage (or one successful SendMessageBatch entry) returns.

    Attributes:
        message_id: the new message's id (on a FIFO queue, a deduplicated send returns the id of
            the message it duplicates).
        md5_of_body: hex MD5 of the body.
        md5_of_message_attributes: hex MD5 of the message attributes, None without attributes.
        md5_of_message_system_attributes: hex MD5 of the system attributes (AWSTraceHeader).
        sequence_number: FIFO queues only: the message's sequence number.
        id: the batch entry id, for batch sends.
    """

    message_id: str
    md5_of_body: str
    md5_of_message_attributes: str | None = None
    md5_of_message_system_attributes: str | None = None
    sequence_number: str | None = None
    id: str | None = None


class SendEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a :meth:`Queue.send_batch`.

    Attributes:
        body: the message body.
        id: the batch entry id (``[A-Za-z0-9_-]{1,80}``); defaults to the entry's position.
        delay_seconds: per-message delay, 0-900 (standard queues only).
        attributes: message attributes (see :meth:`Queue.send`).
        group_id: MessageGroupId (required on FIFO queues).
        deduplication_id: MessageDeduplicationId (FIFO queues).
        trace_header: the AWSTraceHeader system attribute.
    """

    body: str
    id: str | None = None
    delay_seconds: int | None = None
    attributes: dict[str, Any] | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    trace_header: str | None = None


class BatchFailure(msgspec.Struct, frozen=True):
    """A failed entry of a batch: ``BatchResultErrorEntry``.

    Attributes:
        id: the entry's id.
        code: AWS's error code for it (the query-protocol code, as AWS puts in ``Code``).
        message: AWS's message.
        sender_fault: whether the caller is to blame.
    """

    id: str
    code: str
    message: str
    sender_fault: bool = True


class SendBatchResult(msgspec.Struct, frozen=True):
    """What SendMessageBatch returns: the sent entries and the failed ones."""

    successful: list[SendResult]
    failed: list[BatchFailure]


class BatchResult(msgspec.Struct, frozen=True):
    """What DeleteMessageBatch and ChangeMessageVisibilityBatch return: succeeded ids and failures."""

    successful: list[str]
    failed: list[BatchFailure]


class QueueStatistics(msgspec.Struct, frozen=True):
    """A snapshot of a queue: how many messages are where, and counts since it was created.

    Attributes:
        visible: messages available for retrieval (``ApproximateNumberOfMessages``).
        in_flight: received and neither deleted nor visible again (``...NotVisible``).
        delayed: not yet visible because of a delay (``...Delayed``).
        sent: messages accepted by SendMessage(Batch) (FIFO duplicates excluded).
        received: receives, counting each message each time it is returned.
        deleted: messages deleted.
        dead_lettered: messages moved to the dead-letter queue.
        expired: messages deleted by the retention period.
        purged: messages deleted by PurgeQueue.
        duplicates_suppressed: FIFO sends dropped as duplicates within the 5-minute window.
        moved_out: messages a move task took from this queue.
        arrived: messages that arrived from elsewhere (dead-lettered into it, or moved to it).
    """

    visible: int
    in_flight: int
    delayed: int
    sent: int
    received: int
    deleted: int
    dead_lettered: int
    expired: int
    purged: int
    duplicates_suppressed: int
    moved_out: int
    arrived: int


class SqsFaults(msgspec.Struct, frozen=True, kw_only=True):
    """What a standard queue is allowed to do wrong, with how often it does it (0 = never).

    AWS documents that standard queues deliver at least once (a message may come back, even after
    it was deleted), in best-effort order, and that short polls sample a subset of servers (so may
    return fewer messages, or none, while messages exist).
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html

    Every choice is drawn from the simulation's seeded generator, and only when a rate is above 0,
    so a run without faults draws nothing. FIFO queues never commit these faults. The simulation's
    fault plan (:mod:`eventbus.faults`, ``sim.faults``) offers the same faults simulation-wide,
    scoped and scripted, journaled ``fault.injected``; the two work side by side.

    Attributes:
        duplicate_rate: per message, decided at its first receive, the chance that a second copy
            stays in the queue and is delivered again (with its own receipt handle). A message is
            duplicated at most once, and a copy never, so duplicates are independent per message.
        redeliver_after_delete_rate: per deleted message, the chance that a copy on another server
            missed the delete and comes back ``redeliver_delay`` seconds later.
        redeliver_delay: seconds before such a copy reappears.
        reorder_rate: per received message, the chance it is skipped this time and moved behind
            the messages after it.
        empty_receive_rate: per short poll (WaitTimeSeconds 0) of a non-empty queue, the chance it
            returns nothing.
        partial_receive_rate: per short poll asking for several messages, the chance it returns a
            random smaller number of them.
    """

    duplicate_rate: float = 0.0
    redeliver_after_delete_rate: float = 0.0
    redeliver_delay: float = 1.0
    reorder_rate: float = 0.0
    empty_receive_rate: float = 0.0
    partial_receive_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in ("duplicate_rate", "redeliver_after_delete_rate", "reorder_rate", "empty_receive_rate", "partial_receive_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate!r}")
        if self.redeliver_delay < 0:
            raise ValueError(f"redeliver_delay must not be negative, got {self.redeliver_delay!r}")

    @property
    def any(self) -> bool:
        """True when some fault can happen."""
        return bool(
            self.duplicate_rate
            or self.redeliver_after_delete_rate
            or self.reorder_rate
            or self.empty_receive_rate
            or self.partial_receive_rate
        )


class MoveTask(msgspec.Struct, frozen=True):
    """A message movement task as ListMessageMoveTasks describes it.

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasksResultEntry.html
    """

    task_handle: str | None
    status: str
    source_arn: str
    destination_arn: str | None
    max_number_of_messages_per_second: int | None
    approximate_number_of_messages_moved: int
    approximate_number_of_messages_to_move: int | None
    failure_reason: str | None
    started_timestamp: int
