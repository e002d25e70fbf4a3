"""Functions over Python callables: handler calling convention, context, timeouts, error payloads.

https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services.lambda_ import (
    Function,
    InvalidRequestContentError,
    LambdaResourceNotFoundError,
    ResourceConflictError,
)


def test_function_arn_and_registry(sim: Simulation) -> None:
    fn = sim.lambda_.function("pay", lambda event, context: None)
    assert fn.arn == "arn:aws:lambda:us-east-1:123456789012:function:pay"
    assert sim.registry.get(fn.arn) is fn
    assert sim.lambda_.get_function(fn.arn) is fn
    assert sim.lambda_.get_function("123456789012:function:pay") is fn


def test_handler_decorator_returns_the_function(sim: Simulation) -> None:
    @sim.lambda_.handler("hello", timeout=5)
    def hello(event: Any, context: Any) -> str:
        return f"hello {event['name']}"

    assert isinstance(hello, Function)
    assert hello.timeout == 5
    assert hello.invoke({"name": "ada"}).payload == "hello ada"


def test_one_argument_handlers_are_called_with_the_event_alone(sim: Simulation) -> None:
    seen: list[Any] = []
    fn = sim.lambda_.function("append", seen.append)
    fn.invoke({"x": 1})
    assert seen == [{"x": 1}]


def test_the_event_is_decoded_afresh_for_each_call(sim: Simulation) -> None:
    # The runtime JSON-decodes the payload: a handler cannot change the caller's object.
    def mutate(event: Any, context: Any) -> Any:
        event["changed"] = True
        return event

    payload = {"a": 1}
    result = sim.lambda_.function("mutate", mutate).invoke(payload)
    assert result.payload == {"a": 1, "changed": True}
    assert payload == {"a": 1}


def test_context_like_aws(sim: Simulation) -> None:
    captured: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> None:
        captured.update(
            name=context.function_name,
            version=context.function_version,
            arn=context.invoked_function_arn,
            memory=context.memory_limit_in_mb,
            request_id=context.aws_request_id,
            group=context.log_group_name,
            stream=context.log_stream_name,
            remaining=context.get_remaining_time_in_millis(),
        )

    fn = sim.lambda_.function("ctx", handler, timeout=7, memory=256)
    result = fn.invoke({})
    assert captured["name"] == "ctx"
    assert captured["version"] == "$LATEST"
    assert captured["arn"] == fn.arn
    assert captured["memory"] == "256"
    assert captured["request_id"] == result.request_id
    assert captured["group"] == "/aws/lambda/ctx"
    assert "[$LATEST]" in captured["stream"]
    assert captured["remaining"] == 7000


def test_remaining_time_follows_the_virtual_clock(sim: Simulation) -> None:
    remaining: list[int] = []

    async def handler(event: Any, context: Any) -> None:
        remaining.append(context.get_remaining_time_in_millis())
        await sim.sleep(1.5)
        remaining.append(context.get_remaining_time_in_millis())

    sim.lambda_.function("slow", handler, timeout=3).invoke({})
    assert remaining == [3000, 1500]


def test_unhandled_error_payload_as_the_python_runtime_shapes_it(sim: Simulation) -> None:
    def handler(event: Any, context: Any) -> None:
        raise ValueError("card declined")

    result = sim.lambda_.function("boom", handler).invoke({})
    assert not result.ok
    assert result.function_error == "Unhandled"
    assert set(result.payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert result.payload["errorMessage"] == "card declined"
    assert result.payload["errorType"] == "ValueError"
    assert result.payload["requestId"] == result.request_id
    assert any("in handler" in line for line in result.payload["stackTrace"])


def test_sync_handler_past_its_timeout_fails_with_the_timeout_error(sim: Simulation) -> None:
    fn = sim.lambda_.function("slow", lambda event, context: "done", timeout=3, duration=5.0)
    result = fn.invoke({})
    assert result.timed_out
    assert result.payload == {
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 3.00 seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert result.ended == 3.0
    assert any("Task timed out after 3.00 seconds" in line for line in result.log)


def test_declared_duration_as_a_function_of_the_event(sim: Simulation) -> None:
    fn = sim.lambda_.function("work", lambda event, context: event["n"], timeout=10, duration=lambda e: e["n"])
    result = fn.invoke({"n": 4})
    assert result.ok
    assert result.payload == 4
    assert result.duration == 4.0


def test_async_handler_sleeping_past_its_timeout_is_stopped(sim: Simulation) -> None:
    steps: list[str] = []

    async def handler(event: Any, context: Any) -> str:
        steps.append("started")
        await sim.sleep(5)
        steps.append("after sleep")  # never runs: Lambda stopped the environment at 3 s
        return "late"

    result = sim.lambda_.function("sleepy", handler, timeout=3).invoke({})
    sim.advance(10)
    assert result.timed_out
    assert result.ended == 3.0
    assert steps == ["started"]


def test_result_that_json_cannot_hold_is_a_marshal_error(sim: Simulation) -> None:
    result = sim.lambda_.function("dt", lambda e, c: datetime.datetime(2024, 1, 1)).invoke({})
    assert result.payload["errorType"] == "Runtime.MarshalError"
    assert result.payload["errorMessage"].startswith("Unable to marshal response:")


def test_payload_that_is_not_json_is_refused(sim: Simulation) -> None:
    fn = sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(InvalidRequestContentError):
        fn.invoke(b"{not json")


def test_duplicate_name_and_unknown_function(sim: Simulation) -> None:
    sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(ResourceConflictError, match="Function already exist: f"):
        sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(LambdaResourceNotFoundError, match=r"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"):
        sim.lambda_.get_function("nope")


def test_handler_named_by_module_path_like_create_function(sim: Simulation) -> None:
    fn = sim.lambda_.function("json", "json.dumps")
    assert fn.invoke([1, 2]).payload == "[1, 2]"
    missing = sim.lambda_.function("missing", "no_such_module_xyz.handler").invoke({})
    assert missing.payload["errorType"] == "Runtime.ImportModuleError"
    absent = sim.lambda_.function("absent", "json.no_such_handler").invoke({})
    assert absent.payload["errorType"] == "Runtime.HandlerNotFound"


def test_same_seed_same_journal(sim: Simulation) -> None:
    def run(seed: int) -> list[tuple[Any, ...]]:
        s = Simulation(seed=seed)
        fn = s.lambda_.function("f", lambda e, c: e)
        fn.invoke({"a": 1})
        fn.invoke_event({"b": 2})
        s.advance(5)
        return [(r.time, r.kind, r.id) for r in s.journal]

    assert run(7) == run(7)
