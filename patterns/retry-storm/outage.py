"""retry-storm's topology with the downstream's outage: load it with ``--topology``.

::

    eventbus replay patterns/retry-storm/events.jsonl --topology patterns/retry-storm/outage.py

``build(sim)`` loads ``topology.yaml`` and makes every EventBridge delivery to the ledger's inbox
fail from ``OUTAGE_START`` to ``OUTAGE_END`` (virtual seconds): a ``target_delivery_failure`` fault
(``ServiceUnavailable``, which EventBridge retries), the same as an SQS endpoint that cannot be
reached. A topology file cannot say that (it describes resources, not their failures), hence this
Python topology.
"""

from __future__ import annotations

from pathlib import Path

from eventbus import Simulation
from eventbus.topology import load

#: The outage: from one minute in to twenty-one minutes in.
OUTAGE_START, OUTAGE_END = 60.0, 1260.0


def schedule_outage(sim: Simulation, start: float = OUTAGE_START, end: float = OUTAGE_END, queue: str = "ledger-inbox") -> None:
    """Fail every delivery to ``queue`` by a rule target between ``start`` and ``end``."""
    sim.call_at(start, lambda: sim.faults.target_delivery_failure(1.0, resource=queue))
    sim.call_at(end, sim.faults.clear)


def build(sim: Simulation) -> None:
    load(Path(__file__).parent / "topology.yaml", sim)
    schedule_outage(sim)
