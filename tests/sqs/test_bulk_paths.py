"""Bulk steps of the hot paths give what the one-at-a-time steps give.

A batch send stores its messages with one ``push_all`` into the retention queue, and a receive
records its in-flight deadlines with one ``push_all`` into the deadline queue; both are compared
with pushing each item, in order and out of order. A batch of bodies alone is compared with the
same batch of ``SendEntry`` values (the general path): results, receives, deletes and journal.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
"""

from __future__ import annotations

from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services._sqs_storage import DeadlineQueue, Entry, RetentionQueue
from eventbus.services.sqs import SendEntry


def _entry(n: int, at: float) -> Entry:
    entry = Entry(f"m{n}", "body", "md5", 4, at, at)
    entry.vis_token = n % 3
    return entry


@pytest.mark.parametrize("earlier", [False, True])
def test_retention_push_all_is_push_of_each(earlier: bool) -> None:
    one, bulk = RetentionQueue(), RetentionQueue()
    first = [_entry(i, 10.0) for i in range(3)]
    for entry in first:
        one.push(entry)
        bulk.push(entry)
    at = 5.0 if earlier else 10.0  # an earlier enqueue time goes to the heap (dead-lettered copies)
    batch = [_entry(i, at) for i in range(3, 6)]
    for entry in batch:
        one.push(entry)
    bulk.push_all(batch, at)
    assert bulk.live() == one.live()
    assert bulk.oldest() == one.oldest()
    assert bulk.pop_expired(20.0, 10.0) == one.pop_expired(20.0, 10.0)


@pytest.mark.parametrize("due", [30.0, 50.0])
def test_deadline_push_all_is_push_of_each_with_its_token(due: float) -> None:
    one, bulk = DeadlineQueue(), DeadlineQueue()
    for queue in (one, bulk):
        queue.push(40.0, _entry(0, 0.0), 7)
    batch = [_entry(i, 0.0) for i in range(1, 5)]
    for entry in batch:
        one.push(due, entry, entry.vis_token)
    bulk.push_all(due, batch)  # due 30 is before the last deadline: the heap, as push does
    assert bulk.items() == one.items()
    assert bulk.pop_due(60.0) == one.pop_due(60.0)
    bulk.push(70.0, batch[0])
    one.push(70.0, batch[0])
    assert bulk.items() == one.items()  # the sequence numbers continue alike


def _native(bodies_only: bool, delay: int) -> tuple[Any, ...]:
    sim = Simulation(seed=5)
    queue = sim.sqs.create_queue("q", delay_seconds=delay)
    bodies = ["a", "", "b\x00", "ccc", "é"]
    sent = queue.send_batch(bodies if bodies_only else [SendEntry(body=b) for b in bodies])
    sim.advance(delay)
    received = queue.receive(10, attribute_names=())
    deleted = queue.delete_batch([m.receipt_handle for m in received])
    return sent, received, deleted, sim.journal.dumps()


@pytest.mark.parametrize("delay", [0, 3])
def test_native_batch_of_bodies_answers_as_the_general_path(delay: int) -> None:
    assert _native(True, delay) == _native(False, delay)
