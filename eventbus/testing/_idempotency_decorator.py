"""``@idempotent``: AWS Lambda Powertools' idempotency for handlers in a simulation (internal).

The flow is Powertools' ``IdempotencyHandler``:

1. The key data is taken from the event (a JMESPath expression, ``powertools_json(body)`` and
   ``powertools_base64(...)`` included, or a key function) and hashed: MD5 of its JSON with sorted
   keys, prefixed ``<function name>.<module>.<handler>#``.
2. An ``INPROGRESS`` record is saved with a conditional put; its in-progress expiry is the
   invocation's deadline (now + ``context.get_remaining_time_in_millis()``).
3. When a record exists: ``COMPLETED`` returns the stored response without running the handler;
   ``INPROGRESS`` (before its in-progress expiry) raises :class:`IdempotencyAlreadyInProgressError`.
4. The handler runs. If it raises, the record is deleted and the exception propagates (the event
   can be retried); if it returns, the record becomes ``COMPLETED`` with the response, for
   ``expires_after_seconds`` (default 3,600).

https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/
"""

from __future__ import annotations

import base64
import functools
import hashlib
import inspect
import json
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from ._idempotency_store import (
    COMPLETED,
    EXPIRED,
    INPROGRESS,
    IdempotencyAlreadyInProgressError,
    IdempotencyError,
    IdempotencyItemAlreadyExistsError,
    IdempotencyKeyError,
    IdempotencyRecord,
    IdempotencyStore,
    idempotency_store,
)

__all__ = ("idempotent", "search")

F = TypeVar("F", bound=Callable[..., Any])
_MAX_RETRIES = 2
_COMPILED: dict[str, Any] = {}


def _jmespath() -> Any:
    try:
        import jmespath  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - boto3 depends on jmespath
        raise ImportError(
            "event_key_jmespath needs the 'jmespath' package (boto3 installs it): pip install jmespath; "
            "or pass key=lambda event: ... instead"
        ) from None
    return jmespath


def _options() -> Any:
    jmespath = _jmespath()
    cached = _COMPILED.get("__options__")
    if cached is not None:
        return cached

    base: Any = jmespath.functions.Functions

    class PowertoolsFunctions(base):  # type: ignore[misc]
        @jmespath.functions.signature({"types": ["string"]})  # type: ignore[untyped-decorator]
        def _func_powertools_json(self, value: str) -> Any:
            return json.loads(value)

        @jmespath.functions.signature({"types": ["string"]})  # type: ignore[untyped-decorator]
        def _func_powertools_base64(self, value: str) -> str:
            return base64.b64decode(value).decode()

    options = jmespath.Options(custom_functions=PowertoolsFunctions())
    _COMPILED["__options__"] = options
    return options


def search(expression: str, data: Any) -> Any:
    """Evaluate a JMESPath expression with Powertools' functions (``powertools_json``, ``powertools_base64``)."""
    compiled = _COMPILED.get(expression)
    if compiled is None:
        compiled = _COMPILED[expression] = _jmespath().compile(expression)
    return compiled.search(data, options=_options())


def _missing(data: Any) -> bool:
    if isinstance(data, (tuple, list, dict)):
        return all(item is None for item in data)
    if isinstance(data, (int, float, bool)):
        return False
    return not data


def idempotent(
    store: IdempotencyStore | None = None,
    *,
    event_key_jmespath: str = "",
    key: Callable[[Any], Any] | None = None,
    expires_after_seconds: int = 3600,
    raise_on_no_idempotency_key: bool = False,
    key_prefix: str | None = None,
) -> Callable[[F], F]:
    """Make a Lambda handler idempotent, as Powertools' ``@idempotent`` does, with a store in the simulation.

    Args:
        store: the simulation's store (:func:`idempotency_store`); None: the store of the
            simulation each invocation runs in, found through its Lambda context. That is the
            form for handler modules a topology file names (``handlers:pay``), which are imported
            before any simulation exists.
        event_key_jmespath: JMESPath to the key data (``"body.order_id"``,
            ``"powertools_json(body).order_id"``); empty: the whole event.
        key: instead of a JMESPath, a function of the event returning the key data.
        expires_after_seconds: how long a completed record answers duplicates (default 1 hour).
        raise_on_no_idempotency_key: raise :class:`IdempotencyKeyError` when the key data is
            missing (else warn and run the handler without idempotency, as Powertools does).
        key_prefix: replaces ``<function name>.<module>.<handler>`` before ``#`` in the key.

    The handler may be sync or async and take ``(event, context)`` or ``(event)``; with a context,
    the in-progress record expires at the invocation's deadline.
    """

    def store_for(context: Any) -> IdempotencyStore:
        if store is not None:
            return store
        sim = getattr(context, "_sim", None)  # an eventbus LambdaContext
        if sim is None:
            raise IdempotencyError(
                "@idempotent() without a store takes the store of the simulation the invocation runs in, "
                "from its Lambda context; this call has none: pass idempotent(idempotency_store(sim), ...)"
            )
        return idempotency_store(sim)

    def decorate(handler: F) -> F:
        qualified = f"{handler.__module__}.{handler.__qualname__}"

        def idempotency_key(event: Any, context: Any) -> str | None:
            data = key(event) if key is not None else search(event_key_jmespath, event) if event_key_jmespath else event
            if _missing(data):
                if raise_on_no_idempotency_key:
                    raise IdempotencyKeyError("No data found to create a hashed idempotency_key")
                warnings.warn(
                    f"No idempotency key value found. Skipping persistence layer and validation operations. "
                    f"jmespath: {event_key_jmespath}",
                    stacklevel=3,
                )
                return None
            digest = hashlib.md5(json.dumps(data, sort_keys=True).encode()).hexdigest()
            function_name = getattr(context, "function_name", None) or "test-func"
            return f"{key_prefix or f'{function_name}.{qualified}'}#{digest}"

        def begin(event: Any, context: Any) -> tuple[str | None, bool, Any]:
            """Save the in-progress record; returns (key, already_done, stored_response)."""
            record_key = idempotency_key(event, context)
            if record_key is None:
                return None, False, None
            store = store_for(context)
            for attempt in range(_MAX_RETRIES + 1):
                now = store.now()
                remaining = context.get_remaining_time_in_millis() if context is not None and hasattr(context, "get_remaining_time_in_millis") else None
                record = IdempotencyRecord(
                    idempotency_key=record_key,
                    status=INPROGRESS,
                    expiry_timestamp=int(now + expires_after_seconds),
                    in_progress_expiry_timestamp=None if remaining is None else int((now + remaining / 1000) * 1000),
                )
                try:
                    store.put_in_progress(record)
                    return record_key, False, None
                except IdempotencyItemAlreadyExistsError as exists:
                    existing = exists.existing
                    status = existing.status_at(now)
                    if status == EXPIRED and attempt < _MAX_RETRIES:
                        continue
                    if status == INPROGRESS:
                        raise IdempotencyAlreadyInProgressError(
                            f"Execution already in progress with idempotency key: {event_key_jmespath}={record_key}"
                        ) from None
                    if status == COMPLETED:
                        store.sim.record("idempotency.returned_stored", "", record_key)
                        return record_key, True, json.loads(existing.response_data) if existing.response_data else None
            raise IdempotencyAlreadyInProgressError(f"Execution already in progress with idempotency key: {record_key}")

        def succeeded(record_key: str | None, response: Any, context: Any) -> None:
            if record_key is None:
                return
            store = store_for(context)
            store.update(
                IdempotencyRecord(
                    idempotency_key=record_key,
                    status=COMPLETED,
                    expiry_timestamp=int(store.now() + expires_after_seconds),
                    response_data=json.dumps(response, sort_keys=True),
                )
            )

        def failed(record_key: str | None, context: Any) -> None:
            if record_key is not None:
                store_for(context).delete(record_key)

        takes_context = len([p for p in inspect.signature(handler).parameters.values() if p.default is p.empty]) >= 2

        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run_async(event: Any, context: Any = None) -> Any:
                record_key, done, stored = begin(event, context)
                if done:
                    return stored
                try:
                    response = await (handler(event, context) if takes_context else handler(event))
                except Exception:
                    failed(record_key, context)
                    raise
                succeeded(record_key, response, context)
                return response

            return run_async  # type: ignore[return-value]

        @functools.wraps(handler)
        def run(event: Any, context: Any = None) -> Any:
            record_key, done, stored = begin(event, context)
            if done:
                return stored
            try:
                response = handler(event, context) if takes_context else handler(event)
            except Exception:
                failed(record_key, context)
                raise
            succeeded(record_key, response, context)
            return response

        return run  # type: ignore[return-value]

    return decorate
