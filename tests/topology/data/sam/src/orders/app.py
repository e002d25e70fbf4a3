"""SAM CodeUri src/orders: the orders function (module ``app``, as SAM's hello-world layout has it)."""

from __future__ import annotations

from typing import Any

NAME = "orders"
records: list[Any] = []
notifications: list[Any] = []


def handler(event: Any, context: Any) -> Any:
    if "Records" in event and event["Records"] and "Sns" in event["Records"][0]:
        notifications.extend(record["Sns"]["Message"] for record in event["Records"])
        return None
    if "Records" in event:
        records.extend(record["body"] for record in event["Records"])
        return {"batchItemFailures": []}
    raise ValueError(f"unexpected event {event!r}")
