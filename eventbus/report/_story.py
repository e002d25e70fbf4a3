"""The story of a replay, read from its journal alone: per input line, everything that line caused.

A *thread* is one thing travelling through the topology under one id: an EventBridge event (its id
stays the same across buses), an SQS message (its id stays the same when it is dead-lettered or
moved), an SNS message, a Scheduler execution. Threads are linked parent to child when one causes
another: an event delivered to a queue becomes a message there, an event dead-lettered becomes a
message in the dead-letter queue.

The journal does not carry causes explicitly; they are read from the order of records, which the
simulation makes reliable (it runs one callback at a time):

* an input line's ``replay.input`` record names the id its call returned;
* a delivery record (``*.delivered``, ``*.retrying``, ``*.failed``, ``*.dead_lettered``) about thread
  P at resource R claims what appeared at R at the same instant just before it and was not yet
  claimed: the message the delivery created there (``sqs.sent`` ...) and the handler's error
  (``handler.raised``); a delivery to a function also claims the messages and events that function
  sent while it ran;
* every other record with an id belongs to that id's thread.

Everything is one pass over the journal, linear in its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from .._journal import Record

__all__ = ("DeadLetter", "LineStory", "QueueState", "Story", "Thread", "build_story")

#: Records that start a new thread when their id has not been seen.
_ROOTS: Final = {
    "events.put": "event",
    "events.scheduled": "event",
    "sqs.sent": "message",
    "sqs.duplicate_suppressed": "message",
    "sns.published": "notification",
    "sns.publish": "notification",
    "scheduler.fired": "execution",
    "lambda.async.queued": "invocation",
}
#: Orphan roots a function's delivery claims from any resource (what its handler sent).
_SENT_BY_HANDLERS: Final = frozenset({"events.put", "sqs.sent", "sns.published", "sns.publish"})
_DELIVERY_SUFFIXES: Final = (".delivered", ".retrying", ".failed", ".dead_lettered", ".succeeded", ".discarded")
#: Records about a batch of SQS messages an event source mapping handed to a function, and the
#: detail field listing the batch's message ids.
_BATCH_LISTS: Final = {"lambda.esm.batch": "messages", "lambda.esm.batch_failed": "messages", "lambda.esm.partial": "failed"}
#: Dead-lettering records whose kind does not end in ``.dead_lettered``.
_DEAD_LETTER_KINDS: Final = frozenset({"lambda.dead_letter.delivered"})


class Thread:
    """One event, message or execution: its records and what it caused."""

    __slots__ = ("children", "id", "kind", "line", "parent", "records", "resource", "root_kind")

    def __init__(self, identifier: str, kind: str, resource: str, root_kind: str) -> None:
        self.id = identifier
        self.kind = kind
        self.resource = resource
        self.root_kind = root_kind
        self.line: LineStory | None = None
        self.parent: Thread | None = None
        self.children: list[Thread] = []
        self.records: list[Record] = []

    def walk(self) -> Iterable[Thread]:
        """This thread and its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def __repr__(self) -> str:
        return f"Thread({self.kind} {self.id[:8]}, records={len(self.records)})"


class LineStory:
    """One input line and what it caused.

    Attributes:
        line: the line number.
        input: ``event``, ``sqs`` or ``sns``.
        status: ``accepted``, ``failed`` (the service refused the call) or ``skipped`` (a bad line).
        error: why it failed or was skipped ('' when accepted).
        time: when the call was made.
        resource: the bus, queue or topic ARN called.
        detail: the ``replay.input`` record's detail.
        root: the event or message the call created (None when refused or skipped).
        records: every record of the line's threads, in journal order (filled by :func:`build_story`).
        duplicate_of: the line whose FIFO message this send duplicated, if any.
    """

    __slots__ = ("detail", "duplicate_of", "error", "input", "line", "records", "resource", "root", "status", "time")

    def __init__(self, line: int, input: str, status: str, error: str, time: float, resource: str, detail: dict[str, Any]) -> None:
        self.line = line
        self.input = input
        self.status = status
        self.error = error
        self.time = time
        self.resource = resource
        self.detail = detail
        self.root: Thread | None = None
        self.records: list[Record] = []
        self.duplicate_of: int | None = None

    def threads(self) -> list[Thread]:
        """The line's threads: its root and everything it caused."""
        return list(self.root.walk()) if self.root is not None else []


class QueueState:
    """A queue at the end of the replay, counted from its records."""

    __slots__ = ("arn", "dead_lettered", "delayed", "deleted", "expired", "in_flight", "is_dlq", "received", "sent", "visible")

    def __init__(self, arn: str) -> None:
        self.arn = arn
        self.visible = self.in_flight = self.delayed = 0
        self.sent = self.received = self.deleted = self.dead_lettered = self.expired = 0
        self.is_dlq = False

    @property
    def depth(self) -> int:
        """Messages still in the queue (visible, in flight or delayed)."""
        return self.visible + self.in_flight + self.delayed


class DeadLetter:
    """A message in a dead-letter queue at the end, and how it got there.

    Attributes:
        dlq: the dead-letter queue's ARN.
        message_id: the message's id there.
        thread: the message's thread.
        cause: the record that dead-lettered it (``sqs.dead_lettered``, ``events.dead_lettered`` ...).
        failure: the delivery's last failure (``*.failed``), when a retrying sender gave up.
    """

    __slots__ = ("cause", "dlq", "failure", "message_id", "thread")

    def __init__(self, dlq: str, message_id: str, thread: Thread | None, cause: Record | None, failure: Record | None) -> None:
        self.dlq = dlq
        self.message_id = message_id
        self.thread = thread
        self.cause = cause
        self.failure = failure


class Story:
    """A replay read back from its journal (see :func:`build_story`).

    Attributes:
        lines: every input line (accepted, failed and skipped), in line order.
        threads: every thread by id.
        background: threads no input line caused (schedules, the topology's own sends).
        queues: every queue seen, by ARN, with its final counts.
        dead_letters: the messages in dead-letter queues at the end.
        dead_lettered: every dead-lettering record (EventBridge, SQS, SNS, Scheduler).
        dropped: every ``*.dropped`` record.
        handler_errors: ``handler.raised`` and ``lambda.failed`` records.
        retrying: the last ``*.retrying`` record of each delivery still being retried at the end.
        settled: the ``replay.settled`` record (None for a journal that is not a replay's).
        end: the time of the last record.
    """

    def __init__(self) -> None:
        self.lines: list[LineStory] = []
        self.threads: dict[str, Thread] = {}
        self.background: list[Thread] = []
        self.queues: dict[str, QueueState] = {}
        self.dead_letters: list[DeadLetter] = []
        self.dead_lettered: list[Record] = []
        self.dropped: list[Record] = []
        self.handler_errors: list[Record] = []
        self.retrying: list[Record] = []
        self.settled: Record | None = None
        self.end = 0.0
        self.records = 0

    def line_of(self, thread: Thread | None) -> int | None:
        """The input line a thread belongs to, if any."""
        return thread.line.line if thread is not None and thread.line is not None else None

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


class _Builder:
    def __init__(self) -> None:
        self.story = Story()
        self.threads = self.story.threads
        self.pending: dict[str, list[Thread | Record]] = {}
        self.pending_time = -1.0
        self.orphans_now: list[Thread] = []
        # message id -> list of [queue arn, state] per copy
        self.copies: dict[str, list[list[str]]] = {}
        self.causes: dict[str, tuple[Record, Record | None]] = {}
        self.failures: dict[tuple[str, str], Record] = {}
        self.batch: list[Thread] | None = None
        self.batch_of: dict[str, list[Thread]] = {}
        self.discarded: list[Record] = []
        self.retrying: dict[tuple[str, str], Record] = {}

    # ------------------------------------------------------------ threads
    def attach(self, thread: Thread, line: LineStory) -> None:
        stack = [thread]
        while stack:
            member = stack.pop()
            if member.line is None:
                member.line = line
                line.records.extend(member.records)
            stack.extend(member.children)

    def adopt(self, parent: Thread, child: Thread) -> None:
        if child.parent is not None or child.line is not None or child is parent:
            return
        child.parent = parent
        parent.children.append(child)
        if parent.line is not None:
            self.attach(child, parent.line)

    def add(self, thread: Thread, record: Record) -> None:
        thread.records.append(record)
        if thread.line is not None:
            thread.line.records.append(record)

    def feed(self, record: Record) -> None:
        kind = record.kind
        flags = _FLAGS.get(kind)
        if flags is None:
            flags = _FLAGS[kind] = _classify(kind)
        if record.time != self.pending_time:
            self.pending.clear()
            self.orphans_now.clear()
            self.batch = None
            self.pending_time = record.time
        if flags & _SPECIAL:
            if flags & _REPLAY:
                self.replay_record(record)
            elif flags & _RAISED:
                self.story.handler_errors.append(record)
                self.pending.setdefault(record.resource, []).append(record)
            else:
                self.batch_record(record)
            return
        identifier = record.id
        thread: Thread | None = None
        if identifier:
            threads = self.batch_of.get(identifier) if self.batch_of else None
            if threads is not None:
                for member in threads:
                    self.add(member, record)
                thread = threads[0]
            else:
                thread = self.threads.get(identifier)
                if thread is None:
                    if kind == "lambda.invoked" and self.batch is not None:
                        # the invocation an event source mapping just made for its batch
                        self.batch_of[identifier] = self.batch
                        for member in self.batch:
                            self.add(member, record)
                        self.batch = None
                        return
                    root = _ROOTS.get(kind)
                    if root is not None:
                        thread = Thread(identifier, root, record.resource, kind)
                        self.threads[identifier] = thread
                        self.pending.setdefault(record.resource, []).append(thread)
                        if kind in _SENT_BY_HANDLERS:
                            self.orphans_now.append(thread)
                    elif not flags & _SETUP:
                        thread = Thread(identifier, _kind_of(kind), record.resource, kind)
                        self.threads[identifier] = thread
                if thread is not None:
                    thread.records.append(record)
                    if thread.line is not None:
                        thread.line.records.append(record)
        if not flags & _OUTCOMES:
            return
        if thread is not None and flags & _DELIVERY:
            self.claim(thread, record)
            key = (record.resource, identifier)
            if flags & _RETRYING:
                self.retrying[key] = record
            elif self.retrying:
                self.retrying.pop(key, None)
        if flags & _SQS:
            self.sqs(record, thread)
        if flags & _LAMBDA_FAILED:
            self.story.handler_errors.append(record)
        if flags & _DEAD:
            self.story.dead_lettered.append(record)
        elif flags & _DROPPED:
            self.story.dropped.append(record)
        elif flags & _DISCARDED:
            self.discarded.append(record)
        elif flags & _FAILED:
            self.failures[(record.resource, record.id)] = record

    def batch_record(self, record: Record) -> None:
        """An event source mapping's record: about each message of a batch, or about the mapping."""
        field = _BATCH_LISTS.get(record.kind)
        if field is not None:
            members = [self.threads[i] for i in record.detail.get(field, ()) if i in self.threads]
            for member in members:
                self.add(member, record)
            if record.kind == "lambda.esm.batch":
                self.batch = members
            return
        thread = self.threads.get(record.id) if record.id else None
        if thread is not None:  # filtered out, or its delete failed: about one message
            self.add(thread, record)

    def claim(self, thread: Thread, record: Record) -> None:
        waiting = self.pending.pop(record.resource, None)
        if waiting:
            for item in waiting:
                if isinstance(item, Thread):
                    self.adopt(thread, item)
                else:
                    self.add(thread, item)
        if _is_function(record.resource) and self.orphans_now:
            for orphan in self.orphans_now:
                if orphan is not thread and orphan.parent is None and orphan.line is None:
                    self.adopt(thread, orphan)
            self.orphans_now.clear()

    def replay_record(self, record: Record) -> None:
        detail = dict(record.detail)
        story = self.story
        if record.kind == "replay.skipped":
            story.lines.append(
                LineStory(int(detail.get("line", 0)), "", "skipped", str(detail.get("error", "")), record.time, "", detail)
            )
        elif record.kind == "replay.input":
            status = str(detail.get("status", "accepted"))
            error = ""
            if status != "accepted":
                error = f"{detail.get('error_code', '')}: {detail.get('error_message', '')}".strip(": ")
            line = LineStory(int(detail.get("line", 0)), str(detail.get("input", "")), status, error, record.time, record.resource, detail)
            story.lines.append(line)
            thread = self.threads.get(record.id) if record.id else None
            if thread is not None:
                if thread.line is None:
                    line.root = thread
                    self.attach(thread, line)
                else:
                    line.duplicate_of = thread.line.line
                    line.records.extend(r for r in thread.records if r.kind == "sqs.duplicate_suppressed" and r.time == record.time)
        elif record.kind == "replay.settled":
            story.settled = record

    # ---------------------------------------------------------------- sqs
    def queue(self, arn: str) -> QueueState:
        state = self.story.queues.get(arn)
        if state is None:
            state = self.story.queues[arn] = QueueState(arn)
        return state

    def move(self, message_id: str, queue: str, before: tuple[str, ...], after: str | None, to: str | None = None) -> None:
        """Move one copy of a message in ``queue`` from one of the ``before`` states to ``after``."""
        copies = self.copies.get(message_id)
        if not copies:
            return
        for copy in copies:
            if copy[0] == queue and copy[1] in before:
                self._count(copy, -1)
                if after is None:
                    copies.remove(copy)
                else:
                    copy[1] = after
                    if to is not None:
                        copy[0] = to
                    self._count(copy, +1)
                return

    def _count(self, copy: list[str], delta: int) -> None:
        state = self.queue(copy[0])
        if copy[1] == "visible":
            state.visible += delta
        elif copy[1] == "in_flight":
            state.in_flight += delta
        elif copy[1] == "delayed":
            state.delayed += delta

    def sqs(self, record: Record, thread: Thread | None) -> None:
        kind, arn, mid = record.kind, record.resource, record.id
        queue = self.queue(arn) if arn else None
        if kind == "sqs.sent":
            assert queue is not None
            queue.sent += 1
            copy = [arn, "visible"]
            self.copies.setdefault(mid, []).append(copy)
            self._count(copy, +1)
        elif kind == "sqs.delayed":
            self.move(mid, arn, ("visible",), "delayed")
        elif kind == "sqs.visible":
            self.move(mid, arn, ("delayed",), "visible")
        elif kind == "sqs.received":
            assert queue is not None
            queue.received += 1
            self.move(mid, arn, ("visible",), "in_flight")
        elif kind == "sqs.visibility_expired" or (kind == "sqs.visibility_changed" and record.detail.get("timeout") == 0):
            self.move(mid, arn, ("in_flight",), "visible")
        elif kind == "sqs.deleted":
            assert queue is not None
            queue.deleted += 1
            self.move(mid, arn, ("in_flight", "visible", "delayed"), None)
        elif kind == "sqs.dead_lettered":
            assert queue is not None
            queue.dead_lettered += 1
            dlq = str(record.detail.get("dlq", ""))
            self.queue(dlq).is_dlq = True
            self.move(mid, arn, ("visible", "in_flight"), "visible", to=dlq)
            self.causes[mid] = (record, None)
        elif kind == "sqs.moved":
            self.move(mid, arn, ("visible", "in_flight", "delayed"), "visible", to=str(record.detail.get("to", "")))
        elif kind in ("sqs.retention_expired", "sqs.purged"):
            assert queue is not None
            if kind == "sqs.retention_expired":
                queue.expired += 1
            self.move(mid, arn, ("visible", "in_flight", "delayed"), None)
        elif kind == "sqs.fault" and mid and record.detail.get("fault") in ("duplicate", "redelivered"):
            copy = [arn, "visible"]
            self.copies.setdefault(mid, []).append(copy)
            self._count(copy, +1)
        elif kind == "sqs.queue_deleted":
            for copies in self.copies.values():
                for copy in list(copies):
                    if copy[0] == arn:
                        self._count(copy, -1)
                        copies.remove(copy)

    # -------------------------------------------------------------- finish
    def finish(self) -> Story:
        story = self.story
        story.lines.sort(key=lambda line: line.line)
        for line in story.lines:
            line.records.sort(key=lambda r: r.seq)
        story.background = [t for t in self.threads.values() if t.line is None and t.parent is None]
        # Lambda discards an event after its retries; without a dead-letter queue or an on-failure
        # destination it is lost: a drop.
        for record in self.discarded:
            thread = self.threads.get(record.id)
            kept = thread is not None and any(
                r.kind in ("lambda.dead_letter.delivered", "lambda.destination.delivered") for r in thread.records
            )
            if not kept:
                story.dropped.append(record)
        story.dropped.sort(key=lambda r: r.seq)
        story.retrying = sorted(self.retrying.values(), key=lambda r: r.seq)
        # Dead-letter queues: every queue a dead-lettering record names.
        for record in story.dead_lettered:
            if record.kind == "sqs.dead_lettered":
                continue
            self.queue(record.resource).is_dlq = True
            letter = self.letter_of(record)
            if letter is not None:
                target = str(record.detail.get("target", "") or record.detail.get("source", ""))
                self.causes[letter.id] = (record, self.failures.get((target, record.id)))
        for mid, copies in self.copies.items():
            for copy in copies:
                if self.story.queues[copy[0]].is_dlq:
                    thread = self.threads.get(mid)
                    cause, failure = self.causes.get(mid, (None, None))
                    story.dead_letters.append(DeadLetter(copy[0], mid, thread, cause, failure))
        return story

    def letter_of(self, record: Record) -> Thread | None:
        """The message a dead-lettering record put in its queue (the child created there just before it)."""
        thread = self.threads.get(record.id)
        if thread is None:
            return None
        letter = None
        for child in thread.children:
            if child.resource == record.resource and child.records and child.records[0].seq < record.seq:
                letter = child
        return letter


_REPLAY, _RAISED, _ESM = 1, 2, 4
_SPECIAL = _REPLAY | _RAISED | _ESM
_DELIVERY, _RETRYING, _SQS, _LAMBDA_FAILED, _DEAD, _DROPPED, _DISCARDED, _FAILED = 8, 16, 32, 64, 128, 256, 512, 1024
_OUTCOMES = _DELIVERY | _SQS | _LAMBDA_FAILED | _DEAD | _DROPPED | _DISCARDED | _FAILED
_SETUP = 2048
#: kind -> what the builder does with it (computed once per kind)
_FLAGS: dict[str, int] = {}


def _classify(kind: str) -> int:
    if kind.startswith("replay."):
        return _REPLAY
    if kind == "handler.raised":
        return _RAISED
    if kind.startswith("lambda.esm."):
        return _ESM
    flags = 0
    if kind.endswith(_DELIVERY_SUFFIXES) or kind.endswith(".dropped"):
        flags |= _DELIVERY
    if kind.endswith(".retrying"):
        flags |= _RETRYING
    if kind.startswith("sqs."):
        flags |= _SQS
    if kind == "lambda.failed":
        flags |= _LAMBDA_FAILED
    if kind.endswith(".dead_lettered") or kind in _DEAD_LETTER_KINDS:
        flags |= _DEAD
    elif kind.endswith(".dropped"):
        flags |= _DROPPED
    elif kind == "lambda.async.discarded":
        flags |= _DISCARDED
    elif kind.endswith(".failed"):
        flags |= _FAILED
    if _is_setup(kind):
        flags |= _SETUP
    return flags


def _is_setup(kind: str) -> bool:
    return kind.endswith(("_created", ".created", "_deleted", ".deleted", ".updated", "_set", "tagged", "permission_added", "permission_removed"))


def _kind_of(kind: str) -> str:
    service = kind.split(".", 1)[0]
    return {"sqs": "message", "events": "event", "sns": "notification", "scheduler": "execution", "lambda": "invocation"}.get(service, service)


def _is_function(arn: str) -> bool:
    return ":lambda:" in arn or ":python:" in arn


def build_story(records: Sequence[Record] | Iterable[Record]) -> Story:
    """Read a replay's journal (or any journal) into a :class:`Story`, in one pass."""
    builder = _Builder()
    count = 0
    last = 0.0
    for record in records:
        builder.feed(record)
        count += 1
        last = record.time
    story = builder.finish()
    story.records = count
    story.end = last
    return story
