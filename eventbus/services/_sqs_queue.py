"""An SQS queue, standard or FIFO, on the simulation's clock: the native API and its semantics.

The life of a message (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-lifecycle.html)::

    send ──► delayed ──(delay ends)──► visible ──(receive)──► in flight ──(delete)──► gone
                                         ▲                        │
                                         └─(visibility timeout)───┘
    any state ──(retention period)──► gone;   visible ──(receive count > maxReceiveCount)──► DLQ

Each arrow is a journal record (``sqs.sent``, ``sqs.delayed``, ``sqs.visible``, ``sqs.received``,
``sqs.visibility_changed``, ``sqs.visibility_expired``, ``sqs.deleted``, ``sqs.dead_lettered``,
``sqs.retention_expired``, ``sqs.purged``, ``sqs.duplicate_suppressed``, ``sqs.moved``) with the
queue's ARN and the message id. Deadlines are timers on the simulation's clock: nothing waits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._journal import NO_DETAIL, Record
from .._simulation import Outcome
from ._sqs_errors import (
    InvalidAttributeNameError,
    InvalidParameterValueError,
    MissingParameterError,
    OverLimitError,
    PurgeQueueInProgressError,
    SqsServiceError,
)
from ._sqs_model import (
    BatchFailure,
    BatchResult,
)
from ._sqs_queue_base import _QUEUE_ATTRIBUTE_NAMES
from ._sqs_receive import AttributeSelection, Receiving
from ._sqs_send import Sending
from ._sqs_storage import GONE, INFLIGHT
from ._sqs_validation import (
    MAX_VISIBILITY_TIMEOUT,
    PURGE_INTERVAL,
    check_batch_ids,
)

if TYPE_CHECKING:
    from ._delivery import Inbound

__all__ = ("AttributeSelection", "Queue")

# Batch entry ids of the native API's list form: the positions.
_POSITIONS = tuple(str(i) for i in range(10))


class Queue(Sending, Receiving):
    """An Amazon SQS queue in a simulation (``eventbus.services.sqs.Queue``).

    Create one with ``sim.sqs.create_queue(name, ...)``. A standard queue delivers at least once in
    best-effort order; a FIFO queue (``.fifo`` name) delivers exactly once per deduplication window,
    in order within each message group. All timing (visibility timeouts, delays, retention, long
    polls) runs on the simulation's clock.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/welcome.html
    """

    def delete(self, receipt_handle: str) -> None:
        """Delete the message a receipt handle was issued for (DeleteMessage).

        Any handle this queue issued for the message deletes it, even an older one, and even when
        the message is visible again or in flight with another consumer (AWS behaviour, verified by
        moto against AWS: https://github.com/getmoto/moto/pull/4655). Deleting a message that is
        already gone succeeds. On FIFO queues a handle whose visibility timeout has passed (or that
        a later receive replaced) is refused: "The receipt handle has expired."
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
        """
        self._check_open()
        self._delete_one(receipt_handle, self._sim.time)
        self._after_removals()

    def _delete_one(self, receipt_handle: str, now: float) -> None:
        entry = self._handles.get(receipt_handle)
        if entry is None:
            self._unknown_handle(receipt_handle)
            return
        plan = self._sim._faults
        if plan is not None and plan._ignores_delete(self.arn, receipt_handle, entry.message_id):
            return  # a handle made stale by an injected visibility expiry: succeeds, deletes nothing
        current = entry.handle == receipt_handle and entry.state == INFLIGHT
        if self.fifo and not current:
            raise InvalidParameterValueError(
                f"Value {receipt_handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
            )
        self._remove(entry)
        self._n_deleted += 1
        self._append(now, "sqs.deleted", self.arn, entry.message_id, None if current else {"stale_handle": True})
        faults = self._faults
        if faults is not None and faults.redeliver_after_delete_rate and self._rng.random() < faults.redeliver_after_delete_rate:
            self._sim.call_later(faults.redeliver_delay, self._redeliver, entry)
        elif plan is not None and not self.fifo:
            lost = plan._draw("lost_delete", (self.arn,), self.arn, entry.message_id, record=False)
            if lost is not None:  # journaled when the copy comes back
                self._sim.call_later(lost.delay, self._redeliver, entry, "lost_delete", "fault.injected")

    def delete_batch(self, receipt_handles: Iterable[str] | Mapping[str, str]) -> BatchResult:
        """Delete up to 10 messages (DeleteMessageBatch); each entry succeeds or fails on its own.

        ``receipt_handles`` is a list of handles (entry ids are their positions) or a mapping of
        entry id to handle.
        """
        self._check_open()
        if isinstance(receipt_handles, Mapping):
            pairs = list(receipt_handles.items())
            check_batch_ids([i for i, _ in pairs], "DeleteMessageBatchRequestEntry")
        else:
            handles = list(receipt_handles)
            pairs = [(_POSITIONS[i] if i < 10 else str(i), h) for i, h in enumerate(handles)]
            check_batch_ids([i for i, _ in pairs], "DeleteMessageBatchRequestEntry", generated=True)
        return BatchResult(*self._delete_pairs(pairs))

    def _delete_pairs(self, pairs: Iterable[tuple[str, str]], wire: bool = False) -> tuple[list[Any], list[BatchFailure]]:
        """DeleteMessageBatch once its entry ids are checked: (entry id, receipt handle) pairs.

        Returns the ids of the entries deleted (with ``wire``, as DeleteMessageBatchResultEntry
        dicts, ``{"Id": id}``) and the failed entries."""
        successful: list[Any] = []
        failed: list[BatchFailure] = []
        now = self._sim.time
        delete = self._delete_one
        by_handle = self._handles
        record = self._append
        records = self._journal._unobserved()
        arn = self.arn
        # The common case inline: a standard queue without faults (its own or the simulation's fault
        # plan, which may lose a delete or ignore a stale handle), a current handle of a message in
        # flight; everything else goes through _delete_one.
        plain = not self.fifo and self._faults is None and self._sim._faults is None
        removed = 0
        for entry_id, handle in pairs:
            entry = by_handle.get(handle) if plain else None
            if entry is not None and entry.handle == handle and entry.state == INFLIGHT and entry.old_handles is None:
                entry.state = GONE
                del by_handle[handle]
                removed += 1
                if records is not None:
                    records.append(Record(len(records), now, "sqs.deleted", arn, entry.message_id, NO_DETAIL))
                else:
                    record(now, "sqs.deleted", arn, entry.message_id, None)
                successful.append({"Id": entry_id} if wire else entry_id)
                continue
            try:
                delete(handle, now)
                successful.append({"Id": entry_id} if wire else entry_id)
            except SqsServiceError as error:
                failed.append(BatchFailure(entry_id, error.query_code, error.message, error.sender_fault))
        self._n_inflight -= removed
        self._n_deleted += removed
        self._after_removals()
        return successful, failed

    def change_visibility(self, receipt_handle: str, visibility_timeout: int) -> None:
        """Change a received message's visibility timeout (ChangeMessageVisibility).

        The new timeout counts from now; 0 makes the message visible at once. The total time a
        message stays invisible after a receive may not pass 12 hours ("Total VisibilityTimeout for
        the message is beyond the limit [43200 seconds]").

        AWS models a ``MessageNotInflight`` error here but has not been seen returning it: on a
        message whose visibility timeout already ran out (handle not yet replaced) AWS answers
        200 and changes nothing (AWS-validated: https://github.com/localstack/localstack/pull/9632);
        with a handle replaced by a later receive, or for a message that is gone, it answers
        InvalidParameterValue "Message does not exist or is not available for visibility timeout
        change". This queue does the same.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
        """
        self._check_open()
        if isinstance(visibility_timeout, bool) or not isinstance(visibility_timeout, int) or visibility_timeout < 0:
            raise InvalidParameterValueError(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
            )
        entry = self._handles.get(receipt_handle)
        not_available = InvalidParameterValueError(
            f"Value {receipt_handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
            "available for visibility timeout change."
        )
        if entry is None:
            self._unknown_handle(receipt_handle)
            raise not_available
        if entry.handle != receipt_handle:
            if entry.state == INFLIGHT:
                raise not_available
            return
        if entry.state != INFLIGHT:
            return
        now = self._sim.time
        if now - entry.received_at + visibility_timeout > MAX_VISIBILITY_TIMEOUT:
            raise InvalidParameterValueError(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout "
                f"for the message is beyond the limit [{MAX_VISIBILITY_TIMEOUT} seconds]."
            )
        if visibility_timeout:
            self._append(now, "sqs.visibility_changed", self.arn, entry.message_id, {"timeout": visibility_timeout})
        self._restart_visibility(entry, visibility_timeout, now)

    def change_visibility_batch(self, entries: Iterable[tuple[str, int]] | Mapping[str, tuple[str, int]]) -> BatchResult:
        """Change the visibility of up to 10 messages (ChangeMessageVisibilityBatch).

        ``entries`` is a list of ``(receipt_handle, timeout)`` pairs (ids are positions) or a
        mapping of entry id to such a pair.
        """
        self._check_open()
        pairs = list(entries.items()) if isinstance(entries, Mapping) else [(str(i), e) for i, e in enumerate(entries)]
        check_batch_ids((i for i, _ in pairs), "ChangeMessageVisibilityBatchRequestEntry")
        successful: list[str] = []
        failed: list[BatchFailure] = []
        for entry_id, (handle, timeout) in pairs:
            try:
                self.change_visibility(handle, timeout)
                successful.append(entry_id)
            except SqsServiceError as error:
                failed.append(BatchFailure(entry_id, error.query_code, error.message, error.sender_fault))
        return BatchResult(successful, failed)

    # --------------------------------------------------------------- purge
    def purge(self) -> None:
        """Delete every message in the queue (PurgeQueue); at most once every 60 seconds.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
        """
        self._check_open()
        now = self._sim.time
        if now - self._last_purge < PURGE_INTERVAL:
            raise PurgeQueueInProgressError(f"Only one PurgeQueue operation on {self.name} is allowed every 60 seconds.")
        self._last_purge = now
        live = self._stored.live()
        self._append(now, "sqs.queue_purged", self.arn, "", {"messages": len(live)})
        for entry in live:
            self._remove(entry)
            self._n_purged += 1
            self._append(now, "sqs.purged", self.arn, entry.message_id, None)
        self._clear_storage()

    # -------------------------------------------------------------- delivery
    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        """Take a message another service delivers (an SNS subscription, an EventBridge target, a
        dead-letter configuration): the delivery contract of ``_delivery.Endpoint``.

        The message is sent as SendMessage would send it; ``on_done`` gets the :class:`SendResult`,
        or the AWS error (not retryable: a missing queue or a refused message cannot succeed later).
        """
        trace = message.system_attributes.get("AWSTraceHeader") if message.system_attributes else None
        try:
            result = self.send(
                message.body,
                attributes=dict(message.attributes) if message.attributes else None,
                group_id=message.group_id,
                deduplication_id=message.deduplication_id,
                trace_header=trace,
            )
        except SqsServiceError as error:
            error.retryable = False
            on_done(Outcome(False, None, error))
            return
        on_done(Outcome(True, result))

    # ------------------------------------------------------------ attributes
    def get_attributes(self, names: Iterable[str] = ("All",)) -> dict[str, str]:
        """Queue attributes by AWS name, as GetQueueAttributes returns them (all values strings).

        ``All`` returns every attribute that has a value; attributes that are not set (a
        RedrivePolicy on a queue without one) are left out.

        Raises:
            InvalidAttributeNameError: a name SQS does not know.

        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
        """
        self._check_open()
        wanted = list(names)
        for name in wanted:
            if name != "All" and name not in _QUEUE_ATTRIBUTE_NAMES:
                raise InvalidAttributeNameError(f"Unknown Attribute {name}.")
        if not wanted:
            return {}
        every = self._all_attributes()
        if "All" in wanted:
            return every
        return {name: every[name] for name in wanted if name in every}

    def _all_attributes(self) -> dict[str, str]:
        sim = self._sim
        settings = self._settings
        out = {
            "QueueArn": self.arn,
            "ApproximateNumberOfMessages": str(self._n_visible),
            "ApproximateNumberOfMessagesNotVisible": str(self._n_inflight),
            "ApproximateNumberOfMessagesDelayed": str(self._n_delayed),
            "CreatedTimestamp": str(int(sim.epoch(self.created_at))),
            "LastModifiedTimestamp": str(int(sim.epoch(self.last_modified_at))),
            "VisibilityTimeout": str(self._visibility_timeout),
            "MaximumMessageSize": str(self._maximum_message_size),
            "MessageRetentionPeriod": str(self._retention_period),
            "DelaySeconds": str(self._delay_seconds),
            "ReceiveMessageWaitTimeSeconds": str(settings["ReceiveMessageWaitTimeSeconds"]),
            "SqsManagedSseEnabled": "true" if settings["SqsManagedSseEnabled"] else "false",
        }
        if settings["Policy"]:
            out["Policy"] = settings["Policy"]
        if self._redrive is not None:
            out["RedrivePolicy"] = self._redrive.to_json()
        if settings["RedriveAllowPolicy"] is not None:
            out["RedriveAllowPolicy"] = settings["RedriveAllowPolicy"].to_json()
        if settings["KmsMasterKeyId"]:
            out["KmsMasterKeyId"] = settings["KmsMasterKeyId"]
            out["KmsDataKeyReusePeriodSeconds"] = str(settings["KmsDataKeyReusePeriodSeconds"])
        if self.fifo:
            out["FifoQueue"] = "true"
            out["ContentBasedDeduplication"] = "true" if self._content_dedup else "false"
            out["DeduplicationScope"] = settings["DeduplicationScope"]
            out["FifoThroughputLimit"] = settings["FifoThroughputLimit"]
        return out

    def set_attributes(self, attributes: Mapping[str, Any] | None = None, **settings: Any) -> None:
        """Change queue attributes (SetQueueAttributes), by AWS name in ``attributes`` or with the
        keyword names of :meth:`SqsService.create_queue` (``visibility_timeout=60``, ...)."""
        merged = dict(attributes or {})
        merged.update(self._service._to_aws_attributes(**settings))
        self._service.set_queue_attributes(self, merged)

    @property
    def tags(self) -> dict[str, str]:
        """The queue's cost-allocation tags (a copy)."""
        return dict(self._tags)

    def tag(self, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags (TagQueue); a queue holds at most 50.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
        """
        self._check_open()
        merged = {**self._tags, **tags}
        if len(merged) > 50:
            raise InvalidParameterValueError(f"Too many tags added for queue {self.name}.")  # (unverified wording)
        self._tags = merged
        self._append(self._sim.time, "sqs.tagged", self.arn, "", {"keys": sorted(tags)})

    def untag(self, keys: Iterable[str]) -> None:
        """Remove tags by key (UntagQueue); unknown keys are ignored."""
        self._check_open()
        removed = [k for k in keys if self._tags.pop(k, None) is not None]
        self._append(self._sim.time, "sqs.untagged", self.arn, "", {"keys": sorted(removed)})

    # ------------------------------------------------------------ permissions
    def add_permission(self, label: str, account_ids: Sequence[str], actions: Sequence[str]) -> None:
        """Add a statement to the queue's policy (AddPermission), as AWS writes it.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
        """
        self._check_open()
        if not account_ids:
            raise MissingParameterError("The request must contain the parameter AWSAccountIds.")
        if not actions:
            raise MissingParameterError("The request must contain the parameter Actions.")
        if len(actions) > 7:
            raise OverLimitError(f"{len(actions)} Actions were found, maximum allowed is 7.")
        from ._sqs_service import OPERATIONS

        for action in actions:
            if action != "*" and action not in OPERATIONS:
                raise InvalidParameterValueError(
                    f"Value SQS:{action} for parameter ActionName is invalid. Reason: Please refer to the appropriate "
                    "WSDL for a list of valid actions. "
                )
        policy: dict[str, Any] = json.loads(self._settings["Policy"]) if self._settings["Policy"] else {
            "Version": "2008-10-17",
            "Id": f"{self.arn}/SQSDefaultPolicy",
            "Statement": [],
        }
        statements: list[dict[str, Any]] = policy.setdefault("Statement", [])
        if any(s.get("Sid") == label for s in statements):
            raise InvalidParameterValueError(f"Value {label} for parameter Label is invalid. Reason: Already exists.")
        principals = [f"arn:aws:iam::{account}:root" for account in account_ids]
        sqs_actions = [f"SQS:{action}" for action in actions]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
                "Resource": self.arn,
            }
        )
        self._settings["Policy"] = json.dumps(policy, separators=(",", ":"))
        self._append(self._sim.time, "sqs.permission_added", self.arn, "", {"label": label})

    def remove_permission(self, label: str) -> None:
        """Remove the policy statement added under ``label`` (RemovePermission)."""
        self._check_open()
        policy = json.loads(self._settings["Policy"]) if self._settings["Policy"] else {"Statement": []}
        statements = policy.get("Statement", [])
        if not any(s.get("Sid") == label for s in statements):
            raise InvalidParameterValueError(f"Value {label} for parameter Label is invalid. Reason: can't find label.")
        policy["Statement"] = [s for s in statements if s.get("Sid") != label]
        self._settings["Policy"] = json.dumps(policy, separators=(",", ":")) if policy["Statement"] else None
        self._append(self._sim.time, "sqs.permission_removed", self.arn, "", {"label": label})
