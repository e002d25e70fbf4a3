"""Idempotent Lambda handlers, as AWS Lambda Powertools makes them, with the store in the simulation.

::

    from eventbus.testing.idempotency import idempotent, idempotency_store

    store = idempotency_store(sim)

    @sim.lambda_.handler("pay", timeout=10)
    @idempotent(store, event_key_jmespath="powertools_json(body).order_id")
    def pay(record, context):
        charge(record)

In a handler module that a topology file names (``handler: "handlers:pay"``), imported before any
simulation exists, leave the store out: ``@idempotent(event_key_jmespath=...)`` uses the store of
the simulation each invocation runs in, found through its Lambda context.

Semantics (https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/): the key
is the MD5 of the key data's JSON, prefixed by function and handler names; a record is
``INPROGRESS`` while the handler runs (until the invocation's own deadline), ``COMPLETED`` with the
response afterwards (for ``expires_after_seconds``), ``EXPIRED`` after that. A duplicate of a
completed event gets the stored response without running the handler; a concurrent duplicate
raises :class:`IdempotencyAlreadyInProgressError`; a handler that raises deletes its record, so the
event can be retried. The store keeps time on the simulation's clock.

When aws-lambda-powertools is installed, :func:`powertools_persistence_layer` gives its own
``@idempotent`` a persistence layer kept in the simulation.
"""

from __future__ import annotations

from ._idempotency_decorator import idempotent, search
from ._idempotency_powertools import powertools_persistence_layer
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

__all__ = (
    "COMPLETED",
    "EXPIRED",
    "INPROGRESS",
    "IdempotencyAlreadyInProgressError",
    "IdempotencyError",
    "IdempotencyItemAlreadyExistsError",
    "IdempotencyKeyError",
    "IdempotencyRecord",
    "IdempotencyStore",
    "idempotency_store",
    "idempotent",
    "powertools_persistence_layer",
    "search",
)
