"""SendMessage and SendMessageBatch: validation, FIFO deduplication, storing (internal).

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._sqs_errors import (
    BatchRequestTooLongError,
    InvalidParameterValueError,
    MissingParameterError,
    SqsServiceError,
)
from ._sqs_md5 import md5_of_attributes
from ._sqs_model import (
    BatchFailure,
    SendBatchResult,
    SendEntry,
    SendResult,
)
from ._sqs_queue_base import QueueBase, _md5, _sha256
from ._sqs_storage import Entry
from ._sqs_validation import (
    DEDUPLICATION_WINDOW,
    MAX_MESSAGE_SIZE,
    check_batch_ids,
    check_body,
    check_fifo_id,
    check_range,
    normalize_message_attributes,
)

__all__ = ("Sending",)


class Sending(QueueBase):
    """The send operations of a queue."""

    # ---------------------------------------------------------------- send
    def send(
        self,
        body: str,
        *,
        delay_seconds: int | None = None,
        attributes: Mapping[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        trace_header: str | None = None,
    ) -> SendResult:
        """Send one message (SendMessage).

        Args:
            body: 1 byte to ``maximum_message_size`` (1 MiB) of XML-legal characters
                (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF); the
                attributes count toward the size too.
            delay_seconds: 0-900, overrides the queue's delay (standard queues only: a FIFO
                queue refuses a per-message delay).
            attributes: up to 10 message attributes: ``{"name": "text"}`` (String),
                ``{"n": 3}`` (Number), ``{"b": b"..."}`` (Binary), a :class:`MessageAttribute`, or the
                AWS shape ``{"name": {"DataType": ..., "StringValue": ...}}``.
            group_id: MessageGroupId: required on FIFO queues (ordering unit); on standard queues
                it marks the tenant of a fair queue.
            deduplication_id: MessageDeduplicationId (FIFO queues): a send with an id seen in the
                last 5 minutes is accepted but not delivered.
            trace_header: the AWSTraceHeader system attribute (X-Ray).

        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
        """
        self._check_open()
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace_header}} if trace_header is not None else None
        normalized, size = normalize_message_attributes(attributes)
        if self.fifo:
            self._check_fifo_send(group_id, deduplication_id)
        return self._send(body, delay_seconds, normalized, size, system, group_id, deduplication_id, None, self._sim.time)

    def _check_fifo_send(self, group_id: str | None, deduplication_id: str | None) -> None:
        if group_id is None or group_id == "":
            raise MissingParameterError("The request must contain the parameter MessageGroupId.")
        if deduplication_id is None and not self._content_dedup:
            raise InvalidParameterValueError(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
            )

    def _send(
        self,
        body: str,
        delay_seconds: int | None,
        attributes: dict[str, dict[str, Any]],
        attributes_size: int,
        system: dict[str, dict[str, Any]] | None,
        group_id: str | None,
        deduplication_id: str | None,
        entry_id: str | None,
        now: float,
    ) -> SendResult:
        size = check_body(body, self._maximum_message_size, attributes_size)
        fifo = self.fifo
        if delay_seconds is not None:
            if fifo:
                if delay_seconds:
                    raise InvalidParameterValueError(
                        f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: The request include "
                        "parameter that is not valid for this queue type."
                    )
            else:
                check_range("DelaySeconds", delay_seconds, 0, 900, "DelaySeconds must be >= 0 and <= 900.")
        if group_id is not None:
            check_fifo_id(group_id, "MessageGroupId")
        if deduplication_id is not None:
            if not fifo:
                raise InvalidParameterValueError(
                    f"Value {deduplication_id} for parameter MessageDeduplicationId is invalid. Reason: The request "
                    "includes a parameter that is not valid for this queue type."
                )
            check_fifo_id(deduplication_id, "MessageDeduplicationId")
        trace_header = None
        md5_system = None
        if system:
            system_attributes, _ = normalize_message_attributes(system, system=True)
            trace_header = system_attributes["AWSTraceHeader"]["StringValue"]
            md5_system = md5_of_attributes(system_attributes)
        md5 = _md5(body.encode("utf-8", "surrogatepass")).hexdigest()
        md5_attrs = md5_of_attributes(attributes) if attributes else None
        sequence_number = None
        dedup_key: Any = None
        if fifo:
            if deduplication_id is None:
                deduplication_id = _sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
            dedup_key = (group_id, deduplication_id) if self._dedup_by_group else deduplication_id
            seen = self._dedup_lookup(dedup_key, now)
            if seen is not None:
                self._count["duplicates_suppressed"] += 1
                self._append(now, "sqs.duplicate_suppressed", self.arn, seen[1], {"dedup": deduplication_id})
                return SendResult(seen[1], md5, md5_attrs, md5_system, seen[2], entry_id)
            self._sequence += 65_536
            sequence_number = str(self._sequence)
        message_id = self._new_message_id()
        entry = Entry(
            message_id,
            body,
            md5,
            size,
            now,
            now,
            attributes or None,
            md5_attrs,
            trace_header,
            group_id,
            deduplication_id,
            sequence_number,
        )
        if fifo:
            self._dedup[dedup_key] = (now + DEDUPLICATION_WINDOW, message_id, sequence_number)
            self._dedup_expiry.append((now + DEDUPLICATION_WINDOW, dedup_key))
        self._count["sent"] += 1
        delay = self._delay_seconds if delay_seconds is None or fifo else delay_seconds
        if fifo:
            self._append(now, "sqs.sent", self.arn, message_id, {"bytes": size, "group": group_id, "dedup": deduplication_id})
        else:
            self._append(now, "sqs.sent", self.arn, message_id, {"bytes": size})
        self._store(entry, delay, now)
        return SendResult(message_id, md5, md5_attrs, md5_system, sequence_number, entry_id)

    def _dedup_lookup(self, key: Any, now: float) -> tuple[float, str, str | None] | None:
        expiry = self._dedup_expiry
        dedup = self._dedup
        while expiry and expiry[0][0] <= now:
            _, old = expiry.popleft()
            seen = dedup.get(old)
            if seen is not None and seen[0] <= now:
                del dedup[old]
        seen = dedup.get(key)
        return seen if seen is not None and seen[0] > now else None

    def send_batch(self, entries: Iterable[str | SendEntry]) -> SendBatchResult:
        """Send up to 10 messages (SendMessageBatch); each entry succeeds or fails on its own.

        Entries are bodies or :class:`SendEntry` values (ids default to the entry's position). The
        batch as a whole is refused if it is empty, has more than 10 entries, has a malformed or
        repeated id, or adds up to more than 1 MiB; on FIFO queues also when an entry lacks a group
        id or (without content-based deduplication) a deduplication id.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
        """
        self._check_open()
        items = [SendEntry(body=e) if isinstance(e, str) else e for e in entries]
        ids = [item.id if item.id is not None else str(i) for i, item in enumerate(items)]
        prepared = [
            (
                item.body,
                item.delay_seconds,
                item.attributes,
                {"AWSTraceHeader": {"DataType": "String", "StringValue": item.trace_header}} if item.trace_header is not None else None,
                item.group_id,
                item.deduplication_id,
            )
            for item in items
        ]
        return self._send_batch(ids, prepared)

    def _send_batch(
        self,
        ids: Sequence[str],
        entries: Sequence[tuple[Any, Any, Any, Any, Any, Any]],
    ) -> SendBatchResult:
        check_batch_ids(ids, "SendMessageBatchRequestEntry")
        if self.fifo:
            for _, _, _, _, group_id, dedup_id in entries:
                if not group_id:
                    raise InvalidParameterValueError("The request must contain the parameter MessageGroupId.")
                if dedup_id is None and not self._content_dedup:
                    raise InvalidParameterValueError(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                    )
        total = 0
        normalized: list[tuple[dict[str, dict[str, Any]], int] | SqsServiceError] = []
        for body, _, attributes, _, _, _ in entries:
            try:
                attrs, attrs_size = normalize_message_attributes(attributes)
            except SqsServiceError as error:
                normalized.append(error)
                attrs_size = 0
            else:
                normalized.append((attrs, attrs_size))
            total += (len(body.encode("utf-8", "surrogatepass")) if isinstance(body, str) else 0) + attrs_size
        if total > MAX_MESSAGE_SIZE:
            raise BatchRequestTooLongError(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes.")
        now = self._sim.time
        successful: list[SendResult] = []
        failed: list[BatchFailure] = []
        for entry_id, (body, delay, _, system, group_id, dedup_id), checked in zip(ids, entries, normalized, strict=True):
            try:
                if isinstance(checked, SqsServiceError):
                    raise checked
                successful.append(self._send(body, delay, checked[0], checked[1], system, group_id, dedup_id, entry_id, now))
            except SqsServiceError as error:
                failed.append(BatchFailure(entry_id, error.query_code, error.message, error.sender_fault))
        return SendBatchResult(successful, failed)
