"""Service errors reach boto3 as AWS sends them: code, message, HTTP status, and modeled exception.

* SQS (JSON protocol, query compatible): ``__type`` names the modeled error and the
  ``x-amzn-query-error`` header carries the legacy code and fault:
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
* SNS (query protocol): ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>``:
  https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
* EventBridge (JSON 1.1) and Lambda / Scheduler (rest-json, ``x-amzn-ErrorType`` header):
  https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
"""

from __future__ import annotations

import logging
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.exceptions  # type: ignore[import-untyped]
import pytest

from eventbus.aws import mock_aws
from eventbus.errors import ResourceNotFoundError, ServiceError, SimulationError, ValidationError

from .conftest import FakeApi, FakeSimulation

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/missing"


def failing(error: BaseException) -> FakeSimulation:
    def handler(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        raise error

    return FakeSimulation(FakeApi(handler))


class QueryCompatibleError(ResourceNotFoundError):
    """An SQS error as the SQS service raises it: modeled name plus legacy query code."""

    def __init__(self, message: str, code: str, query_code: str) -> None:
        super().__init__(message, code=code)
        self.query_code = query_code


def test_sqs_queue_does_not_exist_is_the_modeled_exception_with_the_legacy_code() -> None:
    error = QueryCompatibleError(
        "The specified queue does not exist.", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"
    )
    with mock_aws(failing(error)):
        sqs = boto3.client("sqs")
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as raised:
            sqs.get_queue_url(QueueName="missing")
    response = raised.value.response
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert response["Error"]["Type"] == "Sender"
    assert response["Error"]["Message"] == "The specified queue does not exist."
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


@pytest.mark.parametrize(
    "code",
    ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"],
    ids=["legacy-code", "modeled-name"],
)
def test_sqs_error_with_one_code_still_finds_the_modeled_exception(code: str) -> None:
    error = ResourceNotFoundError("The specified queue does not exist.", code=code)
    with mock_aws(failing(error)):
        sqs = boto3.client("sqs")
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as raised:
            sqs.send_message(QueueUrl=QUEUE_URL, MessageBody="x")
    assert raised.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"


def test_sqs_unmodeled_error_is_a_client_error_with_its_code() -> None:
    error = ValidationError("Value -1 for parameter DelaySeconds is invalid.", code="InvalidParameterValue")
    with mock_aws(failing(error)), pytest.raises(botocore.exceptions.ClientError) as raised:
        boto3.client("sqs").send_message(QueueUrl=QUEUE_URL, MessageBody="x", DelaySeconds=1)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert str(raised.value).endswith("Value -1 for parameter DelaySeconds is invalid.")


def test_events_resource_not_found_is_the_modeled_exception() -> None:
    error = ResourceNotFoundError("Rule missing does not exist on EventBus default.")
    with mock_aws(failing(error)):
        events = boto3.client("events")
        with pytest.raises(events.exceptions.ResourceNotFoundException) as raised:
            events.describe_rule(Name="missing")
    assert raised.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Rule missing does not exist on EventBus default.",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sns_not_found_is_the_modeled_exception_from_an_xml_error() -> None:
    error = ResourceNotFoundError("Topic does not exist", code="NotFound", status=404)
    with mock_aws(failing(error)):
        sns = boto3.client("sns")
        with pytest.raises(sns.exceptions.NotFoundException) as raised:
            sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:missing")
    assert raised.value.response["Error"] == {
        "Type": "Sender",
        "Code": "NotFound",
        "Message": "Topic does not exist",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert raised.value.response["ResponseMetadata"]["RequestId"]


def test_sns_receiver_fault_says_receiver() -> None:
    error = ServiceError("Internal error", code="InternalError", status=500)
    with mock_aws(failing(error)), pytest.raises(botocore.exceptions.ClientError) as raised:
        boto3.client("sns").list_topics()
    assert raised.value.response["Error"]["Type"] == "Receiver"


def test_lambda_resource_not_found_carries_type_and_message() -> None:
    message = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"
    error = ResourceNotFoundError(message, status=404)
    with mock_aws(failing(error)):
        lambda_client = boto3.client("lambda")
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as raised:
            lambda_client.invoke(FunctionName="missing")
    response = raised.value.response
    assert response["Error"] == {"Code": "ResourceNotFoundException", "Message": message}
    assert (response["Type"], response["Message"]) == ("User", message)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_scheduler_validation_error_is_the_modeled_exception() -> None:
    error = ValidationError("Invalid Schedule Expression rate(0 minutes).")
    with mock_aws(failing(error)):
        scheduler = boto3.client("scheduler")
        with pytest.raises(scheduler.exceptions.ValidationException) as raised:
            scheduler.get_schedule(Name="nightly")
    assert raised.value.response["Error"]["Message"] == "Invalid Schedule Expression rate(0 minutes)."


def test_unexpected_exception_is_an_internal_failure_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = failing(RuntimeError("bug in the simulation"))
    with (
        caplog.at_level(logging.ERROR, logger="eventbus.aws"),
        mock_aws(sim),
        pytest.raises(botocore.exceptions.ClientError) as raised,
    ):
        boto3.client("sqs").list_queues()
    error = raised.value.response["Error"]
    assert error["Code"] == "InternalFailure"
    assert "RuntimeError: bug in the simulation" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(sim.fake.calls) == 1  # not retried: botocore would have slept between attempts
    [record] = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


def test_throttling_is_not_retried() -> None:
    sim = failing(ServiceError("Rate exceeded", code="ThrottlingException", status=400))
    with mock_aws(sim), pytest.raises(botocore.exceptions.ClientError):
        boto3.client("events").list_rules()
    assert len(sim.fake.calls) == 1


def test_simulation_misuse_reaches_the_caller_unchanged() -> None:
    error = SimulationError("cannot long-poll while the simulation is running")
    with mock_aws(failing(error)), pytest.raises(SimulationError) as raised:
        boto3.client("sqs").list_queues()
    assert raised.value is error
