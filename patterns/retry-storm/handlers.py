"""The downstream: the ledger, fed by its inbox queue.

``post_to_ledger`` upserts each payment by id into ``LEDGER`` (a payment delivered twice, or put
on the bus again from the dead-letter queue, is posted once) and keeps the latest price per SKU in
``PRICES`` (an older price never overwrites a newer one).
"""

from __future__ import annotations

import json
from typing import Any

#: payment id -> amount posted.
LEDGER: dict[str, int] = {}
#: sku -> (price version, price).
PRICES: dict[str, tuple[int, int]] = {}


def post_to_ledger(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        item = json.loads(record["body"])
        if "payment_id" in item:
            LEDGER[item["payment_id"]] = int(item["amount"])
        else:
            current = PRICES.get(item["sku"])
            if current is None or current[0] < int(item["version"]):
                PRICES[item["sku"]] = (int(item["version"]), int(item["price"]))
