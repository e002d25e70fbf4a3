"""The fan-out's three workers, one behind each queue subscribed to the ``orders`` topic.

Each keeps what it did in a module-level store keyed by order (and event), the stand-in for its own
table, so a second copy of a message changes nothing:

* ``bill`` (queue ``billing``, raw delivery): charges placed orders, refunds refunded ones.
* ``ship`` (queue ``shipping``, raw delivery): books a parcel for each placed order with a physical
  item; an order without an address fails, and after 3 receives its message is in ``shipping-dlq``.
* ``record`` (queue ``analytics``, no raw delivery): counts every event. Its messages are SNS's JSON
  envelope; the order is the envelope's ``Message`` and the attributes are in ``MessageAttributes``.
"""

from __future__ import annotations

import json
from typing import Any

#: billing: (order id, event) -> amount in cents (negative for refunds).
LEDGER: dict[tuple[str, str], int] = {}
#: shipping: order id -> the parcel booked.
PARCELS: dict[str, dict[str, Any]] = {}
#: analytics: SNS message id -> (event, order id): one entry per message published.
SEEN: dict[str, tuple[str, str]] = {}


def bill(event: dict[str, Any], context: Any = None) -> None:
    """Raw delivery: the body is the order as published, the SNS attributes are SQS attributes."""
    for record in event["Records"]:
        order = json.loads(record["body"])
        kind = record["messageAttributes"]["event"]["stringValue"]
        sign = -1 if kind == "order_refunded" else 1
        LEDGER[(order["order_id"], kind)] = sign * int(order["total_cents"])


def ship(event: dict[str, Any], context: Any = None) -> None:
    """One order per batch; an order without an address raises (the batch fails, the message returns)."""
    for record in event["Records"]:
        order = json.loads(record["body"])
        if not order.get("address"):
            raise ValueError(f"order {order['order_id']} has no address")
        physical = [item["sku"] for item in order["items"] if item["kind"] == "physical"]
        PARCELS[order["order_id"]] = {"to": order["address"], "skus": physical}


def record(event: dict[str, Any], context: Any = None) -> None:
    """No raw delivery: each body is SNS's envelope around the published message."""
    for sqs_record in event["Records"]:
        envelope = json.loads(sqs_record["body"])
        order = json.loads(envelope["Message"])
        attributes = envelope.get("MessageAttributes", {})
        kind = attributes["event"]["Value"] if "event" in attributes else order.get("event", "?")
        SEEN[envelope["MessageId"]] = (kind, order["order_id"])
