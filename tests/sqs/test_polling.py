"""Short and long polling on virtual time, from test code and from simulation tasks.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
"""

from __future__ import annotations

from eventbus import Simulation
from eventbus.services.sqs import Message


def test_long_poll_jumps_to_the_first_message(sim: Simulation) -> None:
    """A long poll returns as soon as a message is available, here when a delay ends, 7 virtual seconds later."""
    queue = sim.sqs.create_queue("q")
    queue.send("x", delay_seconds=7)
    [m] = queue.receive(10, wait_time_seconds=20)
    assert m.body == "x"
    assert sim.time == 7.0


def test_long_poll_ends_empty_at_the_wait_time(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    assert queue.receive(wait_time_seconds=20) == []
    assert sim.time == 20.0


def test_long_poll_returns_at_once_when_messages_are_there(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send("x")
    assert len(queue.receive(10, wait_time_seconds=20)) == 1
    assert sim.time == 0.0


def test_queue_receive_wait_time_makes_every_receive_a_long_poll(sim: Simulation) -> None:
    """ReceiveMessageWaitTimeSeconds applies when the receive does not give WaitTimeSeconds."""
    queue = sim.sqs.create_queue("q", receive_wait_time=5)
    assert queue.receive() == []
    assert sim.time == 5.0
    assert queue.receive(wait_time_seconds=0) == []
    assert sim.time == 5.0


def test_long_poll_wakes_for_a_visibility_timeout_expiry(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=12)
    queue.send("x")
    queue.receive()
    [m] = queue.receive(wait_time_seconds=20)
    assert (m.receive_count, sim.time) == (2, 12.0)


def test_long_poll_from_inside_the_running_simulation_is_a_short_poll(sim: Simulation) -> None:
    """Inside a handler, time cannot be advanced: the long poll returns what is there and is journaled."""
    queue = sim.sqs.create_queue("q")
    seen: list[list[Message]] = []
    sim.call_later(1, lambda: seen.append(queue.receive(wait_time_seconds=20)))
    sim.advance(5)
    assert seen == [[]]
    assert sim.journal.select("sqs.long_poll_shortened")[0].time == 1.0


def test_receive_async_waits_on_the_simulation_clock(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    got: list[tuple[float, list[str]]] = []

    async def consumer() -> None:
        messages = await queue.receive_async(10, wait_time_seconds=20)
        got.append((sim.time, [m.body for m in messages]))
        messages = await queue.receive_async(10, wait_time_seconds=20)
        got.append((sim.time, [m.body for m in messages]))

    sim.spawn(consumer())
    sim.call_later(3, queue.send, "hello")
    sim.advance(60)
    assert got == [(3.0, ["hello"]), (23.0, [])]


def test_several_async_consumers_share_the_messages(sim: Simulation) -> None:
    """Each arriving message wakes one waiting long poll; none waits while a message sits visible."""
    queue = sim.sqs.create_queue("q")
    got: list[tuple[int, float, list[str]]] = []

    async def consumer(n: int) -> None:
        messages = await queue.receive_async(1, wait_time_seconds=20)
        got.append((n, sim.time, [m.body for m in messages]))

    for n in range(3):
        sim.spawn(consumer(n))
    sim.call_later(2, lambda: queue.send_batch(["a", "b"]))
    sim.advance(30)
    assert sorted(got) == [(0, 2.0, ["a"]), (1, 2.0, ["b"]), (2, 20.0, [])]


def test_deleting_the_queue_releases_waiting_consumers(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    got: list[float] = []

    async def consumer() -> None:
        await queue.receive_async(wait_time_seconds=20)
        got.append(sim.time)

    sim.spawn(consumer())
    sim.call_later(4, sim.sqs.delete_queue, queue)
    sim.advance(30)
    assert got == [4.0]
