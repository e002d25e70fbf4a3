"""A Powertools for AWS Lambda persistence layer backed by the simulation's idempotency store (internal).

``powertools_persistence_layer(store)`` returns a ``BasePersistenceLayer`` for Powertools' own
``@idempotent(persistence_store=..., config=IdempotencyConfig(...))``: records are kept in the
simulation instead of DynamoDB, with DynamoDB's conditional put (a live record refuses a second
in-progress save, carrying the existing record).

Powertools stamps its records with the wall clock (``datetime.now()``), so with its decorator a
record's expiry follows wall time, not the simulation's: the completed/in-progress semantics are
simulated, the expiries are not. ``eventbus.testing.idempotency.idempotent`` times everything on the
simulation's clock.
https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/#bring-your-own-persistent-store
"""

from __future__ import annotations

from typing import Any

from ._idempotency_store import IdempotencyRecord, IdempotencyStore

__all__ = ("powertools_persistence_layer",)


def powertools_persistence_layer(store: IdempotencyStore) -> Any:
    """A Powertools ``BasePersistenceLayer`` over ``store``.

    Raises:
        ImportError: aws-lambda-powertools is not installed (``pip install aws-lambda-powertools``).
    """
    try:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (  # type: ignore[import-not-found, unused-ignore]
            IdempotencyItemAlreadyExistsError,
            IdempotencyItemNotFoundError,
        )
        from aws_lambda_powertools.utilities.idempotency.persistence.base import (  # type: ignore[import-not-found, unused-ignore]
            BasePersistenceLayer,
        )
        from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (  # type: ignore[import-not-found, unused-ignore]
            DataRecord,
        )
    except ImportError:
        raise ImportError(
            "powertools_persistence_layer needs aws-lambda-powertools: pip install aws-lambda-powertools"
        ) from None

    def to_data(record: IdempotencyRecord) -> Any:
        return DataRecord(
            idempotency_key=record.idempotency_key,
            status=record.status,
            expiry_timestamp=record.expiry_timestamp,
            in_progress_expiry_timestamp=record.in_progress_expiry_timestamp,
            response_data=record.response_data,
            payload_hash=record.payload_hash,
        )

    def from_data(data: Any) -> IdempotencyRecord:
        return IdempotencyRecord(
            idempotency_key=data.idempotency_key,
            status=data._status,
            expiry_timestamp=int(data.expiry_timestamp or 0),
            in_progress_expiry_timestamp=data.in_progress_expiry_timestamp,
            response_data=data.response_data or "",
            payload_hash=data.payload_hash or "",
        )

    class SimulationPersistenceLayer(BasePersistenceLayer):  # type: ignore[misc, unused-ignore]
        """Powertools' persistence layer kept in a simulation (``eventbus.testing.idempotency``)."""

        def _get_record(self, idempotency_key: str) -> Any:
            record = store.get(idempotency_key)
            if record is None:
                raise IdempotencyItemNotFoundError
            return to_data(record)

        def _put_record(self, data_record: Any) -> None:
            existing = store.get(data_record.idempotency_key)
            if existing is not None and not to_data(existing).is_expired:
                raise IdempotencyItemAlreadyExistsError(old_data_record=to_data(existing))
            store._records[data_record.idempotency_key] = from_data(data_record)
            store.sim.record("idempotency.in_progress", "", data_record.idempotency_key)

        def _update_record(self, data_record: Any) -> None:
            store.update(from_data(data_record))

        def _delete_record(self, data_record: Any) -> None:
            store.delete(data_record.idempotency_key)

    return SimulationPersistenceLayer()  # type: ignore[no-untyped-call, unused-ignore]
