"""A Lambda function in a simulation: configuration, invocation types, concurrency (internal).

https://docs.aws.amazon.com/lambda/latest/dg/lambda-invocation.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-sync.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from .._simulation import Future, Outcome
from ..errors import SimulationError
from ._lambda_errors import (
    InvalidParameterValueError,
    InvalidRequestContentError,
    RequestTooLargeError,
    TooManyRequestsError,
)
from ._lambda_runtime import Invocation, arity, execute

if TYPE_CHECKING:
    from ._delivery import Inbound
    from ._lambda_service import LambdaService

__all__ = ("MAX_ASYNC_PAYLOAD", "MAX_SYNC_PAYLOAD", "EventInvokeConfig", "Function")

#: Invoke request quotas: 6 MB synchronous, 1 MB asynchronous (raised from 256 KB in 2025).
#: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 1024 * 1024

Duration = float | Callable[[Any], float] | None


class EventInvokeConfig(msgspec.Struct, frozen=True, kw_only=True):
    """A function's asynchronous invocation settings (PutFunctionEventInvokeConfig).

    Attributes:
        max_retries: ``MaximumRetryAttempts``, 0..2 (None: the default, 2).
        max_event_age: ``MaximumEventAgeInSeconds``, 60..21,600 (None: the default, 21,600).
        on_success: destination ARN for records of successful invocations, or None.
        on_failure: destination ARN for records of discarded events, or None.
        last_modified: simulation time of the last change.

    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html
    """

    max_retries: int | None = None
    max_event_age: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    @property
    def retries(self) -> int:
        return 2 if self.max_retries is None else self.max_retries

    @property
    def age(self) -> int:
        return 21_600 if self.max_event_age is None else self.max_event_age


def decode_payload(payload: Any, limit: int) -> Any:
    """An event as the runtime sees it: JSON encoded and decoded afresh (bytes and text are parsed)."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        raw = bytes(payload)
    elif isinstance(payload, str):
        raw = payload.encode("utf-8")
    else:
        try:
            raw = json.dumps(payload).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidRequestContentError(f"Could not parse request body into json: {exc}") from None
    if len(raw) > limit:
        raise RequestTooLargeError(f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestContentError(
            "Could not parse request body into json: Could not parse payload into json: Unexpected character"
        ) from None


class Function:
    """An AWS Lambda function backed by a Python callable (``eventbus.services.lambda_.Function``).

    Create one with ``sim.lambda_.function(name, handler, ...)``. It is registered at its ARN, so
    EventBridge rules, SNS subscriptions, Scheduler schedules and async-invocation destinations can
    deliver to it (as an asynchronous invocation).
    """

    def __init__(
        self,
        service: LambdaService,
        name: str,
        handler: Callable[..., Any] | str,
        *,
        timeout: int,
        memory: int,
        reserved_concurrency: int | None,
        duration: Duration,
        description: str,
        dead_letter: str | None,
        runtime: str,
        tags: Mapping[str, str] | None,
    ) -> None:
        sim = service.sim
        self._service = service
        self._sim = sim
        self.name = name
        self.arn = sim.arn("lambda", f"function:{name}")
        self.handler = handler
        self.arity = 2 if isinstance(handler, str) else arity(handler)
        self.timeout = timeout
        self.memory = memory
        self.reserved_concurrency = reserved_concurrency
        self.duration = duration
        self.description = description
        self.dead_letter_arn = dead_letter
        self.runtime = runtime
        self.tags: dict[str, str] = dict(tags or {})
        self.event_invoke_config: EventInvokeConfig | None = None
        self.created_at = sim.time
        self.last_modified_at = sim.time
        self.revision_id = sim.new_uuid()
        self.log_stream_name = f"{sim.iso()[:10].replace('-', '/')}/[$LATEST]{sim.new_hex(32)}"
        self.active = 0
        self.deleted = False
        self._resolved: Callable[..., Any] | dict[str, Any] | None = None if isinstance(handler, str) else handler
        self._n_invocations = 0
        self._n_errors = 0
        self._n_throttles = 0
        self._n_timeouts = 0

    def __repr__(self) -> str:
        return f"eventbus.services.lambda_.Function({self.name!r}, timeout={self.timeout})"

    # -------------------------------------------------------------- handler
    @property
    def handler_name(self) -> str:
        """The ``Handler`` setting: ``module.function`` of the callable."""
        if isinstance(self.handler, str):
            return self.handler
        module = getattr(self.handler, "__module__", None) or "handler"
        qualname = getattr(self.handler, "__qualname__", None) or type(self.handler).__name__
        return f"{module}.{qualname}".replace("<locals>.", "").replace("<", "").replace(">", "")

    def resolve_handler(self) -> Callable[..., Any] | dict[str, Any]:
        """The callable to run, or the runtime's error object when a ``Handler`` string cannot be loaded.

        A ``module.function`` handler (CreateFunction) is imported from ``sys.path`` on first use,
        as the Python runtime imports it, with its errors: ``Runtime.ImportModuleError`` and
        ``Runtime.HandlerNotFound``.
        """
        if self._resolved is not None:
            return self._resolved
        spec = str(self.handler)
        module_name, _, attribute = spec.rpartition(".")
        if not module_name:
            return {"errorMessage": f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)", "errorType": "Runtime.MalformedHandlerName", "stackTrace": []}
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            return {"errorMessage": f"Unable to import module '{module_name}': {exc}", "errorType": "Runtime.ImportModuleError", "stackTrace": []}
        target = getattr(module, attribute, None)
        if target is None or not callable(target):
            return {"errorMessage": f"Handler '{attribute}' missing on module '{module_name}'", "errorType": "Runtime.HandlerNotFound", "stackTrace": []}
        resolved: Callable[..., Any] = target
        self._resolved = resolved
        self.arity = arity(resolved)
        return resolved

    @property
    def code_sha256(self) -> str:
        return base64.b64encode(hashlib.sha256(self.handler_name.encode()).digest()).decode()

    # ----------------------------------------------------------- execution
    def _run(self, event: Any, request_id: str, on_done: Callable[[Invocation], None]) -> TooManyRequestsError | None:
        """Take a unit of concurrency and run once; returns the throttle error instead when none is free."""
        throttled = self._service._acquire(self)
        if throttled is not None:
            self._n_throttles += 1
            self._sim.record("lambda.throttled", self.arn, request_id, {"reason": throttled.reason})
            return throttled
        self._n_invocations += 1
        self._sim.record("lambda.invoked", self.arn, request_id)

        def done(invocation: Invocation) -> None:
            self._service._release(self)
            if invocation.ok:
                self._sim.record("lambda.succeeded", self.arn, request_id, {"duration": round(invocation.duration, 6)})
            else:
                self._n_errors += 1
                if invocation.timed_out:
                    self._n_timeouts += 1
                self._sim.record(
                    "lambda.failed",
                    self.arn,
                    request_id,
                    {"error_type": invocation.error_type, "error_message": invocation.error_message[:256]},
                )
            on_done(invocation)

        plan = self._sim._faults
        crash = plan._crash(self.arn, request_id) if plan is not None else None
        execute(self._sim, self, event, request_id, done, crash)
        return None

    def start(self, payload: Any, on_done: Callable[[Invocation], None], *, request_id: str | None = None) -> str:
        """Start a synchronous (RequestResponse) invocation inside the simulation; ``on_done`` gets the result.

        Raises:
            TooManyRequestsError: the function or the account is at its concurrency limit (429).
        """
        self._check_live()
        event = decode_payload(payload, MAX_SYNC_PAYLOAD)
        request_id = request_id or self._sim.new_uuid()
        throttled = self._run(event, request_id, on_done)
        if throttled is not None:
            raise throttled
        return request_id

    def invoke(self, payload: Any = None) -> Invocation:
        """Invoke synchronously (``InvocationType=RequestResponse``) and return the :class:`Invocation`.

        Called from outside the simulation, this runs the simulation until the invocation ends (an
        async handler's ``await sim.sleep()`` moves the clock). Inside a running simulation only a
        synchronous handler can answer at once; use ``await fn.ainvoke(...)`` from a simulation task.

        Raises:
            TooManyRequestsError: the function or the account is at its concurrency limit (429).
            RequestTooLargeError, InvalidRequestContentError: a payload over 6 MB, or not JSON.
        """
        box: list[Invocation] = []
        self.start(payload, box.append)
        if not box:
            if self._sim.running:
                raise SimulationError(
                    f"function {self.name!r} did not answer at once and the simulation is running; "
                    "await fn.ainvoke(...) from a simulation task instead"
                )
            self._sim.run_until(lambda: bool(box))
        if not box:
            raise SimulationError(f"function {self.name!r} never finished (it awaits something that never happens)")
        return box[0]

    async def ainvoke(self, payload: Any = None) -> Invocation:
        """:meth:`invoke` for simulation tasks: waits on the simulation's clock for the result."""
        future: Future[Invocation] = Future()
        self.start(payload, future.set_result)
        return await future

    def invoke_event(self, payload: Any = None) -> str:
        """Invoke asynchronously (``InvocationType=Event``): queue the event and return its request id.

        Lambda answers 202 at once; the event waits in the function's asynchronous queue, is retried
        on errors (twice by default, one then two minutes later) and on throttles (with backoff, up
        to the maximum event age), and its outcome goes to the configured destinations or DLQ.
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
        """
        self._check_live()
        event = decode_payload(payload, MAX_ASYNC_PAYLOAD)
        from ._lambda_async import enqueue

        return enqueue(self, event)

    def dry_run(self) -> None:
        """``InvocationType=DryRun``: check the function exists and may be invoked; run nothing (204)."""
        self._check_live()
        self._sim.record("lambda.dry_run", self.arn)

    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        """Take a delivery from another service (an EventBridge rule, an SNS subscription, a schedule,
        a destination) as an asynchronous invocation.

        The event is ``message.event`` when the sender gives one (SNS builds its Lambda event; an
        EventBridge rule gives the JSON it delivers), else the body parsed as JSON (a body that is
        not JSON is passed as a JSON string). ``on_done`` succeeds as soon as Lambda has queued the
        event: what the handler does then is retried by Lambda's own asynchronous policy, never by
        the sender's.
        """
        if self.deleted:
            from ._lambda_errors import function_not_found

            error = function_not_found(self.arn)
            error.retryable = False
            on_done(Outcome(False, None, error))
            return
        if message.event is not None:
            event = message.event
        else:
            try:
                event = json.loads(message.body)
            except ValueError:
                event = message.body
        try:
            request_id = self.invoke_event(event)
        except (InvalidRequestContentError, RequestTooLargeError) as error:
            error.retryable = False
            on_done(Outcome(False, None, error))
            return
        on_done(Outcome(True, request_id))

    def _check_live(self) -> None:
        if self.deleted:
            from ._lambda_errors import function_not_found

            raise function_not_found(self.arn)

    # --------------------------------------------------------- configuration
    def configure(
        self,
        *,
        timeout: int | None = None,
        memory: int | None = None,
        description: str | None = None,
        dead_letter: str | bool | None = False,
        duration: Duration | bool = False,
    ) -> None:
        """Change settings (UpdateFunctionConfiguration); ``dead_letter=None`` removes the DLQ."""
        if timeout is not None:
            _check_timeout(timeout)
            self.timeout = timeout
        if memory is not None:
            _check_memory(memory)
            self.memory = memory
        if description is not None:
            self.description = description
        if dead_letter is not False:
            self.dead_letter_arn = dead_letter if isinstance(dead_letter, str) and dead_letter else None
        if duration is not False:
            self.duration = duration if not isinstance(duration, bool) else None
        self.last_modified_at = self._sim.time
        self.revision_id = self._sim.new_uuid()
        self._sim.record("lambda.configured", self.arn)

    def set_event_invoke_config(
        self,
        *,
        max_retries: int | None = None,
        max_event_age: int | None = None,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> EventInvokeConfig:
        """Replace the asynchronous invocation settings (PutFunctionEventInvokeConfig).

        Raises:
            ValidationError: ``max_retries`` outside 0..2 or ``max_event_age`` outside 60..21,600.
        """
        from ._lambda_errors import violation

        if max_retries is not None and not 0 <= max_retries <= 2:
            bound = "greater than or equal to 0" if max_retries < 0 else "less than or equal to 2"
            raise violation(max_retries, "maximumRetryAttempts", f"Member must have value {bound}")
        if max_event_age is not None and not 60 <= max_event_age <= 21_600:
            bound = "greater than or equal to 60" if max_event_age < 60 else "less than or equal to 21600"
            raise violation(max_event_age, "maximumEventAgeInSeconds", f"Member must have value {bound}")
        for destination in (on_success, on_failure):
            if destination is not None:
                self._service._check_destination(self, destination, on_success, on_failure)
        config = EventInvokeConfig(
            max_retries=max_retries,
            max_event_age=max_event_age,
            on_success=on_success,
            on_failure=on_failure,
            last_modified=self._sim.time,
        )
        self.event_invoke_config = config
        self._sim.record("lambda.event_invoke_config", self.arn, "", {"max_retries": config.retries, "max_event_age": config.age})
        return config

    def statistics(self) -> dict[str, int]:
        """Counts since creation: invocations started, errors (timeouts included), timeouts, throttles, running now."""
        return {
            "invocations": self._n_invocations,
            "errors": self._n_errors,
            "timeouts": self._n_timeouts,
            "throttles": self._n_throttles,
            "running": self.active,
        }


def _check_timeout(timeout: object) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 900:
        raise InvalidParameterValueError(f"Value {timeout} at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900")


def _check_memory(memory: object) -> None:
    if isinstance(memory, bool) or not isinstance(memory, int) or not 128 <= memory <= 10240:
        raise InvalidParameterValueError(
            "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"
            if isinstance(memory, int) and memory > 10240
            else "'MemorySize' value failed to satisfy constraint: Member must have value greater than or equal to 128"
        )


check_timeout = _check_timeout
check_memory = _check_memory
