"""Per-customer ordering: the consumers of a FIFO topic's two FIFO queues.

Every event carries its customer (the message group) and a sequence number per customer.

* ``fulfil`` applies each customer's events in order to ``ORDERS``. It is idempotent in the way
  ordered consumers can be: an event whose sequence number is not above the last applied one is a
  copy and is skipped. When an event fails, ``fulfil`` stops processing that customer's events in
  the batch and reports the failed one and every later one of its group as ``batchItemFailures``,
  as AWS asks of FIFO consumers; other customers' events in the batch go on.
* ``audit`` appends every event to ``AUDIT`` per customer.

An event with a malformed amount is a poison pill: it fails on every receive, blocks its customer's
later events until the queue dead-letters it, and then the customer's events go on without it.
"""

from __future__ import annotations

import json
from typing import Any

#: fulfil: customer -> the sequence numbers applied, in the order applied.
APPLIED: dict[str, list[int]] = {}
#: fulfil: order id -> its state (created, paid, shipped) and amount paid.
ORDERS: dict[str, dict[str, Any]] = {}
#: audit: customer -> sequence numbers received, in order (copies included).
AUDIT: dict[str, list[int]] = {}
#: Events that fail their first attempt only (customer, seq): a transient error.
_FAILED_ONCE: set[tuple[str, int]] = set()


def apply(event: dict[str, Any]) -> None:
    """Apply one event; skip a copy of one already applied."""
    customer, seq = event["customer"], int(event["seq"])
    applied = APPLIED.setdefault(customer, [])
    if applied and seq <= applied[-1]:
        return  # a redelivered copy
    if event.get("flaky") and (customer, seq) not in _FAILED_ONCE:
        _FAILED_ONCE.add((customer, seq))
        raise TimeoutError(f"payment service timed out ({customer} #{seq})")
    order = ORDERS.setdefault(event["order_id"], {"state": None, "paid": 0})
    if event["type"] == "order_paid":
        if not isinstance(event["amount"], int):
            raise ValueError(f"{customer} #{seq}: amount {event['amount']!r} is not a number of cents")
        order["paid"] += event["amount"]
    order["state"] = event["type"].removeprefix("order_")
    applied.append(seq)


def fulfil(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """Apply the batch; after a failure, leave the rest of that customer's events for later."""
    failures: list[dict[str, str]] = []
    stopped: set[str] = set()
    for record in event["Records"]:
        group = record["attributes"]["MessageGroupId"]
        if group in stopped:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            apply(json.loads(record["body"]))
        except Exception:
            stopped.add(group)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def fulfil_keep_going(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """The mistake: report the failure but go on with the same customer's later events."""
    failures: list[dict[str, str]] = []
    for record in event["Records"]:
        try:
            apply(json.loads(record["body"]))
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def audit(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        body = json.loads(record["body"])
        AUDIT.setdefault(body["customer"], []).append(int(body["seq"]))
