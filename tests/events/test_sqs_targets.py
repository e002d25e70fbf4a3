"""Simulated SQS queues as rule targets and dead-letter queues (Queue.accept, the delivery contract).

Pages: "Amazon SQS queue target" and API_SqsParameters (a FIFO queue target needs a MessageGroupId),
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html (DLQs are standard SQS
queues; a target that cannot succeed is not retried), and SQS's own rule that a FIFO queue without
content-based deduplication needs a MessageDeduplicationId, which an EventBridge rule target does not
send (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html).
"""

from __future__ import annotations

import json

from eventbus import Simulation


def test_standard_queue_receives_the_event() -> None:
    sim = Simulation()
    orders = sim.sqs.create_queue("orders")
    sim.events.default_bus.rule("orders", pattern={"source": ["shop"]}).target(orders, input_path="$.detail")
    sim.events.default_bus.put(source="shop", detail_type="OrderPlaced", detail={"id": 1})
    sim.run_until_idle()
    [message] = orders.receive(10)
    assert json.loads(message.body) == {"id": 1}


def test_fifo_queue_target_with_group_id_and_content_based_deduplication() -> None:
    sim = Simulation()
    fifo = sim.sqs.create_queue("orders.fifo", fifo=True, content_based_deduplication=True)
    sim.events.default_bus.rule("orders", pattern={"source": ["shop"]}).target(fifo, message_group_id="orders")
    for n in range(3):
        sim.events.default_bus.put(source="shop", detail_type="OrderPlaced", detail={"n": n})
    sim.run_until_idle()
    messages = fifo.receive(10)
    assert [json.loads(m.body)["detail"]["n"] for m in messages] == [0, 1, 2]
    assert {m.attributes["MessageGroupId"] for m in messages} == {"orders"}


def test_fifo_queue_without_content_based_deduplication_refuses_and_dead_letters() -> None:
    sim = Simulation()
    fifo = sim.sqs.create_queue("plain.fifo", fifo=True)
    dlq = sim.sqs.create_queue("dlq")
    sim.events.default_bus.rule("r", pattern={"source": ["shop"]}).target(fifo, message_group_id="g", dead_letter=dlq)
    sim.events.default_bus.put(source="shop", detail_type="t", detail={})
    sim.run_until_idle()
    assert fifo.receive(10) == []
    [letter] = dlq.receive(10)
    attributes = {name: value.string_value for name, value in letter.message_attributes.items()}
    assert attributes["ERROR_MESSAGE"] == (
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    )
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert sim.journal.select("events.target.retrying") == []


def test_a_deleted_queue_target_goes_to_the_dlq_without_retries() -> None:
    sim = Simulation()
    orders = sim.sqs.create_queue("orders")
    dlq = sim.sqs.create_queue("dlq")
    sim.events.default_bus.rule("r", pattern={"source": ["shop"]}).target(orders, dead_letter=dlq)
    sim.sqs.delete_queue(orders)
    sim.events.default_bus.put(source="shop", detail_type="t", detail={})
    sim.advance(60)
    [letter] = dlq.receive(10)
    assert letter.message_attributes["ERROR_CODE"].string_value == "NO_RESOURCE"
    assert sim.journal.select("events.target.retrying") == []
