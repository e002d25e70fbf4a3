"""The event router's consumers. Each gets the shape its rule's target builds, not the raw event.

* ``pack`` (queue ``fulfilment``): a job ``{"event_id", "order", "items", "placed_at"}`` built by the
  rule's input transformer; it books a packing slip per order (keyed by order: idempotent).
* ``page_oncall`` (topic ``alerts`` -> Lambda): the SNS event whose message is the text the rule's
  string template rendered.
* ``cancel_order`` (Lambda, invoked asynchronously by the rule): only the event's ``detail``
  (``InputPath: $.detail``). Version 1 cannot refund gift cards: those cancellations fail, Lambda
  retries them twice and gives up. :func:`deploy_fix` is version 2; replaying the archive then
  refunds them.
"""

from __future__ import annotations

import json
from typing import Any

#: pack: order id -> the packing slip.
SLIPS: dict[str, dict[str, Any]] = {}
#: page_oncall: the alert texts received, in order.
PAGES: list[str] = []
#: cancel_order: order id -> amount refunded.
REFUNDS: dict[str, int] = {}
#: Payment methods the deployed cancel_order can refund (version 1: cards only).
REFUNDABLE: set[str] = {"card"}


def pack(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        job = json.loads(record["body"])
        SLIPS[job["order"]] = {"items": [item["sku"] for item in job["items"]], "placed_at": job["placed_at"]}


def page_oncall(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        PAGES.append(record["Sns"]["Message"])


def cancel_order(detail: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if detail["payment"] not in REFUNDABLE:
        raise ValueError(f"cannot refund {detail['payment']} payments (order {detail['order_id']})")
    REFUNDS[detail["order_id"]] = int(detail["total"])
    return {"refunded": detail["order_id"]}


def deploy_fix() -> None:
    """Version 2: gift cards are refunded too."""
    REFUNDABLE.add("gift_card")
