"""The quickstart's functions: plain Python, called as AWS Lambda calls them (event, context)."""

from __future__ import annotations

import json
from typing import Any


def fulfil(event: dict[str, Any], context: Any = None) -> None:
    """Consumes the ``orders`` queue (an SQS event source mapping, one message per batch).

    A message the handler cannot process makes the whole batch fail: the message stays in the queue,
    comes back when its visibility timeout (30 s) ends, and after 3 receives moves to ``orders-dlq``.
    """
    for record in event["Records"]:
        body = json.loads(record["body"])
        order = body.get("detail", body)  # an EventBridge event, or a message sent to the queue directly
        if order.get("total", 0) < 0:
            raise ValueError(f"order {order.get('order')} has a negative total")


def notify_sales(event: dict[str, Any], context: Any = None) -> None:
    """Called for big orders (an EventBridge rule target, invoked asynchronously).

    Raising makes Lambda retry the event twice (after 1 and 2 minutes), then send it to the
    function's dead-letter queue ``notify-dlq``.
    """
    if "email" not in event["detail"]:
        raise KeyError("email")
