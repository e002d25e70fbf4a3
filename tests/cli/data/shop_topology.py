"""A Python-factory topology for the CLI tests: an order bus, queues with dead-letter queues, a
worker, a notifier that fails without an email, an SNS topic with a filtered fan-out."""

from __future__ import annotations

import json
from typing import Any

from eventbus import Simulation


def fulfil(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        body = json.loads(record["body"])
        order = body.get("detail", body)
        if order.get("total", 0) < 0:
            raise ValueError(f"order {order.get('order')} has a negative total")


def notify(event: dict[str, Any]) -> None:
    if "email" not in event["detail"]:
        raise KeyError("email")


def build(sim: Simulation) -> None:
    shop = sim.events.create_bus("shop")
    orders_dlq = sim.sqs.create_queue("orders-dlq")
    orders = sim.sqs.create_queue("orders", visibility_timeout=30, dead_letter=orders_dlq, max_receive_count=3)
    events_dlq = sim.sqs.create_queue("events-dlq")
    worker = sim.lambda_.function("fulfil", fulfil, timeout=10)
    sim.lambda_.event_source_mapping(orders, worker, batch_size=1)
    shop.rule("new-orders", pattern={"source": ["com.example.shop"], "detail-type": ["OrderPlaced"]}).target(orders)
    shop.rule("big-orders", pattern={"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">", 100]}]}}).target(
        notify, max_retries=2, dead_letter=events_dlq
    )
    # EventBridge target without a dead-letter queue: events that exhaust their retries are dropped
    shop.rule("audit", pattern={"detail-type": ["Audit"]}).target(notify, max_retries=0)
    alerts = sim.sns.create_topic("alerts")
    urgent = sim.sqs.create_queue("urgent")
    alerts.subscribe(urgent, filter_policy={"level": ["high"]})
