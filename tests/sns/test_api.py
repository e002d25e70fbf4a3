"""The AWS-named operation layer ``sim.sns.api.call(operation, params)``: botocore's shapes, SNS's errors.

Operations of the Amazon SNS API Reference (https://docs.aws.amazon.com/sns/latest/api/API_Operations.html);
attribute sets and error texts AWS-validated (LocalStack snapshots) unless a test says otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.errors import ServiceError


@pytest.fixture
def sim() -> Simulation:
    return Simulation()


def _error(call: Any) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call()
    return raised.value


def test_create_topic_is_idempotent_and_default_attributes(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "orders"})["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:orders"
    assert call("CreateTopic", {"Name": "orders"})["TopicArn"] == arn
    attributes = call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]
    assert set(attributes) == {
        "DisplayName",
        "EffectiveDeliveryPolicy",
        "Owner",
        "Policy",
        "SubscriptionsConfirmed",
        "SubscriptionsDeleted",
        "SubscriptionsPending",
        "TopicArn",
    }
    assert json.loads(attributes["EffectiveDeliveryPolicy"]) == {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20,
                "maxDelayTarget": 20,
                "numRetries": 3,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "linear",
            },
            "disableSubscriptionOverrides": False,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
        }
    }
    policy = json.loads(attributes["Policy"])
    assert policy["Id"] == "__default_policy_ID"
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"AWS:SourceOwner": "123456789012"}}
    assert attributes["DisplayName"] == ""


def test_fifo_topic_attributes(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t.fifo", "Attributes": {"FifoTopic": "true", "SignatureVersion": "2"}})["TopicArn"]
    attributes = call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    assert attributes["SignatureVersion"] == "2"
    assert str(_error(lambda: call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "FifoTopic", "AttributeValue": "false"}))) == (
        "Invalid parameter: AttributeName"
    )
    call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "ContentBasedDeduplication", "AttributeValue": "true"})
    assert call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]["ContentBasedDeduplication"] == "true"


def test_topic_name_and_arn_errors(sim: Simulation) -> None:
    call = sim.sns.api.call
    for name in ("", "a" * 257, "bad:name", "bad name", "bad!"):
        assert str(_error(lambda n=name: call("CreateTopic", {"Name": n}))) == "Invalid parameter: Topic Name"
    assert call("CreateTopic", {"Name": "a" * 256})["TopicArn"].endswith("a" * 256)
    error = _error(lambda: call("GetTopicAttributes", {"TopicArn": "not-an-arn"}))
    assert (error.code, str(error)) == ("InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")
    missing = _error(lambda: call("GetTopicAttributes", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing"}))
    assert (missing.code, str(missing), missing.status) == ("NotFound", "Topic does not exist", 404)
    other_region = _error(lambda: call("Publish", {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:t", "Message": "m"}))
    assert str(other_region) == "Invalid parameter: TopicArn"
    # A subscription ARN where a topic belongs (reported by users: "Invalid parameter: Topic Name").
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    sub = call("Subscribe", {"TopicArn": arn, "Protocol": "sqs", "Endpoint": sim.arn("sqs", "q"), "ReturnSubscriptionArn": True})
    assert str(_error(lambda: call("Publish", {"TopicArn": sub["SubscriptionArn"], "Message": "m"}))) == "Invalid parameter: Topic Name"


def test_create_topic_with_different_tags_or_attributes(sim: Simulation) -> None:
    call = sim.sns.api.call
    call("CreateTopic", {"Name": "t", "Tags": [{"Key": "k1", "Value": "v1"}]})
    assert call("CreateTopic", {"Name": "t"})["TopicArn"]
    assert str(_error(lambda: call("CreateTopic", {"Name": "t", "Tags": [{"Key": "k1", "Value": "other"}]}))) == (
        "Invalid parameter: Tags Reason: Topic already exists with different tags"
    )
    assert str(_error(lambda: call("CreateTopic", {"Name": "t", "Attributes": {"DisplayName": "other"}}))) == (
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    )
    assert str(_error(lambda: call("CreateTopic", {"Name": "u", "Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}))) == (
        "Invalid parameter: Duplicated keys are not allowed."
    )


def test_delete_topic_is_idempotent(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    assert call("DeleteTopic", {"TopicArn": arn}) == {}
    assert call("DeleteTopic", {"TopicArn": arn}) == {}
    assert call("ListTopics", {}) == {"Topics": []}


def test_list_topics_and_subscriptions_page_by_100(sim: Simulation) -> None:
    call = sim.sns.api.call
    arns = [call("CreateTopic", {"Name": f"t{i:03}"})["TopicArn"] for i in range(150)]
    first = call("ListTopics", {})
    assert len(first["Topics"]) == 100
    second = call("ListTopics", {"NextToken": first["NextToken"]})
    assert "NextToken" not in second
    assert [t["TopicArn"] for t in first["Topics"] + second["Topics"]] == arns
    assert str(_error(lambda: call("ListTopics", {"NextToken": "garbage!"}))) == "Invalid parameter: NextToken"
    for i in range(120):
        call("Subscribe", {"TopicArn": arns[0], "Protocol": "email", "Endpoint": f"user{i}@example.com"})
    page = call("ListSubscriptionsByTopic", {"TopicArn": arns[0]})
    assert len(page["Subscriptions"]) == 100
    assert page["Subscriptions"][0] == {
        "SubscriptionArn": "PendingConfirmation",
        "Owner": "123456789012",
        "Protocol": "email",
        "Endpoint": "user0@example.com",
        "TopicArn": arns[0],
    }
    rest = call("ListSubscriptionsByTopic", {"TopicArn": arns[0], "NextToken": page["NextToken"]})
    assert len(rest["Subscriptions"]) == 20
    assert len(call("ListSubscriptions", {})["Subscriptions"]) == 100


def test_subscribe_confirm_and_unsubscribe(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    assert call("Subscribe", {"TopicArn": arn, "Protocol": "https", "Endpoint": "https://example.com"}) == {
        "SubscriptionArn": "pending confirmation"
    }
    token = sim.sns.outbox[-1].token
    confirmed = call("ConfirmSubscription", {"TopicArn": arn, "Token": token, "AuthenticateOnUnsubscribe": "true"})
    attributes = call("GetSubscriptionAttributes", {"SubscriptionArn": confirmed["SubscriptionArn"]})["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3
    call("SetSubscriptionAttributes", {"SubscriptionArn": confirmed["SubscriptionArn"], "AttributeName": "RawMessageDelivery", "AttributeValue": "true"})
    assert call("Unsubscribe", {"SubscriptionArn": confirmed["SubscriptionArn"]}) == {}
    assert call("Unsubscribe", {"SubscriptionArn": confirmed["SubscriptionArn"]}) == {}
    assert str(_error(lambda: call("Unsubscribe", {"SubscriptionArn": arn}))) == "Invalid parameter: SubscriptionId"
    assert str(_error(lambda: call("Unsubscribe", {}))) == "Invalid parameter: SubscriptionArn Reason: no value for required parameter"


def test_publish_targets(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    assert call("Publish", {"TargetArn": arn, "Message": "m"})["MessageId"]
    assert str(_error(lambda: call("Publish", {"TargetArn": "arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/x", "Message": "m"}))) == (
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
    )
    assert str(_error(lambda: call("Publish", {"PhoneNumber": "+1a234", "Message": "m"}))) == (
        "Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to"
    )
    assert call("Publish", {"PhoneNumber": "+15555550100", "Message": "m"})["MessageId"]
    assert sim.sns.outbox[-1].endpoint == "+15555550100"
    assert str(_error(lambda: call("Publish", {"Message": "m"}))) == "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"


def test_publish_and_publish_batch_shapes(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t.fifo", "Attributes": {"FifoTopic": "true", "ContentBasedDeduplication": "true"}})["TopicArn"]
    result = call("Publish", {"TopicArn": arn, "Message": "m", "MessageGroupId": "g", "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": b"\x01"}}})
    assert set(result) == {"MessageId", "SequenceNumber"}
    batch = call(
        "PublishBatch",
        {"TopicArn": arn, "PublishBatchRequestEntries": [{"Id": "1", "Message": "a", "MessageGroupId": "g"}, {"Id": "2", "Message": "b", "MessageGroupId": "g"}]},
    )
    assert batch["Failed"] == []
    assert [set(entry) for entry in batch["Successful"]] == [{"Id", "MessageId", "SequenceNumber"}] * 2


def test_tags(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    call("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]})
    call("UntagResource", {"ResourceArn": arn, "TagKeys": ["k1"]})
    call("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k2", "Value": "v2b"}]})
    assert call("ListTagsForResource", {"ResourceArn": arn}) == {"Tags": [{"Key": "k2", "Value": "v2b"}]}
    missing = _error(lambda: call("ListTagsForResource", {"ResourceArn": arn + "x"}))
    assert (missing.code, missing.status) == ("ResourceNotFound", 404)
    too_many = _error(lambda: call("TagResource", {"ResourceArn": arn, "Tags": [{"Key": f"x{i}", "Value": ""} for i in range(50)]}))
    assert too_many.code == "TagLimitExceeded"


def test_permissions_and_data_protection(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    call("AddPermission", {"TopicArn": arn, "Label": "p1", "AWSAccountId": ["111122223333"], "ActionName": ["Publish"]})
    policy = json.loads(call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]["Policy"])
    assert policy["Statement"][-1] == {
        "Sid": "p1",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": arn,
    }
    call("RemovePermission", {"TopicArn": arn, "Label": "p1"})
    assert len(json.loads(call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]["Policy"])["Statement"]) == 1
    assert call("GetDataProtectionPolicy", {"ResourceArn": arn}) == {"DataProtectionPolicy": ""}
    document = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    call("PutDataProtectionPolicy", {"ResourceArn": arn, "DataProtectionPolicy": document})
    assert call("GetDataProtectionPolicy", {"ResourceArn": arn}) == {"DataProtectionPolicy": document}


def test_every_text_parameter_is_checked_for_xml_invalid_characters(sim: Simulation) -> None:
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t"})["TopicArn"]
    error = _error(lambda: call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "DisplayName", "AttributeValue": "a\x0bb"}))
    assert (error.code, str(error)) == ("InvalidParameter", "Invalid parameter: AttributeValue Reason: contains characters that are not valid in XML")
    assert "\x0b" not in str(error)
    error = _error(lambda: call("Publish", {"TopicArn": arn, "Message": "m", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "\x00"}}}))
    assert error.code == "InvalidParameter"


def test_unknown_operation(sim: Simulation) -> None:
    error = _error(lambda: sim.sns.api.call("CreatePlatformApplication", {}))
    assert (error.code, error.status) == ("InvalidAction", 400)
    assert "Publish" in sim.sns.api.operations


def test_more_topic_attributes(sim: Simulation) -> None:
    # CreateTopic / SetTopicAttributes attribute list (https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html).
    call = sim.sns.api.call
    arn = call("CreateTopic", {"Name": "t", "Attributes": {"KmsMasterKeyId": "alias/aws/sns", "TracingConfig": "Active"}})["TopicArn"]
    attributes = call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert attributes["TracingConfig"] == "Active"
    call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "SQSSuccessFeedbackRoleArn", "AttributeValue": "arn:aws:iam::123456789012:role/r"})
    assert "SQSSuccessFeedbackRoleArn" in call("GetTopicAttributes", {"TopicArn": arn})["Attributes"]
    assert str(_error(lambda: call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "Nope", "AttributeValue": "x"}))) == (
        "Invalid parameter: AttributeName"
    )
    assert _error(lambda: call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "ContentBasedDeduplication", "AttributeValue": "true"})).code == (
        "InvalidParameter"
    )
    fifo = call("CreateTopic", {"Name": "f.fifo", "Attributes": {"FifoTopic": "true", "ArchivePolicy": json.dumps({"MessageRetentionPeriod": "30"})}})["TopicArn"]
    fifo_attributes = call("GetTopicAttributes", {"TopicArn": fifo})["Attributes"]
    assert json.loads(fifo_attributes["ArchivePolicy"]) == {"MessageRetentionPeriod": "30"}
    assert fifo_attributes["BeginningArchiveTime"] == "2024-01-01T00:00:00.000Z"
    assert _error(lambda: call("SetTopicAttributes", {"TopicArn": fifo, "AttributeName": "TracingConfig", "AttributeValue": "Active"})).code == (
        "InvalidParameter"
    )
    assert _error(lambda: call("SetTopicAttributes", {"TopicArn": arn, "AttributeName": "DeliveryPolicy", "AttributeValue": "{oops"})).message.startswith(
        "Invalid parameter: DeliveryPolicy: failed to parse JSON. Unexpected character ('o' (code 111))"
    )
