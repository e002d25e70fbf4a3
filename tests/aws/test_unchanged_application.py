"""Application code written for AWS (tests/aws/apps/orders.py) runs unchanged under ``mock_aws``.

Its boto3 client is made when the module is imported, before any ``mock_aws`` block, and others
inside its functions; on virtual time its 20-second long polls cost nothing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.aws import mock_aws


@pytest.fixture
def orders() -> Iterator[ModuleType]:
    # Imported inside the test (not at collection) so that the fixture's clean environment holds
    # when its import-time client is made: no credentials, no instance metadata.
    sys.modules.pop("tests.aws.apps.orders", None)
    module = importlib.import_module("tests.aws.apps.orders")
    yield module
    sys.modules.pop("tests.aws.apps.orders", None)


def test_orders_flow_through_unchanged_application_code(orders: Any) -> None:
    seen: list[tuple[str, str]] = []

    def handle(order: dict[str, Any], priority: str) -> bool:
        seen.append((order["order_id"], priority))
        return bool(order["order_id"] != "o-2")  # o-2 fails and stays in the queue

    with mock_aws() as sim:
        for order_id in ("o-1", "o-2", "o-3"):
            orders.place_order(order_id, ["book"], priority="high" if order_id == "o-3" else "normal")
        assert orders.process_orders(handle) == 2
        assert sorted(seen) == [("o-1", "normal"), ("o-2", "normal"), ("o-3", "high")]
        # o-2 is invisible for the queue's 60-second visibility timeout: a 20-second long poll ends
        # empty, 20 virtual seconds later; the next one finds it when it becomes visible again.
        assert orders.process_orders(handle) == 0
        assert sim.time == 20.0
        sim.advance(30)
        assert orders.process_orders(lambda order, priority: True) == 1
        assert sim.time == 60.0


def test_same_seed_replays_the_same_journal(orders: Any) -> None:
    def run() -> list[tuple[float, str, str]]:
        with mock_aws(Simulation(seed=11)) as sim:
            orders.place_order("o-1", ["book"])
            orders.process_orders(lambda order, priority: True)
            return [(record.time, record.kind, record.id) for record in sim.journal]

    assert run() == run()
