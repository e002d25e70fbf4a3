"""SendMessage and SendMessageBatch: validation, FIFO deduplication, storing (internal).

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._journal import Record
from .._simulation import _UUID_CLEAR, _UUID_SET
from ._sqs_errors import (
    BatchRequestTooLongError,
    InvalidMessageContentsError,
    InvalidParameterValueError,
    MissingParameterError,
    SqsServiceError,
)
from ._sqs_md5 import SMALL_MD5_BYTES, md5_of_attributes, small_md5
from ._sqs_model import (
    BatchFailure,
    SendBatchResult,
    SendEntry,
    SendResult,
)
from ._sqs_queue_base import QueueBase, _dashed, _md5, _sha256
from ._sqs_storage import Entry
from ._sqs_validation import (
    DEDUPLICATION_WINDOW,
    INVALID_CHARACTER,
    INVALID_CHARACTERS_MESSAGE,
    MAX_MESSAGE_SIZE,
    VALID_ASCII,
    check_batch_ids,
    check_body,
    check_fifo_id,
    check_range,
    normalize_message_attributes,
)

__all__ = ("Sending",)


#: The ids of batch entries that name none: their positions.
_POSITIONS = tuple(str(i) for i in range(10))

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
        if attributes is None and delay_seconds is None and group_id is None and trace_header is None and not self.fifo and deduplication_id is None:
            return self._send_plain(body, None, self._sim.time)
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
        system: Mapping[str, Any] | None,
        group_id: str | None,
        deduplication_id: str | None,
        entry_id: str | None,
        now: float,
    ) -> SendResult:
        encoded = check_body(body, self._maximum_message_size, attributes_size)
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
        size = len(encoded)
        md5 = (small_md5 if size < SMALL_MD5_BYTES else _md5)(encoded).hexdigest()
        md5_attrs = md5_of_attributes(attributes) if attributes else None
        if fifo:
            return self._send_fifo(
                body, encoded, size, md5, attributes, md5_attrs, md5_system, trace_header, group_id, deduplication_id, entry_id, now
            )
        message_id = self._new_message_id()
        entry = Entry(message_id, body, md5, size, now, now, attributes or None, md5_attrs, trace_header, group_id)
        self._n_sent += 1
        self._append(now, "sqs.sent", self.arn, message_id, _SENT.get(size) or _sent_detail(size))
        self._store(entry, self._delay_seconds if delay_seconds is None else delay_seconds, now)
        return SendResult(message_id, md5, md5_attrs, md5_system, None, entry_id)

    def _send_plain(self, body: str, entry_id: str | None, now: float) -> SendResult:
        """A standard-queue send of a body alone (no attributes, delay or ids): the common case,
        with the checks of :meth:`_send` that apply to it."""
        encoded = _plain_body(body, self._maximum_message_size)
        size = len(encoded)
        md5 = (small_md5 if size < SMALL_MD5_BYTES else _md5)(encoded).hexdigest()
        message_id = self._new_message_id()
        self._n_sent += 1
        self._append(now, "sqs.sent", self.arn, message_id, _SENT.get(size) or _sent_detail(size))
        self._store(Entry(message_id, body, md5, size, now, now), self._delay_seconds, now)
        return SendResult(message_id, md5, None, None, None, entry_id)

    def _send_bodies(self, bodies: Sequence[str], ids: Sequence[str] = _POSITIONS) -> SendBatchResult:
        """SendMessageBatch of bare bodies to a standard queue: one pass, the bookkeeping done once.

        ``ids`` are the entries' ids, already checked (``check_batch_ids``); by default their positions.
        """
        sent, failed = self._store_bodies(bodies, ids)
        return SendBatchResult([SendResult(m, d, None, None, None, i) for i, m, d in sent], failed)

    def _store_bodies(self, bodies: Sequence[str], ids: Sequence[str], wire: bool = False) -> tuple[list[Any], list[BatchFailure]]:
        """What :meth:`_send_bodies` does: (entry id, message id, MD5 of the body) of each message
        sent, in entry order (with ``wire``, as SendMessageBatchResultEntry dicts: ``Id``,
        ``MessageId``, ``MD5OfMessageBody``), and the failed entries."""
        if self._delay_seconds:
            return self._store_bodies_delayed(bodies, ids, wire)
        maximum = self._maximum_message_size
        # Every check first, nothing changed yet: the batch's size, and each body encoded (the
        # ASCII case inline) or refused.
        total = 0
        checked: list[Any] = []
        for body in bodies:
            if type(body) is str and body.isascii() and 0 < len(body) <= maximum and not (encoded := body.encode()).translate(None, VALID_ASCII):
                total += len(encoded)
                checked.append(encoded)
                continue
            if type(body) is str:
                total += len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
            try:
                checked.append(_plain_body(body, maximum))
            except SqsServiceError as error:
                checked.append(error)
        if total > MAX_MESSAGE_SIZE:
            raise BatchRequestTooLongError(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes.")
        now = self._sim.time
        sent: list[Any] = []
        failed: list[BatchFailure] = []
        # The message ids of the messages stored, drawn at once (see _draw_ids): the i-th from the end.
        count = 0
        for encoded in checked[: len(ids)]:
            if type(encoded) is bytes:
                count += 1
        hexes, parts = _draw_ids(self._rng.getrandbits, count)
        record = self._append
        records = self._journal._unobserved()
        seq = len(records) if records is not None else 0  # nothing else appends during the loop
        arn = self.arn
        entries: list[Entry] = []
        for entry_id, body, encoded in zip(ids, bodies, checked, strict=False):
            if type(encoded) is not bytes:
                failed.append(BatchFailure(entry_id, encoded.query_code, encoded.message, encoded.sender_fault))
                continue
            count -= 1
            size = len(encoded)
            md5 = (small_md5 if size < SMALL_MD5_BYTES else _md5)(encoded).hexdigest()
            message_id = _dashed(parts[count](hexes))
            detail = _SENT.get(size) or _sent_detail(size)
            if records is not None:
                records.append(Record(seq, now, "sqs.sent", arn, message_id, detail))
                seq += 1
            else:
                record(now, "sqs.sent", arn, message_id, detail)
            entries.append(Entry(message_id, body, md5, size, now, now))
            sent.append({"Id": entry_id, "MessageId": message_id, "MD5OfMessageBody": md5} if wire else (entry_id, message_id, md5))
        if entries:
            count = len(entries)
            self._stored.push_all(entries, now)
            self._visible.extend(entries)
            self._n_sent += count
            self._n_visible += count
            timer = self._retention_alarm.timer
            expires = now + self._retention_period
            if timer is None or expires < timer.when:
                self._retention_alarm.arm(expires)
            for _ in range(count):
                if not self._waiters:
                    break
                self._wake()
        return sent, failed

    def _store_bodies_delayed(self, bodies: Sequence[str], ids: Sequence[str], wire: bool) -> tuple[list[Any], list[BatchFailure]]:
        """:meth:`_store_bodies` on a queue with a delay: message by message."""
        total = 0
        for body in bodies:
            if type(body) is str:
                total += len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
        if total > MAX_MESSAGE_SIZE:
            raise BatchRequestTooLongError(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes.")
        now = self._sim.time
        sent: list[Any] = []
        failed: list[BatchFailure] = []
        send = self._send_plain
        for entry_id, body in zip(ids, bodies, strict=False):
            try:
                result = send(body, entry_id, now)
            except SqsServiceError as error:
                failed.append(BatchFailure(entry_id, error.query_code, error.message, error.sender_fault))
            else:
                message_id, md5 = result.message_id, result.md5_of_body
                sent.append({"Id": entry_id, "MessageId": message_id, "MD5OfMessageBody": md5} if wire else (entry_id, message_id, md5))
        return sent, failed

    def _send_fifo(
        self,
        body: str,
        encoded: bytes,
        size: int,
        md5: str,
        attributes: dict[str, dict[str, Any]],
        md5_attrs: str | None,
        md5_system: str | None,
        trace_header: str | None,
        group_id: str | None,
        deduplication_id: str | None,
        entry_id: str | None,
        now: float,
    ) -> SendResult:
        """A FIFO send: deduplicated for 5 minutes by MessageDeduplicationId (or the SHA-256 of the
        body with content-based deduplication), per queue or per message group (DeduplicationScope).
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
        """
        if deduplication_id is None:
            deduplication_id = _sha256(encoded).hexdigest()
        dedup_key: Any = (group_id, deduplication_id) if self._dedup_by_group else deduplication_id
        seen = self._dedup_lookup(dedup_key, now)
        if seen is not None:
            self._n_duplicates_suppressed += 1
            self._append(now, "sqs.duplicate_suppressed", self.arn, seen[1], {"dedup": deduplication_id})
            return SendResult(seen[1], md5, md5_attrs, md5_system, seen[2], entry_id)
        self._sequence += 65_536
        sequence_number = str(self._sequence)
        message_id = self._new_message_id()
        entry = Entry(
            message_id, body, md5, size, now, now, attributes or None, md5_attrs, trace_header, group_id, deduplication_id, sequence_number
        )
        self._dedup[dedup_key] = (now + DEDUPLICATION_WINDOW, message_id, sequence_number)
        self._dedup_expiry.append((now + DEDUPLICATION_WINDOW, dedup_key))
        self._n_sent += 1
        self._append(now, "sqs.sent", self.arn, message_id, {"bytes": size, "group": group_id, "dedup": deduplication_id})
        self._store(entry, self._delay_seconds, now)
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
        if not self.fifo and isinstance(entries, (list, tuple)) and 0 < len(entries) <= 10 and all(type(e) is str for e in entries):
            return self._send_bodies(entries)
        prepared: list[tuple[Any, Any, Any, Any, Any, Any]] = []
        ids: list[str] = []
        generated = True
        for i, item in enumerate(entries):
            if type(item) is str:
                prepared.append((item, None, None, None, None, None))
                ids.append(_POSITIONS[i] if i < 10 else str(i))
                continue
            if not isinstance(item, SendEntry):
                raise InvalidParameterValueError(f"A batch entry must be a message body or a SendEntry, got {item!r}.")
            system = {"AWSTraceHeader": {"DataType": "String", "StringValue": item.trace_header}} if item.trace_header is not None else None
            prepared.append((item.body, item.delay_seconds, item.attributes, system, item.group_id, item.deduplication_id))
            if item.id is not None:
                generated = False
                ids.append(item.id)
            else:
                ids.append(str(i))
        return self._send_batch(ids, prepared, generated)

    def _send_batch(
        self,
        ids: Sequence[str],
        entries: Sequence[tuple[Any, Any, Any, Any, Any, Any]],
        generated: bool = False,
    ) -> SendBatchResult:
        check_batch_ids(ids, "SendMessageBatchRequestEntry", generated=generated)
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
            attrs_size = 0
            if attributes:
                try:
                    attrs, attrs_size = normalize_message_attributes(attributes)
                except SqsServiceError as error:
                    normalized.append(error)
                else:
                    normalized.append((attrs, attrs_size))
            else:
                normalized.append(_NO_ATTRIBUTES)
            if type(body) is str:
                total += len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
            total += attrs_size
        if total > MAX_MESSAGE_SIZE:
            raise BatchRequestTooLongError(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes.")
        now = self._sim.time
        successful: list[SendResult] = []
        failed: list[BatchFailure] = []
        send = self._send
        for entry_id, (body, delay, _, system, group_id, dedup_id), checked in zip(ids, entries, normalized, strict=True):
            try:
                if isinstance(checked, SqsServiceError):
                    raise checked
                successful.append(send(body, delay, checked[0], checked[1], system, group_id, dedup_id, entry_id, now))
            except SqsServiceError as error:
                failed.append(BatchFailure(entry_id, error.query_code, error.message, error.sender_fault))
        return SendBatchResult(successful, failed)




def _plain_body(body: object, maximum: int) -> bytes:
    """The checks of a bare body (see ``check_body``), returning it encoded."""
    if type(body) is not str or not body:
        raise MissingParameterError("The request must contain the parameter MessageBody.")
    encoded = body.encode("utf-8", "surrogatepass")
    size = len(encoded)
    if size == len(body):
        if encoded.translate(None, VALID_ASCII):
            raise InvalidMessageContentsError(INVALID_CHARACTERS_MESSAGE)
    elif INVALID_CHARACTER.search(body):
        raise InvalidMessageContentsError(INVALID_CHARACTERS_MESSAGE)
    if size > maximum:
        raise InvalidParameterValueError(f"One or more parameters are invalid. Reason: Message must be shorter than {maximum} bytes.")
    return encoded
#: The detail of ``sqs.sent`` records by message size, shared by the records of equal size (record
#: details are read-only, as the empty one all detail-less records share): a journal grows by
#: three records a message, and a fresh dict for each was a measurable share of a send.
_SENT: dict[int, dict[str, int]] = {}


def _sent_detail(size: int) -> dict[str, int]:
    detail = {"bytes": size}
    if len(_SENT) < 4096:
        _SENT[size] = detail
    return detail


_NO_ATTRIBUTES: tuple[dict[str, dict[str, Any]], int] = ({}, 0)


#: ``_UUID_CLEAR`` and ``_UUID_SET`` repeated over ``n`` 128-bit draws, for n up to 10 (a batch).
_CLEAR_BITS = _UUID_CLEAR & ((1 << 128) - 1)
_IDS_CLEAR = tuple(sum(_CLEAR_BITS << (128 * i) for i in range(n)) for n in range(11))
_IDS_SET = tuple(sum(_UUID_SET << (128 * i) for i in range(n)) for n in range(11))
#: The 8-4-4-4-12 groups of the i-th 32 hex digits of a text (``_simulation._UUID_GROUPS`` moved along it).
_IDS_PARTS = tuple(
    operator.itemgetter(*(slice(32 * i + a, 32 * i + b) for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))))
    for i in range(10)
)


def _draw_ids(bits: Callable[[int], int], count: int) -> tuple[str, Sequence[Callable[[str], tuple[str, ...]]]]:
    """``count`` message ids (version-4 UUIDs) in one draw of ``128 * count`` bits: the hex digits
    of all, and for each id the getter of its groups; the ``i``-th id drawn is
    ``_dashed(parts[count - 1 - i](hexes))``.

    The generator yields the same bits as ``count`` draws of 128 (``getrandbits`` fills a number
    from its least significant 32-bit word up, each word a fresh output, so the first draw holds the
    lowest 128 bits), so the ids and the generator's state after are those of ``count`` calls of
    ``_new_message_id``.
    """
    if count <= 10:
        clear, set_, parts = _IDS_CLEAR[count], _IDS_SET[count], _IDS_PARTS
    else:
        clear = sum(_CLEAR_BITS << (128 * i) for i in range(count))
        set_ = sum(_UUID_SET << (128 * i) for i in range(count))
        parts = tuple(
            operator.itemgetter(*(slice(32 * i + a, 32 * i + b) for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))))
            for i in range(count)
        )
    if not count:
        return "", parts
    return ((bits(128 * count) & clear) | set_).to_bytes(16 * count, "big").hex(), parts
