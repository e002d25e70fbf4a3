"""How a queue holds its messages so that every operation costs the same at any depth.

* A message is an :class:`Entry` (a msgspec struct the garbage collector does not track, so a
  million stored messages cost no collection time).
* Standard queues keep visible messages in a deque in (best-effort) order; FIFO queues keep one
  deque per message group and a deque of the groups that have a message ready.
* Deadlines (visibility timeouts, delays, retention) wait in a :class:`DeadlineQueue`: a deque while
  they arrive in order (the common case: one queue-wide timeout), a heap for the others. The queue
  arms one kernel timer per kind of deadline, for the earliest one, instead of one per message.
* Nothing is searched: a message that leaves early (deleted, expired) is marked ``GONE`` and skipped
  when its turn comes (lazy deletion).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from typing import Any

import msgspec

from .._simulation import Simulation, Timer

__all__ = ("DELAYED", "GONE", "INFLIGHT", "VISIBLE", "Alarm", "DeadlineQueue", "Entry", "Group", "RetentionQueue")

DELAYED = 0
VISIBLE = 1
INFLIGHT = 2
GONE = 3


class Entry(msgspec.Struct, gc=False):
    """One stored message and its state (internal; never handed to users)."""

    message_id: str
    body: str
    md5: str
    size: int
    sent_at: float
    enqueued_at: float
    attributes: dict[str, dict[str, Any]] | None = None
    md5_attrs: str | None = None
    trace_header: str | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None
    dlq_source: str | None = None
    state: int = VISIBLE
    receive_count: int = 0
    first_receive_at: float = -1.0
    received_at: float = 0.0
    deadline: float = 0.0
    vis_token: int = 0
    handle: str | None = None
    old_handles: list[str] | None = None


class Group:
    """A FIFO message group: its messages in order and how many of them are in flight."""

    __slots__ = ("group_id", "inflight", "messages", "queued")

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.messages: deque[Entry] = deque()
        self.inflight = 0
        self.queued = False

    def ready(self) -> bool:
        """True when no message of the group is in flight and its first message is visible."""
        if self.inflight:
            return False
        messages = self.messages
        while messages and messages[0].state == GONE:
            messages.popleft()
        return bool(messages) and messages[0].state == VISIBLE


class DeadlineQueue:
    """Items due at a time, popped earliest first: a deque for in-order arrivals, a heap otherwise.

    Items are ``(due, seq, entry, token)`` tuples; ``seq`` breaks ties in arrival order.
    """

    __slots__ = ("_heap", "_line", "_seq")

    def __init__(self) -> None:
        self._line: deque[tuple[float, int, Entry, int]] = deque()
        self._heap: list[tuple[float, int, Entry, int]] = []
        self._seq = 0

    def push(self, due: float, entry: Entry, token: int = 0) -> None:
        self._seq += 1
        item = (due, self._seq, entry, token)
        line = self._line
        if not line or due >= line[-1][0]:
            line.append(item)
        else:
            heapq.heappush(self._heap, item)

    def push_all(self, due: float, entries: list[Entry]) -> None:
        """:meth:`push` each of ``entries`` at ``due``, with its current ``vis_token``, in order."""
        line = self._line
        if line and due < line[-1][0]:
            for entry in entries:
                self.push(due, entry, entry.vis_token)
            return
        seq = self._seq
        for entry in entries:
            seq += 1
            line.append((due, seq, entry, entry.vis_token))
        self._seq = seq

    def earliest(self) -> float | None:
        line, heap = self._line, self._heap
        if line:
            if heap and heap[0][0] < line[0][0]:
                return heap[0][0]
            return line[0][0]
        return heap[0][0] if heap else None

    def pop_due(self, now: float) -> list[tuple[float, int, Entry, int]]:
        """Remove and return every item due at or before ``now``, earliest first."""
        out: list[tuple[float, int, Entry, int]] = []
        line, heap = self._line, self._heap
        while True:
            if line and line[0][0] <= now:
                if heap and heap[0] < line[0]:
                    out.append(heapq.heappop(heap))
                else:
                    out.append(line.popleft())
            elif heap and heap[0][0] <= now:
                out.append(heapq.heappop(heap))
            else:
                return out

    def items(self) -> list[tuple[float, int, Entry, int]]:
        return [*self._line, *self._heap]

    def compact(self, live: Callable[[tuple[float, int, Entry, int]], bool]) -> None:
        """Drop the items for which ``live`` is false (stale deadlines of departed messages)."""
        kept = sorted(item for item in self.items() if live(item))
        self._line = deque(kept)
        self._heap = []

    def trim(self, live: Callable[[tuple[float, int, Entry, int]], bool]) -> None:
        """Drop stale items from the front of the in-order part (cheap, amortised O(1))."""
        line = self._line
        while line and not live(line[0]):
            line.popleft()

    def trim_inflight(self) -> int:
        """:meth:`trim` of the in-flight deadlines: an item is live while its message is in flight
        with the same visibility token (``_live_deadline`` in ``_sqs_queue_base``), tested inline.
        Returns how many items remain (``len``)."""
        line = self._line
        while line:
            _, _, entry, token = line[0]
            if entry.state == INFLIGHT and entry.vis_token == token:
                break
            line.popleft()
        return len(line) + len(self._heap)

    def clear(self) -> None:
        self._line.clear()
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._line) + len(self._heap)


class RetentionQueue:
    """Messages in enqueue order, to expire the oldest when the retention period passes.

    Messages sent to the queue arrive in order and wait in a deque (one pointer each); messages
    that arrive with an older enqueue time (dead-lettered from a standard queue, which keeps the
    original enqueue timestamp) wait in a heap.
    """

    __slots__ = ("_heap", "_line", "_seq")

    def __init__(self) -> None:
        self._line: deque[Entry] = deque()
        self._heap: list[tuple[float, int, Entry]] = []
        self._seq = 0

    def push(self, entry: Entry) -> None:
        line = self._line
        if not line or entry.enqueued_at >= line[-1].enqueued_at:
            line.append(entry)
        else:
            self._seq += 1
            heapq.heappush(self._heap, (entry.enqueued_at, self._seq, entry))

    def push_all(self, entries: list[Entry], enqueued_at: float) -> None:
        """:meth:`push` each of ``entries``, all enqueued at ``enqueued_at``."""
        line = self._line
        if not line or enqueued_at >= line[-1].enqueued_at:
            line.extend(entries)
        else:
            for entry in entries:
                self.push(entry)

    def oldest(self) -> float | None:
        """The enqueue time of the oldest message still stored (dropping departed ones)."""
        line, heap = self._line, self._heap
        while line and line[0].state == GONE:
            line.popleft()
        while heap and heap[0][2].state == GONE:
            heapq.heappop(heap)
        if line:
            first = line[0].enqueued_at
            return min(first, heap[0][0]) if heap else first
        return heap[0][0] if heap else None

    def pop_expired(self, now: float, retention: float) -> list[Entry]:
        """Remove and return the stored messages whose retention has run out by ``now``.

        The test is ``enqueued_at + retention <= now``: the same sum the retention alarm was armed
        with, so that floating-point rounding can never leave a due message behind (comparing
        ``enqueued_at <= now - retention`` instead misses about one enqueue time in ten, and the
        alarm then fires at the same instant forever).
        """
        out: list[Entry] = []
        line, heap = self._line, self._heap
        while line and (line[0].state == GONE or line[0].enqueued_at + retention <= now):
            entry = line.popleft()
            if entry.state != GONE:
                out.append(entry)
        while heap and (heap[0][2].state == GONE or heap[0][0] + retention <= now):
            entry = heapq.heappop(heap)[2]
            if entry.state != GONE:
                out.append(entry)
        return out

    def trim(self) -> None:
        """Drop departed messages from the front (cheap, amortised O(1))."""
        line = self._line
        while line and line[0].state == GONE:
            line.popleft()

    def live(self) -> list[Entry]:
        """Every stored message, oldest enqueue first where order is known."""
        return [e for e in self._line if e.state != GONE] + [item[2] for item in sorted(self._heap) if item[2].state != GONE]

    def clear(self) -> None:
        self._line.clear()
        self._heap.clear()


class Alarm:
    """One kernel timer that always points at the earliest deadline of one kind.

    ``arm(when)`` moves the timer earlier if ``when`` is sooner than the one set (and sets one if
    none is); when it fires it calls ``callback``, which handles what is due and arms the next.
    """

    __slots__ = ("_callback", "_sim", "timer")

    def __init__(self, sim: Simulation, callback: Callable[[], None]) -> None:
        self._sim = sim
        self._callback = callback
        self.timer: Timer | None = None

    def arm(self, when: float) -> None:
        timer = self.timer
        if timer is not None and timer.callback is not None:
            if timer.when <= when:
                return
            timer.cancel()
        self.timer = self._sim.call_at(when, self._fire)

    def rearm(self, when: float | None) -> None:
        """Point the timer at ``when`` exactly (earlier or later), or stop it when None."""
        self.cancel()
        if when is not None:
            self.timer = self._sim.call_at(when, self._fire)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _fire(self) -> None:
        self.timer = None
        self._callback()
