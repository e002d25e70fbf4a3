"""Running a Python callable as Lambda runs a handler: context, timeout, error payloads, logs (internal).

A handler is called as the Python runtime calls it, ``handler(event, context)`` (a one-argument
callable is called ``handler(event)``). The event is the JSON payload decoded afresh for each call,
as the runtime decodes it, so a handler cannot change its caller's object. What the handler returns
is encoded with :func:`json.dumps`, as the runtime does: a value JSON cannot hold fails the
invocation with ``Runtime.MarshalError``.

Time: a synchronous handler runs at once; a declared ``duration`` (seconds, or a callable of the
event) makes its invocation end that much later on the simulation's clock. An async handler runs as
a simulation task and may ``await sim.sleep(s)``. When the function's timeout passes first, the
invocation fails with Lambda's timeout error (``Sandbox.Timedout``, "Task timed out after 3.00
seconds") and an async handler is stopped where it waits: nothing it would do later happens, as
when Lambda stops the execution environment.
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
"""

from __future__ import annotations

import contextlib
import inspect
import json
import traceback
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from .._simulation import Future, Simulation

if TYPE_CHECKING:
    from ._lambda_function import Function

__all__ = (
    "MAX_RESPONSE_BYTES",
    "Invocation",
    "LambdaContext",
    "arity",
    "execute",
)

#: Lambda's synchronous response quota: 6 MB (the runtime's own count is 6291556 bytes).
MAX_RESPONSE_BYTES = 6_291_556


class Invocation(msgspec.Struct, frozen=True, kw_only=True):
    """What one run of a function came to.

    Attributes:
        request_id: the invocation's request id (``context.aws_request_id``).
        ok: True when the handler returned and its result could be encoded.
        payload: the response payload as Lambda returns it: the handler's result (decoded JSON),
            or the error object (``errorMessage``, ``errorType``, ``requestId``, ``stackTrace``).
        function_error: ``"Unhandled"`` when the function failed (what Invoke puts in
            ``X-Amz-Function-Error``), else None.
        started: simulation time the handler started.
        ended: simulation time the invocation ended (at the timeout, when it timed out).
        log: the invocation's log lines (START, errors, END, REPORT), as ``LogType=Tail`` returns them.
        timed_out: True when the function's timeout ended it.
    """

    request_id: str
    ok: bool
    payload: Any
    function_error: str | None = None
    started: float = 0.0
    ended: float = 0.0
    log: tuple[str, ...] = ()
    timed_out: bool = False

    @property
    def error_type(self) -> str:
        """``errorType`` of a failed invocation ("" when it succeeded)."""
        return str(self.payload.get("errorType", "")) if not self.ok and isinstance(self.payload, dict) else ""

    @property
    def error_message(self) -> str:
        """``errorMessage`` of a failed invocation ("" when it succeeded)."""
        return str(self.payload.get("errorMessage", "")) if not self.ok and isinstance(self.payload, dict) else ""

    @property
    def duration(self) -> float:
        """Seconds the invocation ran, on the simulation's clock."""
        return self.ended - self.started

    def payload_bytes(self) -> bytes:
        """The payload as Invoke returns it (JSON bytes)."""
        return json.dumps(self.payload).encode("utf-8")


class LambdaContext:
    """The context object the Python runtime passes to a handler.

    Attributes:
        function_name: the function's name.
        function_version: the version executed (``$LATEST``).
        invoked_function_arn: the ARN used to invoke the function.
        memory_limit_in_mb: the function's memory setting.
        aws_request_id: the invocation's request id.
        log_group_name: ``/aws/lambda/<name>``.
        log_stream_name: the execution environment's log stream.
        identity: None (Cognito identity, for mobile SDK callers).
        client_context: None (mobile SDK client context).

    https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
    """

    __slots__ = (
        "_deadline",
        "_sim",
        "aws_request_id",
        "client_context",
        "function_name",
        "function_version",
        "identity",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
        "tenant_id",
    )

    def __init__(self, sim: Simulation, function: Function, request_id: str, deadline: float) -> None:
        self._sim = sim
        self._deadline = deadline
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(function.memory)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = function.log_stream_name
        self.identity = None
        self.client_context = None
        self.tenant_id = None

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out, on the simulation's clock (never negative)."""
        return max(0, round((self._deadline - self._sim.time) * 1000))

    def __repr__(self) -> str:
        return f"eventbus.LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r})"


def arity(handler: Callable[..., Any]) -> int:
    """How many positional arguments to pass: 2 (``event, context``) unless the callable takes only one."""
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return 1
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return 2
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return 2 if count >= 2 else 1


def error_payload(error: BaseException, request_id: str) -> dict[str, Any]:
    """The Python runtime's error object for an exception a handler raised.
    https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
    """
    frames = traceback.extract_tb(error.__traceback__)[1:] if error.__traceback__ is not None else []
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _runtime_error(kind: str, message: str, request_id: str) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": kind, "requestId": request_id, "stackTrace": []}


def _runtime_exit(request_id: str) -> dict[str, Any]:
    """The error of an invocation whose runtime process died (an injected crash)."""
    return _runtime_error("Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: signal: killed", request_id)


class _Killable:
    """Drives a handler's coroutine and stops it for good once ``kill()`` is called.

    Lambda stops the execution environment when a function times out: the handler does nothing
    after that. The coroutine is closed where it waits (``GeneratorExit`` at its ``await``).
    """

    __slots__ = ("coro", "killed")

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro
        self.killed = False

    def kill(self) -> None:
        if not self.killed:
            self.killed = True
            with contextlib.suppress(RuntimeError):  # closing from inside itself: it stops at its next resume
                self.coro.close()

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self.coro
        value: Any = None
        error: BaseException | None = None
        while True:
            if self.killed:
                return None
            try:
                yielded = coro.throw(error) if error is not None else coro.send(value)
            except StopIteration as stop:
                return stop.value
            try:
                value = yield yielded
                error = None
            except BaseException as exc:  # forwarded into the handler, as an event loop would
                value = None
                error = exc


async def _drive(killable: _Killable) -> Any:
    return await killable


def execute(
    sim: Simulation,
    function: Function,
    event: Any,
    request_id: str,
    on_done: Callable[[Invocation], None],
    crash: Literal["before", "after"] | None = None,
) -> None:
    """Run ``function``'s handler once on ``event`` (already decoded afresh) and report the Invocation.

    The caller has already taken a unit of concurrency; ``on_done`` is called exactly once, at the
    simulation time the invocation ends. ``crash`` is an injected fault (:mod:`eventbus.faults`):
    the runtime exits before the handler runs, or after it returned, and the invocation fails with
    ``Runtime.ExitError``.
    """
    started = sim.time
    deadline = started + function.timeout
    context = LambdaContext(sim, function, request_id, deadline)
    finished = False
    killable: _Killable | None = None
    lines: list[str] = [f"START RequestId: {request_id} Version: $LATEST"]

    def finish(ok: bool, payload: Any, timed_out: bool = False) -> None:
        nonlocal finished
        if finished:
            return
        finished = True
        if crash == "after" and ok:
            ok, payload = False, _runtime_exit(request_id)
        timer.cancel()
        ended = sim.time
        if not ok and not timed_out and isinstance(payload, dict):
            lines.append(f"[ERROR] {payload.get('errorType')}: {payload.get('errorMessage')}")
        lines.append(f"END RequestId: {request_id}")
        millis = (ended - started) * 1000
        billed = max(1, int(-(-millis // 1)))
        lines.append(
            f"REPORT RequestId: {request_id}\tDuration: {millis:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {function.memory} MB\tMax Memory Used: {min(function.memory, 64)} MB"
        )
        on_done(
            Invocation(
                request_id=request_id,
                ok=ok,
                payload=payload,
                function_error=None if ok else "Unhandled",
                started=started,
                ended=ended,
                log=tuple(lines),
                timed_out=timed_out,
            )
        )

    def time_out() -> None:
        if finished:
            return
        if killable is not None:
            killable.kill()
        lines.append(f"{sim.iso(millis=True)} {request_id} Task timed out after {function.timeout:.2f} seconds")
        finish(
            False,
            {
                "errorMessage": f"RequestId: {request_id} Error: Task timed out after {function.timeout:.2f} seconds",
                "errorType": "Sandbox.Timedout",
            },
            timed_out=True,
        )

    def returned(value: Any) -> None:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as exc:
            finish(False, _runtime_error("Runtime.MarshalError", f"Unable to marshal response: {exc}", request_id))
            return
        if len(text.encode("utf-8")) > MAX_RESPONSE_BYTES:
            finish(
                False,
                _runtime_error(
                    "Function.ResponseSizeTooLarge",
                    f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                    request_id,
                ),
            )
            return
        finish(True, json.loads(text))

    timer = sim.call_at(deadline, time_out)
    if crash == "before":
        finish(False, _runtime_exit(request_id))
        return
    handler = function.resolve_handler()
    if isinstance(handler, dict):  # the runtime could not load the handler (CreateFunction with a bad Handler)
        finish(False, dict(handler, requestId=request_id))
        return
    try:
        result = handler(event, context) if function.arity == 2 else handler(event)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        finish(False, error_payload(exc, request_id))
        return
    if inspect.iscoroutine(result):
        killable = _Killable(result)
        task = sim.spawn(_drive(killable), name=f"lambda:{function.name}:{request_id}")

        def task_done(fut: Future[Any]) -> None:
            if killable is not None and killable.killed:
                return
            error = fut.exception()
            if error is not None:
                finish(False, error_payload(error, request_id))
            else:
                returned(fut.result())

        task.add_done_callback(task_done)
        return
    duration = function.duration
    if duration is not None:
        seconds = float(duration(event) if callable(duration) else duration)
        if seconds > 0:
            if started + seconds >= deadline:
                return  # the timeout timer ends it
            sim.call_later(seconds, returned, result)
            return
    returned(result)
