"""Delivery retries on the virtual clock, subscription dead-letter queues, dropped messages.

"Amazon SNS message delivery retries" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html)
and "Amazon SNS dead-letter queues" (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html):
server-side errors are retried with the protocol's policy, client-side errors (a deleted endpoint) are
not; when retries run out the message goes to the subscription's RedrivePolicy queue as it would have
been delivered (AWS-validated snapshots), or is discarded.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services.sns import SNS_MANAGED, InvalidParameterError, OutboundMessage


def _kinds(sim: Simulation, *kinds: str) -> list[Any]:
    return [r for r in sim.journal if r.kind in kinds]


def _boom(event: Any) -> None:
    raise RuntimeError("endpoint down")


def test_failing_callable_exhausts_the_managed_policy_into_the_dlq() -> None:
    # SQS and Lambda endpoints: 3 immediate, 2 at 1 s, 10 backing off to 20 s, 100,000 at 20 s
    # (about 23 days), then the dead-letter queue.
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    dlq = sim.sqs.create_queue("dlq", retention_period=1_209_600)
    subscription = topic.subscribe(_boom, dead_letter=dlq)
    published = topic.publish("m", attributes={"k": "v"})
    sim.advance(22 * 86400)
    assert not _kinds(sim, "sns.dead_lettered")
    sim.advance(2 * 86400)
    [failed] = _kinds(sim, "sns.delivery.failed")
    assert failed.detail["attempt"] == SNS_MANAGED.total_retries + 1
    assert failed.detail["exhausted"] == "MaximumRetryAttempts"
    assert 22.9 * 86400 < failed.time < 23.2 * 86400
    [lettered] = _kinds(sim, "sns.dead_lettered")
    assert lettered.resource == dlq.arn
    assert lettered.id == published.message_id
    assert lettered.detail["subscription"] == subscription.arn
    [message] = dlq.receive()
    envelope = json.loads(message.body)
    assert envelope["MessageId"] == published.message_id
    assert envelope["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert "SigningCertURL" in envelope  # a function's DLQ gets the SQS-style envelope (AWS-validated)


def test_retry_schedule_of_the_managed_policy() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    topic.subscribe(_boom)
    topic.publish("m")
    sim.advance(200)
    times = [r.time for r in _kinds(sim, "handler.raised")]
    assert times[:6] == [0, 0, 0, 0, 1, 2]
    gaps = [b - a for a, b in itertools.pairwise(times[5:16])]
    assert gaps[0] == pytest.approx(1.0)
    assert gaps[9] == pytest.approx(20.0)
    assert all(later >= earlier for earlier, later in itertools.pairwise(gaps))
    assert times[16] - times[15] == pytest.approx(20.0)


def test_deleted_queue_is_a_client_error_dead_lettered_without_retries() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("gone")
    dlq = sim.sqs.create_queue("dlq")
    topic.subscribe(queue, raw=True, dead_letter=dlq)
    sim.sqs.delete_queue(queue.url)
    topic.publish("lost", attributes={"attr1": 111, "attr2": b"\x02\x03\x04"})
    sim.run_until_idle()
    assert not _kinds(sim, "sns.delivery.retrying")
    [failed] = _kinds(sim, "sns.delivery.failed")
    assert failed.detail["exhausted"] == "NotRetryable"
    assert failed.detail["attempt"] == 1
    # Raw subscription: the DLQ gets the message and its attributes (AWS-validated snapshot).
    [message] = dlq.receive(message_attribute_names=["All"])
    assert message.body == "lost"
    assert message.message_attributes["attr1"].string_value == "111"
    assert message.message_attributes["attr2"].binary_value == b"\x02\x03\x04"


def test_enveloped_subscription_dead_letters_the_envelope() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    dlq = sim.sqs.create_queue("dlq")
    subscription = topic.subscribe(sim.arn("sqs", "never-created"), dead_letter=dlq)
    published = topic.publish("test_dlq_after_sqs_endpoint_deleted")
    sim.run_until_idle()
    [message] = dlq.receive()
    envelope = json.loads(message.body)
    assert envelope["Message"] == "test_dlq_after_sqs_endpoint_deleted"
    assert envelope["MessageId"] == published.message_id
    assert envelope["UnsubscribeURL"].endswith(subscription.arn)


def test_without_a_dlq_the_message_is_dropped() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(sim.arn("sqs", "missing"))
    published = topic.publish("m")
    sim.run_until_idle()
    [dropped] = _kinds(sim, "sns.dropped")
    assert (dropped.resource, dropped.id) == (subscription.arn, published.message_id)
    assert dropped.detail["reason"] == "NotRetryable"


def test_a_missing_dlq_drops_the_message() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    topic.subscribe(sim.arn("sqs", "missing"), dead_letter=sim.arn("sqs", "missing-dlq"))
    topic.publish("m")
    sim.run_until_idle()
    [dropped] = _kinds(sim, "sns.dropped")
    assert dropped.detail["reason"] == "DeadLetterDeliveryFailed"


def test_fifo_dead_letter_queue_keeps_group_and_deduplication_ids() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    dlq = sim.sqs.create_queue("dlq.fifo")
    topic.subscribe(sim.arn("sqs", "missing.fifo"), raw=True, dead_letter=dlq)
    topic.publish("test-message", group_id="message-group-id-1", deduplication_id="message-deduplication-id-1")
    sim.run_until_idle()
    [message] = dlq.receive(attribute_names=["All"])
    assert message.body == "test-message"
    assert message.attributes["MessageGroupId"] == "message-group-id-1"
    assert message.attributes["MessageDeduplicationId"] == "message-deduplication-id-1"


def test_http_endpoint_default_policy_three_retries_twenty_seconds_apart() -> None:
    # HTTP/S default: 3 retries 20 s apart; a 5xx is a failure, then the DLQ.
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    dlq = sim.sqs.create_queue("dlq")
    url = "https://example.com/hook"
    subscription = topic.subscribe(url, dead_letter=dlq)
    sim.sns.confirm_subscription(topic.arn, str(subscription.token))
    sim.sns.serve_http(url, lambda request: 503)
    topic.publish("m")
    sim.advance(600)
    posts = [m for m in sim.sns.sent_to(url) if m.message_type == "Notification"]
    assert [m.time for m in posts] == [0, 20, 40, 60]
    assert [m.attempt for m in posts] == [1, 2, 3, 4]
    assert json.loads(dlq.receive()[0].body)["Message"] == "m"


def test_http_4xx_counts_as_delivered() -> None:
    # "If the endpoint returns a status code outside 200-4xx ... SNS retries": a 4xx is a delivery.
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    url = "http://example.com/hook"
    subscription = topic.subscribe(url)
    subscription.confirm()
    sim.sns.serve_http(url, lambda request: 403)
    topic.publish("m")
    sim.run_until_idle()
    assert len(_kinds(sim, "sns.delivery.delivered")) == 1


def test_http_delivery_policy_phases() -> None:
    # numRetries 5: 1 immediate, 1 at minDelayTarget, 2 backing off linearly from 2 to 10 s, 1 at 10 s.
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    url = "https://example.com/hook"
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 5,
            "numNoDelayRetries": 1,
            "numMinDelayRetries": 1,
            "numMaxDelayRetries": 1,
            "minDelayTarget": 2,
            "maxDelayTarget": 10,
            "backoffFunction": "linear",
        }
    }
    subscription = topic.subscribe(url, delivery_policy=policy)
    subscription.confirm()

    def failing(request: OutboundMessage) -> int:
        raise ConnectionError("refused")

    sim.sns.serve_http(url, failing)
    topic.publish("m")
    sim.advance(100)
    assert [m.time for m in sim.sns.sent_to(url) if m.message_type == "Notification"] == [0, 0, 2, 4, 14, 24]
    attributes = subscription.attributes()
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 5


def test_topic_delivery_policy_applies_to_http_subscriptions_without_their_own() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic(
        "t",
        attributes={"DeliveryPolicy": json.dumps({"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1}}})},
    )
    url = "https://example.com/hook"
    topic.subscribe(url).confirm()
    sim.sns.serve_http(url, lambda request: 500)
    topic.publish("m")
    sim.advance(60)
    assert [m.time for m in sim.sns.sent_to(url) if m.message_type == "Notification"] == [0, 5]


def test_delivery_policy_validation() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    with pytest.raises(InvalidParameterError) as raised:
        topic.subscribe(
            "https://example.com/a",
            delivery_policy={"healthyRetryPolicy": {"numRetries": 0, "minDelayTarget": 0, "maxDelayTarget": 0}},
        )
    # The text AWS answers (CloudFormation error report in awsdocs/amazon-sns-developer-guide#5).
    assert str(raised.value) == (
        "Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"
    )
    with pytest.raises(InvalidParameterError, match="total retry time"):
        topic.subscribe(
            "https://example.com/b",
            delivery_policy={"healthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}},
        )


def test_unsubscribing_stops_retries() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(_boom)
    topic.publish("m")
    sim.advance(10)
    sim.sns.unsubscribe(subscription.arn)
    sim.advance(3600)
    [dropped] = _kinds(sim, "sns.dropped")
    assert dropped.detail["reason"] == "Unsubscribed"
    assert dropped.time < 40


def test_async_callables_are_awaited_and_their_failures_retried() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    calls: list[float] = []

    async def handler(event: Any) -> None:
        calls.append(sim.time)
        await sim.sleep(1)
        if len(calls) < 3:
            raise RuntimeError("not yet")

    topic.subscribe(handler)
    topic.publish("m")
    sim.advance(60)
    assert len(calls) == 3
    assert len(_kinds(sim, "sns.delivery.delivered")) == 1
