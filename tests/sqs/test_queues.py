"""Queues: names, creation idempotency, attributes and their ranges, lookup by name/URL/ARN, deletion,
tags and permissions.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
"""

from __future__ import annotations

import json
import re

import pytest

from eventbus import Simulation
from eventbus.services.sqs import (
    InvalidAttributeNameError,
    InvalidAttributeValueError,
    InvalidParameterValueError,
    OverLimitError,
    QueueDeletedRecentlyError,
    QueueDoesNotExistError,
    QueueNameExistsError,
)


def test_queue_has_aws_arn_and_url(sim: Simulation) -> None:
    """QueueUrl is https://sqs.<region>.amazonaws.com/<account>/<name>; QueueArn arn:aws:sqs:<region>:<account>:<name>.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html"""
    queue = sim.sqs.create_queue("orders")
    assert queue.url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    assert queue.arn == "arn:aws:sqs:us-east-1:123456789012:orders"
    assert sim.registry.get(queue.arn) is queue


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 80])
def test_valid_standard_queue_names(sim: Simulation, name: str) -> None:
    """Up to 80 characters: alphanumerics, hyphens and underscores (API_CreateQueue, QueueName)."""
    assert sim.sqs.create_queue(name).name == name


@pytest.mark.parametrize("name", ["", "x" * 81, "has space", "dot.name", "q.fifo", "slash/name"])
def test_invalid_standard_queue_names(sim: Simulation, name: str) -> None:
    with pytest.raises(InvalidParameterValueError) as info:
        sim.sqs.create_queue(name, fifo=False)
    assert str(info.value) == "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    assert (info.value.code, info.value.query_code, info.value.status) == ("InvalidParameterValueException", "InvalidParameterValue", 400)


def test_fifo_queue_names_end_in_fifo_and_count_the_suffix(sim: Simulation) -> None:
    """A FIFO queue name must end with .fifo; the suffix counts toward the 80 characters."""
    assert sim.sqs.create_queue("x" * 75 + ".fifo").fifo
    for bad in ("x" * 76 + ".fifo", "jobs"):
        with pytest.raises(InvalidParameterValueError, match=re.escape("must end with .fifo suffix and be 1 to 80 in length")):
            sim.sqs.create_queue(bad, fifo=True)


def test_default_attributes(sim: Simulation) -> None:
    """Defaults: VisibilityTimeout 30, DelaySeconds 0, MessageRetentionPeriod 345,600 (4 days),
    MaximumMessageSize 1,048,576 (1 MiB), ReceiveMessageWaitTimeSeconds 0, SSE-SQS on."""
    attrs = sim.sqs.create_queue("orders").get_attributes()
    assert attrs == {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": "1704067200",
        "LastModifiedTimestamp": "1704067200",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }


def test_fifo_default_attributes(sim: Simulation) -> None:
    attrs = sim.sqs.create_queue("jobs.fifo").get_attributes()
    assert attrs["FifoQueue"] == "true"
    assert attrs["ContentBasedDeduplication"] == "false"
    assert attrs["DeduplicationScope"] == "queue"
    assert attrs["FifoThroughputLimit"] == "perQueue"


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("VisibilityTimeout", 0, 43_200),
        ("DelaySeconds", 0, 900),
        ("MessageRetentionPeriod", 60, 1_209_600),
        ("MaximumMessageSize", 1024, 1_048_576),
        ("ReceiveMessageWaitTimeSeconds", 0, 20),
        ("KmsDataKeyReusePeriodSeconds", 60, 86_400),
    ],
)
def test_integer_attribute_ranges(sim: Simulation, name: str, low: int, high: int) -> None:
    """Each integer attribute accepts exactly its documented range; outside it, InvalidAttributeValue."""
    ok = sim.sqs.create_queue("low", attributes={name: str(low)})
    sim.sqs.create_queue("high", attributes={name: str(high)})
    assert ok.setting(name) == low
    for bad in (low - 1, high + 1, "ten"):
        with pytest.raises(InvalidAttributeValueError) as info:
            sim.sqs.create_queue("bad", attributes={name: str(bad)})
        assert str(info.value) == f"Invalid value for the parameter {name}."
        assert info.value.code == info.value.query_code == "InvalidAttributeValue"


def test_unknown_and_read_only_attributes_are_refused(sim: Simulation) -> None:
    for name in ("Colour", "QueueArn", "ApproximateNumberOfMessages"):
        with pytest.raises(InvalidAttributeNameError, match=f"Unknown Attribute {name}."):
            sim.sqs.create_queue("q", attributes={name: "1"})


def test_fifo_only_attributes_on_a_standard_queue(sim: Simulation) -> None:
    with pytest.raises(InvalidAttributeNameError, match=re.escape("You can specify the DeduplicationScope only when FifoQueue is set to true.")):
        sim.sqs.create_queue("q", attributes={"DeduplicationScope": "queue"})
    with pytest.raises(InvalidAttributeNameError, match=re.escape("Unknown Attribute ContentBasedDeduplication.")):
        sim.sqs.create_queue("q", attributes={"ContentBasedDeduplication": "true"})


def test_queue_type_cannot_change(sim: Simulation) -> None:
    """AWS-recorded: 'Unknown Attribute FifoQueue.' on a standard queue; 'Modifying queue type is not supported.' on FIFO."""
    standard = sim.sqs.create_queue("q")
    fifo = sim.sqs.create_queue("q.fifo")
    with pytest.raises(InvalidAttributeNameError, match=re.escape("Unknown Attribute FifoQueue.")):
        standard.set_attributes({"FifoQueue": "true"})
    with pytest.raises(InvalidAttributeValueError) as info:
        fifo.set_attributes({"FifoQueue": "false"})
    assert str(info.value) == "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."


def test_sse_kms_and_sqs_are_mutually_exclusive(sim: Simulation) -> None:
    """AWS-recorded message (InvalidAttributeName)."""
    queue = sim.sqs.create_queue("q")
    with pytest.raises(InvalidAttributeNameError) as info:
        queue.set_attributes({"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"})
    assert str(info.value) == (
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
    )
    queue.set_attributes(kms_master_key_id="alias/aws/sqs")
    attrs = queue.get_attributes()
    assert attrs["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attrs["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attrs["SqsManagedSseEnabled"] == "false"


def test_create_queue_is_idempotent_with_the_same_attributes(sim: Simulation) -> None:
    """Same name and same attribute values: CreateQueue returns the existing queue."""
    first = sim.sqs.create_queue("orders", visibility_timeout=60)
    assert sim.sqs.create_queue("orders", visibility_timeout=60) is first
    assert sim.sqs.create_queue("orders") is first


def test_create_queue_with_a_different_attribute_fails(sim: Simulation) -> None:
    """AWS-recorded: QueueAlreadyExists (shape QueueNameExists), 'A queue already exists with the same name and a
    different value for attribute DelaySeconds'."""
    sim.sqs.create_queue("orders", delay_seconds=0)
    with pytest.raises(QueueNameExistsError) as info:
        sim.sqs.create_queue("orders", delay_seconds=5)
    error = info.value
    assert (error.code, error.query_code, error.status) == ("QueueNameExists", "QueueAlreadyExists", 400)
    assert str(error) == "A queue already exists with the same name and a different value for attribute DelaySeconds"


def test_queue_name_reusable_only_60_seconds_after_delete(sim: Simulation) -> None:
    """'If you delete a queue, you must wait at least 60 seconds before creating a queue with the same name.'"""
    sim.sqs.delete_queue(sim.sqs.create_queue("orders"))
    sim.advance(59)
    with pytest.raises(QueueDeletedRecentlyError) as info:
        sim.sqs.create_queue("orders")
    assert str(info.value) == "You must wait 60 seconds after deleting a queue before you can create another with the same name."
    assert info.value.query_code == "AWS.SimpleQueueService.QueueDeletedRecently"
    sim.advance(1)
    assert sim.sqs.create_queue("orders").name == "orders"


def test_lookup_by_name_url_and_arn(sim: Simulation) -> None:
    """AWS reads the queue from the URL's path: local endpoint URLs work too; other regions and accounts do not."""
    queue = sim.sqs.create_queue("orders")
    for ref in (
        "orders",
        queue.url,
        queue.arn,
        "http://localhost:4566/123456789012/orders",
        "https://queue.amazonaws.com/123456789012/orders",
    ):
        assert sim.sqs.get_queue(ref) is queue
    for ref in (
        "missing",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
        "https://sqs.us-east-1.amazonaws.com/999999999999/orders",
        "http://whatever-incorrect-queue-address",
        "arn:aws:sqs:us-east-1:123456789012:missing",
    ):
        with pytest.raises(QueueDoesNotExistError) as info:
            sim.sqs.get_queue(ref)
        assert str(info.value) == "The specified queue does not exist."
        assert (info.value.code, info.value.query_code) == ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")


def test_deleted_queue_refuses_operations(sim: Simulation) -> None:
    """A deleted queue's messages are gone and every operation on it is NonExistentQueue."""
    queue = sim.sqs.create_queue("orders")
    queue.send("x")
    sim.sqs.delete_queue(queue)
    assert sim.registry.get(queue.arn) is None
    with pytest.raises(QueueDoesNotExistError):
        queue.send("y")
    with pytest.raises(QueueDoesNotExistError):
        sim.sqs.delete_queue("orders")
    assert sim.journal.select("sqs.queue_deleted")[0].detail == {"messages": 1}


def test_list_queues_by_prefix(sim: Simulation) -> None:
    for name in ("orders", "orders-dlq", "payments"):
        sim.sqs.create_queue(name)
    assert [q.name for q in sim.sqs.list_queues("orders")] == ["orders", "orders-dlq"]
    assert len(sim.sqs.list_queues()) == 3


def test_set_attributes_changes_last_modified(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("orders")
    sim.advance(10)
    queue.set_attributes(visibility_timeout=45)
    attrs = queue.get_attributes(["VisibilityTimeout", "LastModifiedTimestamp", "CreatedTimestamp"])
    assert attrs == {"VisibilityTimeout": "45", "LastModifiedTimestamp": "1704067210", "CreatedTimestamp": "1704067200"}


def test_get_attributes_refuses_unknown_names_and_returns_nothing_for_none(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("orders")
    assert queue.get_attributes([]) == {}
    with pytest.raises(InvalidAttributeNameError, match=re.escape("Unknown Attribute Colour.")):
        queue.get_attributes(["Colour"])


def test_tags(sim: Simulation) -> None:
    """TagQueue adds or overwrites; UntagQueue ignores unknown keys (API_TagQueue, API_UntagQueue)."""
    queue = sim.sqs.create_queue("orders", tags={"team": "a"})
    queue.tag({"team": "b", "env": "test"})
    queue.untag(["env", "nope"])
    assert queue.tags == {"team": "b"}
    with pytest.raises(InvalidParameterValueError):
        queue.tag({f"k{i}": "v" for i in range(51)})


def test_add_and_remove_permission_write_the_policy(sim: Simulation) -> None:
    """AWS-recorded policy shape and errors ('Already exists.', "can't find label.")."""
    queue = sim.sqs.create_queue("orders")
    queue.add_permission("crossaccountpermission", ["111111111111"], ["ReceiveMessage"])
    policy = json.loads(queue.get_attributes(["Policy"])["Policy"])
    assert policy == {
        "Version": "2008-10-17",
        "Id": f"{queue.arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "crossaccountpermission",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "SQS:ReceiveMessage",
                "Resource": queue.arn,
            }
        ],
    }
    with pytest.raises(InvalidParameterValueError, match=r"Value crossaccountpermission for parameter Label is invalid\. Reason: Already exists\."):
        queue.add_permission("crossaccountpermission", ["111111111111"], ["SendMessage"])
    with pytest.raises(OverLimitError, match=re.escape("8 Actions were found, maximum allowed is 7.")):
        queue.add_permission("many", ["111111111111"], ["SendMessage"] * 8)
    with pytest.raises(InvalidParameterValueError, match="SQS:Fly for parameter ActionName is invalid"):
        queue.add_permission("fly", ["111111111111"], ["Fly"])
    queue.remove_permission("crossaccountpermission")
    assert "Policy" not in queue.get_attributes()
    with pytest.raises(InvalidParameterValueError, match=re.escape("Reason: can't find label.")):
        queue.remove_permission("crossaccountpermission")
