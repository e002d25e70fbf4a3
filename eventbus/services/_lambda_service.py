"""The simulation's AWS Lambda: functions, concurrency, event source mappings, faults (internal).

https://docs.aws.amazon.com/lambda/latest/dg/welcome.html
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec

from .._simulation import Simulation
from ..errors import SimulationError
from ._lambda_errors import (
    InvalidParameterValueError,
    LambdaResourceNotFoundError,
    ResourceConflictError,
    TooManyRequestsError,
    function_not_found,
    violation,
)
from ._lambda_esm import EventSourceMapping
from ._lambda_function import Duration, Function, check_memory, check_timeout
from ._lambda_records import compile_filters

if TYPE_CHECKING:
    from ._lambda_api import LambdaApi
    from .sqs import Queue

__all__ = ("LambdaFaults", "LambdaService")

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_FUNCTION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$")
_PARTIAL_ARN = re.compile(r"^(\d{12}):function:([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$")


class LambdaFaults(msgspec.Struct, frozen=True, kw_only=True):
    """What Lambda is allowed to do wrong, with how often (0 = never).

    Attributes:
        duplicate_async_rate: per asynchronous invocation, the chance that the event is delivered to
            the function a second time ("it's possible for it to receive the same event from Lambda
            multiple times because the queue itself is eventually consistent").
        duplicate_delay: seconds after the first delivery that the duplicate arrives.

    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    """

    duplicate_async_rate: float = 0.0
    duplicate_delay: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.duplicate_async_rate <= 1.0:
            raise ValueError(f"duplicate_async_rate must be between 0 and 1, got {self.duplicate_async_rate!r}")
        if self.duplicate_delay < 0:
            raise ValueError(f"duplicate_delay must not be negative, got {self.duplicate_delay!r}")


class LambdaService:
    """AWS Lambda in a simulation: ``sim.lambda_``.

    Example::

        sim = Simulation()
        charges = []

        @sim.lambda_.handler("pay", timeout=10)
        def pay(event, context):
            for record in event["Records"]:
                charges.append(record["body"])

        orders = sim.sqs.create_queue("orders", visibility_timeout=60)
        sim.lambda_.event_source_mapping(orders, pay, batch_size=10)
        orders.send('{"order_id": 1}')
        sim.advance(1)

    Attributes:
        account_concurrency: the account's concurrent executions quota (default 1,000).
        minimum_unreserved: concurrency that reservations must leave to unreserved functions (100).
        faults: :class:`LambdaFaults`, or None for none.
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.functions: dict[str, Function] = {}
        self.mappings: dict[str, EventSourceMapping] = {}
        self.account_concurrency = 1000
        self.minimum_unreserved = 100
        self.faults: LambdaFaults | None = None
        self._unreserved_active = 0

    def __repr__(self) -> str:
        return f"eventbus.services.lambda_.LambdaService(functions={len(self.functions)}, mappings={len(self.mappings)})"

    @cached_property
    def api(self) -> LambdaApi:
        """The AWS-named operations (``sim.lambda_.api.call("Invoke", {...})``)."""
        from ._lambda_api import LambdaApi

        return LambdaApi(self)

    # ----------------------------------------------------------- functions
    def function(
        self,
        name: str,
        handler: Callable[..., Any] | str,
        *,
        timeout: int = 3,
        memory: int = 128,
        reserved_concurrency: int | None = None,
        duration: Duration = None,
        description: str = "",
        dead_letter: str | None = None,
        runtime: str = "python3.12",
        tags: Mapping[str, str] | None = None,
    ) -> Function:
        """Create a function (CreateFunction) that runs ``handler`` and register it at its ARN.

        Args:
            name: 1..64 characters of ``[a-zA-Z0-9_-]``.
            handler: a sync or async callable, called ``handler(event, context)`` (or
                ``handler(event)`` when it takes one argument); or a ``module.function`` string
                imported when first invoked.
            timeout: seconds, 1..900 (default 3, as in AWS).
            memory: MB, 128..10,240 (default 128).
            reserved_concurrency: the function's reserved concurrency, or None to share the
                account's unreserved pool.
            duration: for a synchronous handler, how long each invocation takes on the simulation's
                clock: seconds, or a callable of the event.
            description: the function's description.
            dead_letter: an SQS queue or SNS topic ARN for events asynchronous invocation discards.
            runtime: the ``Runtime`` reported by GetFunction.
            tags: the function's tags.

        Raises:
            ResourceConflictError: a function of that name exists ("Function already exist: name").
            InvalidParameterValueError: a name, timeout or memory Lambda would refuse.
        """
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise violation(
                name,
                "functionName",
                "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
            )
        if name in self.functions:
            raise ResourceConflictError(f"Function already exist: {name}")
        check_timeout(timeout)
        check_memory(memory)
        if not isinstance(handler, str) and not callable(handler):
            raise SimulationError(f"handler must be a callable or a 'module.function' string, got {type(handler).__name__}")
        function = Function(
            self,
            name,
            handler,
            timeout=timeout,
            memory=memory,
            reserved_concurrency=None,
            duration=duration,
            description=description,
            dead_letter=dead_letter,
            runtime=runtime,
            tags=tags,
        )
        if reserved_concurrency is not None:
            self._check_reservation(function, reserved_concurrency)
            function.reserved_concurrency = reserved_concurrency
        self.functions[name] = function
        self.sim.registry.register(function.arn, function)
        self.sim.record("lambda.created", function.arn, name, {"timeout": timeout, "memory": memory})
        return function

    def handler(self, name: str, **settings: Any) -> Callable[[Callable[..., Any]], Function]:
        """Decorator form of :meth:`function`: ``@sim.lambda_.handler("pay", timeout=10)``; returns the Function."""

        def register(handler: Callable[..., Any]) -> Function:
            return self.function(name, handler, **settings)

        return register

    def get_function(self, name: str | Function) -> Function:
        """The function by name, ARN (qualified by ``$LATEST`` or not) or partial ARN.

        Raises:
            LambdaResourceNotFoundError: "Function not found: arn:aws:lambda:...".
        """
        if isinstance(name, Function):
            if name.deleted:
                raise function_not_found(name.arn)
            return name
        plain, qualifier = self.parse_name(name)
        function = self.functions.get(plain)
        if function is None or (qualifier not in (None, "$LATEST")):
            arn = self.sim.arn("lambda", f"function:{plain}" + (f":{qualifier}" if qualifier else ""))
            raise function_not_found(arn)
        return function

    def parse_name(self, name: str) -> tuple[str, str | None]:
        """A function name, ARN or partial ARN as (name, qualifier)."""
        match = _FUNCTION_ARN.match(name)
        if match is not None:
            return match.group(3), match.group(4)
        match = _PARTIAL_ARN.match(name)
        if match is not None:
            return match.group(2), match.group(3)
        plain, _, qualifier = name.partition(":")
        return plain, qualifier or None

    def delete_function(self, name: str | Function) -> None:
        """DeleteFunction: the function stops taking invocations; its mappings are deleted too."""
        function = self.get_function(name)
        function.deleted = True
        del self.functions[function.name]
        self.sim.registry.unregister(function.arn)
        for mapping in [m for m in self.mappings.values() if m.function is function]:
            self.delete_event_source_mapping(mapping.uuid)
        self.sim.record("lambda.deleted", function.arn, function.name)

    def list_functions(self) -> list[Function]:
        """The functions, in name order (as ListFunctions pages them)."""
        return [self.functions[name] for name in sorted(self.functions)]

    # --------------------------------------------------------- concurrency
    def set_reserved_concurrency(self, name: str | Function, reserved: int | None) -> None:
        """PutFunctionConcurrency (``None``: DeleteFunctionConcurrency).

        Raises:
            InvalidParameterValueError: the reservation would leave the account's unreserved
                concurrency under its minimum (100).
        """
        function = self.get_function(name)
        if reserved is not None:
            self._check_reservation(function, reserved)
        function.reserved_concurrency = reserved
        self.sim.record("lambda.concurrency", function.arn, "", {"reserved": reserved})

    def _check_reservation(self, function: Function, reserved: int) -> None:
        if isinstance(reserved, bool) or not isinstance(reserved, int) or reserved < 0:
            raise violation(reserved, "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
        others = sum(f.reserved_concurrency or 0 for f in self.functions.values() if f is not function)
        if self.account_concurrency - others - reserved < self.minimum_unreserved:
            raise InvalidParameterValueError(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self.minimum_unreserved}]."
            )

    @property
    def unreserved_concurrency(self) -> int:
        """The account's concurrency not reserved by any function (UnreservedConcurrentExecutions)."""
        return self.account_concurrency - sum(f.reserved_concurrency or 0 for f in self.functions.values())

    def _acquire(self, function: Function) -> TooManyRequestsError | None:
        reserved = function.reserved_concurrency
        if reserved is not None:
            if function.active >= reserved:
                return TooManyRequestsError(reason="ReservedFunctionConcurrentInvocationLimitExceeded")
        else:
            if self._unreserved_active >= self.unreserved_concurrency:
                return TooManyRequestsError(reason="ConcurrentInvocationLimitExceeded")
            self._unreserved_active += 1
        function.active += 1
        return None

    def _release(self, function: Function) -> None:
        function.active -= 1
        if function.reserved_concurrency is None:
            self._unreserved_active = max(0, self._unreserved_active - 1)

    def _check_destination(self, function: Function, destination: str, on_success: str | None, on_failure: str | None) -> None:
        parts = destination.split(":")
        service = parts[2] if len(parts) >= 6 and parts[0] == "arn" else ""
        if service == "lambda":
            name = parts[6] if len(parts) > 6 else ""
            if name == function.name:
                raise InvalidParameterValueError("You can't specify the function as a destination for itself.")
            if name not in self.functions:
                raise InvalidParameterValueError(f"The destination ARN {destination} is invalid.")
            return
        if service in ("sqs", "sns", "events", "s3"):
            return
        success = f"OnSuccess(destination={on_success})" if on_success else "null"
        failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
        raise InvalidParameterValueError(f"The provided destination config DestinationConfig(onSuccess={success}, onFailure={failure}) is invalid.")

    # -------------------------------------------------- event source mappings
    def event_source_mapping(
        self,
        queue: Queue | str,
        function: Function | str,
        *,
        batch_size: int | None = None,
        maximum_batching_window: int = 0,
        maximum_concurrency: int | None = None,
        report_batch_item_failures: bool = False,
        filter_criteria: Sequence[str | dict[str, Any]] | None = None,
        enabled: bool = True,
    ) -> EventSourceMapping:
        """Create an SQS event source mapping (CreateEventSourceMapping).

        Args:
            queue: the queue (or its ARN).
            function: the function (or its name or ARN).
            batch_size: 1..10 on FIFO queues, 1..10,000 on standard ones (above 10 needs a
                batching window); default 10.
            maximum_batching_window: seconds to gather a batch, 0..300 (standard queues only).
            maximum_concurrency: 2..1,000 concurrent batches, or None.
            report_batch_item_failures: whether the function returns ``batchItemFailures``.
            filter_criteria: up to 5 event filter patterns (JSON text or dicts) on the record.
            enabled: whether it polls.

        Raises:
            InvalidParameterValueError: a setting Lambda refuses, with Lambda's message (e.g.
                "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds").
            ValidationError: a value outside the API model's range.
            ResourceConflictError: a mapping of this queue to this function exists.
        """
        from .sqs import Queue

        queue_arn = queue.arn if isinstance(queue, Queue) else str(queue)
        target = self._mapping_function(function)
        resolved = self._mapping_queue(queue_arn)
        size = 10 if batch_size is None else batch_size
        self._check_mapping(resolved, target, size, maximum_batching_window, maximum_concurrency)
        filters = compile_filters(filter_criteria)
        for existing in self.mappings.values():
            if existing.queue_arn == queue_arn and existing.function is target:
                raise ResourceConflictError(
                    f'An event source mapping with SQS arn (" {queue_arn} ") and function (" {target.name} ") already '
                    f"exists. Please update or delete the existing mapping with UUID {existing.uuid}"
                )
        uuid = self.sim.new_uuid()
        mapping = EventSourceMapping(
            self,
            uuid,
            resolved,
            target,
            batch_size=size,
            window=maximum_batching_window,
            max_concurrency=maximum_concurrency,
            report_batch_item_failures=report_batch_item_failures,
            filters=filters,
            enabled=enabled,
        )
        self.mappings[uuid] = mapping
        self.sim.record(
            "lambda.esm.created",
            mapping.arn,
            uuid,
            {"queue": queue_arn, "function": target.name, "batch_size": size, "window": maximum_batching_window},
        )
        return mapping

    def _mapping_function(self, function: Function | str) -> Function:
        try:
            return self.get_function(function)
        except LambdaResourceNotFoundError:
            raise InvalidParameterValueError("Function does not exist") from None

    def _mapping_queue(self, queue_arn: str) -> Queue:
        from .sqs import Queue

        queue = self.sim.registry.get(queue_arn)
        if not isinstance(queue, Queue) or queue.deleted:
            raise InvalidParameterValueError(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                "SQS Error Message: The specified queue does not exist."
            )
        return queue

    def _check_mapping(self, queue: Queue, function: Function, batch_size: int, window: int, max_concurrency: int | None) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise violation(batch_size, "batchSize", "Member must have value greater than or equal to 1")
        if batch_size > 10_000:
            raise violation(batch_size, "batchSize", "Member must have value less than or equal to 10000")
        if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 300:
            bound = "greater than or equal to 0" if isinstance(window, int) and window < 0 else "less than or equal to 300"
            raise violation(window, "maximumBatchingWindowInSeconds", f"Member must have value {bound}")
        if max_concurrency is not None and (isinstance(max_concurrency, bool) or not 2 <= max_concurrency <= 1000):
            bound = "greater than or equal to 2" if max_concurrency < 2 else "less than or equal to 1000"
            raise violation(max_concurrency, "scalingConfig.maximumConcurrency", f"Member must have value {bound}")
        if queue.fifo:
            if batch_size > 10:
                # AWS's wording for FIFO queues (the 2018 limit of every SQS mapping).
                raise InvalidParameterValueError("Maximum batch size must be between 1 and 10 inclusive")
            if window:
                raise InvalidParameterValueError("Batching window is not supported for FIFO queues")
        elif batch_size > 10 and not window:
            raise InvalidParameterValueError(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
            )
        if queue.visibility_timeout < function.timeout:
            raise InvalidParameterValueError(
                f"Queue visibility timeout: {queue.visibility_timeout} seconds is less than Function timeout: "
                f"{function.timeout} seconds"
            )

    def _update_mapping(
        self,
        mapping: EventSourceMapping,
        *,
        enabled: bool | None,
        batch_size: int | None,
        window: int | None,
        max_concurrency: int | bool | None,
        report_batch_item_failures: bool | None,
        filters: Sequence[str | dict[str, Any]] | bool | None,
        function: Function | str | None,
    ) -> None:
        if mapping.state == "Deleting":
            raise ResourceConflictError(f"The resource you requested is currently in use: {mapping.uuid}")
        target = mapping.function if function is None else self._mapping_function(function)
        queue = self._mapping_queue(mapping.queue_arn)
        size = mapping.batch_size if batch_size is None else batch_size
        new_window = mapping.window if window is None else window
        concurrency = mapping.max_concurrency if max_concurrency is False else max_concurrency
        if isinstance(concurrency, bool):
            concurrency = None
        self._check_mapping(queue, target, size, new_window, concurrency)
        changes: dict[str, Any] = {}
        if enabled is not None and enabled != mapping.enabled:
            changes["enabled"] = enabled
        if size != mapping.batch_size:
            changes["batch_size"] = size
        if new_window != mapping.window:
            changes["window"] = new_window
        if concurrency != mapping.max_concurrency:
            changes["max_concurrency"] = concurrency
        if report_batch_item_failures is not None and report_batch_item_failures != mapping.report_batch_item_failures:
            changes["report_batch_item_failures"] = report_batch_item_failures
        if filters is not False:
            changes["_filters"] = compile_filters(None if isinstance(filters, bool) else filters)
        if target is not mapping.function:
            changes["function"] = target
        mapping._apply_update(changes)

    def get_event_source_mapping(self, uuid: str) -> EventSourceMapping:
        """GetEventSourceMapping.

        Raises:
            LambdaResourceNotFoundError: "The resource you requested does not exist."
        """
        mapping = self.mappings.get(uuid)
        if mapping is None:
            raise LambdaResourceNotFoundError("The resource you requested does not exist.")
        return mapping

    def list_event_source_mappings(self, *, queue: str | None = None, function: str | Function | None = None) -> list[EventSourceMapping]:
        """ListEventSourceMappings, optionally for one queue ARN and/or one function, in creation order."""
        target = None if function is None else self.get_function(function)
        return [
            m
            for m in self.mappings.values()
            if (queue is None or m.queue_arn == queue) and (target is None or m.function is target)
        ]

    def delete_event_source_mapping(self, uuid: str) -> EventSourceMapping:
        """DeleteEventSourceMapping: its pollers stop (a batch being processed finishes)."""
        mapping = self.get_event_source_mapping(uuid)
        mapping._delete()
        del self.mappings[uuid]
        return mapping
