"""Timelines of a story: one lane per message and per delivery, as coloured states on virtual time.

A message lane (SQS) goes through the states a message has in SQS: *delayed* (hidden by a delay),
*waiting* (visible, can be received), *in flight* (received, hidden until its visibility timeout
ends or it is deleted), *in the dead-letter queue*; an event, SNS message or Scheduler execution
gets one lane per target it is delivered to, with *backoff* (waiting before a retry) between failed
attempts. Instants (sent, received, redelivered, deleted, delivered, failed, dead-lettered, dropped)
are markers on the lanes.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Final

from .._journal import Record
from ._describe import Describer
from ._names import Names, clock, short_id
from ._story import Thread

__all__ = ("STATES", "Axis", "Lane", "Marker", "Segment", "lanes_of")

#: state -> (legend text, explanation)
STATES: Final = {
    "delayed": ("delayed", "sent with a delay: hidden until the delay ends"),
    "waiting": ("waiting in queue", "visible: any consumer may receive it"),
    "in_flight": ("in flight", "received: hidden from other consumers until deleted or its visibility timeout ends"),
    "dlq": ("in dead-letter queue", "moved aside after too many failed receives or deliveries"),
    "backoff": ("backoff", "a delivery attempt failed: waiting before the next retry"),
}

#: marker -> (legend text, explanation)
MARKERS: Final = {
    "sent": ("sent / put", "the message was sent or the event put"),
    "matched": ("matched", "rules matched the event"),
    "nomatch": ("no match", "no rule matched the event"),
    "received": ("received", "a consumer received the message"),
    "invoked": ("function runs", "the function was invoked with the event or batch"),
    "redelivery": ("visible again", "the visibility timeout ended before a delete: it will be delivered again"),
    "deleted": ("deleted", "the consumer deleted the message: done"),
    "delivered": ("delivered", "the target accepted the delivery"),
    "failed": ("attempt failed", "the target refused or the handler raised"),
    "deadletter": ("dead-lettered", "sent to a dead-letter queue"),
    "dropped": ("dropped", "lost: retries ran out and there is no dead-letter queue"),
    "expired": ("expired", "deleted by the retention period"),
}


class Segment:
    """A state held from ``start`` to ``end`` (``open``: still held when the replay ended)."""

    __slots__ = ("end", "open", "start", "state", "title")

    def __init__(self, start: float, end: float, state: str, title: str, open: bool = False) -> None:
        self.start, self.end, self.state, self.title, self.open = start, end, state, title, open


class Marker:
    """An instant: ``kind`` is a key of :data:`MARKERS`; ``title`` is the exact record."""

    __slots__ = ("kind", "time", "title")

    def __init__(self, time: float, kind: str, title: str) -> None:
        self.time, self.kind, self.title = time, kind, title


class Lane:
    """One row of the timeline."""

    __slots__ = ("depth", "label", "markers", "note", "segments")

    def __init__(self, label: str, depth: int, note: str = "") -> None:
        self.label = label
        self.depth = depth
        self.note = note
        self.segments: list[Segment] = []
        self.markers: list[Marker] = []

    def times(self) -> Iterable[float]:
        for segment in self.segments:
            yield segment.start
            yield segment.end
        for marker in self.markers:
            yield marker.time


class _Context:
    def __init__(self, describe: Describer, end: float) -> None:
        self.describe = describe
        self.names: Names = describe.names
        self.end = end

    def title(self, record: Record) -> str:
        label, text = self.describe(record)
        return f"{clock(record.time)} {label}: {text}\n[{record.kind} #{record.seq}]"


_SQS_MARKS: Final = {
    "sqs.sent": "sent",
    "sqs.received": "received",
    "sqs.visibility_expired": "redelivery",
    "sqs.deleted": "deleted",
    "sqs.dead_lettered": "deadletter",
    "sqs.retention_expired": "expired",
    "sqs.purged": "expired",
    "lambda.esm.batch_failed": "failed",
    "lambda.esm.partial": "failed",
}


def _message_lane(thread: Thread, ctx: _Context, depth: int, dlqs: set[str]) -> Lane:
    records = thread.records
    lane = Lane(f"message {short_id(thread.id)} in {ctx.names(thread.resource)}", depth)
    state: str | None = None
    since = 0.0
    why = ""
    receives = 0

    def close(at: float) -> None:
        if state is not None and at >= since:
            lane.segments.append(Segment(since, at, state, why))

    for record in records:
        kind = record.kind
        mark = _SQS_MARKS.get(kind)
        if mark is not None:
            lane.markers.append(Marker(record.time, mark, ctx.title(record)))
        new: str | None = state
        if kind == "sqs.sent":
            new = "dlq" if record.resource in dlqs else "waiting"
        elif kind == "sqs.delayed":
            new = "delayed"
        elif kind in ("sqs.visible", "sqs.visibility_expired") or (
            kind == "sqs.visibility_changed" and record.detail.get("timeout") == 0
        ):
            new = "waiting"
        elif kind == "sqs.received":
            receives += 1
            new = "in_flight"
        elif kind in ("sqs.deleted", "sqs.retention_expired", "sqs.purged"):
            new = None
        elif kind == "sqs.dead_lettered":
            new = "dlq"
            lane.note = f"dead-lettered to {ctx.names(str(record.detail.get('dlq', '')))}"
        elif kind == "sqs.moved":
            new = "waiting"
        else:
            continue
        if new != state or kind in ("sqs.received", "sqs.dead_lettered"):
            close(record.time)
            state, since = new, record.time
            why = ctx.title(record)
    if state is not None:
        lane.segments.append(Segment(since, max(since, ctx.end), state, why, open=True))
    if not lane.note:
        if receives > 1:
            lane.note = f"received {receives} times"
        elif state is None and records and records[-1].kind == "sqs.deleted":
            lane.note = "processed"
        elif state == "waiting":
            lane.note = "still waiting in the queue"
        elif state == "dlq":
            lane.note = "in the dead-letter queue"
    return lane


def _delivery_lanes(thread: Thread, ctx: _Context, depth: int) -> list[Lane]:
    """One lane per target a sender (event, SNS message, execution) was delivered to."""
    lanes: dict[str, Lane] = {}
    backoff: dict[str, tuple[float, float, str]] = {}

    def lane_for(target: str, source: str) -> Lane:
        lane = lanes.get(target)
        if lane is None:
            via = f" by {ctx.names(source)}" if source else ""
            lane = lanes[target] = Lane(f"to {ctx.names(target)}{via}", depth)
        return lane

    for record in thread.records:
        kind = record.kind
        detail = record.detail
        if kind.startswith("lambda.") and not kind.startswith(("lambda.dead_letter.", "lambda.destination.")):
            continue
        if kind == "lambda.dead_letter.delivered":
            lane = lane_for(record.resource, "")
            lane.label = f"to dead-letter queue {ctx.names(record.resource).removeprefix('queue ')}"
            lane.markers.append(Marker(record.time, "deadletter", ctx.title(record)))
            lane.note = "the event, after Lambda gave up"
            continue
        if kind.endswith((".delivered", ".retrying", ".failed")) and not kind.startswith("sqs."):
            target = record.resource
            lane = lane_for(target, str(detail.get("source", "")))
            pending = backoff.pop(target, None)
            if pending is not None:
                lane.segments.append(Segment(pending[0], record.time, "backoff", pending[2]))
            if kind.endswith(".delivered"):
                lane.markers.append(Marker(record.time, "delivered", ctx.title(record)))
                attempts = detail.get("attempts", 1)
                lane.note = "delivered" + (f" on attempt {attempts}" if attempts != 1 else "")
            elif kind.endswith(".retrying"):
                lane.markers.append(Marker(record.time, "failed", ctx.title(record)))
                failed = detail.get("attempt", "?")
                lane.note = f"{failed} failed attempt{'s' if failed != 1 else ''}, retrying"
                retry_in = float(detail.get("retry_in", 0))
                backoff[target] = (record.time, record.time + retry_in, ctx.title(record))
            else:
                lane.markers.append(Marker(record.time, "failed", ctx.title(record)))
                lane.note = f"gave up after {detail.get('attempt', '?')} attempts"
        elif kind.endswith(".dead_lettered") and not kind.startswith("sqs."):
            target = str(detail.get("target", "")) or record.resource
            lane = lane_for(target, str(detail.get("rule", "") or detail.get("schedule", "")))
            lane.markers.append(Marker(record.time, "deadletter", ctx.title(record)))
            lane.note = f"dead-lettered to {ctx.names(record.resource)}"
        elif kind.endswith(".dropped"):
            lane = lane_for(record.resource, str(detail.get("rule", "")))
            lane.markers.append(Marker(record.time, "dropped", ctx.title(record)))
            lane.note = "DROPPED"
    for target, (start, end, title) in backoff.items():
        lanes[target].segments.append(Segment(start, min(end, max(start, ctx.end)), "backoff", title, open=True))
    return list(lanes.values())


_INVOCATION_MARKS: Final = {
    "lambda.async.queued": "sent",
    "lambda.invoked": "invoked",
    "lambda.succeeded": "delivered",
    "lambda.failed": "failed",
    "lambda.throttled": "failed",
}


def _invocation_lane(thread: Thread, ctx: _Context, depth: int) -> Lane:
    """An asynchronous invocation: queued, each run, Lambda's waits between retries, the outcome.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    """
    lane = Lane(f"asynchronous invocation {short_id(thread.id)} of {ctx.names(thread.resource)}", depth)
    runs = 0
    waiting: tuple[float, str] | None = None
    for record in thread.records:
        kind = record.kind
        mark = _INVOCATION_MARKS.get(kind)
        if kind == "lambda.invoked":
            runs += 1
            if waiting is not None:
                lane.segments.append(Segment(waiting[0], record.time, "backoff", waiting[1]))
                waiting = None
        if mark is not None:
            lane.markers.append(Marker(record.time, mark, ctx.title(record)))
        if kind == "lambda.async.retrying":
            waiting = (record.time, ctx.title(record))
        elif kind == "lambda.async.succeeded":
            lane.note = f"succeeded on run {runs}"
        elif kind == "lambda.async.discarded":
            lane.note = f"failed {runs} times; Lambda gave up"
            kept = any(r.kind in ("lambda.dead_letter.delivered", "lambda.destination.delivered") for r in thread.records)
            if not kept:  # no dead-letter queue, no on-failure destination: the event is lost
                lane.markers.append(Marker(record.time, "dropped", ctx.title(record)))
    if waiting is not None:
        lane.segments.append(Segment(waiting[0], max(waiting[0], ctx.end), "backoff", waiting[1], open=True))
    return lane


def _sender_lane(thread: Thread, ctx: _Context, depth: int) -> Lane:
    first = thread.records[0] if thread.records else None
    if thread.kind == "event":
        what = ""
        if first is not None and "detail-type" in first.detail:
            what = f" ({first.detail['detail-type']})"
        label = f"event {short_id(thread.id)}{what}"
    elif thread.kind == "execution":
        label = f"execution {short_id(thread.id)} of {ctx.names(thread.resource)}"
    else:
        label = f"{thread.kind} {short_id(thread.id)} on {ctx.names(thread.resource)}"
    lane = Lane(label, depth)
    matched = False
    for record in thread.records:
        kind = record.kind
        if kind in ("events.put", "events.scheduled", "scheduler.fired") or kind.endswith((".published", ".publish")):
            lane.markers.append(Marker(record.time, "sent", ctx.title(record)))
        elif kind == "events.matched":
            matched = True
            lane.markers.append(Marker(record.time, "matched", ctx.title(record)))
            rules = record.detail.get("rules", [])
            lane.note = f"matched {len(rules)} rule{'s' if len(rules) != 1 else ''}"
    if thread.kind == "event" and not matched and first is not None:
        lane.markers.append(Marker(first.time, "nomatch", f"{clock(first.time)} no rule matched this event"))
        lane.note = "no rule matched"
    return lane


def lanes_of(threads: Sequence[Thread], describe: Describer, end: float, dlqs: set[str]) -> list[Lane]:
    """The lanes of a line's threads (the root first, what it caused indented below it)."""
    ctx = _Context(describe, end)
    depth_of: dict[int, int] = {}
    lanes: list[Lane] = []
    for thread in threads:
        depth = 0 if thread.parent is None else depth_of.get(id(thread.parent), 0) + 1
        depth_of[id(thread)] = depth
        if thread.kind == "message":
            lanes.append(_message_lane(thread, ctx, depth, dlqs))
        elif thread.kind == "invocation":
            lanes.append(_invocation_lane(thread, ctx, depth))
            lanes.extend(_delivery_lanes(thread, ctx, depth + 1))
        else:
            lanes.append(_sender_lane(thread, ctx, depth))
            lanes.extend(_delivery_lanes(thread, ctx, depth + 1))
    return lanes


class Axis:
    """Maps virtual time to a position (0..1) on two scales.

    ``compressed``: the distinct instants in order, each gap drawn with a width growing with the
    logarithm of its length, so that milliseconds between retries and hours of waiting both stay
    readable; ``linear``: proportional to time.
    """

    def __init__(self, times: Iterable[float]) -> None:
        instants = sorted(set(times)) or [0.0]
        self.start = instants[0]
        self.end = instants[-1]
        self.instants = instants
        positions = [0.0]
        for before, after in itertools.pairwise(instants):
            positions.append(positions[-1] + 1.0 + math.log1p((after - before) * 10.0))
        total = positions[-1] or 1.0
        self._positions = [p / total for p in positions]
        self._index = {t: i for i, t in enumerate(instants)}

    def compressed(self, time: float) -> float:
        index = self._index.get(time)
        if index is not None:
            return self._positions[index]
        # a time between instants (the end of a backoff): interpolate linearly within its gap
        i = bisect.bisect_right(self.instants, time) - 1
        if i < 0:
            return 0.0
        if i >= len(self.instants) - 1:
            return 1.0
        t0, t1 = self.instants[i], self.instants[i + 1]
        p0, p1 = self._positions[i], self._positions[i + 1]
        return p0 + (p1 - p0) * (time - t0) / (t1 - t0)

    def linear(self, time: float) -> float:
        span = self.end - self.start
        return 0.0 if span <= 0 else (time - self.start) / span

    def ticks(self, scale: str, count: int = 7) -> list[tuple[float, str]]:
        """At most ``count + 1`` (position, label) ticks, the first and the last always, none closer
        than ``1 / count`` of the width to another (labels are about that wide)."""
        if scale == "linear":
            span = self.end - self.start
            if span <= 0:
                return [(0.0, clock(self.start))]
            return [(i / count, clock(self.start + span * i / count)) for i in range(count + 1)]
        gap = 1.0 / count
        first, last = self.instants[0], self.instants[-1]
        out: list[tuple[float, str]] = [(0.0, clock(first))]
        if last == first:
            return out
        end = self.compressed(last)
        for instant in self.instants[1:-1]:
            x = self.compressed(instant)
            # the first label hangs right of its tick and the last left of it: keep 1.5 gaps from them
            room = gap * (1.5 if len(out) == 1 else 1.0)
            if x - out[-1][0] >= room and end - x >= 1.5 * gap:
                out.append((x, clock(instant)))
        out.append((end, clock(last)))
        return out
