"""Bulk steps of the hot paths give what the one-at-a-time steps give.

A batch send stores its messages with one ``push_all`` into the retention queue, and a receive
records its in-flight deadlines with one ``push_all`` into the deadline queue; both are compared
with pushing each item, in order and out of order. A batch of bodies alone (body checks inline for
ASCII text, CPython's MD5 below 1 KiB, journal records appended straight to an unobserved journal)
is compared with the same batch of ``SendEntry`` values (the general path): results, receives,
deletes and journal, with and without a journal observer.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services._sqs_md5 import md5_of_body
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


def _native(bodies_only: bool, delay: int, bodies: list[str], maximum: int | None, observed: bool = False) -> tuple[Any, ...]:
    sim = Simulation(seed=5)
    seen: list[Any] = []
    if observed:
        sim.journal.subscribe(seen.append)
    queue = sim.sqs.create_queue("q", delay_seconds=delay, maximum_message_size=maximum)
    sent = queue.send_batch(bodies if bodies_only else [SendEntry(body=b) for b in bodies])
    sim.advance(delay)
    received = queue.receive(10, attribute_names=())
    deleted = queue.delete_batch([m.receipt_handle for m in received])
    if observed:
        assert seen == list(sim.journal)[len(sim.journal) - len(seen) :]  # the observer saw each record
    assert [r.seq for r in sim.journal] == list(range(len(sim.journal)))
    return sent, received, deleted, sim.journal.dumps()


BODIES = [
    pytest.param(["a", "", "b\x00", "ccc", "é", "x\ud800"], None, id="valid-and-invalid"),
    pytest.param(["x" * 1024, "y" * 1025, "é" * 512, "é" * 513, "\x7f" * 3, "\x1f"], 1024, id="at-the-maximum-size"),
    pytest.param(["x" * 1023, "y" * 1024, "\U0001f600" * 300], None, id="md5-either-side-of-1-KiB"),
]


@pytest.mark.parametrize("delay", [0, 3])
@pytest.mark.parametrize(("bodies", "maximum"), BODIES)
def test_native_batch_of_bodies_answers_as_the_general_path(delay: int, bodies: list[str], maximum: int | None) -> None:
    assert _native(True, delay, bodies, maximum) == _native(False, delay, bodies, maximum)


def test_an_observed_journal_gets_the_same_records_from_the_bulk_paths() -> None:
    # Records appended straight to an unobserved journal are the ones Journal.append makes.
    bodies = ["a", "bb", "\x00", "é"]
    assert _native(True, 0, bodies, None, observed=True) == _native(True, 0, bodies, None)


@pytest.mark.parametrize(
    "body", ["x", "x" * 200, "x" * 1023, "x" * 1024, "x" * 1025, "é" * 511 + "x", "é" * 512, "x" * 70_000]
)
def test_md5_of_body_is_the_md5_of_the_utf8_bytes_at_any_size(body: str) -> None:
    # MD5OfMessageBody: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
    sim = Simulation()
    queue = sim.sqs.create_queue("q")
    expected = hashlib.md5(body.encode()).hexdigest()
    assert queue.send(body).md5_of_body == expected
    assert queue.send_batch([body]).successful[0].md5_of_body == expected
    assert md5_of_body(body) == expected


def test_trim_inflight_is_trim_with_the_live_deadline_test() -> None:
    # The in-flight deadlines of departed (deleted, made visible, re-received) messages are dropped
    # from the front, up to the first that still counts.
    from eventbus.services._sqs_queue_base import _live_deadline
    from eventbus.services._sqs_storage import GONE, INFLIGHT, VISIBLE

    def queue_of(states: list[tuple[int, int]]) -> DeadlineQueue:
        queue = DeadlineQueue()
        for n, (state, token) in enumerate(states):
            entry = _entry(n, 0.0)
            entry.state, entry.vis_token = state, 1
            queue.push(float(n), entry, token)
        return queue

    for states in ([], [(GONE, 1)], [(GONE, 1), (INFLIGHT, 0), (VISIBLE, 1), (INFLIGHT, 1), (GONE, 1)], [(INFLIGHT, 1)]):
        one, inline = queue_of(states), queue_of(states)
        one.trim(_live_deadline)
        assert inline.trim_inflight() == len(one)
        assert [(d, s, e.message_id, t) for d, s, e, t in inline.items()] == [(d, s, e.message_id, t) for d, s, e, t in one.items()]


def _api_batch(padded: bool, delay: int) -> tuple[Any, ...]:
    sim = Simulation(seed=9)
    api = sim.sqs.api
    url = api.call("CreateQueue", {"QueueName": "q", "Attributes": {"DelaySeconds": str(delay)}})["QueueUrl"]
    entries: list[dict[str, Any]] = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(["a", "", "b\x00", "é"])]
    if padded:  # a null member takes the general path (SendEntry-like tuples through _send)
        entries = [{**e, "DelaySeconds": None} for e in entries]
    sent = api.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    sim.advance(delay)
    received = api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10})
    return sent, received, sim.journal.dumps()


@pytest.mark.parametrize("delay", [0, 4])
def test_api_batch_of_bodies_on_a_delayed_queue_answers_as_the_general_path(delay: int) -> None:
    # A queue's DelaySeconds applies to each message of a batch:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
    assert _api_batch(False, delay) == _api_batch(True, delay)


@pytest.mark.parametrize("batch", [False, True])
def test_a_lost_delete_of_the_fault_plan_applies_to_batch_deletes_too(batch: bool) -> None:
    # lost_delete: a successful delete whose message comes back (standard queues deliver at least
    # once: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html).
    # DeleteMessageBatch's common-case path used to skip the fault plan.
    sim = Simulation(seed=7)
    sim.faults.lost_delete(1.0)
    queue = sim.sqs.create_queue("q")
    queue.send("a")
    handle = queue.receive(1)[0].receipt_handle
    if batch:
        assert queue.delete_batch([handle]).successful == ["0"]
    else:
        queue.delete(handle)
    sim.advance(600)
    assert [r.kind for r in sim.journal][-2:] == ["sqs.deleted", "fault.injected"]
    assert queue.statistics().visible == 1


def test_message_ids_are_the_version_4_uuids_of_the_drawn_bits() -> None:
    # MessageId: a UUID (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html),
    # drawn from the simulation's generator; batch and single sends format it alike.
    import random
    import uuid

    sim = Simulation(seed=21)
    queue = sim.sqs.create_queue("q")
    state = sim.rng.getstate()
    ids = [queue.send("a").message_id for _ in range(3)] + [r.message_id for r in queue.send_batch(["b", "c"]).successful]
    replay = random.Random()
    replay.setstate(state)
    assert ids == [str(uuid.UUID(int=replay.getrandbits(128), version=4)) for _ in range(5)]


def _deleted(through_api: bool) -> tuple[Any, ...]:
    sim = Simulation(seed=13)
    queue = sim.sqs.create_queue("q")
    queue.send_batch(["a", "b", "c"])
    got = queue.receive(3, attribute_names=())
    handles = {"x": got[0].receipt_handle, "y": "not-a-handle", "z": got[2].receipt_handle}
    if through_api:
        entries = [{"Id": i, "ReceiptHandle": h} for i, h in handles.items()]
        result = sim.sqs.api.call("DeleteMessageBatch", {"QueueUrl": queue.url, "Entries": entries})
        answer = ([e["Id"] for e in result.get("Successful", [])], [(f["Id"], f["Code"]) for f in result.get("Failed", [])])
    else:
        native = queue.delete_batch(handles)
        answer = (native.successful, [(f.id, f.code) for f in native.failed])
    return answer, sim.journal.dumps()


def test_api_batch_delete_answers_as_the_native_one() -> None:
    # DeleteMessageBatch: each entry succeeds or fails on its own (Successful and Failed lists):
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
    api, native = _deleted(True), _deleted(False)
    assert api == native
    assert api[0] == (["x", "z"], [("y", "ReceiptHandleIsInvalid")])


def _received(fifo: bool, params: dict[str, Any]) -> tuple[Any, ...]:
    sim = Simulation(seed=17)
    api = sim.sqs.api
    name = "q.fifo" if fifo else "q"
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = api.call("CreateQueue", {"QueueName": name, "Attributes": attributes})["QueueUrl"]
    group = {"MessageGroupId": "g"} if fifo else {}
    api.call("SendMessage", {"QueueUrl": url, "MessageBody": "now", **group})
    sim.call_later(3, lambda: api.call("SendMessage", {"QueueUrl": url, "MessageBody": "later", **group}))
    first = api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, **params})
    second = api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 5, **params})
    return first, second, sim.journal.dumps()


@pytest.mark.parametrize("fifo", [False, True])
def test_receive_naming_no_attributes_answers_as_a_selection_that_matches_none(fifo: bool) -> None:
    # A ReceiveMessage that names no attributes returns the four members every message has
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html),
    # written as the queue hands messages out on a standard queue, afterwards on a FIFO one; a
    # long poll (WaitTimeSeconds) answers the same way when the message arrives.
    plain = _received(fifo, {})
    assert plain == _received(fifo, {"MessageAttributeNames": ["none-such"], "MessageSystemAttributeNames": []})
    first, second, _ = plain
    assert [m["Body"] for m in first["Messages"]] == ["now"]
    assert [m["Body"] for m in second.get("Messages", [])] == (["later"] if not fifo else [])
