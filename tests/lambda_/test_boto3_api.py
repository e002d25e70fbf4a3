"""Lambda through unchanged boto3 code under eventbus.mock_aws: Invoke, event source mappings, configs.

https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from eventbus import Simulation, mock_aws


@pytest.fixture
def aws(sim: Simulation) -> Any:
    def handler(event: Any, context: Any) -> Any:
        if event.get("fail"):
            raise RuntimeError("card declined")
        return {"ok": event}

    sim.lambda_.function("pay", handler, timeout=10)
    with mock_aws(sim):
        yield boto3.client("lambda", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")


def test_invoke_request_response_and_function_error(aws: Any) -> None:
    client, _ = aws
    response = client.invoke(FunctionName="pay", Payload=json.dumps({"a": 1}), LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert json.loads(response["Payload"].read()) == {"ok": {"a": 1}}
    assert "FunctionError" not in response
    log = base64.b64decode(response["LogResult"]).decode()
    assert log.startswith("START RequestId:")
    assert "REPORT RequestId:" in log

    failed = client.invoke(FunctionName="pay", Payload=json.dumps({"fail": True}))
    assert failed["StatusCode"] == 200
    assert failed["FunctionError"] == "Unhandled"
    payload = json.loads(failed["Payload"].read())
    assert payload["errorMessage"] == "card declined"
    assert payload["errorType"] == "RuntimeError"


def test_invoke_event_dry_run_and_unknown_function(aws: Any, sim: Simulation) -> None:
    client, _ = aws
    assert client.invoke(FunctionName="pay", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert client.invoke(FunctionName="pay", InvocationType="DryRun")["StatusCode"] == 204
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.invoke(FunctionName="missing")
    assert info.value.response["Error"]["Message"] == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_throttled_invoke_is_too_many_requests(aws: Any, sim: Simulation) -> None:
    client, _ = aws
    client.put_function_concurrency(FunctionName="pay", ReservedConcurrentExecutions=0)
    with pytest.raises(client.exceptions.TooManyRequestsException) as info:
        client.invoke(FunctionName="pay", Payload=b"{}")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert client.get_function_concurrency(FunctionName="pay")["ReservedConcurrentExecutions"] == 0
    client.delete_function_concurrency(FunctionName="pay")
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="pay")
    with pytest.raises(client.exceptions.InvalidParameterValueException, match="below its minimum value of \\[100\\]"):
        client.put_function_concurrency(FunctionName="pay", ReservedConcurrentExecutions=950)


def test_create_event_source_mapping_and_process(aws: Any, sim: Simulation) -> None:
    client, sqs = aws
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="pay", BatchSize=5, FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    assert mapping["State"] == "Creating"
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:pay"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    sim.advance(1)
    assert client.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0"
    }
    listed = client.list_event_source_mappings(FunctionName="pay")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]
    updated = client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    assert updated["State"] == "Disabling"
    deleted = client.delete_event_source_mapping(UUID=mapping["UUID"])
    assert deleted["State"] == "Deleting"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_event_source_mapping(UUID=mapping["UUID"])


def test_create_event_source_mapping_refusals(aws: Any) -> None:
    client, sqs = aws
    url = sqs.create_queue(QueueName="short")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5"})
    with pytest.raises(client.exceptions.InvalidParameterValueException) as info:
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName="pay")
    assert info.value.response["Error"]["Message"] == "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds"
    with pytest.raises(ClientError) as model:
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName="pay", ScalingConfig={"MaximumConcurrency": 1001})
    assert model.value.response["Error"]["Code"] == "ValidationException"


def test_event_invoke_config_round_trip(aws: Any, sim: Simulation) -> None:
    client, sqs = aws
    url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    put = client.put_function_event_invoke_config(
        FunctionName="pay", MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    assert put["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:pay:$LATEST"
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": arn}}
    updated = client.update_function_event_invoke_config(FunctionName="pay", MaximumEventAgeInSeconds=120)
    assert updated["MaximumRetryAttempts"] == 0
    assert updated["MaximumEventAgeInSeconds"] == 120
    client.invoke(FunctionName="pay", InvocationType="Event", Payload=json.dumps({"fail": True}))
    sim.advance(5)
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["requestContext"]["condition"] == "RetriesExhausted"
    client.delete_function_event_invoke_config(FunctionName="pay")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function_event_invoke_config(FunctionName="pay")


def test_get_function_and_list(aws: Any) -> None:
    client, _ = aws
    configuration = client.get_function_configuration(FunctionName="pay")
    assert configuration["FunctionName"] == "pay"
    assert configuration["Timeout"] == 10
    assert configuration["MemorySize"] == 128
    assert configuration["State"] == "Active"
    assert client.get_function(FunctionName="pay")["Configuration"]["FunctionArn"].endswith(":function:pay")
    assert [f["FunctionName"] for f in client.list_functions()["Functions"]] == ["pay"]


def test_create_function_with_an_importable_python_handler(aws: Any) -> None:
    client, _ = aws
    client.create_function(
        FunctionName="dumps", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
        Handler="json.dumps", Code={"ZipFile": b"ignored"},
    )
    response = client.invoke(FunctionName="dumps", Payload=json.dumps([1]))
    assert json.loads(response["Payload"].read()) == "[1]"
    with pytest.raises(client.exceptions.InvalidParameterValueException, match="Python handlers only"):
        client.create_function(
            FunctionName="node", Runtime="nodejs20.x", Role="arn:aws:iam::123456789012:role/r",
            Handler="index.handler", Code={"ZipFile": b"x"},
        )
