"""EventBridge through unchanged boto3 code (JSON 1.1 protocol), written so it could run on AWS.

Behaviours from the EventBridge API reference:
https://docs.aws.amazon.com/eventbridge/latest/APIReference/Welcome.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from eventbus.aws import mock_aws

pytestmark = pytest.mark.aws_compatible

ORDER_PATTERN = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}


@pytest.fixture
def events() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("events", region_name="us-east-1")


def event(**detail: Any) -> str:
    return json.dumps(
        {
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "account": "123456789012",
            "source": "shop",
            "time": "2024-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail-type": "OrderPlaced",
            "detail": detail,
        }
    )


def test_put_describe_and_list_a_rule(events: Any) -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    arn = events.put_rule(Name="big-orders", EventPattern=json.dumps(ORDER_PATTERN))["RuleArn"]
    assert arn.endswith(":rule/big-orders")
    rule = events.describe_rule(Name="big-orders")
    assert (rule["Name"], rule["State"], rule["EventBusName"]) == ("big-orders", "ENABLED", "default")
    assert json.loads(rule["EventPattern"]) == ORDER_PATTERN
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["big-orders"]


def test_test_event_pattern_matches_and_misses(events: Any) -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
    pattern = json.dumps(ORDER_PATTERN)
    assert events.test_event_pattern(EventPattern=pattern, Event=event(total=250))["Result"] is True
    assert events.test_event_pattern(EventPattern=pattern, Event=event(total=50))["Result"] is False


def test_invalid_pattern_is_invalid_event_pattern_exception(events: Any) -> None:
    with pytest.raises(events.exceptions.InvalidEventPatternException) as raised:
        events.put_rule(Name="bad", EventPattern=json.dumps({"source": "shop"}))
    assert raised.value.response["Error"]["Message"].startswith("Event pattern is not valid. Reason: ")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_missing_rule_is_resource_not_found(events: Any) -> None:
    with pytest.raises(events.exceptions.ResourceNotFoundException) as raised:
        events.describe_rule(Name="missing")
    assert raised.value.response["Error"]["Message"] == "Rule missing does not exist on EventBus default."


def test_put_events_to_a_custom_bus_returns_event_ids(events: Any) -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
    events.create_event_bus(Name="orders")
    response = events.put_events(
        Entries=[{"Source": "shop", "DetailType": "OrderPlaced", "Detail": "{}", "EventBusName": "orders"}]
        * 2
    )
    assert response["FailedEntryCount"] == 0
    assert len({entry["EventId"] for entry in response["Entries"]}) == 2
    names = {bus["Name"] for bus in events.list_event_buses()["EventBuses"]}
    assert names == {"default", "orders"}
