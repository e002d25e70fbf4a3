"""FIFO queues: message groups, strict order, deduplication, ReceiveRequestAttemptId, high throughput.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
"""

from __future__ import annotations

import hashlib
import itertools
import re

import pytest

from eventbus import Simulation
from eventbus.services.sqs import (
    InvalidParameterValueError,
    MissingParameterError,
    Queue,
    SendEntry,
)


@pytest.fixture
def fifo(sim: Simulation) -> Queue:
    return sim.sqs.create_queue("jobs.fifo", content_based_deduplication=True, visibility_timeout=30)


def test_message_group_id_is_required(sim: Simulation, fifo: Queue) -> None:
    """AWS-recorded: MissingParameter, 'The request must contain the parameter MessageGroupId.'"""
    with pytest.raises(MissingParameterError) as info:
        fifo.send("x")
    assert str(info.value) == "The request must contain the parameter MessageGroupId."


def test_deduplication_id_or_content_based_deduplication_is_required(sim: Simulation) -> None:
    """AWS-recorded InvalidParameterValue message."""
    queue = sim.sqs.create_queue("plain.fifo")
    with pytest.raises(InvalidParameterValueError) as info:
        queue.send("x", group_id="g")
    assert str(info.value) == (
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    )
    queue.send("x", group_id="g", deduplication_id="d1")


def test_fifo_refuses_a_per_message_delay(fifo: Queue) -> None:
    """AWS-recorded: 'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not
    valid for this queue type.' (DelaySeconds=0 is accepted)."""
    fifo.send("x", group_id="g", delay_seconds=0)
    with pytest.raises(InvalidParameterValueError) as info:
        fifo.send("y", group_id="g", delay_seconds=2)
    assert str(info.value) == (
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
    )


def test_deduplication_id_on_a_standard_queue_is_refused(sim: Simulation) -> None:
    with pytest.raises(InvalidParameterValueError, match="parameter MessageDeduplicationId is invalid"):
        sim.sqs.create_queue("q").send("x", deduplication_id="d")


def test_group_and_deduplication_ids_are_1_to_128_printable_characters(fifo: Queue) -> None:
    fifo.send("x", group_id="a" * 128, deduplication_id="!~" * 64)
    for bad in ("a" * 129, "has space", "é"):
        with pytest.raises(InvalidParameterValueError, match="can only include alphanumeric and punctuation characters"):
            fifo.send("x", group_id=bad)


def test_strict_order_within_a_group(fifo: Queue) -> None:
    for i in range(5):
        fifo.send(f"a{i}", group_id="a")
    assert [m.body for m in fifo.receive(3)] == ["a0", "a1", "a2"]


def test_no_later_message_of_a_group_while_one_is_in_flight(sim: Simulation, fifo: Queue) -> None:
    """'While messages with a particular MessageGroupId are invisible, no more messages belonging to the same
    MessageGroupId are returned until the visibility timeout expires.'"""
    fifo.send_batch([SendEntry(body="a0", group_id="a"), SendEntry(body="a1", group_id="a"), SendEntry(body="b0", group_id="b")])
    [first] = fifo.receive(1)
    assert first.body == "a0"
    assert [m.body for m in fifo.receive(10)] == ["b0"]
    assert fifo.receive(10) == []
    fifo.delete(first.receipt_handle)
    assert [m.body for m in fifo.receive(10)] == ["a1"]


def test_an_expired_message_comes_back_first(sim: Simulation, fifo: Queue) -> None:
    fifo.send("a0", group_id="a")
    fifo.send("a1", group_id="a")
    fifo.receive(1)
    sim.advance(30)
    assert [(m.body, m.receive_count) for m in fifo.receive(10)] == [("a0", 2), ("a1", 1)]


def test_a_receive_returns_as_many_as_possible_of_one_group_first(fifo: Queue) -> None:
    for i in range(3):
        fifo.send(f"a{i}", group_id="a")
        fifo.send(f"b{i}", group_id="b")
    bodies = [m.body for m in fifo.receive(4)]
    assert bodies == ["a0", "a1", "a2", "b0"]


def test_duplicates_within_five_minutes_are_accepted_but_not_delivered(sim: Simulation, fifo: Queue) -> None:
    """Same MessageDeduplicationId within the 5-minute interval: accepted (same MessageId back), not delivered;
    remembered even after the message is received and deleted."""
    first = fifo.send("x", group_id="g", deduplication_id="d")
    [m] = fifo.receive()
    fifo.delete(m.receipt_handle)
    sim.advance(299)
    again = fifo.send("different body", group_id="g", deduplication_id="d")
    assert again.message_id == first.message_id
    assert again.sequence_number == first.sequence_number
    assert fifo.receive(10) == []
    assert fifo.statistics().duplicates_suppressed == 1
    assert sim.journal.select("sqs.duplicate_suppressed")[0].id == first.message_id
    sim.advance(1)
    assert fifo.send("x", group_id="g", deduplication_id="d").message_id != first.message_id
    assert len(fifo.receive(10)) == 1


def test_content_based_deduplication_uses_the_sha256_of_the_body(fifo: Queue) -> None:
    """With ContentBasedDeduplication the MessageDeduplicationId is the SHA-256 of the body (not the attributes);
    an explicit id overrides it, and an explicit id equal to the hash is a duplicate."""
    fifo.send("body", group_id="g", attributes={"a": "1"})
    fifo.send("body", group_id="g", attributes={"a": "2"})
    fifo.send("body", group_id="g", deduplication_id=hashlib.sha256(b"body").hexdigest())
    fifo.send("body", group_id="g", deduplication_id="explicit")
    messages = fifo.receive(10, attribute_names=("MessageDeduplicationId",))
    assert [m.attributes["MessageDeduplicationId"] for m in messages] == [hashlib.sha256(b"body").hexdigest(), "explicit"]


def test_deduplication_scope_message_group(sim: Simulation) -> None:
    """High throughput: DeduplicationScope=messageGroup deduplicates within a group only."""
    queue = sim.sqs.create_queue(
        "hi.fifo", content_based_deduplication=True, deduplication_scope="messageGroup", fifo_throughput_limit="perMessageGroupId"
    )
    queue.send("x", group_id="a")
    queue.send("x", group_id="b")
    queue.send("x", group_id="a")
    assert sorted(m.body + m.attributes["MessageGroupId"] for m in queue.receive(10)) == ["xa", "xb"]
    attrs = queue.get_attributes(["DeduplicationScope", "FifoThroughputLimit"])
    assert attrs == {"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}


def test_sequence_numbers_increase(fifo: Queue) -> None:
    """SequenceNumber: a large, non-consecutive number that increases within a group."""
    numbers = [int(fifo.send(f"m{i}", group_id="g").sequence_number or "0") for i in range(5)]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 5
    assert all(b - a > 1 for a, b in itertools.pairwise(numbers))
    received = fifo.receive(10)
    assert [int(m.attributes["SequenceNumber"]) for m in received] == numbers
    assert received[0].attributes["MessageGroupId"] == "g"


def test_receive_request_attempt_id_returns_the_same_messages(sim: Simulation, fifo: Queue) -> None:
    """A retried receive with the same ReceiveRequestAttemptId within 5 minutes returns the same messages and receipt
    handles and restarts their visibility timeout, unless one was deleted or had its visibility changed."""
    for i in range(3):
        fifo.send(f"m{i}", group_id="g")
    first = fifo.receive(2, receive_request_attempt_id="attempt-1")
    sim.advance(20)
    retry = fifo.receive(2, receive_request_attempt_id="attempt-1")
    assert [(m.message_id, m.receipt_handle) for m in retry] == [(m.message_id, m.receipt_handle) for m in first]
    sim.advance(20)  # 40 s after the first receive, 20 after the retry: still in flight
    assert fifo.receive(10) == []
    fifo.delete(retry[0].receipt_handle)
    sim.advance(10)  # the retry's timeout ends
    fresh = fifo.receive(2, receive_request_attempt_id="attempt-1")
    assert [m.body for m in fresh] == ["m1", "m2"]
    assert fresh[0].receipt_handle != retry[1].receipt_handle


def test_fifo_delete_with_an_expired_receipt_handle_fails(sim: Simulation, fifo: Queue) -> None:
    """AWS-recorded: 'Value <handle> for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.'"""
    fifo.send("x", group_id="g")
    [m] = fifo.receive()
    sim.advance(30)
    with pytest.raises(InvalidParameterValueError) as info:
        fifo.delete(m.receipt_handle)
    assert str(info.value) == f"Value {m.receipt_handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    [again] = fifo.receive()
    fifo.delete(again.receipt_handle)


def test_fifo_batch_requires_group_ids_for_the_whole_request(sim: Simulation) -> None:
    """AWS-recorded: a batch entry without MessageGroupId (or, without content-based deduplication, without a
    deduplication id) fails the whole request with InvalidParameterValue."""
    queue = sim.sqs.create_queue("b.fifo")
    with pytest.raises(InvalidParameterValueError, match=re.escape("The request must contain the parameter MessageGroupId.")):
        queue.send_batch([SendEntry(body="x", group_id="g", deduplication_id="1"), SendEntry(body="y", deduplication_id="2")])
    with pytest.raises(InvalidParameterValueError, match="ContentBasedDeduplication enabled"):
        queue.send_batch([SendEntry(body="x", group_id="g")])
    result = queue.send_batch([SendEntry(body=f"m{i}", group_id="g", deduplication_id=str(i)) for i in range(3)])
    assert len(result.successful) == 3
    assert [m.body for m in queue.receive(10)] == ["m0", "m1", "m2"]


def test_visibility_timeout_zero_keeps_fifo_order(sim: Simulation, fifo: Queue) -> None:
    fifo.send("a0", group_id="a")
    fifo.send("a1", group_id="a")
    [m] = fifo.receive(1)
    fifo.change_visibility(m.receipt_handle, 0)
    assert [x.body for x in fifo.receive(10)] == ["a0", "a1"]


def test_fifo_queues_never_commit_faults(sim: Simulation) -> None:
    from eventbus.services.sqs import SqsFaults

    queue = sim.sqs.create_queue("f.fifo", content_based_deduplication=True, faults=SqsFaults(duplicate_rate=1.0, empty_receive_rate=1.0))
    assert queue.faults is None
    queue.send("x", group_id="g")
    assert len(queue.receive(10)) == 1
