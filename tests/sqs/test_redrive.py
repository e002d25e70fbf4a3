"""Dead-letter queues (RedrivePolicy, RedriveAllowPolicy) and message move tasks.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html
"""

from __future__ import annotations

import json
import re

import pytest

from eventbus import Simulation
from eventbus.services.sqs import (
    InvalidParameterValueError,
    MoveTaskNotFoundError,
    Queue,
)


def _fail(sim: Simulation, queue: Queue, times: int) -> None:
    for _ in range(times):
        assert len(queue.receive()) == 1
        sim.advance(queue.visibility_timeout)


def test_message_moves_on_the_receive_after_max_receive_count(sim: Simulation) -> None:
    """'When the ReceiveCount for a message exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to the
    dead-letter-queue': received 3 times, the 4th receive moves it instead of returning it."""
    dlq = sim.sqs.create_queue("dlq")
    queue = sim.sqs.create_queue("q", dead_letter=dlq, max_receive_count=3, visibility_timeout=10)
    sent = queue.send("poison", attributes={"k": "v"})
    _fail(sim, queue, 3)
    assert queue.receive() == []
    assert (queue.statistics().dead_lettered, dlq.statistics().arrived) == (1, 1)
    [moved] = dlq.receive()
    assert moved.message_id == sent.message_id
    assert moved.body == "poison"
    assert moved.message_attributes["k"].value == "v"
    assert moved.attributes["DeadLetterQueueSourceArn"] == queue.arn
    assert moved.attributes["ApproximateReceiveCount"] == "4"  # counted across queues
    record = sim.journal.select("sqs.dead_lettered")[0]
    assert (record.id, record.resource, record.detail) == (sent.message_id, queue.arn, {"dlq": dlq.arn, "count": 3})


def test_standard_dlq_keeps_the_original_enqueue_time_for_retention(sim: Simulation) -> None:
    """'The expiration of a message is always based on its original enqueue timestamp' for standard queues."""
    dlq = sim.sqs.create_queue("dlq", retention_period=100)
    queue = sim.sqs.create_queue("q", dead_letter=dlq, max_receive_count=1, visibility_timeout=60)
    queue.send("x")
    _fail(sim, queue, 1)
    assert queue.receive() == []  # moved at t=60
    sim.advance(39)
    assert dlq.statistics().visible == 1
    sim.advance(1)
    assert dlq.statistics().expired == 1


def test_fifo_dead_letter_queue_keeps_group_and_order(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("dlq.fifo")
    queue = sim.sqs.create_queue("q.fifo", dead_letter=dlq, max_receive_count=1, content_based_deduplication=True, visibility_timeout=5)
    queue.send("a0", group_id="a")
    queue.send("a1", group_id="a")
    queue.receive(10)
    sim.advance(5)
    assert queue.receive(10) == []
    moved = dlq.receive(10)
    assert [(m.body, m.attributes["MessageGroupId"]) for m in moved] == [("a0", "a"), ("a1", "a")]


def test_redrive_policy_validation(sim: Simulation) -> None:
    """maxReceiveCount 1..1000; deadLetterTargetArn must be an ARN (AWS-recorded message), exist, and be of the same
    queue type ('The dead-letter queue of a FIFO queue must also be a FIFO queue')."""
    fifo_dlq = sim.sqs.create_queue("dlq.fifo")
    dlq = sim.sqs.create_queue("dlq")
    policy = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}'
    with pytest.raises(InvalidParameterValueError) as info:
        sim.sqs.create_queue("q", attributes={"RedrivePolicy": policy})
    assert str(info.value) == f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."
    for count in (0, 1001):
        with pytest.raises(InvalidParameterValueError, match="valid values are from 1 to 1000 both inclusive"):
            sim.sqs.create_queue("q", dead_letter=dlq, max_receive_count=count)
    with pytest.raises(InvalidParameterValueError, match="does not exist"):
        sim.sqs.create_queue("q", dead_letter="arn:aws:sqs:us-east-1:123456789012:missing")
    with pytest.raises(InvalidParameterValueError, match="same type"):
        sim.sqs.create_queue("q", dead_letter=fifo_dlq)
    with pytest.raises(InvalidParameterValueError, match="same type"):
        sim.sqs.create_queue("f.fifo", dead_letter=dlq)
    queue = sim.sqs.create_queue("q", dead_letter=dlq)
    assert json.loads(queue.get_attributes(["RedrivePolicy"])["RedrivePolicy"]) == {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 10}
    queue.set_attributes({"RedrivePolicy": ""})
    assert queue.redrive_policy is None


def test_redrive_allow_policy_is_checked_when_a_source_names_the_dlq(sim: Simulation) -> None:
    """RedriveAllowPolicy: allowAll (default), denyAll, or byQueue with up to 10 sourceQueueArns."""
    deny = sim.sqs.create_queue("deny", redrive_allow="denyAll")
    chosen = sim.sqs.create_queue("chosen-source")
    by_queue = sim.sqs.create_queue("by-queue", redrive_allow=[chosen])
    with pytest.raises(InvalidParameterValueError, match="RedrivePolicy is invalid"):
        sim.sqs.create_queue("other", dead_letter=deny)
    with pytest.raises(InvalidParameterValueError, match="RedrivePolicy is invalid"):
        sim.sqs.create_queue("other", dead_letter=by_queue)
    chosen.set_attributes(dead_letter=by_queue, max_receive_count=2)
    assert json.loads(by_queue.get_attributes()["RedriveAllowPolicy"]) == {"redrivePermission": "byQueue", "sourceQueueArns": [chosen.arn]}
    too_many = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [f"arn:aws:sqs:us-east-1:123456789012:q{i}" for i in range(11)]})
    with pytest.raises(InvalidParameterValueError, match="RedriveAllowPolicy is invalid"):
        sim.sqs.create_queue("x", attributes={"RedriveAllowPolicy": too_many})


def test_dead_letter_source_queues(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("dlq")
    a = sim.sqs.create_queue("a", dead_letter=dlq)
    b = sim.sqs.create_queue("b", dead_letter=dlq)
    sim.sqs.create_queue("c")
    assert sim.sqs.dead_letter_sources(dlq) == [a, b]


def _dead_letter_three(sim: Simulation) -> tuple[Queue, Queue]:
    dlq = sim.sqs.create_queue("dlq")
    source = sim.sqs.create_queue("source", dead_letter=dlq, max_receive_count=1, visibility_timeout=1)
    source.send_batch(["a", "b", "c"])
    source.receive(10)
    sim.advance(1)
    assert source.receive(10) == []
    assert dlq.statistics().visible == 3
    return source, dlq


def test_move_task_redrives_to_the_source_queue(sim: Simulation) -> None:
    """StartMessageMoveTask without a destination moves messages back to their original source queues."""
    source, dlq = _dead_letter_three(sim)
    handle = sim.sqs.start_message_move_task(dlq)
    [task] = sim.sqs.list_message_move_tasks(dlq)
    assert (task.status, task.task_handle, task.approximate_number_of_messages_to_move) == ("RUNNING", handle, 3)
    sim.run_until_idle()
    [task] = sim.sqs.list_message_move_tasks(dlq)
    assert (task.status, task.task_handle, task.approximate_number_of_messages_moved) == ("COMPLETED", None, 3)
    moved = source.receive(10)
    assert sorted(m.body for m in moved) == ["a", "b", "c"]
    assert all(m.receive_count == 1 and "DeadLetterQueueSourceArn" not in m.attributes for m in moved)
    assert len(sim.journal.select("sqs.moved")) == 3


def test_move_task_rate_is_limited_on_the_virtual_clock(sim: Simulation) -> None:
    """MaxNumberOfMessagesPerSecond (at most 500) paces the move in simulation time."""
    source, dlq = _dead_letter_three(sim)
    other = sim.sqs.create_queue("other")
    start = sim.time
    sim.sqs.start_message_move_task(dlq.arn, other.arn, max_per_second=1)
    sim.run_until(lambda: sim.sqs.list_message_move_tasks(dlq)[0].status == "COMPLETED", timeout=60)
    assert sim.time - start == 2.0
    assert [r.time - start for r in sim.journal.select("sqs.moved")] == [0.0, 1.0, 2.0]
    assert other.statistics().visible == 3
    assert source.statistics().visible == 0
    with pytest.raises(InvalidParameterValueError, match="MaxNumberOfMessagesPerSecond"):
        sim.sqs.start_message_move_task(dlq, max_per_second=501)


def test_one_active_move_task_per_queue_and_cancel(sim: Simulation) -> None:
    _, dlq = _dead_letter_three(sim)
    handle = sim.sqs.start_message_move_task(dlq, max_per_second=1)
    with pytest.raises(InvalidParameterValueError) as info:
        sim.sqs.start_message_move_task(dlq)
    assert str(info.value) == "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
    sim.advance(0.5)  # one message moved at the start
    assert sim.sqs.cancel_message_move_task(handle) == 1
    assert sim.sqs.list_message_move_tasks(dlq)[0].status == "CANCELLING"
    sim.run_until_idle()
    tasks = sim.sqs.list_message_move_tasks(dlq, max_results=10)
    assert [t.status for t in tasks] == ["CANCELLED"]
    assert dlq.statistics().visible == 2
    sim.sqs.start_message_move_task(dlq)
    sim.run_until_idle()
    assert [t.status for t in sim.sqs.list_message_move_tasks(dlq, max_results=10)] == ["COMPLETED", "CANCELLED"]


def test_move_task_errors(sim: Simulation) -> None:
    plain = sim.sqs.create_queue("plain")
    with pytest.raises(InvalidParameterValueError, match=re.escape("Source queue must be configured as a Dead Letter Queue.")):
        sim.sqs.start_message_move_task(plain)
    with pytest.raises(MoveTaskNotFoundError, match="SourceArn parameter doesn't exist"):
        sim.sqs.start_message_move_task("arn:aws:sqs:us-east-1:123456789012:missing")
    with pytest.raises(InvalidParameterValueError, match=re.escape("Value for parameter TaskHandle is invalid.")):
        sim.sqs.cancel_message_move_task("not-a-handle")
    _, dlq = _dead_letter_three(sim)
    with pytest.raises(MoveTaskNotFoundError, match="DestinationArn parameter doesn't exist"):
        sim.sqs.start_message_move_task(dlq, "arn:aws:sqs:us-east-1:123456789012:missing")
