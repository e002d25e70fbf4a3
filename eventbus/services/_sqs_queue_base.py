"""The state of an SQS queue and the transitions every operation shares (internal).

:class:`QueueBase` holds a queue's settings, its messages (see ``_sqs_storage``), its timers and
counters, and the moves of a message between states: stored, made visible, expired, removed,
dead-lettered. The operations are added by ``_sqs_send`` (SendMessage), ``_sqs_receive``
(ReceiveMessage) and ``_sqs_queue`` (everything else), which together make :class:`Queue`.
"""

from __future__ import annotations

import binascii
import hashlib
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._simulation import Future, uuid_text
from ._sqs_errors import (
    QueueDoesNotExistError,
    ReceiptHandleIsInvalidError,
)
from ._sqs_model import (
    QueueStatistics,
    SqsFaults,
)
from ._sqs_storage import DELAYED, GONE, INFLIGHT, VISIBLE, Alarm, DeadlineQueue, Entry, Group, RetentionQueue
from ._sqs_validation import (
    MAX_MESSAGE_SIZE,
    RedriveAllowPolicy,
    RedrivePolicy,
)

if TYPE_CHECKING:
    from .._faults import FaultInjector
    from ._sqs_service import SqsService

__all__ = ("QueueBase",)

_md5 = hashlib.md5
_sha256 = hashlib.sha256
_b64 = binascii.b2a_base64
_dashed = "-".join
_SYSTEM_NAMES = frozenset(
    {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "AWSTraceHeader",
        "MessageGroupId",
        "MessageDeduplicationId",
        "SequenceNumber",
        "DeadLetterQueueSourceArn",
    }
)
_QUEUE_ATTRIBUTE_NAMES = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
        "ContentBasedDeduplication",
        "CreatedTimestamp",
        "DeduplicationScope",
        "DelaySeconds",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
        "LastModifiedTimestamp",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "Policy",
        "QueueArn",
        "ReceiveMessageWaitTimeSeconds",
        "RedriveAllowPolicy",
        "RedrivePolicy",
        "SqsManagedSseEnabled",
        "VisibilityTimeout",
    }
)
_HANDLE_PREFIX = "AQEB"
_HANDLE_LENGTH = 4 + 8 + 32
_MAX_REORDERS = 10

_DEFAULTS: dict[str, Any] = {
    "VisibilityTimeout": 30,
    "DelaySeconds": 0,
    "MessageRetentionPeriod": 345_600,
    "MaximumMessageSize": MAX_MESSAGE_SIZE,
    "ReceiveMessageWaitTimeSeconds": 0,
    "RedrivePolicy": None,
    "RedriveAllowPolicy": None,
    "Policy": None,
    "KmsMasterKeyId": None,
    "KmsDataKeyReusePeriodSeconds": 300,
    "SqsManagedSseEnabled": True,
    "ContentBasedDeduplication": False,
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}


class QueueBase:
    """What every part of a queue shares: settings, storage, timers, counters, transitions."""

    def __init__(self, service: SqsService, name: str, fifo: bool, faults: SqsFaults | None) -> None:
        sim = service.sim
        self._service = service
        self._sim = sim
        self._rng = sim.rng
        self._journal = sim.journal
        self._append = sim.journal.append
        self._clock = sim.clock
        self.name = name
        self.fifo = fifo
        self.arn = sim.arn("sqs", name)
        self.url = f"https://sqs.{sim.region}.amazonaws.com/{sim.account_id}/{name}"
        self._tag = _b64(self._rng.getrandbits(48).to_bytes(6, "big"), newline=False).decode()
        self._handle_prefix = _HANDLE_PREFIX + self._tag
        self._handle_count = self._rng.getrandbits(64) << 32
        self._faults = None if fifo or faults is None or not faults.any else faults
        # Message ids already decided for duplication (faults only): a message is duplicated at most
        # once, and never a copy, so duplicates are independent draws per message.
        self._duplication_decided: set[str] | None = None
        self._settings: dict[str, Any] = dict(_DEFAULTS)
        if fifo:
            self._settings["FifoQueue"] = True
        self.created_at = sim.time
        self.last_modified_at = sim.time
        self._tags: dict[str, str] = {}
        self.deleted = False
        # hot settings
        self._visibility_timeout = 30
        self._delay_seconds = 0
        self._retention_period = 345_600
        self._maximum_message_size = MAX_MESSAGE_SIZE
        self._redrive: RedrivePolicy | None = None
        self._content_dedup = False
        self._dedup_by_group = False
        # storage
        self._visible: deque[Entry] = deque()
        self._groups: dict[str, Group] = {}
        self._ready: deque[Group] = deque()
        self._inflight_deadlines = DeadlineQueue()
        self._delays = DeadlineQueue()
        self._stored = RetentionQueue()
        self._handles: dict[str, Entry] = {}
        self._waiters: deque[Future[None]] = deque()
        self._visibility_alarm = Alarm(sim, self._on_visibility_due)
        self._delay_alarm = Alarm(sim, self._on_delay_due)
        self._retention_alarm = Alarm(sim, self._on_retention_due)
        # FIFO
        self._dedup: dict[Any, tuple[float, str, str | None]] = {}
        self._dedup_expiry: deque[tuple[float, Any]] = deque()
        self._attempts: dict[str, tuple[float, list[tuple[Entry, str, int]]]] = {}
        self._sequence = 10_000_000_000_000_000_000 + self._rng.getrandbits(40)
        # counts
        self._n_visible = 0
        self._n_inflight = 0
        self._n_delayed = 0
        self._n_sent = 0
        self._n_received = 0
        self._n_deleted = 0
        self._n_dead_lettered = 0
        self._n_expired = 0
        self._n_purged = 0
        self._n_duplicates_suppressed = 0
        self._n_moved_out = 0
        self._n_arrived = 0
        self._last_purge = float("-inf")
        self._taking = False

    def __repr__(self) -> str:
        kind = "FIFO" if self.fifo else "standard"
        state = ", deleted" if self.deleted else ""
        return f"eventbus.services.sqs.Queue({self.name!r}, {kind}, visible={self._n_visible}, in_flight={self._n_inflight}{state})"

    # ------------------------------------------------------------ settings
    @property
    def visibility_timeout(self) -> int:
        """The queue's default visibility timeout in seconds (``VisibilityTimeout``)."""
        return self._visibility_timeout

    @property
    def delay_seconds(self) -> int:
        """The queue's default delay in seconds (``DelaySeconds``)."""
        return self._delay_seconds

    @property
    def retention_period(self) -> int:
        """How long a message is kept, in seconds (``MessageRetentionPeriod``)."""
        return self._retention_period

    @property
    def maximum_message_size(self) -> int:
        """``MaximumMessageSize`` in bytes (body and attributes together)."""
        return self._maximum_message_size

    @property
    def receive_wait_time(self) -> int:
        """The default long-poll wait of ReceiveMessage (``ReceiveMessageWaitTimeSeconds``)."""
        return int(self._settings["ReceiveMessageWaitTimeSeconds"])

    @property
    def redrive_policy(self) -> RedrivePolicy | None:
        """Where messages go after too many receives, or None."""
        return self._redrive

    @property
    def redrive_allow_policy(self) -> RedriveAllowPolicy | None:
        """Which queues may use this one as their dead-letter queue (None: any queue)."""
        policy: RedriveAllowPolicy | None = self._settings["RedriveAllowPolicy"]
        return policy

    @property
    def content_based_deduplication(self) -> bool:
        return self._content_dedup

    @property
    def faults(self) -> SqsFaults | None:
        """The faults this queue commits (None for FIFO queues and fault-free ones)."""
        return self._faults

    def setting(self, name: str) -> Any:
        """The typed value of the queue attribute ``name`` (``VisibilityTimeout`` -> 30)."""
        return self._settings.get(name)

    def _apply(self, parsed: Mapping[str, Any]) -> None:
        settings = self._settings
        old_delay = self._delay_seconds
        old_retention = self._retention_period
        for name, value in parsed.items():
            if name in ("Policy", "KmsMasterKeyId") and value == "":
                value = None
            settings[name] = value
        if "KmsMasterKeyId" in parsed and parsed["KmsMasterKeyId"] and "SqsManagedSseEnabled" not in parsed:
            settings["SqsManagedSseEnabled"] = False
        if parsed.get("SqsManagedSseEnabled"):
            settings["KmsMasterKeyId"] = None
        self._visibility_timeout = settings["VisibilityTimeout"]
        self._delay_seconds = settings["DelaySeconds"]
        self._retention_period = settings["MessageRetentionPeriod"]
        self._maximum_message_size = settings["MaximumMessageSize"]
        self._redrive = settings["RedrivePolicy"]
        self._content_dedup = bool(settings["ContentBasedDeduplication"])
        self._dedup_by_group = settings["DeduplicationScope"] == "messageGroup"
        if self._retention_period != old_retention:
            self._arm_retention(exact=True)
        if self.fifo and self._delay_seconds != old_delay and len(self._delays):
            # FIFO queues apply a changed delay to the messages already waiting (AWS: "the per-queue
            # delay setting is retroactive" for FIFO queues, not for standard ones).
            # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
            waiting = [item[2] for item in self._delays.items() if item[2].state == DELAYED]
            self._delays.clear()
            for entry in waiting:
                self._delays.push(entry.enqueued_at + self._delay_seconds, entry)
            self._delay_alarm.rearm(self._delays.earliest())
        self.last_modified_at = self._sim.time

    # ------------------------------------------------------------- helpers
    def _new_message_id(self) -> str:
        return uuid_text(self._rng.getrandbits(128))

    def _new_handle(self) -> str:
        # Receipt handles are opaque to receivers; a counter makes each unique at a tenth of the
        # cost of random text. The queue's tag tells handles of other queues apart.
        self._handle_count += 1
        return self._handle_prefix + self._handle_count.to_bytes(16, "big").hex()  # f"{count:032x}", faster

    def _check_open(self) -> None:
        if self.deleted:
            raise QueueDoesNotExistError("The specified queue does not exist.")

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _arm_retention(self, exact: bool = False) -> None:
        oldest = self._stored.oldest()
        when = None if oldest is None else oldest + self._retention_period
        if exact:
            self._retention_alarm.rearm(when)
        elif when is not None:
            self._retention_alarm.arm(when)

    def _store(self, entry: Entry, delay: float, now: float) -> None:
        """Put a new entry in the queue: delayed, or visible at once."""
        self._stored.push(entry)
        timer = self._retention_alarm.timer
        expires = entry.enqueued_at + self._retention_period
        if timer is None or expires < timer.when:
            self._retention_alarm.arm(expires)
        if self.fifo:
            group_id: str = entry.group_id  # type: ignore[assignment]
            group = self._groups.get(group_id)
            if group is None:
                group = self._groups[group_id] = Group(group_id)
            group.messages.append(entry)
        if delay > 0:
            entry.state = DELAYED
            self._n_delayed += 1
            due = now + delay
            self._delays.push(due, entry)
            self._delay_alarm.arm(due)
            self._append(now, "sqs.delayed", self.arn, entry.message_id, {"until": due})
            return
        self._n_visible += 1
        if self.fifo:
            self._group_may_be_ready(entry.group_id)  # type: ignore[arg-type]
        else:
            self._visible.append(entry)
        if self._waiters:
            self._wake()

    def _group_may_be_ready(self, group_id: str) -> None:
        if self._taking:
            return
        group = self._groups.get(group_id)
        if group is not None and not group.queued and group.ready():
            group.queued = True
            self._ready.append(group)
            if self._waiters:  # a delete or an expiry may unblock a group a long poll waits on
                self._wake()
        elif group is not None and not group.messages and not group.inflight:
            del self._groups[group_id]

    def _restart_visibility(self, entry: Entry, visibility: int, now: float) -> None:
        entry.vis_token += 1
        if visibility == 0:
            self._make_visible(entry, now, "sqs.visibility_changed", {"timeout": 0})
            return
        deadline = now + visibility
        entry.deadline = deadline
        self._inflight_deadlines.push(deadline, entry, entry.vis_token)
        self._visibility_alarm.arm(deadline)

    def _make_visible(self, entry: Entry, now: float, kind: str, detail: dict[str, Any] | None) -> None:
        """An in-flight message becomes visible again (its timeout ended or was set to 0)."""
        entry.state = VISIBLE
        self._n_inflight -= 1
        self._n_visible += 1
        self._append(now, kind, self.arn, entry.message_id, detail)
        if self.fifo:
            group = self._groups[entry.group_id]  # type: ignore[index]
            group.inflight -= 1
            if not group.inflight:
                self._group_may_be_ready(entry.group_id)  # type: ignore[arg-type]
        else:
            self._visible.appendleft(entry)
        if self._waiters:
            self._wake()

    # ------------------------------------------------------------- timers
    def _on_visibility_due(self) -> None:
        now = self._sim.time
        for _, _, entry, token in self._inflight_deadlines.pop_due(now):
            if entry.state == INFLIGHT and entry.vis_token == token:
                self._make_visible(entry, now, "sqs.visibility_expired", None)
        nxt = self._inflight_deadlines.earliest()
        if nxt is not None:
            self._visibility_alarm.arm(nxt)

    def _on_delay_due(self) -> None:
        now = self._sim.time
        for _, _, entry, _ in self._delays.pop_due(now):
            if entry.state != DELAYED:
                continue
            entry.state = VISIBLE
            self._n_delayed -= 1
            self._n_visible += 1
            self._append(now, "sqs.visible", self.arn, entry.message_id, None)
            if self.fifo:
                self._group_may_be_ready(entry.group_id)  # type: ignore[arg-type]
            else:
                self._visible.append(entry)
            if self._waiters:
                self._wake()
        nxt = self._delays.earliest()
        if nxt is not None:
            self._delay_alarm.arm(nxt)

    def _on_retention_due(self) -> None:
        """Messages older than MessageRetentionPeriod are deleted, whatever their state.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-queue-parameters.html
        """
        now = self._sim.time
        for entry in self._stored.pop_expired(now, self._retention_period):
            self._remove(entry)
            self._n_expired += 1
            self._append(now, "sqs.retention_expired", self.arn, entry.message_id, None)
        self._arm_retention()

    # -------------------------------------------------------------- removal
    def _remove(self, entry: Entry) -> None:
        """Take a message out of the queue, whatever its state (lazy: structures skip it later)."""
        state = entry.state
        if state == GONE:
            return
        entry.state = GONE
        if state == VISIBLE:
            self._n_visible -= 1
        elif state == INFLIGHT:
            self._n_inflight -= 1
        else:
            self._n_delayed -= 1
        handles = self._handles
        if entry.handle is not None:
            handles.pop(entry.handle, None)
            if entry.old_handles is not None:
                for old in entry.old_handles:
                    handles.pop(old, None)
                entry.old_handles = None
        if self.fifo:
            group = self._groups.get(entry.group_id)  # type: ignore[arg-type]
            if group is not None:
                if state == INFLIGHT:
                    group.inflight -= 1
                if not group.inflight:
                    self._group_may_be_ready(entry.group_id)  # type: ignore[arg-type]

    def _after_removals(self) -> None:
        """Drop departed messages at the front of the time-ordered structures (keeps memory flat)."""
        self._stored.trim()
        deadlines = self._inflight_deadlines
        if deadlines.trim_inflight() > 2 * self._n_inflight + 1024:
            deadlines.compact(_live_deadline)

    def _dead_letter(self, entry: Entry, policy: RedrivePolicy) -> bool:
        """Move ``entry`` to the dead-letter queue (on the receive after maxReceiveCount).
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
        """
        target = self._service.queue_by_arn(policy.dead_letter_target_arn)
        if target is None:
            return False
        now = self._sim.time
        self._remove(entry)
        self._n_dead_lettered += 1
        self._append(
            now,
            "sqs.dead_lettered",
            self.arn,
            entry.message_id,
            {"dlq": target.arn, "count": entry.receive_count},
        )
        # Standard queues keep the original enqueue timestamp (so retention counts from the first
        # send); FIFO queues reset it when the message moves.
        target._arrive(entry, dlq_source=self.arn, enqueued_at=entry.enqueued_at if not self.fifo else now, reset=False)
        return True

    def _arrive(self, source: Entry, *, dlq_source: str | None, enqueued_at: float, reset: bool) -> Entry:
        """A message dead-lettered into (or moved to) this queue from another."""
        now = self._sim.time
        sequence_number = None
        if self.fifo:
            self._sequence += 65_536
            sequence_number = str(self._sequence)
        entry = Entry(
            source.message_id,
            source.body,
            source.md5,
            source.size,
            source.sent_at,
            enqueued_at,
            source.attributes,
            source.md5_attrs,
            source.trace_header,
            source.group_id if (self.fifo or source.group_id is not None) else None,
            source.dedup_id if self.fifo else None,
            sequence_number,
            dlq_source,
        )
        if self.fifo and entry.group_id is None:
            entry.group_id = entry.message_id
        if not reset:
            entry.receive_count = source.receive_count
            entry.first_receive_at = source.first_receive_at
        self._n_arrived += 1
        self._store(entry, 0, now)
        return entry

    def _duplicate(self, entries: list[Entry], now: float, faults: SqsFaults | None, plan: FaultInjector | None) -> None:
        """At a message's first receive, maybe leave a second copy visible (at-least-once delivery).

        Each message is decided once, at its first receive here: its copy, and its later receives,
        are never duplicated again, so duplicates are independent per message (not copies of copies
        in the same receive rounds). Legacy :class:`SqsFaults` draw first (journaled ``sqs.fault``),
        then the simulation's fault plan (``fault.injected``).
        """
        decided = self._duplication_decided
        if decided is None:
            decided = self._duplication_decided = set()
        rate = faults.duplicate_rate if faults is not None else 0.0
        rng = self._rng
        for entry in entries:
            message_id = entry.message_id
            if message_id in decided:
                continue
            decided.add(message_id)
            if rate and rng.random() < rate:
                self._add_copy(entry, now, "duplicate")
            elif plan is not None and plan._draw("duplicate_delivery", (self.arn,), self.arn, message_id, record=False) is not None:
                self._add_copy(entry, now, "duplicate_delivery", "fault.injected")

    def _skip_for_reorder(self, entry: Entry, faults: SqsFaults | None, plan: FaultInjector | None) -> bool:
        """Whether a receive passes ``entry`` over this time (best-effort ordering), journaled."""
        if faults is not None and faults.reorder_rate and self._rng.random() < faults.reorder_rate:
            self._append(self._sim.time, "sqs.fault", self.arn, entry.message_id, {"fault": "reorder"})
            return True
        return plan is not None and plan._draw("reorder", (self.arn,), self.arn, entry.message_id) is not None

    def _add_copy(self, entry: Entry, now: float, fault: str, kind: str = "sqs.fault") -> None:
        """A second copy of a message (a standard queue's at-least-once delivery), journaled as
        ``kind`` (``sqs.fault`` for :class:`SqsFaults`, ``fault.injected`` for the fault plan)."""
        copy = Entry(
            entry.message_id,
            entry.body,
            entry.md5,
            entry.size,
            entry.sent_at,
            entry.enqueued_at,
            entry.attributes,
            entry.md5_attrs,
            entry.trace_header,
            entry.group_id,
        )
        copy.receive_count = entry.receive_count
        copy.first_receive_at = entry.first_receive_at
        self._append(now, kind, self.arn, entry.message_id, {"fault": fault})
        self._stored.push(copy)
        self._n_visible += 1
        self._visible.append(copy)
        if self._waiters:
            self._wake()

    def _redeliver(self, entry: Entry, fault: str = "redelivered", kind: str = "sqs.fault") -> None:
        if not self.deleted and entry.enqueued_at + self._retention_period > self._sim.time:
            self._add_copy(entry, self._sim.time, fault, kind)

    # -------------------------------------------------------------- handles
    def _unknown_handle(self, handle: object) -> bool:
        """Classify a receipt handle this queue does not hold: True when it was issued here (its
        message is gone); raise ReceiptHandleIsInvalid when it is not one of ours."""
        if isinstance(handle, str) and len(handle) == _HANDLE_LENGTH and handle.startswith(_HANDLE_PREFIX):
            if handle[4:12] == self._tag:
                return True
            raise ReceiptHandleIsInvalidError(f'The receipt handle "{handle}" is not valid for this queue.')
        raise ReceiptHandleIsInvalidError(f'The input receipt handle "{handle}" is not a valid receipt handle.')

    def _clear_storage(self) -> None:
        self._visible.clear()
        self._groups.clear()
        self._ready.clear()
        self._inflight_deadlines.clear()
        self._delays.clear()
        self._stored.clear()
        self._handles.clear()
        self._attempts.clear()
        self._n_visible = self._n_inflight = self._n_delayed = 0
        self._visibility_alarm.cancel()
        self._delay_alarm.cancel()
        self._retention_alarm.cancel()

    def _close(self) -> int:
        """The queue was deleted: drop its messages, stop its timers, release waiting receivers."""
        count = self._n_visible + self._n_inflight + self._n_delayed
        self.deleted = True
        self._clear_storage()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        return count

    # ----------------------------------------------------------- statistics
    def statistics(self) -> QueueStatistics:
        """A snapshot of where the messages are and what happened to them so far."""
        return QueueStatistics(
            visible=self._n_visible,
            in_flight=self._n_inflight,
            delayed=self._n_delayed,
            sent=self._n_sent,
            received=self._n_received,
            deleted=self._n_deleted,
            dead_lettered=self._n_dead_lettered,
            expired=self._n_expired,
            purged=self._n_purged,
            duplicates_suppressed=self._n_duplicates_suppressed,
            moved_out=self._n_moved_out,
            arrived=self._n_arrived,
        )

    # ------------------------------------------------------------- moving
    def _take_for_move(self, limit: int) -> list[Entry]:
        """Up to ``limit`` visible messages for a move task, removed from this queue."""
        taken: list[Entry] = []
        if self.fifo:
            for group in list(self._groups.values()):
                for entry in group.messages:
                    if len(taken) >= limit:
                        break
                    if entry.state == VISIBLE:
                        taken.append(entry)
        else:
            visible = self._visible
            while visible and len(taken) < limit:
                entry = visible.popleft()
                if entry.state == VISIBLE:
                    taken.append(entry)
        for entry in taken:
            self._remove(entry)
            self._n_moved_out += 1
        self._after_removals()
        return taken


def _live_deadline(item: tuple[float, int, Entry, int]) -> bool:
    entry = item[2]
    return entry.state == INFLIGHT and entry.vis_token == item[3]
