"""A long poll on a FIFO queue returns as soon as a group is unblocked, not at its deadline.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
(long polling returns as soon as a message is available) and
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
(no later message of a group is returned while one of the group is in flight).
"""

from __future__ import annotations

from eventbus import Simulation


def test_deleting_the_in_flight_message_of_a_group_wakes_a_waiting_long_poll() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("orders.fifo", fifo=True, content_based_deduplication=True)
    queue.send("first", group_id="customer-1")
    queue.send("second", group_id="customer-1")
    (first,) = queue.receive()
    assert first.body == "first"
    got: list[tuple[float, list[str]]] = []

    async def consumer() -> None:
        messages = await queue.receive_async(wait_time_seconds=20)
        got.append((sim.time, [m.body for m in messages]))

    sim.spawn(consumer())
    sim.advance(5)
    assert got == []  # "second" is blocked behind the in-flight "first"
    queue.delete(first.receipt_handle)
    sim.advance(1)
    assert got == [(5.0, ["second"])]
