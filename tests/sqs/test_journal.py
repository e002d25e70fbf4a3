"""Every transition of a message's life is journaled, with small details, and the same seed gives the same journal.

design.md principles 1 and 5; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-lifecycle.html
"""

from __future__ import annotations

from eventbus import Simulation
from eventbus.services.sqs import SendEntry


def _scenario(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("dlq", retention_period=60)
    queue = sim.sqs.create_queue("q", dead_letter=dlq, max_receive_count=1, visibility_timeout=5, retention_period=600)
    queue.send("x" * 5000)
    queue.send("later", delay_seconds=3)
    [m] = queue.receive()
    queue.change_visibility(m.receipt_handle, 4)
    sim.advance(4)
    queue.receive()
    sim.advance(10)
    queue.receive(10)
    first, *_ = dlq.receive(10)
    dlq.delete(first.receipt_handle)
    fifo = sim.sqs.create_queue("f.fifo", content_based_deduplication=True)
    fifo.send_batch([SendEntry(body="a", group_id="g"), SendEntry(body="a", group_id="g")])
    sim.advance(700)
    sim.sqs.create_queue("p").purge()


def test_the_life_of_a_message_is_in_the_journal() -> None:
    sim = Simulation(seed=1)
    _scenario(sim)
    kinds = {r.kind for r in sim.journal.select("sqs.")}
    assert {
        "sqs.queue_created",
        "sqs.sent",
        "sqs.delayed",
        "sqs.visible",
        "sqs.received",
        "sqs.visibility_changed",
        "sqs.visibility_expired",
        "sqs.dead_lettered",
        "sqs.deleted",
        "sqs.duplicate_suppressed",
        "sqs.retention_expired",
        "sqs.queue_purged",
    } <= kinds


def test_journal_details_stay_small() -> None:
    """No bodies in the journal: a 5,000-character body is recorded by its size."""
    sim = Simulation(seed=1)
    _scenario(sim)
    assert max(len(sim.journal[i].detail.__repr__()) for i in range(len(sim.journal))) < 200
    assert sim.journal.select("sqs.sent")[0].detail == {"bytes": 5000}


def test_same_seed_same_journal_byte_for_byte() -> None:
    dumps = []
    for _ in range(2):
        sim = Simulation(seed=42)
        _scenario(sim)
        dumps.append(sim.journal.dumps())
    assert dumps[0] == dumps[1]
    other = Simulation(seed=43)
    _scenario(other)
    assert other.journal.dumps() != dumps[0]
