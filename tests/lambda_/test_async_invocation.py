"""Asynchronous invocation: retries, event age, throttles, destinations, the function DLQ, duplicates.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation, ValidationError
from eventbus.services.lambda_ import InvalidParameterValueError, LambdaFaults


def failing(times: list[float], sim: Simulation) -> Any:
    def handler(event: Any, context: Any) -> None:
        times.append(sim.time)
        raise RuntimeError("gateway down")

    return handler


def test_function_errors_are_retried_twice_one_then_two_minutes_later(sim: Simulation) -> None:
    times: list[float] = []
    fn = sim.lambda_.function("pay", failing(times, sim))
    fn.invoke_event({"order": 1})
    sim.advance(600)
    assert times == [0.0, 60.0, 180.0]


def test_maximum_retry_attempts_zero(sim: Simulation) -> None:
    times: list[float] = []
    fn = sim.lambda_.function("pay", failing(times, sim))
    fn.set_event_invoke_config(max_retries=0)
    fn.invoke_event({})
    sim.advance(600)
    assert times == [0.0]


def test_event_invoke_config_ranges() -> None:
    sim = Simulation()
    fn = sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(ValidationError, match="Member must have value less than or equal to 2"):
        fn.set_event_invoke_config(max_retries=3)
    with pytest.raises(ValidationError, match="greater than or equal to 60"):
        fn.set_event_invoke_config(max_event_age=59)
    with pytest.raises(InvalidParameterValueError, match="can't specify the function as a destination for itself"):
        fn.set_event_invoke_config(on_failure=fn.arn)


def test_records_to_queue_destinations_on_success_and_on_failure(sim: Simulation) -> None:
    ok_queue = sim.sqs.create_queue("ok")
    failed_queue = sim.sqs.create_queue("failed")
    ok = sim.lambda_.function("ok", lambda event, context: {"charged": event["amount"]})
    bad = sim.lambda_.function("bad", failing([], sim))
    ok.set_event_invoke_config(on_success=ok_queue.arn)
    bad.set_event_invoke_config(on_failure=failed_queue.arn)
    ok.invoke_event({"amount": 5})
    request_id = bad.invoke_event({"amount": 6})
    sim.advance(600)

    [success] = ok_queue.receive(10)
    record = json.loads(success.body)
    assert list(record) == ["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]
    assert record["version"] == "1.0"
    assert record["timestamp"] == "2024-01-01T00:00:00.000Z"
    assert record["requestContext"]["functionArn"] == f"{ok.arn}:$LATEST"
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"amount": 5}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"charged": 5}

    [failure] = failed_queue.receive(10)
    record = json.loads(failure.body)
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["timestamp"] == "2024-01-01T00:03:00.000Z"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "gateway down"
    assert record["responsePayload"]["errorType"] == "RuntimeError"


def test_event_age_exceeded_while_waiting_for_a_retry(sim: Simulation) -> None:
    failed_queue = sim.sqs.create_queue("failed")
    times: list[float] = []
    fn = sim.lambda_.function("pay", failing(times, sim))
    fn.set_event_invoke_config(max_event_age=90, on_failure=failed_queue.arn)
    fn.invoke_event({})
    sim.advance(600)
    assert times == [0.0, 60.0]
    [message] = failed_queue.receive()
    assert json.loads(message.body)["requestContext"]["condition"] == "EventAgeExceeded"


def test_function_dead_letter_queue_gets_the_event_with_attributes(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("pay-dlq")
    fn = sim.lambda_.function("pay", failing([], sim), dead_letter=dlq.arn)
    request_id = fn.invoke_event({"order": 9})
    sim.advance(600)
    [message] = dlq.receive()
    assert json.loads(message.body) == {"order": 9}
    attributes = {name: (a.data_type, a.string_value) for name, a in message.message_attributes.items()}
    assert attributes == {
        "RequestID": ("String", request_id),
        "ErrorCode": ("Number", "200"),
        "ErrorMessage": ("String", "gateway down"),
    }


def test_destination_function_gets_the_record_as_its_event(sim: Simulation) -> None:
    records: list[Any] = []
    sink = sim.lambda_.function("sink", lambda event, context: records.append(event))
    fn = sim.lambda_.function("f", lambda event, context: 1)
    fn.set_event_invoke_config(on_success=f"{sink.arn}:$LATEST")
    fn.invoke_event({"x": 1})
    sim.advance(5)
    assert [r["requestContext"]["condition"] for r in records] == ["Success"]


def test_destination_event_bus_gets_an_invocation_result_event(sim: Simulation) -> None:
    bus = sim.events.bus("results")
    seen: list[Any] = []
    bus.rule("all", pattern={"source": ["lambda"]}).target(seen.append)
    fn = sim.lambda_.function("f", failing([], sim))
    fn.set_event_invoke_config(max_retries=0, on_failure=bus.arn)
    fn.invoke_event({})
    sim.advance(5)
    [event] = seen
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["resources"] == [f"{fn.arn}:$LATEST", bus.arn]
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"


def test_throttled_events_wait_and_are_retried_with_backoff(sim: Simulation) -> None:
    starts: list[float] = []

    async def slow(event: Any, context: Any) -> None:
        starts.append(sim.time)
        await sim.sleep(10)

    fn = sim.lambda_.function("slow", slow, timeout=30, reserved_concurrency=1)
    fn.invoke_event({"n": 1})
    fn.invoke_event({"n": 2})
    sim.advance(100)
    assert starts[0] == 0.0
    assert starts[1] >= 10.0  # waited in the queue (1 s, 2 s, 4 s, 8 s backoff) for the first to finish
    assert fn.statistics()["throttles"] >= 1


def test_reserved_concurrency_zero_sends_events_straight_to_the_failure_destination(sim: Simulation) -> None:
    failed = sim.sqs.create_queue("failed")
    calls: list[Any] = []
    fn = sim.lambda_.function("off", lambda e, c: calls.append(e), reserved_concurrency=0)
    fn.set_event_invoke_config(on_failure=failed.arn)
    fn.invoke_event({})
    sim.advance(5)
    assert calls == []
    assert failed.statistics().sent == 1


def test_duplicate_async_delivery_fault_is_seeded() -> None:
    def run(seed: int) -> list[Any]:
        sim = Simulation(seed=seed)
        sim.lambda_.faults = LambdaFaults(duplicate_async_rate=0.5)
        seen: list[Any] = []
        fn = sim.lambda_.function("f", lambda e, c: seen.append(e["n"]))
        for n in range(20):
            fn.invoke_event({"n": n})
        sim.advance(10)
        return seen

    first = run(11)
    assert len(first) > 20  # some events delivered twice, although they succeeded
    assert run(11) == first


def test_eventbridge_rule_target_is_an_async_invocation(sim: Simulation) -> None:
    # The rule's delivery succeeds once Lambda queued the event; handler errors are Lambda's to retry.
    times: list[float] = []
    fn = sim.lambda_.function("pay", failing(times, sim))
    bus = sim.events.bus("orders")
    bus.rule("r", pattern={"source": ["shop"]}).target(fn.arn)
    bus.put(source="shop", detail_type="Order", detail={"id": 1})
    sim.advance(600)
    assert times == [0.0, 60.0, 180.0]
    assert not [r for r in sim.journal if r.kind == "events.target.retrying"]
