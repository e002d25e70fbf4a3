"""EventBridge Scheduler through unchanged boto3 code (rest-json over eventbus.mock_aws).

Requests go through botocore's serializer and the facade's rest-json codec to ``sim.scheduler.api``;
errors come back as botocore's modeled exceptions with AWS's codes and HTTP statuses
(https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html and each operation's
page under https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation
from eventbus.aws import mock_aws

from ._fakes import RecordingEndpoint

ROLE = "arn:aws:iam::123456789012:role/scheduler"


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, region or config file from the machine."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "BOTO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def sim() -> Iterator[Simulation]:
    with mock_aws(Simulation(start="2024-01-01T00:00:00Z")) as active:
        yield active


@pytest.fixture
def scheduler(sim: Simulation) -> Any:
    return boto3.client("scheduler", region_name="us-east-1")


def test_schedule_round_trip(sim: Simulation, scheduler: Any) -> None:
    # API_CreateSchedule.html, API_GetSchedule.html, API_ListSchedules.html, API_DeleteSchedule.html.
    scheduler.create_schedule_group(Name="reports", Tags=[{"Key": "team", "Value": "data"}])
    arn = scheduler.create_schedule(
        Name="nightly",
        GroupName="reports",
        ScheduleExpression="cron(0 2 * * ? *)",
        ScheduleExpressionTimezone="Europe/London",
        StartDate=datetime(2024, 1, 2, tzinfo=UTC),
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10},
        Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": ROLE, "Input": '{"job": 1}'},
    )["ScheduleArn"]
    got = scheduler.get_schedule(Name="nightly", GroupName="reports")
    assert got["Arn"] == arn
    assert got["StartDate"] == datetime(2024, 1, 2, tzinfo=UTC)
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}
    assert got["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    listed = scheduler.list_schedules(GroupName="reports")["Schedules"]
    assert [s["Name"] for s in listed] == ["nightly"]
    group_arn = scheduler.get_schedule_group(Name="reports")["Arn"]
    assert scheduler.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == [{"Key": "team", "Value": "data"}]
    scheduler.untag_resource(ResourceArn=group_arn, TagKeys=["team"])
    assert scheduler.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == []
    scheduler.delete_schedule(Name="nightly", GroupName="reports")
    scheduler.delete_schedule_group(Name="reports")
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]


def test_errors_arrive_as_modeled_exceptions(scheduler: Any) -> None:
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException) as missing:
        scheduler.get_schedule(Name="nope")
    assert missing.value.response["Error"]["Message"] == "Schedule nope does not exist."
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(scheduler.exceptions.ValidationException) as invalid:
        scheduler.create_schedule(
            Name="bad",
            ScheduleExpression="rate(10 seconds)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": ROLE},
        )
    assert invalid.value.response["Error"]["Message"] == "Invalid Schedule Expression rate(10 seconds)."
    scheduler.create_schedule_group(Name="g")
    with pytest.raises(scheduler.exceptions.ConflictException) as conflict:
        scheduler.create_schedule_group(Name="g")
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_a_schedule_made_with_boto3_fires_on_virtual_time(sim: Simulation, scheduler: Any) -> None:
    queue = RecordingEndpoint(sim, "jobs")
    scheduler.create_schedule(
        Name="every-hour",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": "<aws.scheduler.scheduled-time>"},
    )
    sim.advance(2 * 3600)
    assert queue.bodies == ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"]
