"""Delay queues and message timers, the retention period, PurgeQueue.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
"""

from __future__ import annotations

import pytest

from eventbus import Simulation
from eventbus.services.sqs import InvalidParameterValueError, PurgeQueueInProgressError


def test_queue_delay_hides_new_messages(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", delay_seconds=20)
    sent = queue.send("x")
    assert queue.statistics().delayed == 1
    sim.advance(19)
    assert queue.receive() == []
    sim.advance(1)
    assert [m.body for m in queue.receive()] == ["x"]
    kinds = [(r.kind, r.time) for r in sim.journal.select("sqs.", id=sent.message_id)]
    assert kinds == [("sqs.sent", 0.0), ("sqs.delayed", 0.0), ("sqs.visible", 20.0), ("sqs.received", 20.0)]


def test_message_timer_overrides_the_queue_delay(sim: Simulation) -> None:
    """Per-message DelaySeconds (0-900) on standard queues overrides the queue's delay."""
    queue = sim.sqs.create_queue("q", delay_seconds=60)
    queue.send("now", delay_seconds=0)
    queue.send("soon", delay_seconds=5)
    assert [m.body for m in queue.receive(10)] == ["now"]
    sim.advance(5)
    assert [m.body for m in queue.receive(10)] == ["soon"]
    with pytest.raises(InvalidParameterValueError) as info:
        queue.send("x", delay_seconds=901)
    assert str(info.value) == "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."


def test_changing_a_standard_queue_delay_is_not_retroactive(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", delay_seconds=100)
    queue.send("x")
    queue.set_attributes(delay_seconds=0)
    sim.advance(99)
    assert queue.receive() == []
    sim.advance(1)
    assert len(queue.receive()) == 1


def test_changing_a_fifo_queue_delay_is_retroactive(sim: Simulation) -> None:
    """'For FIFO queues, the per-queue delay setting is retroactive'."""
    queue = sim.sqs.create_queue("q.fifo", delay_seconds=100, content_based_deduplication=True)
    queue.send("x", group_id="g")
    sim.advance(10)
    queue.set_attributes(delay_seconds=20)
    sim.advance(9)
    assert queue.receive() == []
    sim.advance(1)
    assert len(queue.receive()) == 1


def test_messages_expire_after_the_retention_period(sim: Simulation) -> None:
    """Messages older than MessageRetentionPeriod are deleted, in flight or not; journaled sqs.retention_expired."""
    queue = sim.sqs.create_queue("q", retention_period=60, visibility_timeout=600)
    first = queue.send("old")
    sim.advance(30)
    queue.send("new")
    queue.receive()  # "old" goes in flight
    sim.advance(30)
    assert queue.statistics().in_flight == 0
    assert [m.body for m in queue.receive(10)] == ["new"]
    expired = sim.journal.select("sqs.retention_expired")
    assert [(r.id, r.time) for r in expired] == [(first.message_id, 60.0)]
    sim.advance(30)
    assert queue.statistics().expired == 2


def test_shortening_retention_expires_old_messages(sim: Simulation) -> None:
    """'will impact existing messages in the queue potentially causing them to be expired and deleted if the
    MessageRetentionPeriod is reduced below the age of existing messages.'"""
    queue = sim.sqs.create_queue("q")
    queue.send("x")
    sim.advance(3600)
    queue.set_attributes(retention_period=60)
    sim.run_until_idle()
    assert queue.statistics().expired == 1


def test_purge_deletes_every_message_once_a_minute(sim: Simulation) -> None:
    """AWS-recorded: PurgeQueueInProgress (HTTP 403), 'Only one PurgeQueue operation on <name> is allowed every 60 seconds.'"""
    queue = sim.sqs.create_queue("orders")
    queue.send_batch(["a", "b"])
    queue.send("c", delay_seconds=30)
    queue.receive()
    queue.purge()
    stats = queue.statistics()
    assert (stats.visible, stats.in_flight, stats.delayed, stats.purged) == (0, 0, 0, 3)
    assert len(sim.journal.select("sqs.purged")) == 3
    sim.advance(59)
    with pytest.raises(PurgeQueueInProgressError) as info:
        queue.purge()
    assert str(info.value) == "Only one PurgeQueue operation on orders is allowed every 60 seconds."
    assert (info.value.code, info.value.query_code, info.value.status) == (
        "PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        403,
    )
    sim.advance(1)
    queue.purge()
    sim.advance(60)
    assert queue.receive() == []
