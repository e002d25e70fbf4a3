"""Retention expiry at non-round enqueue times: every message is deleted when its retention runs out.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-queue-parameters.html
(MessageRetentionPeriod: messages older than it are deleted). Regression: comparing
``enqueued_at <= now - retention`` lost messages to float rounding and re-armed the alarm forever.
"""

from __future__ import annotations

import random

from eventbus import Simulation


def test_messages_sent_at_awkward_instants_expire_and_advance_terminates() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("q", retention_period=60)
    rng = random.Random(3)
    for _ in range(200):
        sim.advance(rng.random() * 0.37)
        queue.send("x")
    sim.advance(120)
    stats = queue.statistics()
    assert stats.expired == 200
    assert stats.visible == 0
    assert sim.next_deadline() is None or sim.next_deadline() > sim.time  # type: ignore[operator]
