"""SNS among the other services: EventBridge rules targeting topics, the public names, determinism.

"Amazon SNS topic as an EventBridge target" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html):
the event (or the target's input) becomes the published Message.
"""

from __future__ import annotations

import json
from typing import Any

import eventbus.services.sns as sns_module
from eventbus import Simulation
from eventbus.services.sns import SnsService


def test_public_names_are_a_tuple_of_existing_names() -> None:
    # (ruff's RUF022 keeps the tuple sorted: constants first, then classes and functions)
    assert isinstance(sns_module.__all__, tuple)
    assert len(set(sns_module.__all__)) == len(sns_module.__all__)
    for name in sns_module.__all__:
        assert hasattr(sns_module, name), name


def test_sim_sns_is_one_service_per_simulation() -> None:
    sim = Simulation()
    assert sim.sns is sim.sns
    assert isinstance(sim.sns, SnsService)
    topic = sim.sns.create_topic("orders")
    assert sim.sns.topic("orders") is topic
    assert sim.sns.topic(topic.arn) is topic
    assert sim.registry.get(topic.arn) is topic
    assert repr(topic) == "eventbus.sns.Topic('orders', fifo=False)"


def test_an_eventbridge_rule_publishes_to_a_topic() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("alerts")
    queue = sim.sqs.create_queue("alerts-queue")
    topic.subscribe(queue)
    bus = sim.events.bus("orders")
    bus.rule("big", pattern={"detail": {"total": [{"numeric": [">", 100]}]}}).target(topic, input_path="$.detail")
    bus.put(source="shop", detail_type="OrderPlaced", detail={"id": 7, "total": 250})
    sim.run_until_idle()
    [message] = queue.receive()
    envelope = json.loads(message.body)
    assert envelope["TopicArn"] == topic.arn
    assert json.loads(envelope["Message"]) == {"id": 7, "total": 250}


def test_a_fifo_topic_target_takes_the_message_group() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("q.fifo")
    topic.subscribe(queue, raw=True)
    bus = sim.events.default_bus
    bus.rule("all", pattern={"source": ["shop"]}).target(topic, message_group_id="orders")
    bus.put(source="shop", detail_type="X", detail={"n": 1})
    sim.run_until_idle()
    [message] = queue.receive(attribute_names=["All"])
    assert message.attributes["MessageGroupId"] == "orders"


def test_a_refused_publish_fails_the_eventbridge_delivery_without_retries() -> None:
    # A FIFO topic without content-based deduplication refuses a message with no deduplication id.
    sim = Simulation()
    topic = sim.sns.create_topic("t.fifo")
    bus = sim.events.default_bus
    bus.rule("all", pattern={"source": ["shop"]}).target(topic, message_group_id="g")
    bus.put(source="shop", detail_type="X", detail={})
    sim.run_until_idle()
    failed = [r for r in sim.journal if r.kind == "events.target.failed"]
    assert failed
    assert failed[0].detail["exhausted"] == "NotRetryable"
    assert failed[0].detail["error_code"] == "InvalidParameter"


def _run(seed: int) -> list[Any]:
    sim = Simulation(seed=seed)
    topic = sim.sns.create_topic("t")
    fifo = sim.sns.create_topic("f.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, filter_policy={"k": [{"prefix": "a"}]})
    fifo.subscribe(sim.sqs.create_queue("fq.fifo"))

    def flaky(event: Any) -> None:
        if sim.time < 3:
            raise RuntimeError("later")

    topic.subscribe(flaky)
    topic.subscribe("https://example.com/hook")
    for i in range(5):
        topic.publish(f"m{i}", attributes={"k": "ab" if i % 2 else "b"})
        fifo.publish(f"f{i % 3}", group_id="g")
    sim.advance(60)
    return [(r.time, r.kind, r.resource, r.id, json.dumps(r.detail, sort_keys=True)) for r in sim.journal] + [
        m.body for m in sim.sns.outbox
    ]


def test_same_seed_same_journal_byte_for_byte() -> None:
    assert _run(7) == _run(7)
    assert _run(7) != _run(8)


def test_a_lambda_function_subscribed_by_arn_gets_the_sns_event() -> None:
    # SNS invokes the function asynchronously with the SNS event (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html);
    # a failing handler is retried by Lambda, not by SNS.
    sim = Simulation()
    received: list[Any] = []

    def handler(event: Any, context: Any) -> None:
        received.append(event)
        raise RuntimeError("handler fails: Lambda's business, not SNS's")

    function = sim.lambda_.function("worker", handler)
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(function, filter_policy={"kind": ["x"]})
    assert (subscription.protocol, subscription.endpoint) == ("lambda", function.arn)
    topic.publish("hello", attributes={"kind": "x"})
    sim.advance(600)
    assert received
    assert received[0]["Records"][0]["Sns"]["Message"] == "hello"
    assert received[0]["Records"][0]["EventSubscriptionArn"] == subscription.arn
    assert len([r for r in sim.journal if r.kind == "sns.delivery.delivered"]) == 1
    assert not [r for r in sim.journal if r.kind == "sns.delivery.retrying"]
