"""FIFO topics: SQS-only subscriptions, group order, five-minute deduplication, sequence numbers.

"Message ordering details for FIFO topics" (https://docs.aws.amazon.com/sns/latest/dg/fifo-topic-message-ordering.html),
"Message deduplication for FIFO topics" (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html),
and AWS-validated snapshots (LocalStack ``test_sns.snapshot.json``) for the ids SNS passes to queues.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services.sns import InvalidParameterError


def _drain(queue: Any) -> list[Any]:
    out: list[Any] = []
    while True:
        batch = queue.receive(max_messages=10, attribute_names=["All"])
        if not batch:
            return out
        for message in batch:
            out.append(message)
            queue.delete(message.receipt_handle)


def _messages(queue: Any) -> list[str]:
    return [json.loads(m.body)["Message"] if m.body.startswith("{\n") else m.body for m in _drain(queue)]


def test_fifo_topic_to_fifo_queue_keeps_group_order() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("orders.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("orders.fifo")
    topic.subscribe(queue, raw=True)
    for i in range(10):
        for group in ("a", "b", "c"):
            topic.publish(f"{group}{i}", group_id=group)
    sim.run_until_idle()
    received = _drain(queue)
    for group in ("a", "b", "c"):
        in_group = [m.body for m in received if m.attributes["MessageGroupId"] == group]
        assert in_group == [f"{group}{i}" for i in range(10)]


def test_fifo_queue_gets_group_and_deduplication_ids() -> None:
    # AWS-validated: explicit ids pass through; with content-based deduplication the id is the
    # SHA-256 of the message ("Test" -> 532eaabd...).
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("q.fifo")
    topic.subscribe(queue)
    topic.publish("Test", group_id="message-group-id-1")
    topic.publish("other", group_id="message-group-id-1", deduplication_id="message-deduplication-id-1")
    sim.run_until_idle()
    first, second = _drain(queue)
    assert first.attributes["MessageGroupId"] == "message-group-id-1"
    assert first.attributes["MessageDeduplicationId"] == hashlib.sha256(b"Test").hexdigest()
    assert first.attributes["MessageDeduplicationId"].startswith("532eaabd9574880d")
    assert second.attributes["MessageDeduplicationId"] == "message-deduplication-id-1"


def test_content_based_deduplication_suppresses_duplicates_for_five_minutes() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("q.fifo")
    topic.subscribe(queue, raw=True)
    first = topic.publish("same", group_id="g")
    sim.advance(299)
    again = topic.publish("same", group_id="g")
    sim.advance(2)  # 301 s after the first: the window has passed
    third = topic.publish("same", group_id="g")
    sim.run_until_idle()
    assert again.message_id == first.message_id
    assert again.sequence_number == first.sequence_number
    assert again.duplicate
    assert third.message_id != first.message_id
    assert not third.duplicate
    assert _messages(queue) == ["same", "same"]
    [suppressed] = [r for r in sim.journal if r.kind == "sns.duplicate_suppressed"]
    assert suppressed.id == first.message_id
    assert suppressed.time == 299


def test_explicit_deduplication_id_overrides_content() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("q.fifo")
    topic.subscribe(queue, raw=True)
    topic.publish("a", group_id="g", deduplication_id="one")
    topic.publish("b", group_id="g", deduplication_id="one")  # same id, different content: duplicate
    topic.publish("a", group_id="g", deduplication_id="two")  # same content, new id: delivered
    sim.run_until_idle()
    assert _messages(queue) == ["a", "a"]


def test_deduplication_scope_message_group() -> None:
    # FifoThroughputScope=MessageGroup: deduplication within each message group. (Standard queues
    # subscribe here: a FIFO queue would deduplicate the passed-on id "d" again, queue-wide.)
    sim = Simulation()
    by_topic = sim.sns.create_topic("topic-scope.fifo")
    by_group = sim.sns.create_topic("group-scope.fifo", attributes={"FifoThroughputScope": "MessageGroup"})
    results = {}
    for topic in (by_topic, by_group):
        queue = sim.sqs.create_queue(f"{topic.name[:-5]}-q")
        topic.subscribe(queue, raw=True)
        topic.publish("x", group_id="g1", deduplication_id="d")
        topic.publish("y", group_id="g2", deduplication_id="d")
        sim.run_until_idle()
        results[topic.name] = sorted(_messages(queue))
    assert results == {"topic-scope.fifo": ["x"], "group-scope.fifo": ["x", "y"]}


def test_sequence_numbers_increase_per_topic() -> None:
    # Observed on AWS: a new topic's first message is 10000000000000003000, then 1000 apart. A queue
    # subscribed after a message was published does not receive it.
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    numbers = [topic.publish(f"m{i}", group_id=f"g{i % 2}").sequence_number for i in range(3)]
    assert numbers == ["10000000000000003000", "10000000000000004000", "10000000000000005000"]
    queue = sim.sqs.create_queue("q.fifo")
    topic.subscribe(queue)
    topic.publish("last", group_id="g")
    sim.run_until_idle()
    assert json.loads(_drain(queue)[0].body)["SequenceNumber"] == "10000000000000006000"


def test_fifo_topic_to_standard_queue_without_fifo_ids() -> None:
    # AWS-validated (2025): a FIFO topic delivers to standard queues too; the envelope keeps the
    # SequenceNumber, the queue gets neither group nor deduplication id.
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("standard")
    topic.subscribe(queue)
    topic.publish("Test", group_id="g")
    sim.run_until_idle()
    [message] = _drain(queue)
    assert "MessageGroupId" not in message.attributes
    assert json.loads(message.body)["SequenceNumber"] == "10000000000000003000"


def test_standard_topic_passes_group_id_to_standard_queues_only() -> None:
    # Publish MessageGroupId on a standard topic: forwarded to SQS standard subscriptions (fair queues).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue)
    topic.publish("m", group_id="tenant-1")
    sim.run_until_idle()
    assert _drain(queue)[0].attributes["MessageGroupId"] == "tenant-1"


def test_fifo_publish_errors() -> None:
    # AWS-validated texts.
    sim = Simulation()
    fifo = sim.sns.create_topic("t.fifo")
    standard = sim.sns.create_topic("s")
    with pytest.raises(InvalidParameterError, match=r"^Invalid parameter: The MessageGroupId parameter is required for FIFO topics$"):
        fifo.publish("m", deduplication_id="d")
    with pytest.raises(InvalidParameterError) as raised:
        fifo.publish("m", group_id="g")
    assert str(raised.value) == (
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly"
    )
    with pytest.raises(InvalidParameterError) as raised:
        standard.publish("m", deduplication_id="d")
    assert str(raised.value) == (
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is "
        "not valid for this topic type"
    )


def test_fifo_topics_subscribe_sqs_queues_only() -> None:
    sim = Simulation()
    fifo = sim.sns.create_topic("t.fifo")
    standard = sim.sns.create_topic("s")
    with pytest.raises(InvalidParameterError):
        fifo.subscribe(lambda event: None)
    with pytest.raises(InvalidParameterError):
        fifo.subscribe("https://example.com/hook")
    with pytest.raises(InvalidParameterError) as raised:
        standard.subscribe(sim.sqs.create_queue("q.fifo"))
    assert str(raised.value) == (
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    )


def test_fifo_dead_letter_queue_must_be_fifo() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo")
    with pytest.raises(InvalidParameterError) as raised:
        topic.subscribe(sim.sqs.create_queue("q.fifo"), dead_letter=sim.sqs.create_queue("dlq"))
    assert str(raised.value) == (
        "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
    )


def test_fifo_topic_names() -> None:
    sim = Simulation()
    with pytest.raises(InvalidParameterError, match=r"Fifo Topic names must end with \.fifo"):
        sim.sns.create_topic("plain", fifo=True)
    with pytest.raises(InvalidParameterError, match=r"^Invalid parameter: Topic Name$"):
        sim.sns.create_topic("plain.fifo", fifo=False)
    assert sim.sns.create_topic("auto.fifo").fifo


def test_group_order_holds_while_a_delivery_is_retried() -> None:
    # Within a group, a later message waits for the earlier one's delivery (retries included).
    from eventbus import Outcome
    from eventbus.errors import ServiceError
    from eventbus.services._delivery import Inbound

    sim = Simulation()
    log: list[tuple[float, str]] = []
    failures = [2]

    class FlakyQueue:
        arn = sim.arn("sqs", "flaky.fifo")

        def accept(self, message: Inbound, on_done: Any) -> None:
            if message.body == "first" and failures[0]:
                failures[0] -= 1
                on_done(Outcome(False, None, ServiceError("busy", code="Throttling", status=400)))
                return
            log.append((sim.time, message.body))
            on_done(Outcome(True, None))

    sim.registry.register(FlakyQueue.arn, FlakyQueue())
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    topic.subscribe(FlakyQueue.arn, raw=True)
    topic.publish("first", group_id="g")
    topic.publish("second", group_id="g")
    topic.publish("other group", group_id="h")
    sim.run_until_idle()
    assert log == [(0.0, "other group"), (0.0, "first"), (0.0, "second")]
