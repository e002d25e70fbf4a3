"""The text report of a replay: per input line, what it caused, on virtual time; then the final state.

::

    line 2  +00:00:10.000  PutEvents OrderPlaced from com.example.shop to bus shop -> event 9f1c2a3b
      +00:00:10.000  matched        2 rules on bus shop: new-orders, big-orders
      +00:00:10.000  sent           message 5e0d7c61 to queue orders (145 bytes)
      +00:00:10.000  delivered      to queue orders by rule shop/new-orders
      +00:00:10.000  raised         function notify_sales raised KeyError: 'email'
      +00:00:10.000  retry          attempt 1 to function notify_sales by rule shop/big-orders failed (...); next attempt in 0.8 s

Built from the journal alone (:func:`eventbus.report.build_story`); the work is linear in the number
of records, so a replay of a hundred thousand inputs reports in seconds.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from .._journal import Record
from ._describe import Describer, error_text, input_title
from ._names import Names, Writer, clock, short_id
from ._story import LineStory, Story

__all__ = ("render_text", "write_text")

_LABEL = 13


def _line_header(line: LineStory, names: Names) -> str:
    if line.status == "skipped":
        return f"line {line.line}  SKIPPED: {line.error}"
    title = input_title(names, line.input, line.resource, line.detail)
    head = f"line {line.line}  {clock(line.time)}  {title}"
    if line.status != "accepted":
        return f"{head}  FAILED: {line.error}"
    if line.duplicate_of is not None:
        return f"{head}  (a duplicate of line {line.duplicate_of}'s message)"
    if line.root is not None:
        noun = {"event": "event", "message": "message", "notification": "message"}.get(line.root.kind, line.root.kind)
        return f"{head} -> {noun} {short_id(line.root.id)}"
    return head


#: Detail fields that change from one repetition of a retry or redelivery cycle to the next.
_VOLATILE: Final = frozenset({"attempt", "attempts", "retry_in", "count", "duration", "until", "delay"})
_MAX_PERIOD = 8


class _Repeat:
    """A stretch of records left out: ``cycles`` more repetitions of the cycle shown before it."""

    __slots__ = ("cycles", "first", "last", "period")

    def __init__(self, period: int, cycles: int, first: Record, last: Record) -> None:
        self.period, self.cycles, self.first, self.last = period, cycles, first, last


def _signature(record: Record) -> tuple[object, ...]:
    detail = tuple(sorted((k, str(v)) for k, v in record.detail.items() if k not in _VOLATILE))
    # each run of a function has its own request id; the cycle is the same
    identifier = "" if record.kind.startswith("lambda.") and record.kind != "lambda.async.retrying" else record.id
    return (record.kind, record.resource, identifier, detail)


def compress(records: Sequence[Record]) -> Iterator[Record | _Repeat]:
    """The records, with long repetitions of one cycle (a retry, a redelivery) shortened.

    A cycle of up to eight records repeated at least six times (in a line of twelve records or more)
    is shown twice, then summarised, then shown once more (its last repetition). Linear in the number
    of records.
    """
    n = len(records)
    if n < 12:  # too short for six repetitions of a cycle worth shortening
        yield from records
        return
    signatures = [_signature(record) for record in records]
    i = 0
    while i < n:
        best_period, best_cycles = 0, 0
        for period in range(1, _MAX_PERIOD + 1):
            if i + 2 * period > n:
                break
            j = i + period
            while j < n and signatures[j] == signatures[j - period]:
                j += 1
            cycles = (j - i) // period
            if cycles > best_cycles:
                best_period, best_cycles = period, cycles
        if best_cycles >= 6:
            p = best_period
            yield from records[i : i + 2 * p]
            hidden_start, hidden_end = i + 2 * p, i + (best_cycles - 1) * p
            yield _Repeat(p, best_cycles - 3, records[hidden_start], records[hidden_end - 1])
            yield from records[hidden_end : i + best_cycles * p]
            i += best_cycles * p
        else:
            yield records[i]
            i += 1


def _line_body(line: LineStory, describe: Describer) -> Iterable[str]:
    root = line.root
    skip = root.records[0].seq if root is not None and root.records else -1
    matched = any(record.kind == "events.matched" for record in line.records)
    records = [record for record in line.records if record.seq != skip]
    for item in compress(records):
        if isinstance(item, _Repeat):
            what = "record" if item.period == 1 else f"{item.period} records"
            yield (
                f"  {'':13}  {'...':<{_LABEL}}  the same {what} repeated {item.cycles} more times, "
                f"from {clock(item.first.time)} to {clock(item.last.time)}"
            )
            continue
        label, text = describe(item)
        yield f"  {clock(item.time)}  {label:<{_LABEL}}  {text}"
    if root is not None and root.kind == "event" and not matched:
        yield f"  {clock(line.time)}  {'no match':<{_LABEL}}  no rule on {describe.names(line.resource)} matches this event"


def _final_state(story: Story, names: Names) -> Iterable[str]:
    settled = story.settled
    if settled is not None:
        detail = settled.detail
        if detail.get("reason") == "idle":
            how = "nothing left to run"
        else:
            pending = detail.get("pending_timers", 0)
            how = (
                f"nothing else due before the horizon {clock(float(detail.get('horizon', 0)))}; "
                f"{pending} timer{'s' if pending != 1 else ''} (retention, schedules, later retries) still pending"
            )
        yield f"final state at {clock(settled.time)} ({how})"
    else:
        yield f"final state at {clock(story.end)}"
    if story.queues:
        width = max(len(names(arn)) for arn in story.queues)
        yield f"  {'':<{width}}  {'visible':>7}  {'in flight':>9}  {'delayed':>7}  {'sent':>6}  {'received':>8}  {'deleted':>7}  {'to DLQ':>6}  {'expired':>7}"
        for arn, queue in sorted(story.queues.items(), key=lambda item: names(item[0])):
            yield (
                f"  {names(arn):<{width}}  {queue.visible:>7}  {queue.in_flight:>9}  {queue.delayed:>7}  {queue.sent:>6}"
                f"  {queue.received:>8}  {queue.deleted:>7}  {queue.dead_lettered:>6}  {queue.expired:>7}"
            )
    else:
        yield "  no queues"
    if story.dead_letters:
        yield f"dead-letter queue contents ({len(story.dead_letters)})"
        describe = Describer(names)
        for letter in story.dead_letters:
            line = story.line_of(letter.thread)
            where = f"line {line}" if line is not None else "no input line"
            why = describe(letter.cause)[1] if letter.cause is not None else "arrived"
            if letter.failure is not None:
                why += f"; last error: {error_text(letter.failure.detail)}"
            yield f"  {names(letter.dlq)}  message {short_id(letter.message_id)}  ({where})  {why}"
    if story.retrying:
        yield f"still being retried when the replay stopped ({len(story.retrying)})"
        describe = Describer(names)
        for record in story.retrying:
            line = story.line_of(story.threads.get(record.id))
            where = f"line {line}" if line is not None else "no input line"
            yield f"  {clock(record.time)}  ({where})  {describe(record)[1]}"
    if story.dropped:
        yield f"dropped ({len(story.dropped)})"
        describe = Describer(names)
        for record in story.dropped:
            thread = story.threads.get(record.id)
            line = story.line_of(thread)
            where = f"line {line}" if line is not None else "no input line"
            yield f"  {clock(record.time)}  ({where})  {describe(record)[1]}"


def _background(story: Story, names: Names) -> Iterable[str]:
    if not story.background:
        return
    counts = Counter((thread.root_kind, thread.resource) for thread in story.background)
    yield f"not caused by an input line ({len(story.background)})"
    for (kind, resource), count in sorted(counts.items(), key=lambda item: (item[0][0], names(item[0][1]))):
        yield f"  {count:>6} x {kind} on {names(resource)}"


def _summary(story: Story) -> Iterable[str]:
    total = len(story.lines)
    accepted, failed, skipped = story.count("accepted"), story.count("failed"), story.count("skipped")
    yield (
        f"summary: {total} input line{'s' if total != 1 else ''}: {accepted} accepted, {failed} failed, {skipped} skipped; "
        f"{len(story.dead_lettered)} dead-lettered, {len(story.dropped)} dropped, "
        f"{len(story.handler_errors)} handler error{'s' if len(story.handler_errors) != 1 else ''}"
    )
    for line in story.lines:
        if line.status != "accepted":
            yield f"  line {line.line}: {line.status}: {line.error}"


def write_text(story: Story, out: Writer, *, header: str | None = None, quiet: bool = False) -> None:
    """Write the text report of ``story`` to ``out``.

    Args:
        story: the replay's story.
        out: where to write.
        header: a first line (the command, files and seed), if any.
        quiet: only the summary: no per-line story, no final state.
    """
    names = Names()
    describe = Describer(names)
    write = out.write
    if header:
        write(header + "\n\n")
    if not quiet:
        for line in story.lines:
            write(_line_header(line, names) + "\n")
            for text in _line_body(line, describe):
                write(text + "\n")
            write("\n")
        for text in _background(story, names):
            write(text + "\n")
        for text in _final_state(story, names):
            write(text + "\n")
        write("\n")
    for text in _summary(story):
        write(text + "\n")


def render_text(story: Story, *, header: str | None = None, quiet: bool = False) -> str:
    """The text report of ``story`` as a string (see :func:`write_text`)."""
    buffer = io.StringIO()
    write_text(story, buffer, header=header, quiet=quiet)
    return buffer.getvalue()
