"""ReceiveMessage: short and long polls, FIFO group order, redrive, attribute selection (internal).

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._journal import Record
from .._simulation import Future
from ._sqs_md5 import md5_of_attributes
from ._sqs_model import (
    Message,
    MessageAttribute,
)
from ._sqs_queue_base import _MAX_REORDERS, _SYSTEM_NAMES, QueueBase
from ._sqs_storage import GONE, INFLIGHT, VISIBLE, Entry, Group
from ._sqs_validation import (
    DEDUPLICATION_WINDOW,
    MAX_VISIBILITY_TIMEOUT,
    check_fifo_id,
    check_range,
)

__all__ = ("ALL_ATTRIBUTES", "AttributeSelection", "Receiving")


class AttributeSelection:
    """Which system and message attributes a receive returns (``All``, names, ``.*`` and ``prefix.*``)."""

    __slots__ = ("all_messages", "all_system", "message_names", "message_prefixes", "system_names")

    def __init__(self, system: Iterable[str] | None, message: Iterable[str] | None) -> None:
        system_names = set(system or ())
        self.all_system = "All" in system_names
        self.system_names = frozenset(system_names & _SYSTEM_NAMES)
        names = set(message or ())
        self.all_messages = "All" in names or ".*" in names
        self.message_prefixes = tuple(n[:-2] for n in names if n.endswith(".*") and n != ".*")
        self.message_names = frozenset(n for n in names if not n.endswith(".*"))

    def wants(self, name: str) -> bool:
        return self.all_system or name in self.system_names

    def select(self, attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if self.all_messages:
            return attributes
        names, prefixes = self.message_names, self.message_prefixes
        return {k: v for k, v in attributes.items() if k in names or (prefixes and k.startswith(prefixes))}


ALL_ATTRIBUTES = AttributeSelection(("All",), ("All",))


class Receiving(QueueBase):
    """The receive operations of a queue."""

    # ------------------------------------------------------------- receive
    def _check_receive(self, max_messages: object, wait_time_seconds: object, visibility_timeout: object) -> tuple[int, int, int]:
        n = check_range("MaxNumberOfMessages", max_messages, 1, 10)
        wait = self.receive_wait_time if wait_time_seconds is None else check_range(
            "WaitTimeSeconds", wait_time_seconds, 0, 20, "Must be >= 0 and <= 20, if provided."
        )
        visibility = self._visibility_timeout if visibility_timeout is None else check_range(
            "VisibilityTimeout", visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT
        )
        return n, wait, visibility

    def receive(
        self,
        max_messages: int = 1,
        *,
        wait_time_seconds: int | None = None,
        visibility_timeout: int | None = None,
        attribute_names: Iterable[str] = ("All",),
        message_attribute_names: Iterable[str] = ("All",),
        receive_request_attempt_id: str | None = None,
    ) -> list[Message]:
        """Receive up to ``max_messages`` (1-10) messages (ReceiveMessage).

        Each returned message is in flight for ``visibility_timeout`` seconds (default: the
        queue's) and carries a new receipt handle. With a wait time (``wait_time_seconds``, or the
        queue's ``ReceiveMessageWaitTimeSeconds``) this is a long poll: when nothing is available
        it runs the simulation (jumping virtual time) until a message becomes available or the wait
        ends, and returns as soon as there is one. Called from inside the running simulation (a
        handler or a timer), where time cannot be advanced, a long poll is answered as a short poll
        and journaled as ``sqs.long_poll_shortened``; use :meth:`receive_async` in a simulation
        task to wait there.

        Unlike AWS (which returns no attributes unless asked), the native API returns all system
        and message attributes by default; pass ``attribute_names=()`` for none.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
        """
        self._check_open()
        n, wait, visibility = self._check_receive(max_messages, wait_time_seconds, visibility_timeout)
        system_names, message_names = tuple(attribute_names), tuple(message_attribute_names)
        selection = ALL_ATTRIBUTES if (system_names, message_names) == (("All",), ("All",)) else (
            AttributeSelection(system_names, message_names)
        )
        return self._receive_messages(n, wait, visibility, selection, receive_request_attempt_id)

    def _receive_messages(
        self,
        n: int,
        wait: int,
        visibility: int,
        selection: AttributeSelection,
        attempt_id: str | None,
        plain: bool = False,
    ) -> list[Any]:
        """The receive behind :meth:`receive`: Messages, or with ``plain`` (a ReceiveMessage naming
        no attributes; ``selection`` is then not read) the four members every message has, as the
        API's dicts: ``MessageId``, ``ReceiptHandle``, ``MD5OfBody``, ``Body``."""
        wire = plain and not self.fifo  # a standard queue writes them as it hands messages out
        received = self._receive_now(n, visibility, attempt_id, short_poll=wait == 0, wire=wire)
        if not received and wait > 0:
            sim = self._sim
            if sim.running:
                self._append(sim.time, "sqs.long_poll_shortened", self.arn, "", {"wait": wait})
                return []
            deadline = sim.time + wait
            while not received and not self.deleted and sim.time < deadline:
                sim.run_until(self._receivable, timeout=deadline - sim.time)
                received = self._receive_now(n, visibility, attempt_id, short_poll=False, wire=wire)
        if wire:
            return received
        return _plain_messages(received) if plain else self._messages(received, selection)

    async def receive_async(
        self,
        max_messages: int = 1,
        *,
        wait_time_seconds: int | None = None,
        visibility_timeout: int | None = None,
        attribute_names: Iterable[str] = ("All",),
        message_attribute_names: Iterable[str] = ("All",),
        receive_request_attempt_id: str | None = None,
    ) -> list[Message]:
        """:meth:`receive` for simulation tasks: a long poll waits on the simulation's clock.

        ``await queue.receive_async(wait_time_seconds=20)`` suspends the task until a message
        becomes available (returning at that instant) or 20 virtual seconds pass.
        """
        self._check_open()
        n, wait, visibility = self._check_receive(max_messages, wait_time_seconds, visibility_timeout)
        selection = AttributeSelection(attribute_names, message_attribute_names)
        sim = self._sim
        deadline = sim.time + wait
        while True:
            received = self._receive_now(n, visibility, receive_request_attempt_id, short_poll=wait == 0)
            if received or self.deleted or sim.time >= deadline:
                return self._messages(received, selection)
            waiter: Future[None] = Future()
            self._waiters.append(waiter)
            timer = sim.call_at(deadline, _time_out, waiter)
            await waiter
            timer.cancel()

    def when_receivable(self) -> Future[None]:
        """A future that completes as soon as a receive may find a message (at once when one may
        now), or when the queue is deleted.

        For pollers that run inside the simulation and wait without a deadline, as Lambda's event
        source mappings long-poll a queue continuously: an idle poller then holds no timer, so a
        simulation with nothing to do is idle. A waiter that gives up waiting should complete the
        future itself (``set_result(None)``), so that a later message wakes a poller still waiting.
        """
        waiter: Future[None] = Future()
        if self._receivable():
            waiter.set_result(None)
        else:
            self._waiters.append(waiter)
        return waiter

    def _receivable(self) -> bool:
        if self.deleted:
            return True
        if self.fifo:
            ready = self._ready
            while ready:
                if ready[0].ready():
                    return True
                ready.popleft().queued = False
            return False
        return self._n_visible > 0

    def _receive_now(self, n: int, visibility: int, attempt_id: str | None, short_poll: bool, wire: bool = False) -> list[Any]:
        """(entry, receipt handle) of each message received, or with ``wire`` (standard queues only)
        their ``_plain_messages`` dicts."""
        now = self._sim.time
        if self.fifo and attempt_id is not None:
            check_fifo_id(attempt_id, "ReceiveRequestAttemptId")
            retried = self._retry_attempt(attempt_id, visibility, now)
            if retried is not None:
                return retried
        faults = self._faults
        plan = None if self.fifo else self._sim._faults
        if faults is not None and short_poll and self._n_visible:
            rng = self._rng
            if faults.empty_receive_rate and rng.random() < faults.empty_receive_rate:
                self._append(now, "sqs.fault", self.arn, "", {"fault": "empty_receive"})
                return []
            if n > 1 and faults.partial_receive_rate and rng.random() < faults.partial_receive_rate:
                n = rng.randint(1, n - 1)
                self._append(now, "sqs.fault", self.arn, "", {"fault": "partial_receive", "max": n})
        if short_poll and plan is not None and self._n_visible and plan._draw("empty_receive", (self.arn,), self.arn, "") is not None:
            return []
        if self.fifo:
            visited: list[Group] = []
            entries = self._take_fifo(n, visited)
        else:
            entries = self._take_standard(n)
        if not entries:
            if self.fifo:
                self._requeue(visited)
            return []
        out = self._issue(entries, now, visibility, wire)
        if self.fifo:
            self._requeue(visited)
            if attempt_id is not None:
                self._attempts[attempt_id] = (now + DEDUPLICATION_WINDOW, [(e, h, e.vis_token) for e, h in out])
        elif visibility == 0:
            self._visible.extendleft(reversed(entries))
        elif (faults is not None and faults.duplicate_rate) or (plan is not None and plan._has("duplicate_delivery")):
            self._duplicate(entries, now, faults, plan)
        return out

    def _retry_attempt(self, attempt_id: str, visibility: int, now: float) -> list[tuple[Entry, str]] | None:
        """A FIFO receive retried with the same ReceiveRequestAttemptId within 5 minutes gets the
        same messages and receipt handles, and their visibility timeout starts again, as long as
        none of them was deleted or had its visibility changed since.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-receiverequestattemptid-request-parameter.html
        """
        attempt = self._attempts.get(attempt_id)
        if attempt is None:
            return None
        if attempt[0] <= now:
            del self._attempts[attempt_id]
            return None
        result = attempt[1]
        if not all(e.state == INFLIGHT and e.handle == h and e.vis_token == token for e, h, token in result):
            del self._attempts[attempt_id]
            return None
        out = []
        for entry, handle, _ in result:
            entry.received_at = now
            self._restart_visibility(entry, visibility, now)
            out.append((entry, handle))
        self._attempts[attempt_id] = (attempt[0], [(e, h, e.vis_token) for e, h in out])
        return out

    def _take_standard(self, n: int) -> list[Entry]:
        visible = self._visible
        out: list[Entry] = []
        policy = self._redrive
        max_count = policy.max_receive_count if policy is not None else 0
        faults = self._faults
        plan = self._sim._faults
        reorders = 0
        while visible and len(out) < n:
            entry = visible.popleft()
            if entry.state != VISIBLE:
                continue
            if (
                (faults is not None or plan is not None)
                and visible
                and reorders < _MAX_REORDERS
                and self._skip_for_reorder(entry, faults, plan)
            ):
                reorders += 1
                visible.append(entry)
                continue
            if max_count and entry.receive_count >= max_count and self._dead_letter(entry, policy):  # type: ignore[arg-type]
                continue
            out.append(entry)
        return out

    def _requeue(self, groups: list[Group]) -> None:
        self._taking = False
        for group in groups:
            self._group_may_be_ready(group.group_id)

    def _take_fifo(self, n: int, visited: list[Group]) -> list[Entry]:
        """Messages from the groups that are ready, as many as possible from each group in turn.

        While a group's messages are being taken, group bookkeeping waits (``_taking``) so that
        the group's deque is not changed under the loop; ``_requeue`` catches up afterwards.
        """
        ready = self._ready
        out: list[Entry] = []
        policy = self._redrive
        max_count = policy.max_receive_count if policy is not None else 0
        self._taking = True
        while ready and len(out) < n:
            group = ready.popleft()
            group.queued = False
            if not group.ready():
                continue
            visited.append(group)
            for entry in group.messages:
                state = entry.state
                if state == GONE:
                    continue
                if state != VISIBLE:
                    break
                if max_count and entry.receive_count >= max_count and self._dead_letter(entry, policy):  # type: ignore[arg-type]
                    continue
                out.append(entry)
                if len(out) >= n:
                    break
        return out

    def _issue(self, entries: list[Entry], now: float, visibility: int, wire: bool = False) -> list[Any]:
        """Hand messages to a receiver: each gets a new receipt handle, a receive count and (unless
        the timeout is 0) an in-flight deadline. Returns (entry, handle) pairs, or with ``wire``
        what ``_plain_messages`` makes of them."""
        handles = self._handles
        append = self._append
        records = self._journal._unobserved()
        seq = len(records) if records is not None else 0  # nothing else appends during the loop
        arn = self.arn
        # Receipt handles as _new_handle makes them, the counter kept in a local for the loop.
        # (``to_bytes(16).hex()`` is ``f"{number:032x}"``, the counter staying below 2**128, in half the time.)
        prefix = self._handle_prefix
        number = self._handle_count
        out = []
        deadline = now + visibility
        inflight = visibility > 0
        groups = self._groups if self.fifo else None
        for entry in entries:
            count = entry.receive_count = entry.receive_count + 1
            if entry.first_receive_at < 0:
                entry.first_receive_at = now
            previous = entry.handle
            if previous is not None:
                if entry.old_handles is None:
                    entry.old_handles = [previous]
                else:
                    entry.old_handles.append(previous)
            number += 1
            handle = prefix + number.to_bytes(16, "big").hex()
            entry.handle = handle
            handles[handle] = entry
            entry.received_at = now
            detail = _RECEIVED.get(count) or {"count": count}
            if records is not None:
                records.append(Record(seq, now, "sqs.received", arn, entry.message_id, detail))
                seq += 1
            else:
                append(now, "sqs.received", arn, entry.message_id, detail)
            if inflight:
                entry.state = INFLIGHT
                entry.vis_token += 1
                entry.deadline = deadline
                if groups is not None:
                    groups[entry.group_id].inflight += 1  # type: ignore[index]
            out.append(
                {"MessageId": entry.message_id, "ReceiptHandle": handle, "MD5OfBody": entry.md5, "Body": entry.body}
                if wire
                else (entry, handle)
            )
        self._handle_count = number
        n = len(entries)
        self._n_received += n
        if inflight:
            self._inflight_deadlines.push_all(deadline, entries)
            self._n_visible -= n
            self._n_inflight += n
            self._visibility_alarm.arm(deadline)
        return out

    def _messages(self, received: list[tuple[Entry, str]], selection: AttributeSelection) -> list[Message]:
        if not received:
            return []
        sim_millis = self._sim.epoch_millis
        millis: dict[float, str] = {}

        def epoch_millis(at: float) -> str:
            text = millis.get(at)
            if text is None:
                text = millis[at] = str(sim_millis(at))
            return text

        account = self._sim.account_id
        out = []
        wants = selection.wants
        everything = selection.all_system
        for entry, handle in received:
            attributes: dict[str, str]
            if everything:
                sent = millis.get(entry.sent_at) or epoch_millis(entry.sent_at)
                first = millis.get(entry.first_receive_at) or epoch_millis(entry.first_receive_at)
                attributes = {
                    "SenderId": account,
                    "SentTimestamp": sent,
                    "ApproximateReceiveCount": str(entry.receive_count),
                    "ApproximateFirstReceiveTimestamp": first,
                }
                if entry.trace_header is not None:
                    attributes["AWSTraceHeader"] = entry.trace_header
                if entry.group_id is not None:
                    attributes["MessageGroupId"] = entry.group_id
                if entry.dedup_id is not None:
                    attributes["MessageDeduplicationId"] = entry.dedup_id
                if entry.sequence_number is not None:
                    attributes["SequenceNumber"] = entry.sequence_number
                if entry.dlq_source is not None:
                    attributes["DeadLetterQueueSourceArn"] = entry.dlq_source
            elif selection.system_names:
                attributes = {}
                if wants("SenderId"):
                    attributes["SenderId"] = account
                if wants("SentTimestamp"):
                    attributes["SentTimestamp"] = epoch_millis(entry.sent_at)
                if wants("ApproximateReceiveCount"):
                    attributes["ApproximateReceiveCount"] = str(entry.receive_count)
                if wants("ApproximateFirstReceiveTimestamp"):
                    attributes["ApproximateFirstReceiveTimestamp"] = epoch_millis(entry.first_receive_at)
                if entry.trace_header is not None and wants("AWSTraceHeader"):
                    attributes["AWSTraceHeader"] = entry.trace_header
                if entry.group_id is not None and wants("MessageGroupId"):
                    attributes["MessageGroupId"] = entry.group_id
                if entry.dedup_id is not None and wants("MessageDeduplicationId"):
                    attributes["MessageDeduplicationId"] = entry.dedup_id
                if entry.sequence_number is not None and wants("SequenceNumber"):
                    attributes["SequenceNumber"] = entry.sequence_number
                if entry.dlq_source is not None and wants("DeadLetterQueueSourceArn"):
                    attributes["DeadLetterQueueSourceArn"] = entry.dlq_source
            else:
                attributes = {}
            message_attributes: dict[str, MessageAttribute] = {}
            md5_attrs = None
            if entry.attributes:
                chosen = selection.select(entry.attributes)
                if chosen:
                    md5_attrs = entry.md5_attrs if len(chosen) == len(entry.attributes) else md5_of_attributes(chosen)
                    message_attributes = {
                        name: MessageAttribute(v["DataType"], v.get("StringValue"), v.get("BinaryValue")) for name, v in chosen.items()
                    }
            out.append(Message(entry.message_id, handle, entry.body, entry.md5, attributes, message_attributes, md5_attrs))
        return out


def _plain_messages(received: list[tuple[Entry, str]]) -> list[dict[str, Any]]:
    """Received messages as ReceiveMessage writes them when it names no attributes: the four
    members every message has."""
    return [{"MessageId": e.message_id, "ReceiptHandle": h, "MD5OfBody": e.md5, "Body": e.body} for e, h in received]


#: The detail of ``sqs.received`` records for the usual receive counts, shared (see ``_SENT`` in
#: _sqs_send.py: record details are read-only).
_RECEIVED = {count: {"count": count} for count in range(1, 101)}


def _time_out(waiter: Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
