"""Asynchronous invocation: the function's event queue, retries, destinations and the DLQ (internal).

An ``Event`` invocation is queued and answered 202 at once. Lambda then runs the function; on a
function error (an exception, a timeout) it retries twice by default, one minute and then two
minutes later (``MaximumRetryAttempts`` 0..2); when the function is throttled it keeps the event
and tries again with exponential backoff from 1 second up to 5 minutes, until the event is older
than ``MaximumEventAgeInSeconds`` (60..21,600, default 6 hours). A function whose reserved
concurrency is 0 sends new events to its on-failure destination and DLQ without trying them.

When an event succeeds, an invocation record goes to the on-success destination; when it is
discarded (``RetriesExhausted`` or ``EventAgeExceeded``), to the on-failure destination, and the
event itself to the function's dead-letter queue (``DeadLetterConfig``) with the attributes
``RequestID``, ``ErrorCode`` and ``ErrorMessage``. A queue or topic gets the record as its message;
a function gets it as its event; an event bus gets an event whose ``detail`` is the record
(``source`` "lambda", ``detail-type`` "Lambda Function Invocation Result - Success" / "- Failure").

Lambda documents that an event may be delivered more than once even when it succeeded (its queue is
eventually consistent): :class:`LambdaFaults` ``duplicate_async_rate`` does that, drawn from the
simulation's seeded generator.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._simulation import Outcome
from ._delivery import AgeLimitedRetry, ExhaustedReason, Inbound, deliver
from ._lambda_runtime import Invocation

if TYPE_CHECKING:
    from ._lambda_function import Function

__all__ = ("FUNCTION_ERROR_DELAYS", "enqueue", "invocation_record", "target_arn")

#: Waits before the first and second retry of a function error: "one minute", then "two minutes".
FUNCTION_ERROR_DELAYS = (60.0, 120.0)
#: Throttled events: "The retry interval increases exponentially from 1 second ... to a maximum of 5 minutes."
THROTTLE_FIRST, THROTTLE_CAP = 1.0, 300.0
#: How destinations themselves are retried (AWS does not publish this; ours is short).
_DESTINATION_RETRY = AgeLimitedRetry(max_retries=3, max_age=3600.0, base=1.0, cap=60.0)


class _Event:
    __slots__ = ("attempts", "enqueued_at", "event", "function", "last", "request_id", "retries", "throttles")

    def __init__(self, function: Function, request_id: str, event: Any, enqueued_at: float) -> None:
        self.function = function
        self.request_id = request_id
        self.event = event
        self.enqueued_at = enqueued_at
        self.attempts = 0
        self.retries = 0
        self.throttles = 0
        self.last: Invocation | None = None


def enqueue(function: Function, event: Any) -> str:
    """Queue ``event`` for ``function``; returns the request id (shared by its retries)."""
    sim = function._sim
    request_id = sim.new_uuid()
    sim.record("lambda.async.queued", function.arn, request_id)
    sim.call_soon(_attempt, _Event(function, request_id, event, sim.time))
    faults = function._service.faults
    if faults is not None and faults.duplicate_async_rate and sim.rng.random() < faults.duplicate_async_rate:
        sim.record("lambda.fault", function.arn, request_id, {"fault": "duplicate_async"})
        sim.call_later(faults.duplicate_delay, _attempt, _Event(function, request_id, event, sim.time))
    plan = sim._faults
    if plan is not None:
        duplicate = plan._draw("async_duplicate", (function.arn,), function.arn, request_id)
        if duplicate is not None:
            sim.call_later(duplicate.delay, _attempt, _Event(function, request_id, event, sim.time))
    return request_id


def _limits(function: Function) -> tuple[int, float]:
    config = function.event_invoke_config
    if config is None:
        return 2, 21_600.0
    return config.retries, float(config.age)


def _attempt(item: _Event) -> None:
    function = item.function
    sim = function._sim
    if function.deleted:
        sim.record("lambda.async.dropped", function.arn, item.request_id, {"reason": "FunctionDeleted"})
        return
    _, max_age = _limits(function)
    if sim.time - item.enqueued_at >= max_age:
        _discard(item, "EventAgeExceeded")
        return
    if function.reserved_concurrency == 0:
        _discard(item, "RetriesExhausted")
        return
    item.attempts += 1
    throttled = function._run(item.event, item.request_id, lambda invocation: _finished(item, invocation))
    if throttled is None:
        return
    item.attempts -= 1
    delay = min(THROTTLE_CAP, THROTTLE_FIRST * (2.0**item.throttles))
    item.throttles += 1
    expiry = item.enqueued_at + max_age
    sim.record("lambda.async.retrying", function.arn, item.request_id, {"reason": "throttled", "retry_in": delay})
    sim.call_at(min(sim.time + delay, expiry), _attempt, item)


def _finished(item: _Event, invocation: Invocation) -> None:
    function = item.function
    sim = function._sim
    item.last = invocation
    if invocation.ok:
        sim.record("lambda.async.succeeded", function.arn, item.request_id, {"attempts": item.attempts})
        config = function.event_invoke_config
        if config is not None and config.on_success:
            _send(function, config.on_success, invocation_record(item, "Success"), success=True)
        return
    max_retries, max_age = _limits(function)
    if item.retries >= max_retries:
        _discard(item, "RetriesExhausted")
        return
    delay = FUNCTION_ERROR_DELAYS[min(item.retries, len(FUNCTION_ERROR_DELAYS) - 1)]
    item.retries += 1
    sim.record("lambda.async.retrying", function.arn, item.request_id, {"reason": "function_error", "retry_in": delay})
    sim.call_at(min(sim.time + delay, item.enqueued_at + max_age), _attempt, item)


def invocation_record(item: _Event, condition: str) -> dict[str, Any]:
    """The invocation record Lambda sends to a destination.
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
    """
    function = item.function
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": function._sim.iso(millis=True),
        "requestContext": {
            "requestId": item.request_id,
            "functionArn": f"{function.arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": item.attempts,
        },
        "requestPayload": item.event,
    }
    last = item.last
    if last is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if not last.ok:
            response["functionError"] = "Unhandled"
        record["responseContext"] = response
        record["responsePayload"] = last.payload
    return record


def _discard(item: _Event, condition: ExhaustedReason | str) -> None:
    function = item.function
    sim = function._sim
    sim.record(
        "lambda.async.discarded", function.arn, item.request_id, {"condition": condition, "attempts": item.attempts}
    )
    config = function.event_invoke_config
    if config is not None and config.on_failure:
        _send(function, config.on_failure, invocation_record(item, condition), success=False)
    dlq = function.dead_letter_arn
    if dlq:
        last = item.last
        code = "200" if last is not None else "429"
        message = last.error_message if last is not None else "Rate Exceeded."
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": item.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": code},
            "ErrorMessage": {"DataType": "String", "StringValue": message.encode("utf-8")[:1024].decode("utf-8", "ignore")},
        }
        letter = Inbound(body=json.dumps(item.event), attributes=attributes, source_arn=function.arn, event=item.event)
        _deliver(function, dlq, letter, item.request_id, "lambda.dead_letter")


def target_arn(arn: str) -> str:
    """The registry ARN of a destination (a qualified function ARN names its function)."""
    parts = arn.split(":")
    if len(parts) == 8 and parts[2] == "lambda" and parts[5] == "function":
        return ":".join(parts[:7])
    return arn


def _send(function: Function, destination: str, record: dict[str, Any], *, success: bool) -> None:
    sim = function._sim
    request_id = record["requestContext"]["requestId"]
    service = destination.split(":")[2] if destination.count(":") >= 5 else ""
    if service == "events":
        envelope = {
            "version": "0",
            "id": sim.new_uuid(),
            "detail-type": "Lambda Function Invocation Result - " + ("Success" if success else "Failure"),
            "source": "lambda",
            "account": sim.account_id,
            "time": sim.iso(),
            "region": sim.region,
            "resources": [record["requestContext"]["functionArn"], destination],
            "detail": record,
        }
        message = Inbound(body=json.dumps(envelope), source_arn=function.arn, event=envelope)
    else:
        message = Inbound(body=json.dumps(record), source_arn=function.arn, event=record)
    _deliver(function, destination, message, request_id, "lambda.destination")


def _deliver(function: Function, destination: str, message: Inbound, request_id: str, kind: str) -> None:
    sim = function._sim

    def exhausted(reason: ExhaustedReason, outcome: Outcome, attempts: int) -> None:
        sim.record(
            f"{kind}_failed",
            destination,
            request_id,
            {"reason": reason, "error": outcome.error_message[:256], "attempts": attempts},
        )

    deliver(
        sim,
        kind=kind,
        source=function.arn,
        target=target_arn(destination),
        message=message,
        message_id=request_id,
        policy=_DESTINATION_RETRY,
        on_exhausted=exhausted,
    )
