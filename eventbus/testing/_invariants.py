"""Invariant checks over a journal (internal; see :mod:`eventbus.testing.invariants`).

Only the journal is read (design.md, principle 5): what a queue holds, what a delivery came to and
in which order messages left their queues are all reconstructed from the records the services
append, so a dumped journal (``Journal.load``) can be checked as well as a live simulation.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from .._journal import Journal, Record
from ._invariants_life import InvariantViolation, _short, records_of

if TYPE_CHECKING:
    from .._simulation import Simulation

__all__ = (
    "assert_at_least_once",
    "assert_dead_letters_accounted",
    "assert_effects_exactly_once",
    "assert_fifo_order",
    "assert_invariants",
    "assert_no_message_lost",
)

T = TypeVar("T")
JournalSource = Journal | Iterable[Record]

#: Records that put one more copy of a message into a queue, by kind and ``detail["fault"]``.
_COPY_FAULTS = {"sqs.fault": frozenset({"duplicate", "redelivered"}), "fault.injected": frozenset({"duplicate_delivery", "lost_delete"})}
#: Records that take a copy out of a queue (the message's life there ends), and what they mean.
_DEPARTURES = {
    "sqs.deleted": "deleted",
    "sqs.retention_expired": "expired",
    "sqs.purged": "purged",
    "sqs.dead_lettered": "dead_lettered",
    "sqs.moved": "moved",
}
#: ``_delivery.Delivery`` journal prefixes whose attempts the at-least-once check follows.
_DELIVERY_PREFIXES = frozenset({"events.target", "sns.delivery", "scheduler.target", "lambda.destination", "lambda.dead_letter"})
#: How a delivery that gave up is resolved, per service: dead-lettered or dropped (with a reason).
_RESOLUTIONS = {
    "events.dead_lettered": "dead_lettered",
    "events.dropped": "dropped",
    "sns.dead_lettered": "dead_lettered",
    "sns.dropped": "dropped",
    "scheduler.dead_lettered": "dead_lettered",
    "scheduler.dropped": "dropped",
    "lambda.destination_failed": "dropped",
    "lambda.dead_letter_failed": "dropped",
}
_DEAD_LETTER_KINDS = frozenset({"events.dead_lettered", "sns.dead_lettered", "scheduler.dead_lettered"})


def _is_fifo(queue_arn: str) -> bool:
    return queue_arn.endswith(".fifo")


# --------------------------------------------------------------------- SQS ledger
class _Message:
    __slots__ = ("copies", "dead_lettered", "deleted", "expired", "group", "id", "origin", "purged", "queue_deleted")

    def __init__(self, message_id: str, origin: str, group: str | None) -> None:
        self.id = message_id
        self.origin = origin
        self.group = group
        self.copies: dict[str, int] = {}
        self.deleted = 0
        self.dead_lettered: list[str] = []
        self.expired: list[str] = []
        self.purged = 0
        self.queue_deleted: list[str] = []


class _Ledger:
    """Where every SQS message is, record by record: copies per queue and how copies left."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.messages: dict[str, _Message] = {}
        self.queues: dict[str, bool] = {}
        self.deleted_queues: dict[str, float] = {}
        by_queue: dict[str, set[str]] = defaultdict(set)
        for record in records:
            kind = record.kind
            if not kind.startswith(("sqs.", "fault.")):
                continue
            queue, message_id = record.resource, record.id
            if kind == "sqs.queue_created":
                self.queues[queue] = bool(record.detail.get("fifo", _is_fifo(queue)))
                self.deleted_queues.pop(queue, None)
            elif kind == "sqs.queue_deleted":
                self.deleted_queues[queue] = record.time
                for held in by_queue.pop(queue, set()):
                    message = self.messages[held]
                    if message.copies.get(queue, 0) > 0:
                        message.copies[queue] = 0
                        message.queue_deleted.append(queue)
            elif kind == "sqs.sent":
                sent = self.messages.get(message_id)
                if sent is None:
                    group = record.detail.get("group")
                    sent = self.messages[message_id] = _Message(message_id, queue, group if isinstance(group, str) else None)
                sent.copies[queue] = sent.copies.get(queue, 0) + 1
                by_queue[queue].add(message_id)
            elif kind in _COPY_FAULTS and message_id and record.detail.get("fault") in _COPY_FAULTS[kind] and queue.startswith("arn:aws:sqs:"):
                message = self._get(message_id, queue)
                message.copies[queue] = message.copies.get(queue, 0) + 1
                by_queue[queue].add(message_id)
            elif kind in _DEPARTURES and message_id:
                message = self._get(message_id, queue)
                message.copies[queue] = message.copies.get(queue, 0) - 1
                meaning = _DEPARTURES[kind]
                if meaning == "deleted":
                    message.deleted += 1
                elif meaning == "expired":
                    message.expired.append(queue)
                elif meaning == "purged":
                    message.purged += 1
                elif meaning in ("dead_lettered", "moved"):
                    to = str(record.detail.get("dlq" if meaning == "dead_lettered" else "to", ""))
                    if meaning == "dead_lettered":
                        message.dead_lettered.append(to)
                    if to:
                        message.copies[to] = message.copies.get(to, 0) + 1
                        by_queue[to].add(message_id)

    def _get(self, message_id: str, queue: str) -> _Message:
        message = self.messages.get(message_id)
        if message is None:  # a journal that starts after the send
            message = self.messages[message_id] = _Message(message_id, queue, None)
        return message


# ------------------------------------------------------------------ no message lost
def assert_no_message_lost(
    journal: JournalSource | Simulation, *, allow_queued: bool = True, allow_expired: bool = True
) -> None:
    """Every SQS message sent was deleted (consumed), dead-lettered, expired by the retention period,
    or is still in a queue (visible, in flight or delayed).

    A message is lost when it left its queues otherwise: its queue was deleted with it inside, or it
    vanished with no record saying how. Duplicates count with their message: one copy deleted is
    the message consumed. ``PurgeQueue`` counts as deleting.

    Args:
        journal: a :class:`~eventbus.Journal`, a simulation, or records.
        allow_queued: when False, a message still in a queue (never consumed nor dead-lettered) is
            lost too: use it once the simulation has settled.
        allow_expired: when False, a message the retention period deleted before anyone consumed
            it is lost too.

    Raises:
        InvariantViolation: naming each lost message, with the life of the first.
    """
    records = records_of(journal)
    ledger = _Ledger(records)
    problems: list[tuple[str, str]] = []
    for message in ledger.messages.values():
        if message.deleted or message.dead_lettered or message.purged:
            continue
        sent = f"message {message.id} (sent to {_short(message.origin)})"
        where = [queue for queue, n in message.copies.items() if n > 0]
        if where:
            if not allow_queued:
                problems.append((message.id, f"{sent} is still in {', '.join(map(_short, where))}: never consumed nor dead-lettered"))
        elif message.expired:
            if not allow_expired:
                queue = _short(message.expired[-1])
                problems.append((message.id, f"{sent} expired (the retention period of {queue} passed) without being consumed"))
        elif message.queue_deleted:
            problems.append((message.id, f"{sent} was in {_short(message.queue_deleted[-1])} when that queue was deleted"))
        else:
            problems.append((message.id, f"{sent} left its queue without being deleted, dead-lettered or expiring"))
    if problems:
        raise InvariantViolation("no message lost", problems, records)


# ---------------------------------------------------------------- at-least-once
class _Delivery:
    __slots__ = ("attempts", "error", "key", "reason", "state")

    def __init__(self, key: tuple[str, str, str, str]) -> None:
        self.key = key
        self.state = "pending"
        self.attempts = 0
        self.error = ""
        self.reason = ""


def _describe_delivery(delivery: _Delivery) -> str:
    prefix, source, target, message_id = delivery.key
    what = {
        "events.target": f"event {message_id} to target {_short(target)} of rule {_short(source)}",
        "sns.delivery": f"SNS message {message_id} to {_short(target)} (subscription {_short(source)})",
        "scheduler.target": f"schedule {_short(source)} execution {message_id} to {_short(target)}",
        "lambda.async": f"asynchronous invocation {message_id} of {_short(target)}",
    }.get(prefix, f"{prefix} {message_id} to {_short(target)}")
    return what


def assert_at_least_once(
    journal: JournalSource | Simulation, *, allow_pending: bool = True, allow_dropped: bool = True
) -> None:
    """Every delivery the services started came to an end AWS allows: delivered, dead-lettered, or
    dropped with a reason (retries exhausted without a dead-letter queue, a target that does not
    exist); or is still being retried.

    Covered: each event a rule matched, to each of the rule's targets; each SNS message to each
    subscription its filter policy accepted; each schedule execution to its target; each
    asynchronous Lambda invocation (succeeded, or discarded to its destination or dead-letter
    queue); Lambda destination and dead-letter deliveries.

    Args:
        journal: a :class:`~eventbus.Journal`, a simulation, or records.
        allow_pending: when False, a delivery still being retried (or an asynchronous invocation
            not yet finished) is a violation: use it once the simulation has settled.
        allow_dropped: when False, a dropped delivery is a violation too (each delivery must end
            delivered or in a dead-letter queue).

    Raises:
        InvariantViolation: naming each delivery that broke it (by message or event id), with the
            life of the first.
    """
    records = records_of(journal)
    deliveries: dict[tuple[str, str, str, str], _Delivery] = {}
    given_up: dict[tuple[str, str], deque[_Delivery]] = defaultdict(deque)
    standalone: list[_Delivery] = []
    asynchronous: dict[str, _Delivery] = {}
    for record in records:
        kind = record.kind
        prefix, _, outcome = kind.rpartition(".")
        if prefix in _DELIVERY_PREFIXES and outcome in ("delivered", "retrying", "failed"):
            key = (prefix, str(record.detail.get("source", "")), record.resource, record.id)
            delivery = deliveries.get(key)
            if delivery is None or delivery.state not in ("pending", "given_up"):
                delivery = deliveries[key] = _Delivery(key)
            delivery.attempts += 1
            delivery.error = str(record.detail.get("error_message", "")) or str(record.detail.get("error_code", ""))
            if outcome == "delivered":
                delivery.state = "delivered"
                discarded = asynchronous.get(record.id) if prefix.startswith("lambda.") else None
                if discarded is not None and discarded.state == "dropped":  # to its DLQ or on-failure destination
                    discarded.state = "dead_lettered"
            elif outcome == "failed":
                delivery.state = "given_up"
                delivery.reason = str(record.detail.get("exhausted", ""))
                given_up[(prefix.split(".", 1)[0], record.id)].append(delivery)
            continue
        meaning = _RESOLUTIONS.get(kind)
        if meaning is not None:
            waiting = given_up.get((kind.split(".", 1)[0], record.id))
            if waiting:
                delivery = waiting.popleft()
            else:  # dropped without an attempt (InputPath matched nothing, no such bus, unsubscribed)
                delivery = _Delivery((kind.rsplit(".", 1)[0], "", record.resource, record.id))
                standalone.append(delivery)
            delivery.state = meaning
            delivery.reason = str(record.detail.get("reason", delivery.reason)) or delivery.reason
            continue
        if kind.startswith("lambda.async."):
            key = ("lambda.async", "", record.resource, record.id)
            delivery = deliveries.get(key)
            if delivery is None:
                delivery = deliveries[key] = asynchronous[record.id] = _Delivery(key)
            if kind == "lambda.async.succeeded":
                delivery.state = "delivered"
            elif kind in ("lambda.async.discarded", "lambda.async.dropped"):
                delivery.state = "dropped"
                delivery.reason = str(record.detail.get("condition") or record.detail.get("reason", ""))

    problems: list[tuple[str, str]] = []
    for delivery in [*deliveries.values(), *standalone]:
        state = delivery.state
        what = _describe_delivery(delivery)
        message_id = delivery.key[3]
        if state == "given_up":
            problems.append((message_id, f"{what}: retries ended ({delivery.reason}) but it was neither dead-lettered nor dropped"))
        elif state == "pending" and not allow_pending:
            last = f" (attempt {delivery.attempts} failed: {delivery.error})" if delivery.attempts and delivery.error else ""
            problems.append((message_id, f"{what} is still pending{last}"))
        elif state == "dropped" and not allow_dropped:
            problems.append((message_id, f"{what} was dropped ({delivery.reason or 'no reason given'})"))
    if problems:
        raise InvariantViolation("at-least-once delivery", problems, records)


# ------------------------------------------------------------------- FIFO order
def assert_fifo_order(
    journal: JournalSource | Simulation,
    processed: Iterable[T] | None = None,
    *,
    message_id: Callable[[T], str] | None = None,
) -> None:
    """Messages of a FIFO queue's message group are received and processed in the order they were sent.

    Checked from the journal, per queue and group:

    * receive order: no message is received while an earlier message of its group is still in the
      queue, unless that one is received in the same ReceiveMessage call before it;
    * processing order, as deletes show it: no message is deleted while an earlier message of its
      group is still in the queue (gone, it was deleted, dead-lettered or expired), unless that one
      goes at the same instant;
    * with ``processed`` (your handler's log, in the order it handled messages), the first
      processing of each message follows its group's send order (retries and duplicates may repeat
      a message; a message dead-lettered before its turn may be missing).

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html

    Args:
        journal: a :class:`~eventbus.Journal`, a simulation, or records.
        processed: message ids (or items ``message_id`` maps to ids) in the order they were handled.
        message_id: how to get a message id from an item of ``processed`` (default: the item).

    Raises:
        InvariantViolation: naming the message out of order and the earlier one, with both lives.
    """
    records = records_of(journal)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    position: dict[tuple[str, str], int] = {}
    group_of: dict[str, str] = {}
    origin: dict[str, str] = {}
    gone_at: dict[tuple[str, str], float] = {}
    for record in records:  # first pass: arrivals per group, and when each message left each queue
        kind, queue = record.kind, record.resource
        if kind == "sqs.sent" and _is_fifo(queue):
            group = record.detail.get("group")
            if isinstance(group, str):
                group_of[record.id] = group
                origin.setdefault(record.id, queue)
                if (queue, record.id) not in position:
                    position[(queue, record.id)] = len(groups[(queue, group)])
                    groups[(queue, group)].append(record.id)
        elif kind in _DEPARTURES and (queue, record.id) in position:
            gone_at.setdefault((queue, record.id), record.time)
            if kind in ("sqs.dead_lettered", "sqs.moved"):
                to = str(record.detail.get("dlq" if kind == "sqs.dead_lettered" else "to", ""))
                group = group_of.get(record.id)
                if _is_fifo(to) and group is not None and (to, record.id) not in position:
                    position[(to, record.id)] = len(groups[(to, group)])
                    groups[(to, group)].append(record.id)
        elif kind == "sqs.queue_deleted":
            for (held_queue, held), _ in list(position.items()):
                if held_queue == queue:
                    gone_at.setdefault((queue, held), record.time)
    problems: list[tuple[str, str]] = []
    related: dict[str, list[str]] = {}

    def report(message: str, earlier: str, text: str) -> None:
        problems.append((message, text))
        related[message] = [earlier]

    gone: set[tuple[str, str]] = set()
    run: dict[str, tuple[int, float]] = {}
    run_of: dict[tuple[str, str], int] = {}
    run_id = 0
    previous: Record | None = None
    for record in records:  # second pass: receives and deletes in journal order
        kind, queue, mid = record.kind, record.resource, record.id
        if kind == "sqs.received":
            if previous is None or previous.kind != "sqs.received" or previous.resource != queue or previous.time != record.time:
                run_id += 1
            run[queue] = (run_id, record.time)
            key = (queue, mid)
            if key in position:
                run_of[key] = run_id
                group = group_of[mid]
                for earlier in groups[(queue, group)][: position[key]]:
                    if (queue, earlier) not in gone and run_of.get((queue, earlier)) != run_id:
                        report(
                            mid,
                            earlier,
                            f"message {mid} of group {group} in {_short(queue)} was received at +{record.time:g}s "
                            f"while {earlier}, sent before it, was still in the queue",
                        )
                        break
        elif kind in _DEPARTURES and (queue, mid) in position:
            if kind == "sqs.deleted":
                group = group_of[mid]
                for earlier in groups[(queue, group)][: position[(queue, mid)]]:
                    left = gone_at.get((queue, earlier))
                    if left is None or left > record.time:
                        report(
                            mid,
                            earlier,
                            f"message {mid} of group {group} in {_short(queue)} was processed (deleted) at +{record.time:g}s "
                            f"before {earlier}, sent before it, which was still in the queue",
                        )
                        break
            gone.add((queue, mid))
        elif kind == "sqs.queue_deleted":
            gone.update(key for key in position if key[0] == queue)
        previous = record
    if processed is not None:
        done: set[str] = set()
        furthest: dict[tuple[str, str], int] = {}
        for item in processed:
            handled = message_id(item) if message_id is not None else item
            if not isinstance(handled, str):
                raise TypeError(f"assert_fifo_order: processed items must be message ids (or pass message_id=), got {handled!r}")
            came_from = origin.get(handled)
            if came_from is None or handled in done:
                continue
            done.add(handled)
            mid, queue = handled, came_from
            key = (queue, group_of[mid])
            index = position[(queue, mid)]
            latest = furthest.get(key, -1)
            if index < latest:
                later = groups[key][latest]
                report(
                    mid,
                    later,
                    f"message {mid} of group {key[1]} in {_short(queue)} was first processed after {later}, which was sent after it",
                )
            furthest[key] = max(latest, index)
    if problems:
        raise InvariantViolation("FIFO order", problems, records, related=related)


# ---------------------------------------------------------- effects exactly once
def assert_effects_exactly_once(
    effects: Iterable[T],
    key: Callable[[T], Hashable] | None = None,
    *,
    expected: Iterable[Hashable] | None = None,
    journal: JournalSource | Simulation | None = None,
    message_id: Callable[[T], str] | None = None,
) -> None:
    """Each side effect your handler logged happened once per key (and, with ``expected``, every
    expected key happened).

    Under at-least-once delivery a handler sees duplicates; an idempotent one (say
    :func:`eventbus.testing.idempotency.idempotent`) still has each effect once. Log your effects
    (a charge, a row written, an email sent) and check them here::

        charges = []   # appended to by the handler: (order_id, message_id)
        assert_effects_exactly_once(charges, key=lambda c: c[0], journal=sim, message_id=lambda c: c[1])

    Args:
        effects: the effects, in the order they happened.
        key: what makes two effects the same (default: the effect itself).
        expected: keys that must each have exactly one effect (missing ones are violations).
        journal: when given with ``message_id``, the error shows the lives of the messages behind
            the repeated effects.
        message_id: the SQS message (or event, or request) id an effect came from.

    Raises:
        InvariantViolation: naming each key with more than one effect (and how many), or none.
    """
    items = list(effects)
    keyed: dict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        keyed[key(item) if key is not None else item].append(item)
    problems: list[tuple[str, str]] = []
    related: dict[str, list[str]] = {}
    for k, happened in keyed.items():
        if len(happened) > 1:
            ids = [message_id(item) for item in happened] if message_id is not None else []
            distinct = list(dict.fromkeys(ids))
            label = distinct[0] if distinct else repr(k)
            via = f" (from {', '.join(distinct)})" if distinct else ""
            problems.append((label, f"the effect for {k!r} happened {len(happened)} times{via}"))
            related[label] = distinct[1:]
    if expected is not None:
        for k in expected:
            if k not in keyed:
                problems.append((repr(k), f"the effect for {k!r} never happened"))
    if problems:
        records = records_of(journal) if journal is not None and message_id is not None else ()
        raise InvariantViolation("effects exactly once", problems, records, related=related)


# ------------------------------------------------------- dead-letter accounting
def assert_dead_letters_accounted(journal: JournalSource | Simulation) -> None:
    """Every dead-lettered message is in its dead-letter queue.

    * SQS redrive (``sqs.dead_lettered``): the dead-letter queue existed then; the message's copy
      moved there (and its later life there is in the journal).
    * EventBridge targets, SNS subscriptions, Scheduler targets (``*.dead_lettered``): a message
      arrived at the dead-letter queue (``sqs.sent``) or topic (``sns.published``) at that instant.
    * A dead-letter queue that refused the message (``reason: DeadLetterDeliveryFailed``), or a
      Lambda dead-letter delivery that failed, is a violation: the message is lost.

    Raises:
        InvariantViolation: naming each unaccounted message, with its life.
    """
    records = records_of(journal)
    queues: set[str] = set()
    deleted: set[str] = set()
    arrivals: dict[str, list[Record]] = defaultdict(list)
    problems: list[tuple[str, str]] = []
    related: dict[str, list[str]] = {}
    for record in records:
        kind, resource = record.kind, record.resource
        if kind == "sqs.queue_created":
            queues.add(resource)
            deleted.discard(resource)
        elif kind == "sqs.queue_deleted":
            deleted.add(resource)
        elif kind in ("sqs.sent", "sns.published"):
            arrivals[resource].append(record)
        elif kind == "sqs.dead_lettered":
            dlq = str(record.detail.get("dlq", ""))
            if dlq not in queues or dlq in deleted:
                problems.append((record.id, f"message {record.id} was dead-lettered from {_short(resource)} to {_short(dlq)}, which does not exist"))
        elif kind in _DEAD_LETTER_KINDS:
            landed = arrivals.get(resource)
            if landed and landed[-1].time == record.time:
                letter = landed.pop()
                related[record.id] = [letter.id]
            else:
                problems.append((record.id, f"{record.id} was dead-lettered to {_short(resource)}, but no message arrived there"))
        elif kind.endswith(".dropped") and record.detail.get("reason") == "DeadLetterDeliveryFailed":
            dlq = str(record.detail.get("dlq", ""))
            error = record.detail.get("dlq_error", "")
            problems.append((record.id, f"{record.id} should have been dead-lettered{' to ' + _short(dlq) if dlq else ''}, but the dead-letter queue refused it: {error}"))
        elif kind == "lambda.dead_letter_failed":
            problems.append((record.id, f"invocation {record.id} could not be dead-lettered to {_short(resource)}: {record.detail.get('error', '')}"))
    if problems:
        raise InvariantViolation("dead-letter accounting", problems, records, related=related)


# ------------------------------------------------------------------------- all
def assert_invariants(journal: JournalSource | Simulation, *, settled: bool = False) -> None:
    """Run every journal invariant: no message lost, at-least-once delivery, FIFO order, dead-letter
    accounting.

    Args:
        journal: a :class:`~eventbus.Journal`, a simulation, or records.
        settled: the simulation has run until nothing is left to retry: a delivery still pending is
            then a violation.
    """
    records = records_of(journal)
    assert_no_message_lost(records)
    assert_at_least_once(records, allow_pending=not settled)
    assert_fifo_order(records)
    assert_dead_letters_accounted(records)
