"""The idempotency store that lives in a simulation: records, their states, the conditional put (internal).

Records follow AWS Lambda Powertools' persistence layers: an ``idempotency_key``, a ``status``
(``INPROGRESS`` or ``COMPLETED``; ``EXPIRED`` once the record's expiry has passed), an expiry in
epoch seconds, an in-progress expiry in epoch milliseconds (the handler's own deadline), the
response as JSON text, and a payload hash. Saving an in-progress record is the conditional put
Powertools makes against DynamoDB: it succeeds when no record exists, when the record has expired,
or when an in-progress record's in-progress expiry has passed; otherwise it fails with
:class:`IdempotencyItemAlreadyExistsError` carrying the existing record. Time is the simulation's.
https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from .._simulation import Simulation

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
)

INPROGRESS, COMPLETED, EXPIRED = "INPROGRESS", "COMPLETED", "EXPIRED"


class IdempotencyError(Exception):
    """The root of the idempotency utility's errors (``IdempotencyUnknownError`` in Powertools)."""


class IdempotencyAlreadyInProgressError(IdempotencyError):
    """Execution with this idempotency key is already in progress (a concurrent duplicate)."""


class IdempotencyKeyError(IdempotencyError):
    """No idempotency key in the event, with ``raise_on_no_idempotency_key=True``."""


class IdempotencyItemAlreadyExistsError(IdempotencyError):
    """The conditional put found a live record; ``existing`` is that record."""

    def __init__(self, existing: IdempotencyRecord) -> None:
        super().__init__(f"Failed to put record for already existing idempotency key: {existing.idempotency_key}")
        self.existing = existing


class IdempotencyRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One stored record (``DataRecord`` in Powertools).

    Attributes:
        idempotency_key: ``<prefix>#<md5 of the key data>``.
        status: as stored: ``INPROGRESS`` or ``COMPLETED``.
        expiry_timestamp: epoch seconds after which the record is expired.
        in_progress_expiry_timestamp: epoch milliseconds after which an ``INPROGRESS`` record no
            longer blocks (the invocation's deadline), or None.
        response_data: the handler's response as JSON text ("" while in progress).
        payload_hash: hash of the validated payload ("" unless payload validation is used).
    """

    idempotency_key: str
    status: str
    expiry_timestamp: int
    in_progress_expiry_timestamp: int | None = None
    response_data: str = ""
    payload_hash: str = ""

    def is_expired(self, now: float) -> bool:
        """Whether the record's expiry (epoch seconds) is before ``now`` (epoch seconds)."""
        return int(now) > self.expiry_timestamp

    def status_at(self, now: float) -> str:
        """``EXPIRED`` once expired, else the stored status."""
        return EXPIRED if self.is_expired(now) else self.status


class IdempotencyStore:
    """Idempotency records kept by the simulation and timed by its clock.

    Get the simulation's with :func:`idempotency_store` (``sim.service("idempotency", ...)``), so
    that every function of the simulation shares it, as functions share a DynamoDB table.
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._records: dict[str, IdempotencyRecord] = {}

    def __repr__(self) -> str:
        return f"eventbus.testing.idempotency.IdempotencyStore(records={len(self._records)})"

    def now(self) -> float:
        """Epoch seconds on the simulation's clock."""
        return self.sim.epoch()

    def get(self, key: str) -> IdempotencyRecord | None:
        """The record for ``key``, or None."""
        return self._records.get(key)

    def put_in_progress(self, record: IdempotencyRecord) -> None:
        """Store ``record`` unless a live record holds its key (Powertools' conditional put).

        Raises:
            IdempotencyItemAlreadyExistsError: a record exists that is not expired and is not an
                in-progress record past its in-progress expiry.
        """
        now = self.now()
        existing = self._records.get(record.idempotency_key)
        if existing is not None and not existing.is_expired(now):
            stale = (
                existing.status == INPROGRESS
                and existing.in_progress_expiry_timestamp is not None
                and existing.in_progress_expiry_timestamp < int(now * 1000)
            )
            if not stale:
                raise IdempotencyItemAlreadyExistsError(existing)
        self._records[record.idempotency_key] = record
        self.sim.record("idempotency.in_progress", "", record.idempotency_key)

    def update(self, record: IdempotencyRecord) -> None:
        """Store ``record`` unconditionally (the success update)."""
        self._records[record.idempotency_key] = record
        self.sim.record("idempotency.completed", "", record.idempotency_key)

    def delete(self, key: str) -> None:
        """Remove the record for ``key`` (a handler raised); removing a missing key does nothing."""
        if self._records.pop(key, None) is not None:
            self.sim.record("idempotency.deleted", "", key)

    def records(self) -> Iterator[IdempotencyRecord]:
        """Every stored record (a snapshot)."""
        return iter(list(self._records.values()))

    def __len__(self) -> int:
        return len(self._records)


def idempotency_store(sim: Simulation) -> IdempotencyStore:
    """The simulation's idempotency store, created on first use."""
    return sim.service("idempotency", IdempotencyStore)
