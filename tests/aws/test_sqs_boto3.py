"""SQS through unchanged boto3 code: the JSON protocol, botocore's MD5 checks, modeled errors.

Tests marked ``aws_compatible`` use nothing but a boto3 client, so they could run against real AWS;
the others also look at the simulation (its virtual clock). Behaviours from the SQS developer guide
and API reference: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/Welcome.html
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.exceptions  # type: ignore[import-untyped]
import botocore.httpsession  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation
from eventbus.aws import mock_aws


@pytest.fixture
def sim() -> Iterator[Simulation]:
    with mock_aws() as active:
        yield active


@pytest.fixture
def sqs(sim: Simulation) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


def create(sqs: Any, name: str, **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url


@pytest.mark.aws_compatible
def test_send_receive_delete_with_md5_checked_by_botocore(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
    url = create(sqs, "orders")
    sent = sqs.send_message(QueueUrl=url, MessageBody="order 1")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"order 1").hexdigest()
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert message["Body"] == "order 1"
    assert message["MessageId"] == sent["MessageId"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)


@pytest.mark.aws_compatible
def test_message_attributes_of_every_type_round_trip(sqs: Any) -> None:
    # botocore checks MD5OfMessageAttributes on send and receive:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
    url = create(sqs, "orders")
    attributes = {
        "kind": {"DataType": "String", "StringValue": "order"},
        "amount": {"DataType": "Number", "StringValue": "12.50"},
        "thumbprint": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
    }
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert message["MessageAttributes"] == attributes


@pytest.mark.aws_compatible
def test_missing_queue_is_queue_does_not_exist(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as raised:
        sqs.get_queue_url(QueueName="no-such-queue")
    error = raised.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["Message"] == "The specified queue does not exist."
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.aws_compatible
def test_send_to_a_deleted_queue_is_queue_does_not_exist(sqs: Any) -> None:
    url = create(sqs, "orders")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=url, MessageBody="x")


@pytest.mark.aws_compatible
def test_batch_send_receive_ten_and_batch_delete(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
    url = create(sqs, "orders")
    entries = [{"Id": f"m{i}", "MessageBody": f"order {i}"} for i in range(10)]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert sorted(entry["Id"] for entry in sent["Successful"]) == sorted(e["Id"] for e in entries)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == sorted(e["MessageBody"] for e in entries)
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received[:9])]
        + [{"Id": "bogus", "ReceiptHandle": "not-a-receipt-handle"}],
    )
    assert len(deleted["Successful"]) == 9
    [failed] = deleted["Failed"]
    assert failed["Id"] == "bogus"
    assert failed["SenderFault"] is True
    # SQS's JSON protocol leaves an empty Failed or Successful list out (aws/aws-sdk#657).
    assert "Failed" not in sent
    only_bad = sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "not-a-receipt-handle", "VisibilityTimeout": 5}]
    )
    assert "Successful" not in only_bad
    assert [f["Id"] for f in only_bad["Failed"]] == ["x"]


@pytest.mark.aws_compatible
def test_empty_batch_is_refused(sqs: Any) -> None:
    url = create(sqs, "orders")
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.send_message_batch(QueueUrl=url, Entries=[])


@pytest.mark.aws_compatible
def test_fifo_group_order_and_content_based_deduplication(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
    url = create(sqs, "orders.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body in ("first", "second", "first"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="customer-1")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == ["first", "second"]


@pytest.mark.aws_compatible
def test_queue_arn_and_list_queues_by_prefix(sqs: Any) -> None:
    url = create(sqs, "orders")
    create(sqs, "invoices")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == f"arn:aws:sqs:us-east-1:{url.split('/')[3]}:orders"
    assert sqs.list_queues(QueueNamePrefix="ord")["QueueUrls"] == [url]


@pytest.mark.aws_compatible
def test_change_visibility_makes_a_message_visible_again(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
    url = create(sqs, "orders")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    [again] = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])[
        "Messages"
    ]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


@pytest.mark.aws_compatible
def test_second_purge_within_sixty_seconds_is_refused(sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
    url = create(sqs, "orders")
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)


@pytest.mark.aws_compatible
def test_resource_api_sends_and_receives(sim: Simulation) -> None:
    resource = boto3.resource("sqs", region_name="us-east-1")
    queue = resource.create_queue(QueueName="orders")
    queue.send_message(MessageBody="hello")
    [message] = queue.receive_messages()
    assert message.body == "hello"
    message.delete()
    assert queue.attributes["ApproximateNumberOfMessages"] == "0"


def test_long_poll_jumps_virtual_time_to_the_first_message(sim: Simulation, sqs: Any) -> None:
    # ReceiveMessage waits up to WaitTimeSeconds for a message; here on the virtual clock:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
    url = create(sqs, "orders")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=5)
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    assert [m["Body"] for m in messages] == ["later"]
    assert sim.time == 5.0


def test_long_poll_of_an_empty_queue_waits_the_whole_wait_time(sim: Simulation, sqs: Any) -> None:
    url = create(sqs, "orders")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert sim.time == 20.0


def test_visibility_timeout_expires_on_the_virtual_clock(sim: Simulation, sqs: Any) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
    url = create(sqs, "orders", VisibilityTimeout="30")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url)
    sim.advance(29)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sim.advance(1)
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_same_seed_same_ids_through_boto3() -> None:
    def run() -> list[str]:
        with mock_aws(Simulation(seed=3)):
            client = boto3.client("sqs", region_name="us-east-1")
            url = create(client, "orders")
            return [client.send_message(QueueUrl=url, MessageBody=str(i))["MessageId"] for i in range(3)]

    assert run() == run()


def test_no_request_reaches_the_network(sim: Simulation, sqs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request was sent to the network")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", refuse)
    url = create(sqs, "orders")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(botocore.exceptions.ClientError):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="bogus", VisibilityTimeout=10)
