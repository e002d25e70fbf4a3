"""SNS through unchanged boto3 code under ``eventbus.aws.mock_aws``: the query protocol, modeled errors.

Tests marked ``aws_compatible`` use nothing but boto3 clients, so they could be pointed at real AWS;
the others also look at the simulation (its clock, its outbox). Behaviours from the SNS API reference
(https://docs.aws.amazon.com/sns/latest/api/) and the AWS-validated texts used elsewhere in tests/sns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation
from eventbus.aws import mock_aws


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("AWS_", "BOTO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def sim() -> Iterator[Simulation]:
    with mock_aws() as active:
        yield active


@pytest.fixture
def sns(sim: Simulation) -> Any:
    return boto3.client("sns", region_name="us-east-1")


@pytest.fixture
def sqs(sim: Simulation) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _receive(sqs: Any, url: str) -> list[dict[str, Any]]:
    # Deliveries are asynchronous: a long poll waits (on the virtual clock) for them.
    return list(
        sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"], MessageAttributeNames=["All"]
        ).get("Messages", [])
    )


@pytest.mark.aws_compatible
def test_publish_to_a_subscribed_queue_delivers_the_envelope(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="orders")["TopicArn"]
    url, arn = _queue(sqs, "orders-queue")
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    sent = sns.publish(TopicArn=topic, Message="Hello world!", Subject="Greeting", MessageAttributes={"kind": {"DataType": "String", "StringValue": "hello"}})
    [message] = _receive(sqs, url)
    envelope = json.loads(message["Body"])
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == sent["MessageId"]
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "Greeting"
    assert envelope["Message"] == "Hello world!"
    assert envelope["UnsubscribeURL"].endswith(subscription)
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "hello"}}
    assert message["Body"].startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')


@pytest.mark.aws_compatible
def test_raw_delivery_with_a_filter_policy(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(sqs, "q")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"attr1": [{"numeric": [">", 0, "<=", 100]}]})},
    )
    sns.publish(TopicArn=topic, Message="too big", MessageAttributes={"attr1": {"DataType": "Number", "StringValue": "100.12"}})
    sns.publish(TopicArn=topic, Message="Test msg", MessageAttributes={"attr1": {"DataType": "Number", "StringValue": "99.12"}})
    [message] = _receive(sqs, url)
    assert message["Body"] == "Test msg"
    assert message["MessageAttributes"] == {"attr1": {"DataType": "Number", "StringValue": "99.12"}}
    # botocore checked MD5OfMessageAttributes against the attributes; the AWS-validated snapshot's value:
    assert message["MD5OfMessageAttributes"] == "d302007e9aa062660afc85fd0a482472"


@pytest.mark.aws_compatible
def test_publish_batch_to_a_fifo_topic_and_queue(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = _queue(sqs, "q.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    entries = [{"Id": str(i), "Message": f"m{i}", "MessageGroupId": "g"} for i in range(3)]
    first = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    again = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert first["Failed"] == []
    assert [e["SequenceNumber"] for e in first["Successful"]] == [e["SequenceNumber"] for e in again["Successful"]]
    messages: list[dict[str, Any]] = []
    while len(messages) < 3:  # a long poll returns with what has arrived; in-flight messages hold the group
        batch = _receive(sqs, url)
        assert batch
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages += batch
    assert [m["Body"] for m in messages] == ["m0", "m1", "m2"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"


@pytest.mark.aws_compatible
def test_modeled_errors(sns: Any) -> None:
    with pytest.raises(sns.exceptions.NotFoundException) as missing:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:missing")
    assert missing.value.response["Error"]["Message"] == "Topic does not exist"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sns.exceptions.InvalidParameterException) as malformed:
        sns.get_topic_attributes(TopicArn="not-an-arn")
    assert malformed.value.response["Error"]["Message"] == "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as empty:
        sns.publish(TopicArn=topic, Message="")
    assert empty.value.response["Error"]["Message"] == "Invalid parameter: Empty message"
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as attribute:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={"attr1": {"DataType": "Integer", "StringValue": "1"}})
    assert attribute.value.response["Error"]["Code"] == "ParameterValueInvalid"
    with pytest.raises(sns.exceptions.TooManyEntriesInBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)])
    with pytest.raises(sns.exceptions.BatchEntryIdsNotDistinctException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}, {"Id": "1", "Message": "n"}])


@pytest.mark.aws_compatible
def test_xml_invalid_characters_come_back_as_a_readable_error(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.publish(TopicArn=topic, Message="bell\x07")
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"


@pytest.mark.aws_compatible
def test_topic_and_subscription_attributes_round_trip(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t", Attributes={"DisplayName": "Orders"}, Tags=[{"Key": "team", "Value": "shop"}])["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Shop")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "Shop"
    assert attributes["SubscriptionsConfirmed"] == "0"
    _, arn = _queue(sqs, "q")
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicyScope", AttributeValue="MessageBody")
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue=json.dumps({"a": {"b": [1]}}))
    got = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert got["FilterPolicyScope"] == "MessageBody"
    assert json.loads(got["FilterPolicy"]) == {"a": {"b": [1]}}
    assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "team", "Value": "shop"}]
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == [subscription]
    sns.unsubscribe(SubscriptionArn=subscription)
    assert sns.list_subscriptions()["Subscriptions"] == []
    sns.delete_topic(TopicArn=topic)
    assert sns.list_topics()["Topics"] == []


def test_paginators_walk_every_topic(sns: Any) -> None:
    for i in range(230):
        sns.create_topic(Name=f"t{i}")
    pages = list(sns.get_paginator("list_topics").paginate())
    assert [len(page["Topics"]) for page in pages] == [100, 100, 30]


def test_http_subscription_confirmed_through_boto3(sim: Simulation, sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")["SubscriptionArn"] == "pending confirmation"
    [confirmation] = sim.sns.sent_to("https://example.com/hook")
    arn = sns.confirm_subscription(TopicArn=topic, Token=confirmation.token)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="hello")
    sim.run_until_idle()
    delivered = sim.sns.sent_to("https://example.com/hook")[-1]
    assert delivered.json()["Message"] == "hello"
    assert delivered.subscription_arn == arn
    with pytest.raises(sns.exceptions.InvalidParameterException) as bad_token:
        sns.confirm_subscription(TopicArn=topic, Token="nope")
    assert bad_token.value.response["Error"]["Message"] == "Invalid parameter: Token"


def test_retries_run_on_the_virtual_clock(sim: Simulation, sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    dlq_url, dlq_arn = _queue(sqs, "dlq")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint="arn:aws:sqs:us-east-1:123456789012:deleted",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    sns.publish(TopicArn=topic, Message="lost")
    [letter] = _receive(sqs, dlq_url)
    assert json.loads(letter["Body"])["Message"] == "lost"
