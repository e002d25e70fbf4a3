"""What a standard queue is allowed to do wrong: duplicates (also after delete), reordering, empty and partial short
polls. Off by default, drawn from the simulation's seeded generator.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
"""

from __future__ import annotations

import pytest

from eventbus import Simulation
from eventbus.services.sqs import SqsFaults


def _drain(sim: Simulation, name: str, n: int, faults: SqsFaults) -> list[str]:
    queue = sim.sqs.create_queue(name, faults=faults, visibility_timeout=5)
    for i in range(n):
        queue.send(f"m{i}")
    bodies: list[str] = []
    for _ in range(10 * n):
        for message in queue.receive(10):
            bodies.append(message.body)
            queue.delete(message.receipt_handle)
        sim.advance(1)
    return bodies


def test_no_faults_by_default(sim: Simulation) -> None:
    assert _drain(sim, "q", 50, SqsFaults()) == [f"m{i}" for i in range(50)]
    assert sim.sqs.create_queue("plain").faults is None


def test_duplicate_delivery(sim: Simulation) -> None:
    """At-least-once: a message may be delivered twice, each copy with its own receipt handle."""
    bodies = _drain(sim, "q", 50, SqsFaults(duplicate_rate=0.3))
    assert set(bodies) == {f"m{i}" for i in range(50)}
    assert len(bodies) > 50
    assert sim.journal.select("sqs.fault")[0].detail == {"fault": "duplicate"}


def test_redelivery_after_delete(sim: Simulation) -> None:
    """'it is possible to receive a message even after you delete it' (DeleteMessage)."""
    bodies = _drain(sim, "q", 50, SqsFaults(redeliver_after_delete_rate=0.3, redeliver_delay=2))
    assert len(bodies) > 50
    assert {r.detail["fault"] for r in sim.journal.select("sqs.fault")} == {"redelivered"}


def test_reordering(sim: Simulation) -> None:
    """Best-effort ordering: messages may come out of send order."""
    bodies = _drain(sim, "q", 50, SqsFaults(reorder_rate=0.3))
    assert sorted(bodies, key=lambda b: int(b[1:])) == [f"m{i}" for i in range(50)]
    assert bodies != [f"m{i}" for i in range(50)]


def test_short_polls_may_return_nothing_or_fewer(sim: Simulation) -> None:
    """Short polls sample a subset of servers: empty or partial answers while messages exist; long polls do not."""
    queue = sim.sqs.create_queue("q", faults=SqsFaults(empty_receive_rate=1.0))
    queue.send("x")
    assert queue.receive(10) == []
    assert len(queue.receive(10, wait_time_seconds=1)) == 1
    partial = sim.sqs.create_queue("p", faults=SqsFaults(partial_receive_rate=1.0))
    partial.send_batch([str(i) for i in range(10)])
    assert 1 <= len(partial.receive(10)) < 10


def test_faults_are_reproducible_from_the_seed() -> None:
    faults = SqsFaults(duplicate_rate=0.2, reorder_rate=0.2, redeliver_after_delete_rate=0.1)
    runs = []
    for _ in range(2):
        sim = Simulation(seed=11)
        runs.append((_drain(sim, "q", 40, faults), sim.journal.dumps()))
    assert runs[0] == runs[1]


def test_service_wide_default_faults(sim: Simulation) -> None:
    sim.sqs.faults = SqsFaults(duplicate_rate=0.5)
    assert sim.sqs.create_queue("q").faults == SqsFaults(duplicate_rate=0.5)
    assert sim.sqs.create_queue("clean", faults=SqsFaults()).faults is None


def test_fault_rates_are_probabilities() -> None:
    with pytest.raises(ValueError, match="duplicate_rate must be between 0 and 1"):
        SqsFaults(duplicate_rate=1.5)
