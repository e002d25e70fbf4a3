"""Receiving and the visibility timeout: in flight, back to visible, ChangeMessageVisibility, the 12-hour
cap, receipt handles old and new, deleting.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
"""

from __future__ import annotations

import re

import pytest

from eventbus import Simulation
from eventbus.services.sqs import (
    BatchFailure,
    InvalidParameterValueError,
    ReceiptHandleIsInvalidError,
)


def test_default_visibility_timeout_is_30_seconds(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send("x")
    assert len(queue.receive()) == 1
    assert queue.statistics().in_flight == 1
    sim.advance(29.999)
    assert queue.receive() == []
    sim.advance(0.001)
    assert [m.receive_count for m in queue.receive()] == [2]


def test_receive_visibility_timeout_overrides_the_queue_default(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=300)
    queue.send("x")
    queue.receive(visibility_timeout=5)
    sim.advance(5)
    assert len(queue.receive()) == 1


def test_visibility_timeout_expiry_is_journaled_at_the_deadline(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=12)
    sent = queue.send("x")
    queue.receive()
    sim.advance(100)
    [expired] = sim.journal.select("sqs.visibility_expired")
    assert (expired.time, expired.id, expired.resource) == (12.0, sent.message_id, queue.arn)


def test_receive_parameter_ranges(sim: Simulation) -> None:
    """AWS-recorded: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'"""
    queue = sim.sqs.create_queue("q")
    with pytest.raises(InvalidParameterValueError) as info:
        queue.receive(11)
    assert str(info.value) == "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
    with pytest.raises(InvalidParameterValueError, match=re.escape("Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")):
        queue.receive(wait_time_seconds=21)
    with pytest.raises(InvalidParameterValueError, match="parameter VisibilityTimeout is invalid"):
        queue.receive(visibility_timeout=43_201)


def test_receive_returns_at_most_max_messages(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send_batch([str(i) for i in range(10)])
    assert len(queue.receive()) == 1
    assert len(queue.receive(4)) == 4
    assert len(queue.receive(10)) == 5


def test_every_receive_issues_a_new_receipt_handle(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=1)
    queue.send("x")
    handles = set()
    for _ in range(5):
        handles.add(queue.receive()[0].receipt_handle)
        sim.advance(1)
    assert len(handles) == 5


def test_change_visibility_restarts_the_timeout_from_the_call(sim: Simulation) -> None:
    """'the 10 seconds begin to count from the time that you make the ChangeMessageVisibility call'."""
    queue = sim.sqs.create_queue("q", visibility_timeout=60)
    queue.send("x")
    [m] = queue.receive()
    sim.advance(15)
    queue.change_visibility(m.receipt_handle, 10)
    sim.advance(9.5)
    assert queue.receive() == []
    sim.advance(0.5)
    assert len(queue.receive()) == 1
    assert sim.journal.select("sqs.visibility_changed")[0].detail == {"timeout": 10}


def test_change_visibility_to_zero_makes_the_message_visible_now(sim: Simulation) -> None:
    """Terminating the visibility timeout: VisibilityTimeout 0 makes the message available at once."""
    queue = sim.sqs.create_queue("q")
    queue.send("x")
    [m] = queue.receive()
    queue.change_visibility(m.receipt_handle, 0)
    assert queue.statistics().visible == 1
    assert [n.body for n in queue.receive()] == ["x"]


def test_visibility_is_capped_at_12_hours_from_the_receive(sim: Simulation) -> None:
    """AWS-recorded: 'Value 43199 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the
    message is beyond the limit [43200 seconds].' once time has passed since the receive."""
    queue = sim.sqs.create_queue("q")
    queue.send("x")
    [m] = queue.receive()
    queue.change_visibility(m.receipt_handle, 43_200)
    sim.advance(1)
    with pytest.raises(InvalidParameterValueError) as info:
        queue.change_visibility(m.receipt_handle, 43_200)
    assert str(info.value) == (
        "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the "
        "limit [43200 seconds]."
    )
    queue.change_visibility(m.receipt_handle, 43_199)
    sim.advance(43_000)
    with pytest.raises(InvalidParameterValueError, match="beyond the limit"):
        queue.change_visibility(m.receipt_handle, 300)
    queue.change_visibility(m.receipt_handle, 199)


def test_a_new_receive_restarts_the_12_hour_cap(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=40_000)
    queue.send("x")
    queue.receive()
    sim.advance(40_000)
    [m] = queue.receive()
    queue.change_visibility(m.receipt_handle, 43_200)


def test_change_visibility_on_an_expired_handle_succeeds_and_changes_nothing(sim: Simulation) -> None:
    """AWS-validated (LocalStack #9632): on a message whose timeout already ran out, AWS answers 200 and does
    nothing. AWS models MessageNotInflight but has not been seen returning it."""
    queue = sim.sqs.create_queue("q", visibility_timeout=5)
    queue.send("x")
    [m] = queue.receive()
    sim.advance(5)
    queue.change_visibility(m.receipt_handle, 300)
    assert queue.statistics().visible == 1
    assert len(queue.receive()) == 1


def test_change_visibility_with_a_replaced_handle_or_a_gone_message(sim: Simulation) -> None:
    """AWS: 'Value <handle> for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available
    for visibility timeout change.' when another receive took the message, or it was deleted."""
    queue = sim.sqs.create_queue("q", visibility_timeout=5)
    queue.send("x")
    [first] = queue.receive()
    sim.advance(5)
    [second] = queue.receive()
    with pytest.raises(InvalidParameterValueError) as info:
        queue.change_visibility(first.receipt_handle, 60)
    assert str(info.value) == (
        f"Value {first.receipt_handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
        "available for visibility timeout change."
    )
    queue.delete(second.receipt_handle)
    with pytest.raises(InvalidParameterValueError, match="Message does not exist"):
        queue.change_visibility(second.receipt_handle, 60)


def test_delete_removes_the_message_for_good(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=1)
    queue.send("x")
    [m] = queue.receive()
    queue.delete(m.receipt_handle)
    sim.advance(3600)
    assert queue.receive() == []
    assert queue.statistics().deleted == 1
    queue.delete(m.receipt_handle)  # deleting again succeeds


def test_delete_with_an_older_receipt_handle_deletes(sim: Simulation) -> None:
    """DeleteMessage with an old handle 'will succeed, but the message might not be deleted'; moto verified against AWS
    that it does delete (https://github.com/getmoto/moto/pull/4655). The journal marks the stale handle."""
    queue = sim.sqs.create_queue("q", visibility_timeout=5)
    queue.send("x")
    [first] = queue.receive()
    sim.advance(5)
    queue.receive()
    queue.delete(first.receipt_handle)
    assert queue.statistics().in_flight == 0
    assert sim.journal.select("sqs.deleted")[0].detail == {"stale_handle": True}


def test_malformed_and_foreign_receipt_handles(sim: Simulation) -> None:
    """AWS: ReceiptHandleIsInvalid, 'The input receipt handle "fake" is not a valid receipt handle.'; a handle of another
    queue: 'The receipt handle "..." is not valid for this queue.'"""
    queue = sim.sqs.create_queue("q")
    other = sim.sqs.create_queue("other")
    other.send("x")
    [foreign] = other.receive()
    with pytest.raises(ReceiptHandleIsInvalidError) as info:
        queue.delete("fake")
    assert str(info.value) == 'The input receipt handle "fake" is not a valid receipt handle.'
    assert (info.value.code, info.value.query_code, info.value.status) == ("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 400)
    with pytest.raises(ReceiptHandleIsInvalidError, match="is not valid for this queue"):
        queue.delete(foreign.receipt_handle)
    with pytest.raises(ReceiptHandleIsInvalidError):
        queue.change_visibility("fake", 10)


def test_delete_and_change_visibility_batches(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send_batch(["a", "b", "c"])
    messages = queue.receive(10)
    result = queue.change_visibility_batch({"one": (messages[0].receipt_handle, 0), "bad": ("fake", 5)})
    assert result.successful == ["one"]
    assert result.failed == [BatchFailure("bad", "ReceiptHandleIsInvalid", 'The input receipt handle "fake" is not a valid receipt handle.', True)]
    deleted = queue.delete_batch([m.receipt_handle for m in messages[1:]] + ["fake"])
    assert deleted.successful == ["0", "1"]
    assert [f.id for f in deleted.failed] == ["2"]
    assert queue.statistics().visible == 1


def test_statistics_and_approximate_counts_agree(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send_batch(["a", "b", "c"])
    queue.send("later", delay_seconds=10)
    queue.receive()
    stats = queue.statistics()
    assert (stats.visible, stats.in_flight, stats.delayed, stats.sent, stats.received) == (2, 1, 1, 4, 1)
    attrs = queue.get_attributes(["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])
    assert attrs == {"ApproximateNumberOfMessages": "2", "ApproximateNumberOfMessagesNotVisible": "1", "ApproximateNumberOfMessagesDelayed": "1"}
