"""``@idempotent()`` without a store: the store of the simulation the invocation runs in.

Handler modules that a topology file names are imported before any simulation exists, so they
cannot pass ``idempotency_store(sim)``; the decorator then finds the store through the Lambda
context (Powertools' idempotency semantics otherwise unchanged:
https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.testing.idempotency import COMPLETED, IdempotencyError, idempotency_store, idempotent

CHARGES: list[int] = []


@idempotent(event_key_jmespath="order")
def charge(event: dict[str, Any], context: Any) -> dict[str, int]:
    CHARGES.append(event["order"])
    return {"charged": event["order"]}


def test_the_store_is_the_invocations_simulation() -> None:
    CHARGES.clear()
    for seed in (1, 2):  # one decorated handler, two simulations, two stores
        sim = Simulation(seed=seed)
        function = sim.lambda_.function("charge", charge)
        first = function.invoke({"order": 7})
        second = function.invoke({"order": 7})
        assert first.payload == second.payload == {"charged": 7}
        [record] = list(idempotency_store(sim).records())
        assert record.status == COMPLETED
        assert json.loads(record.response_data or "null") == {"charged": 7}
    assert CHARGES == [7, 7]  # once per simulation


def test_without_a_simulated_context_the_error_says_what_to_do() -> None:
    with pytest.raises(IdempotencyError, match=r"pass idempotent\(idempotency_store\(sim\), \.\.\.\)"):
        charge({"order": 1}, None)
