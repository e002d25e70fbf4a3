"""Every EventBridge operation of the API layer through an unchanged boto3 client (eventbus.aws.mock_aws).

botocore serialises each request and parses each response with the ``events`` model, so this checks
that the layer's parameters and results are what the wire protocol carries, and that errors reach
the client as its modeled exceptions. The pages are the API Reference's
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation
from eventbus.aws import mock_aws
from eventbus.services.events import EventsApi

from ._fakes import RecordingEndpoint


def test_all_operations_through_boto3() -> None:
    seen: set[str] = set()
    with mock_aws() as sim:
        assert isinstance(sim, Simulation)
        original = sim.events.api.call

        def spy(operation: str, params: Any) -> dict[str, Any]:
            seen.add(operation)
            return original(operation, params)

        sim.events.api.call = spy  # type: ignore[method-assign]
        client = boto3.client("events", region_name="us-east-1")
        queue = RecordingEndpoint(sim, "orders")

        bus_arn = client.create_event_bus(Name="shop", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
        assert client.describe_event_bus(Name="shop")["Arn"] == bus_arn
        assert [b["Name"] for b in client.list_event_buses()["EventBuses"]] == ["default", "shop"]
        pattern = json.dumps({"source": ["shop"]})
        rule_arn = client.put_rule(Name="orders", EventPattern=pattern, EventBusName="shop")["RuleArn"]
        assert client.describe_rule(Name="orders", EventBusName="shop")["EventPattern"] == pattern
        assert client.list_rules(EventBusName="shop")["Rules"][0]["Arn"] == rule_arn
        client.put_targets(
            Rule="orders",
            EventBusName="shop",
            Targets=[{"Id": "q", "Arn": queue.arn, "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}}],
        )
        assert client.list_targets_by_rule(Rule="orders", EventBusName="shop")["Targets"][0]["Id"] == "q"
        assert client.list_rule_names_by_target(TargetArn=queue.arn, EventBusName="shop")["RuleNames"] == ["orders"]
        client.disable_rule(Name="orders", EventBusName="shop")
        client.enable_rule(Name="orders", EventBusName="shop")
        client.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "k", "Value": "v"}])
        client.untag_resource(ResourceARN=bus_arn, TagKeys=["team"])
        assert client.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "k", "Value": "v"}]
        event = {
            "id": "1", "account": "123456789012", "source": "shop", "time": "2024-01-01T00:00:00Z",
            "region": "us-east-1", "detail-type": "t", "detail": {},
        }
        assert client.test_event_pattern(EventPattern=pattern, Event=json.dumps(event))["Result"] is True

        archive_arn = client.create_archive(ArchiveName="all", EventSourceArn=bus_arn, RetentionDays=0)["ArchiveArn"]
        client.update_archive(ArchiveName="all", Description="every event")
        start = datetime(2024, 1, 1, tzinfo=UTC)
        result = client.put_events(
            Entries=[{"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"n": 1}), "EventBusName": "shop", "Time": start}]
        )
        assert result["FailedEntryCount"] == 0
        sim.run_until_idle()
        assert json.loads(queue.bodies[0])["detail"] == {"n": 1}
        archive = client.describe_archive(ArchiveName="all")
        assert archive["EventCount"] == 1
        assert archive["CreationTime"] == start
        assert client.list_archives(NamePrefix="a")["Archives"][0]["ArchiveName"] == "all"

        replay = client.start_replay(
            ReplayName="again",
            EventSourceArn=archive_arn,
            EventStartTime=start,
            EventEndTime=start + timedelta(minutes=1),
            Destination={"Arn": bus_arn, "FilterArns": [rule_arn]},
        )
        assert replay["State"] == "STARTING"
        sim.advance(120)
        described = client.describe_replay(ReplayName="again")
        assert described["State"] == "COMPLETED"
        assert described["Destination"] == {"Arn": bus_arn, "FilterArns": [rule_arn]}
        assert client.list_replays(State="COMPLETED")["Replays"][0]["ReplayName"] == "again"
        assert json.loads(queue.bodies[1])["replay-name"] == "again"
        client.start_replay(
            ReplayName="stopped", EventSourceArn=archive_arn, EventStartTime=start,
            EventEndTime=start + timedelta(minutes=1), Destination={"Arn": bus_arn},
        )
        assert client.cancel_replay(ReplayName="stopped")["State"] == "CANCELLING"

        with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
            client.describe_rule(Name="nope", EventBusName="shop")
        assert missing.value.response["Error"]["Message"] == "Rule nope does not exist on EventBus shop."
        with pytest.raises(client.exceptions.InvalidEventPatternException):
            client.put_rule(Name="bad", EventPattern=json.dumps({"source": "shop"}))
        with pytest.raises(client.exceptions.LimitExceededException):
            client.put_targets(Rule="orders", EventBusName="shop", Targets=[{"Id": f"t{i}", "Arn": queue.arn} for i in range(5)])
        with pytest.raises(client.exceptions.IllegalStatusException):
            client.cancel_replay(ReplayName="stopped")

        client.remove_targets(Rule="orders", EventBusName="shop", Ids=["q"])
        client.delete_rule(Name="orders", EventBusName="shop")
        client.delete_archive(ArchiveName="all")
        client.delete_event_bus(Name="shop")
    assert seen == set(EventsApi(sim.events).operations)
