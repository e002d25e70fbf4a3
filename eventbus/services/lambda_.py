"""AWS Lambda, simulated: Python callables with Lambda's invocation semantics on the simulation's clock.

``sim.lambda_`` is the service; a function wraps a sync or async callable::

    sim = Simulation()

    @sim.lambda_.handler("pay", timeout=10)
    def pay(event, context):            # called as AWS calls it; handler(event) works too
        ...

    pay.invoke({"order": 1})            # RequestResponse: an Invocation (result or error payload)
    pay.invoke_event({"order": 2})      # Event: queued, retried, sent to destinations / DLQ
    orders = sim.sqs.create_queue("orders", visibility_timeout=60)
    sim.lambda_.event_source_mapping(orders, pay, batch_size=10, report_batch_item_failures=True)

A function is registered at ``arn:aws:lambda:<region>:<account>:function:<name>``, so EventBridge
rules, SNS subscriptions and schedules deliver to it (as asynchronous invocations).
``sim.lambda_.api.call("Invoke", {...})`` serves the AWS-named operations with botocore's shapes
(what the boto3 facade routes to). Behaviour follows the AWS Lambda Developer Guide
(https://docs.aws.amazon.com/lambda/latest/dg/welcome.html) and API Reference
(https://docs.aws.amazon.com/lambda/latest/api/welcome.html); each private module cites its pages.
"""

from __future__ import annotations

from ._lambda_api import LambdaApi
from ._lambda_errors import (
    InvalidParameterValueError,
    InvalidRequestContentError,
    LambdaResourceNotFoundError,
    LambdaValidationError,
    RequestTooLargeError,
    ResourceConflictError,
    TooManyRequestsError,
)
from ._lambda_esm import EventSourceMapping
from ._lambda_function import EventInvokeConfig, Function
from ._lambda_runtime import Invocation, LambdaContext
from ._lambda_service import LambdaFaults, LambdaService

__all__ = (
    "EventInvokeConfig",
    "EventSourceMapping",
    "Function",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "Invocation",
    "LambdaApi",
    "LambdaContext",
    "LambdaFaults",
    "LambdaResourceNotFoundError",
    "LambdaService",
    "LambdaValidationError",
    "RequestTooLargeError",
    "ResourceConflictError",
    "TooManyRequestsError",
)
