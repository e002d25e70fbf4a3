"""The queue worker: save each order of an SQS batch, report the ones that failed.

``save_orders`` is the function behind the ``orders`` queue (an event source mapping with
``ReportBatchItemFailures``). It writes each order into ``STORE`` (the stand-in for a table, keyed
by order id, so writing an order twice leaves one row) and returns the ids of the messages it could
not process, so that Lambda deletes the others and only those come back.

The bug: version 1 only knows US dollars. Orders in another currency fail on every receive and end
in ``orders-dlq``. "Deploying the fix" is :func:`deploy_fix`; then a redrive (StartMessageMoveTask)
brings them back and they are saved.
"""

from __future__ import annotations

import json
from typing import Any

#: The orders table: order id -> the saved row.
STORE: dict[str, dict[str, Any]] = {}
#: Currencies the deployed version can price. Version 1: dollars only (the bug).
CURRENCIES: set[str] = {"USD"}
#: Every write, in order (order id, SQS message id): what a test counts to see duplicates.
WRITES: list[tuple[str, str]] = []


class UnsupportedCurrency(ValueError):
    """An order in a currency this version cannot price."""


def save(order: dict[str, Any]) -> dict[str, Any]:
    """Validate and price one order; the row the store keeps."""
    currency = order.get("currency", "USD")
    if currency not in CURRENCIES:
        raise UnsupportedCurrency(f"order {order['order_id']}: cannot price {currency}")
    cents = sum(int(item["qty"]) * int(item["unit_cents"]) for item in order["items"])
    return {"order_id": order["order_id"], "currency": currency, "total_cents": cents}


def save_orders(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """Save every order of the batch; return the messages that failed (``batchItemFailures``).

    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
    """
    failures: list[dict[str, str]] = []
    for record in event["Records"]:
        try:
            row = save(json.loads(record["body"]))
        except (ValueError, KeyError, TypeError):
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        STORE[row["order_id"]] = row  # an upsert: a second copy of the message writes the same row
        WRITES.append((row["order_id"], record["messageId"]))
    return {"batchItemFailures": failures}


def save_orders_all_or_nothing(event: dict[str, Any], context: Any = None) -> None:
    """The same worker without partial batch responses: one bad order fails the whole batch."""
    for record in event["Records"]:
        row = save(json.loads(record["body"]))
        STORE[row["order_id"]] = row
        WRITES.append((row["order_id"], record["messageId"]))


def deploy_fix() -> None:
    """Version 2: euros are priced too."""
    CURRENCIES.add("EUR")
