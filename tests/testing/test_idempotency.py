"""eventbus.testing.idempotency: AWS Lambda Powertools' idempotency semantics on the simulation's clock.

https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.testing.idempotency import (
    COMPLETED,
    INPROGRESS,
    IdempotencyAlreadyInProgressError,
    IdempotencyKeyError,
    idempotency_store,
    idempotent,
    powertools_persistence_layer,
    search,
)


def test_key_is_md5_of_sorted_json_with_function_and_handler_prefix(sim: Simulation) -> None:
    store = idempotency_store(sim)

    @idempotent(store, event_key_jmespath="order")
    def handler(event: Any, context: Any) -> str:
        return "ok"

    fn = sim.lambda_.function("pay", handler)
    fn.invoke({"order": {"id": 1, "amount": 5}})
    [record] = list(store.records())
    digest = hashlib.md5(json.dumps({"amount": 5, "id": 1}, sort_keys=True).encode()).hexdigest()
    assert record.idempotency_key == f"pay.{__name__}.test_key_is_md5_of_sorted_json_with_function_and_handler_prefix.<locals>.handler#{digest}"
    assert record.status == COMPLETED
    assert json.loads(record.response_data) == "ok"


def test_completed_record_returns_the_stored_response_without_running_again(sim: Simulation) -> None:
    calls: list[Any] = []

    @idempotent(idempotency_store(sim), event_key_jmespath="powertools_json(body).order_id")
    def handler(event: Any, context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"charged": len(calls)}

    fn = sim.lambda_.function("pay", handler)
    event = {"body": json.dumps({"order_id": 7, "note": "a"})}
    assert fn.invoke(event).payload == {"charged": 1}
    assert fn.invoke({"body": json.dumps({"order_id": 7, "note": "b"})}).payload == {"charged": 1}
    assert len(calls) == 1


def test_record_expires_after_expires_after_seconds(sim: Simulation) -> None:
    calls: list[Any] = []

    @idempotent(idempotency_store(sim), event_key_jmespath="id", expires_after_seconds=60)
    def handler(event: Any) -> int:
        calls.append(event)
        return len(calls)

    fn = sim.lambda_.function("f", handler)
    fn.invoke({"id": 1})
    sim.advance(30)
    fn.invoke({"id": 1})
    sim.advance(31)
    fn.invoke({"id": 1})
    assert len(calls) == 2


def test_concurrent_duplicate_is_already_in_progress(sim: Simulation) -> None:
    @idempotent(idempotency_store(sim), event_key_jmespath="id")
    async def handler(event: Any, context: Any) -> str:
        await sim.sleep(5)
        return "done"

    fn = sim.lambda_.function("slow", handler, timeout=10)
    results: list[Any] = []
    fn.start({"id": 1}, results.append)
    sim.advance(1)
    fn.start({"id": 1}, results.append)
    sim.advance(10)
    first, second = sorted(results, key=lambda r: r.ended)
    assert second.ok
    assert second.payload == "done"
    assert first.payload["errorType"] == "IdempotencyAlreadyInProgressError"
    assert first.payload["errorMessage"].startswith("Execution already in progress with idempotency key: id=slow.")


def test_in_progress_record_expires_at_the_handlers_deadline(sim: Simulation) -> None:
    store = idempotency_store(sim)
    calls: list[float] = []

    @idempotent(store, event_key_jmespath="id")
    async def handler(event: Any, context: Any) -> str:
        calls.append(sim.time)
        await sim.sleep(100)  # times out at 3 s: the record stays INPROGRESS until that deadline
        return "never"

    fn = sim.lambda_.function("f", handler, timeout=3)
    assert fn.invoke({"id": 1}).timed_out
    [record] = list(store.records())
    assert record.status == INPROGRESS
    assert record.in_progress_expiry_timestamp == sim.epoch_millis(3.0)
    sim.advance(1)
    assert fn.invoke({"id": 1}).timed_out  # past the deadline: the retry may run again
    assert calls == [0.0, 4.0]


def test_raising_handler_deletes_its_record(sim: Simulation) -> None:
    store = idempotency_store(sim)
    calls: list[Any] = []

    @idempotent(store, event_key_jmespath="id")
    def handler(event: Any, context: Any) -> str:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("flaky")
        return "ok"

    fn = sim.lambda_.function("f", handler)
    assert not fn.invoke({"id": 1}).ok
    assert len(store) == 0
    assert fn.invoke({"id": 1}).payload == "ok"
    assert len(calls) == 2


def test_missing_key_warns_or_raises(sim: Simulation) -> None:
    store = idempotency_store(sim)

    @idempotent(store, event_key_jmespath="missing")
    def lenient(event: Any) -> str:
        return "ran"

    with pytest.warns(UserWarning, match="No idempotency key value found"):
        assert lenient({"id": 1}) == "ran"

    @idempotent(store, event_key_jmespath="missing", raise_on_no_idempotency_key=True)
    def strict(event: Any) -> str:
        return "ran"

    with pytest.raises(IdempotencyKeyError, match="No data found to create a hashed idempotency_key"):
        strict({"id": 1})


def test_key_function_instead_of_jmespath(sim: Simulation) -> None:
    calls: list[Any] = []

    @idempotent(idempotency_store(sim), key=lambda event: event["a"]["b"])
    def handler(event: Any) -> None:
        calls.append(event)

    handler({"a": {"b": 1}, "x": 1})
    handler({"a": {"b": 1}, "x": 2})
    assert len(calls) == 1


def test_jmespath_subset_with_powertools_functions() -> None:
    event = {"Records": [{"body": '{"id": 3}'}], "b64": "eyJrIjogMX0="}
    assert search("Records[0].body", event) == '{"id": 3}'
    assert search("powertools_json(Records[0].body).id", event) == 3
    assert search("powertools_json(powertools_base64(b64)).k", event) == 1


def test_concurrent_duplicate_raises_in_a_direct_call(sim: Simulation) -> None:
    store = idempotency_store(sim)

    @idempotent(store, event_key_jmespath="id")
    def handler(event: Any) -> str:
        with pytest.raises(IdempotencyAlreadyInProgressError):
            handler(event)
        return "outer"

    assert handler({"id": 1}) == "outer"


def test_powertools_idempotent_with_the_simulation_persistence_layer(sim: Simulation) -> None:
    pytest.importorskip("aws_lambda_powertools")
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.idempotency import idempotent as powertools_idempotent

    store = idempotency_store(sim)
    layer = powertools_persistence_layer(store)
    calls: list[Any] = []

    @powertools_idempotent(persistence_store=layer, config=IdempotencyConfig(event_key_jmespath="id"))
    def handler(event: Any, context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"n": len(calls)}

    fn = sim.lambda_.function("pt", handler)
    assert fn.invoke({"id": 1}).payload == {"n": 1}
    assert fn.invoke({"id": 1}).payload == {"n": 1}
    assert len(calls) == 1
    [record] = list(store.records())
    assert record.status == COMPLETED
