"""The AWS-named operation layer: botocore's input and output shapes for every SQS operation, and errors that
botocore's JSON-protocol parser turns into the codes AWS clients see.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.parsers import create_parser  # type: ignore[import-untyped]
from botocore.validate import ParamValidator  # type: ignore[import-untyped]

from eventbus import Simulation
from eventbus.services.sqs import OPERATIONS, SqsServiceError, UnsupportedOperationError

MODEL = botocore.session.get_session().get_service_model("sqs")


# The model marks a batch result's Successful and Failed as required, but SQS's JSON protocol leaves an
# empty one out (https://github.com/aws/aws-sdk/issues/657).
_OMITTED_WHEN_EMPTY = {
    f"{operation}Result": ("Successful", "Failed")
    for operation in ("SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch")
}


def _check_shape(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        assert set(value) <= set(shape.members), f"{path}: unknown members {set(value) - set(shape.members)}"
        for required in shape.required_members:
            if required in _OMITTED_WHEN_EMPTY.get(shape.name, ()) and required not in value:
                continue
            assert required in value, f"{path}: missing {required}"
        for name, item in value.items():
            _check_shape(shape.members[name], item, f"{path}.{name}")
    elif kind == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _check_shape(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), path
        for key, item in value.items():
            _check_shape(shape.key, key, f"{path} key")
            _check_shape(shape.value, item, f"{path}[{key}]")
    elif kind == "string":
        assert isinstance(value, str), path
    elif kind in ("integer", "long"):
        assert isinstance(value, int), path
        assert not isinstance(value, bool), path
    elif kind == "boolean":
        assert isinstance(value, bool), path
    elif kind == "blob":
        assert isinstance(value, bytes), path
    else:  # pragma: no cover
        raise AssertionError(f"{path}: unexpected shape {kind}")


class Client:
    """Calls the API layer the way the facade does: inputs validated by botocore, outputs checked against the model."""

    def __init__(self, sim: Simulation) -> None:
        self.api = sim.sqs.api

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        model = MODEL.operation_model(operation)
        report = ParamValidator().validate(params, model.input_shape)
        assert not report.has_errors(), report.generate_report()
        result = self.api.call(operation, params)
        if model.output_shape is None:
            assert result == {}
        else:
            _check_shape(model.output_shape, result, operation)
        return result


@pytest.fixture
def sqs(sim: Simulation) -> Client:
    return Client(sim)


def test_the_api_serves_every_sqs_operation(sim: Simulation) -> None:
    assert set(sim.sqs.api.operations) == set(MODEL.operation_names) == set(OPERATIONS)
    with pytest.raises(UnsupportedOperationError):
        sim.sqs.api.call("ListTopics", {})


def test_queue_operations(sqs: Client) -> None:
    url = sqs("CreateQueue", QueueName="orders", Attributes={"VisibilityTimeout": "60"}, tags={"team": "a"})["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    assert sqs("GetQueueUrl", QueueName="orders") == {"QueueUrl": url}
    assert sqs("GetQueueAttributes", QueueUrl=url, AttributeNames=["VisibilityTimeout"]) == {"Attributes": {"VisibilityTimeout": "60"}}
    assert sqs("GetQueueAttributes", QueueUrl=url) == {}
    sqs("SetQueueAttributes", QueueUrl=url, Attributes={"DelaySeconds": "5"})
    assert sqs("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])["Attributes"]["DelaySeconds"] == "5"
    sqs("TagQueue", QueueUrl=url, Tags={"env": "test"})
    sqs("UntagQueue", QueueUrl=url, TagKeys=["team"])
    assert sqs("ListQueueTags", QueueUrl=url) == {"Tags": {"env": "test"}}
    sqs("AddPermission", QueueUrl=url, Label="l", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    sqs("RemovePermission", QueueUrl=url, Label="l")
    sqs("PurgeQueue", QueueUrl=url)
    sqs("DeleteQueue", QueueUrl=url)
    assert sqs("ListQueues") == {}


def test_list_queues_pages_with_max_results(sqs: Client) -> None:
    """'You must set MaxResults to receive a value for NextToken in the response.'"""
    for i in range(5):
        sqs("CreateQueue", QueueName=f"q{i}")
    sqs("CreateQueue", QueueName="other")
    assert len(sqs("ListQueues")["QueueUrls"]) == 6
    assert "NextToken" not in sqs("ListQueues")
    first = sqs("ListQueues", QueueNamePrefix="q", MaxResults=2)
    second = sqs("ListQueues", QueueNamePrefix="q", MaxResults=2, NextToken=first["NextToken"])
    third = sqs("ListQueues", QueueNamePrefix="q", MaxResults=2, NextToken=second["NextToken"])
    urls = first["QueueUrls"] + second["QueueUrls"] + third["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["q0", "q1", "q2", "q3", "q4"]
    assert "NextToken" not in third


def test_message_operations(sim: Simulation, sqs: Client) -> None:
    url = sqs("CreateQueue", QueueName="orders")["QueueUrl"]
    sent = sqs(
        "SendMessage",
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "1"}, "b": {"DataType": "Binary", "BinaryValue": b"\x01"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}},
    )
    assert set(sent) == {"MD5OfMessageBody", "MD5OfMessageAttributes", "MD5OfMessageSystemAttributes", "MessageId"}
    batch = sqs("SendMessageBatch", QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "\x00"}])
    assert [e["Id"] for e in batch["Successful"]] == ["a"]
    assert batch["Failed"][0]["Code"] == "InvalidMessageContents"
    received = sqs(
        "ReceiveMessage",
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    )["Messages"]
    assert len(received) == 2
    first = received[0]
    assert first["MessageId"] == sent["MessageId"]
    assert first["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert first["MessageAttributes"]["b"] == {"DataType": "Binary", "BinaryValue": b"\x01"}
    assert first["Attributes"]["AWSTraceHeader"] == "Root=1-abc"
    bare = sqs("SendMessage", QueueUrl=url, MessageBody="plain")
    [plain] = sqs("ReceiveMessage", QueueUrl=url)["Messages"]
    assert set(plain) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}
    assert plain["MessageId"] == bare["MessageId"]
    sqs("ChangeMessageVisibility", QueueUrl=url, ReceiptHandle=plain["ReceiptHandle"], VisibilityTimeout=100)
    changed = sqs(
        "ChangeMessageVisibilityBatch",
        QueueUrl=url,
        Entries=[{"Id": "1", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 5}, {"Id": "2", "ReceiptHandle": "junk", "VisibilityTimeout": 5}],
    )
    assert (changed["Successful"], [f["Code"] for f in changed["Failed"]]) == ([{"Id": "1"}], ["ReceiptHandleIsInvalid"])
    sqs("DeleteMessage", QueueUrl=url, ReceiptHandle=plain["ReceiptHandle"])
    deleted = sqs("DeleteMessageBatch", QueueUrl=url, Entries=[{"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])
    # An empty Failed list is left out, as SQS's JSON protocol does (aws/aws-sdk#657).
    assert deleted == {"Successful": [{"Id": "m0"}, {"Id": "m1"}]}
    assert sqs("ReceiveMessage", QueueUrl=url, WaitTimeSeconds=20) == {}
    assert sim.time == 20.0


def test_fifo_operations(sqs: Client) -> None:
    url = sqs("CreateQueue", QueueName="jobs.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    sent = sqs("SendMessage", QueueUrl=url, MessageBody="a", MessageGroupId="g")
    assert "SequenceNumber" in sent
    batch = sqs("SendMessageBatch", QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "b", "MessageGroupId": "g"}])
    assert "SequenceNumber" in batch["Successful"][0]
    messages = sqs("ReceiveMessage", QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], ReceiveRequestAttemptId="r1")["Messages"]
    assert [m["Body"] for m in messages] == ["a", "b"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"


def test_dead_letter_and_move_task_operations(sim: Simulation, sqs: Client) -> None:
    dlq_url = sqs("CreateQueue", QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs("GetQueueAttributes", QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
    url = sqs("CreateQueue", QueueName="src", Attributes={"RedrivePolicy": policy, "VisibilityTimeout": "1"})["QueueUrl"]
    assert sqs("ListDeadLetterSourceQueues", QueueUrl=dlq_url) == {"queueUrls": [url]}
    sqs("SendMessage", QueueUrl=url, MessageBody="poison")
    sqs("ReceiveMessage", QueueUrl=url)
    sim.advance(1)
    assert sqs("ReceiveMessage", QueueUrl=url) == {}
    handle = sqs("StartMessageMoveTask", SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    [task] = sqs("ListMessageMoveTasks", SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["TaskHandle"], task["MaxNumberOfMessagesPerSecond"]) == ("RUNNING", handle, 1)
    assert task["StartedTimestamp"] == sim.epoch_millis()
    sim.run_until_idle()
    [task] = sqs("ListMessageMoveTasks", SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    second = sqs("StartMessageMoveTask", SourceArn=dlq_arn)["TaskHandle"]
    assert sqs("CancelMessageMoveTask", TaskHandle=second) == {"ApproximateNumberOfMessagesMoved": 0}


def _wire_error(error: SqsServiceError) -> dict[str, Any]:
    """The error as the JSON protocol sends it, parsed back by botocore's own parser."""
    response = {
        "status_code": error.status,
        "headers": {"x-amzn-query-error": f"{error.query_code};Sender", "x-amzn-requestid": "r"},
        "body": json.dumps({"__type": f"com.amazonaws.sqs#{error.code}", "message": error.message}).encode(),
    }
    parsed = create_parser("json").parse(response, None)
    fields: dict[str, Any] = parsed["Error"]
    return fields


@pytest.mark.parametrize(
    ("operation", "params", "query_code", "modeled"),
    [
        ("GetQueueUrl", {"QueueName": "missing"}, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
        ("SendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": ""}, "MissingParameter", None),
        ("ReceiveMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MaxNumberOfMessages": 0}, "InvalidParameterValue", None),
        ("DeleteMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "ReceiptHandle": "x"}, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"),
        ("CreateQueue", {"QueueName": "q", "Attributes": {"DelaySeconds": "3"}}, "QueueAlreadyExists", "QueueNameExists"),
        ("SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "Entries": []}, "AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest"),
        ("GetQueueAttributes", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "AttributeNames": ["Nope"]}, "InvalidAttributeName", "InvalidAttributeName"),
        ("ListMessageMoveTasks", {"SourceArn": "arn:aws:sqs:us-east-1:123456789012:missing"}, "ResourceNotFoundException", "ResourceNotFoundException"),
    ],
)
def test_errors_reach_clients_with_aws_codes(sim: Simulation, operation: str, params: dict[str, Any], query_code: str, modeled: str | None) -> None:
    """botocore reports the query code as Error.Code and the modeled shape as QueryErrorCode; a modeled shape is one of
    the SQS model's exceptions (so sqs.exceptions.<Shape> catches it)."""
    sim.sqs.create_queue("q")
    with pytest.raises(SqsServiceError) as info:
        sim.sqs.api.call(operation, params)
    error = _wire_error(info.value)
    assert error["Code"] == query_code
    assert error["QueryErrorCode"] == info.value.code
    assert error["Message"] == info.value.message
    if modeled is not None:
        assert info.value.code == modeled
        assert modeled in {shape.name for shape in MODEL.error_shapes}
