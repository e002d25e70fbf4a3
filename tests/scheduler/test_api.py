"""The AWS-named operations of EventBridge Scheduler: results in botocore's shapes, AWS's errors.

Each result is checked against botocore's output shape for the operation. API Reference pages:
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_<Operation>.html. Error texts marked
"AWS" were seen from AWS (in LocalStack's recorded snapshots or public issue threads); the others are
this simulation's wording where AWS's could not be found (see eventbus/services/_scheduler_common.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from eventbus import ConflictError, ResourceNotFoundError, ServiceError, Simulation, ValidationError

from ._fakes import RecordingEndpoint
from ._shapes import assert_output_shape

ROLE = "arn:aws:iam::123456789012:role/scheduler"
ARN_PREFIX = "arn:aws:scheduler:us-east-1:123456789012"


@pytest.fixture
def sim() -> Simulation:
    return Simulation(start="2024-01-01T00:00:00Z")


def call(sim: Simulation, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    result = sim.scheduler.api.call(operation, params)
    assert_output_shape(operation, result)
    return result


def request(name: str = "job", expression: str = "rate(1 hour)", **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": name,
        "ScheduleExpression": expression,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": ROLE},
    }
    params.update(extra)
    return params


def error_of(sim: Simulation, operation: str, params: dict[str, Any]) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        sim.scheduler.api.call(operation, params)
    return caught.value


# ------------------------------------------------------------ schedules
def test_create_then_get_schedule_with_aws_defaults(sim: Simulation) -> None:
    # API_CreateSchedule.html / API_GetSchedule.html: the default group, UTC, the retry policy defaults
    # (185 attempts, 86,400 s) and ActionAfterCompletion NONE.
    arn = call(sim, "CreateSchedule", request())["ScheduleArn"]
    assert arn == f"{ARN_PREFIX}:schedule/default/job"
    got = call(sim, "GetSchedule", {"Name": "job"})
    assert got == {
        "ActionAfterCompletion": "NONE",
        "Arn": arn,
        "CreationDate": datetime(2024, 1, 1, tzinfo=UTC),
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "GroupName": "default",
        "LastModificationDate": datetime(2024, 1, 1, tzinfo=UTC),
        "Name": "job",
        "ScheduleExpression": "rate(1 hour)",
        "ScheduleExpressionTimezone": "UTC",
        "State": "ENABLED",
        "Target": {
            "Arn": "arn:aws:sqs:us-east-1:123456789012:jobs",
            "RoleArn": ROLE,
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
        },
    }


def test_create_schedule_keeps_every_setting(sim: Simulation) -> None:
    call(sim, "CreateScheduleGroup", {"Name": "reports"})
    target = {
        "Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default",
        "RoleArn": ROLE,
        "Input": '{"a": 1}',
        "RetryPolicy": {"MaximumEventAgeInSeconds": 300, "MaximumRetryAttempts": 3},
        "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
        "EventBridgeParameters": {"DetailType": "Tick", "Source": "com.example"},
        "EcsParameters": {"TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/t"},
    }
    params = request(
        "nightly",
        "cron(0 2 * * ? *)",
        GroupName="reports",
        ScheduleExpressionTimezone="Europe/London",
        StartDate=datetime(2024, 2, 1, tzinfo=UTC),
        EndDate=1735689600,  # epoch seconds, 2025-01-01
        Description="the nightly report",
        State="DISABLED",
        KmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/abc",
        Target=target,
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30},
        ClientToken="token-1",
        ActionAfterCompletion="DELETE",
    )
    call(sim, "CreateSchedule", params)
    got = call(sim, "GetSchedule", {"Name": "nightly", "GroupName": "reports"})
    assert got["Target"] == target
    assert got["StartDate"] == datetime(2024, 2, 1, tzinfo=UTC)
    assert got["EndDate"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}
    assert (got["State"], got["ActionAfterCompletion"], got["ScheduleExpressionTimezone"]) == (
        "DISABLED",
        "DELETE",
        "Europe/London",
    )
    assert (got["Description"], got["KmsKeyArn"]) == ("the nightly report", "arn:aws:kms:us-east-1:123456789012:key/abc")


def test_get_schedule_that_does_not_exist(sim: Simulation) -> None:
    # AWS (aws/aws-sdk-js-v3#5720): ResourceNotFoundException "Schedule <name> does not exist."
    error = error_of(sim, "GetSchedule", {"Name": "nope"})
    assert isinstance(error, ResourceNotFoundError)
    assert (error.code, error.status, str(error)) == ("ResourceNotFoundException", 404, "Schedule nope does not exist.")


def test_schedule_names_are_per_group(sim: Simulation) -> None:
    # managing-schedule-group.html: a schedule is addressed by its group and name.
    call(sim, "CreateScheduleGroup", {"Name": "other"})
    call(sim, "CreateSchedule", request("job", GroupName="other"))
    assert isinstance(error_of(sim, "GetSchedule", {"Name": "job"}), ResourceNotFoundError)
    call(sim, "CreateSchedule", request("job"))
    assert call(sim, "GetSchedule", {"Name": "job", "GroupName": "other"})["GroupName"] == "other"


def test_create_schedule_twice_is_a_conflict(sim: Simulation) -> None:
    call(sim, "CreateSchedule", request())
    error = error_of(sim, "CreateSchedule", request())
    assert isinstance(error, ConflictError)
    assert (error.code, error.status, str(error)) == ("ConflictException", 409, "Schedule job already exists.")


def test_create_schedule_in_a_missing_group(sim: Simulation) -> None:
    error = error_of(sim, "CreateSchedule", request(GroupName="missing"))
    assert (error.code, error.status) == ("ResourceNotFoundException", 404)


def test_update_schedule_replaces_every_setting(sim: Simulation) -> None:
    # API_UpdateSchedule.html: "if you do not set an optional field in your request, that field will be
    # set to its system-default value after the update."
    call(sim, "CreateSchedule", request(Description="old", ScheduleExpressionTimezone="Asia/Tokyo", State="DISABLED"))
    sim.advance(60)
    arn = call(sim, "UpdateSchedule", request(expression="rate(5 minutes)"))["ScheduleArn"]
    got = call(sim, "GetSchedule", {"Name": "job"})
    assert got["Arn"] == arn
    assert "Description" not in got
    assert (got["ScheduleExpression"], got["ScheduleExpressionTimezone"], got["State"]) == ("rate(5 minutes)", "UTC", "ENABLED")
    assert got["LastModificationDate"] == datetime(2024, 1, 1, 0, 1, tzinfo=UTC)
    assert got["CreationDate"] == datetime(2024, 1, 1, tzinfo=UTC)


def test_update_schedule_that_does_not_exist(sim: Simulation) -> None:
    error = error_of(sim, "UpdateSchedule", request("ghost"))
    assert str(error) == "Schedule ghost does not exist."


def test_native_update_keeps_what_it_is_not_given(sim: Simulation) -> None:
    queue = RecordingEndpoint(sim, "jobs")
    dlq = RecordingEndpoint(sim, "dlq")
    schedule = sim.scheduler.create_schedule(
        "job", "rate(1 hour)", target=queue, description="d", dead_letter=dlq, max_retries=3, timezone="Asia/Tokyo"
    )
    schedule.update(input={"n": 2}, max_event_age=120)
    got = call(sim, "GetSchedule", {"Name": "job"})
    assert got["Description"] == "d"
    assert got["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert got["Target"]["DeadLetterConfig"] == {"Arn": dlq.arn}
    assert got["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 120, "MaximumRetryAttempts": 3}
    assert got["Target"]["Input"] == '{"n":2}'
    schedule.update(description=None, dead_letter=None)
    got = call(sim, "GetSchedule", {"Name": "job"})
    assert "Description" not in got
    assert "DeadLetterConfig" not in got["Target"]


def test_delete_schedule(sim: Simulation) -> None:
    call(sim, "CreateSchedule", request())
    assert call(sim, "DeleteSchedule", {"Name": "job", "ClientToken": "t"}) == {}
    assert isinstance(error_of(sim, "GetSchedule", {"Name": "job"}), ResourceNotFoundError)
    assert isinstance(error_of(sim, "DeleteSchedule", {"Name": "job"}), ResourceNotFoundError)
    assert sim.pending == 0


def test_list_schedules_filters_and_pages(sim: Simulation) -> None:
    call(sim, "CreateScheduleGroup", {"Name": "reports"})
    for name in ("alpha", "beta", "alphabet"):
        call(sim, "CreateSchedule", request(name))
    call(sim, "CreateSchedule", request("alpha-report", GroupName="reports", State="DISABLED"))
    listed = call(sim, "ListSchedules", {})["Schedules"]
    assert [(s["GroupName"], s["Name"]) for s in listed] == [
        ("default", "alpha"),
        ("default", "beta"),
        ("default", "alphabet"),
        ("reports", "alpha-report"),
    ]
    assert listed[0]["Target"] == {"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs"}
    assert [s["Name"] for s in call(sim, "ListSchedules", {"NamePrefix": "alpha"})["Schedules"]] == [
        "alpha",
        "alphabet",
        "alpha-report",
    ]
    assert [s["Name"] for s in call(sim, "ListSchedules", {"GroupName": "reports"})["Schedules"]] == ["alpha-report"]
    assert [s["Name"] for s in call(sim, "ListSchedules", {"State": "DISABLED"})["Schedules"]] == ["alpha-report"]
    first = call(sim, "ListSchedules", {"MaxResults": 3})
    assert len(first["Schedules"]) == 3
    second = call(sim, "ListSchedules", {"MaxResults": 3, "NextToken": first["NextToken"]})
    assert [s["Name"] for s in second["Schedules"]] == ["alpha-report"]
    assert "NextToken" not in second
    assert isinstance(error_of(sim, "ListSchedules", {"GroupName": "missing"}), ResourceNotFoundError)


# ----------------------------------------------------------- validation
@pytest.mark.parametrize(
    "expression", ["rate(10 seconds)", "cron(0 1 * * * *)", "at(2021-12-31T23:59:59Z)", "rate( 10 minutes )", "cron()"]
)
def test_invalid_schedule_expression(sim: Simulation, expression: str) -> None:
    # AWS (LocalStack's recorded snapshot tests/aws/services/scheduler/test_scheduler.snapshot.json).
    error = error_of(sim, "CreateSchedule", request(expression=expression))
    assert isinstance(error, ValidationError)
    assert (error.code, error.status, str(error)) == ("ValidationException", 400, f"Invalid Schedule Expression {expression}.")


def test_name_violations_are_worded_as_aws_words_them(sim: Simulation) -> None:
    # AWS (webiny/webiny-js#5445): "Value '...' at 'name' failed to satisfy constraint: Member must satisfy
    # regular expression pattern: [0-9a-zA-Z-_.]+; ... Member must have length less than or equal to 64".
    name = "a/" + "b" * 70
    error = error_of(sim, "CreateSchedule", request(name))
    assert str(error) == (
        f"2 validation errors detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy "
        f"regular expression pattern: [0-9a-zA-Z-_.]+; Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": ROLE, "RetryPolicy": {"MaximumRetryAttempts": 186}}},
            "Value '186' at 'target.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: "
            "Member must have value less than or equal to 185",
        ),
        (
            {"Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": ROLE, "RetryPolicy": {"MaximumEventAgeInSeconds": 59}}},
            "Value '59' at 'target.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 60",
        ),
        (
            {"FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1441}},
            "Value '1441' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: "
            "Member must have value less than or equal to 1440",
        ),
        (
            {"FlexibleTimeWindow": {"Mode": "SOMETIMES"}},
            "Value 'SOMETIMES' at 'flexibleTimeWindow.mode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [OFF, FLEXIBLE]",
        ),
        (
            {"State": "PAUSED"},
            "Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
        ),
        (
            {"Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "RoleArn": "not-a-role"}},
            "Value 'not-a-role' at 'target.roleArn' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+",
        ),
        (
            {
                "Target": {
                    "Arn": "arn:aws:sqs:us-east-1:123456789012:jobs",
                    "RoleArn": ROLE,
                    "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"},
                }
            },
            "Value 'arn:aws:sqs:us-east-1:123456789012:dlq.fifo' at 'target.deadLetterConfig.arn' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+",
        ),
        (
            {"ActionAfterCompletion": "ARCHIVE"},
            "Value 'ARCHIVE' at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]",
        ),
    ],
)
def test_request_model_violations(sim: Simulation, change: dict[str, Any], message: str) -> None:
    # API_RetryPolicy.html (0..185, 60..86,400), API_FlexibleTimeWindow.html (OFF | FLEXIBLE, 1..1440),
    # API_Target.html (RoleArn pattern), API_DeadLetterConfig.html (a standard queue: no "." in the name).
    error = error_of(sim, "CreateSchedule", request(**change))
    assert str(error) == f"1 validation error detected: {message}"


def test_missing_required_members(sim: Simulation) -> None:
    error = error_of(sim, "CreateSchedule", {"Name": "job", "Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:q"}})
    assert str(error) == (
        "3 validation errors detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null; "
        "Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null; "
        "Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null"
    )


def test_flexible_mode_needs_a_maximum_window(sim: Simulation) -> None:
    # managing-schedule-flexible-time-windows.html: "If you do set the value to FLEXIBLE, you must then
    # specify a maximum window of time during which you schedule will run."
    error = error_of(sim, "CreateSchedule", request(FlexibleTimeWindow={"Mode": "FLEXIBLE"}))
    assert isinstance(error, ValidationError)


def test_start_date_more_than_five_minutes_ago_is_refused(sim: Simulation) -> None:
    # AWS (reported in getmoto/moto#8172): "The StartDate you specify cannot be earlier than 5 minutes ago."
    sim.advance(3600)
    error = error_of(sim, "CreateSchedule", request(StartDate=datetime(2024, 1, 1, 0, 54, tzinfo=UTC)))
    assert str(error) == "The StartDate you specify cannot be earlier than 5 minutes ago."
    call(sim, "CreateSchedule", request(StartDate=datetime(2024, 1, 1, 0, 56, tzinfo=UTC)))
    # One-time schedules ignore StartDate (API_CreateSchedule.html).
    call(sim, "CreateSchedule", request("once", "at(2024-01-02T00:00:00)", StartDate=datetime(2023, 1, 1, tzinfo=UTC)))


def test_end_date_must_follow_start_date(sim: Simulation) -> None:
    start = datetime(2024, 1, 2, tzinfo=UTC)
    assert isinstance(error_of(sim, "CreateSchedule", request(StartDate=start, EndDate=start)), ValidationError)


def test_unknown_time_zone(sim: Simulation) -> None:
    error = error_of(sim, "CreateSchedule", request(expression="cron(0 2 * * ? *)", ScheduleExpressionTimezone="Mars/Olympus"))
    assert isinstance(error, ValidationError)


def test_unknown_operation(sim: Simulation) -> None:
    assert error_of(sim, "PauseSchedule", {}).code == "UnknownOperationException"


# --------------------------------------------------------------- groups
def test_schedule_groups_create_get_list_delete(sim: Simulation) -> None:
    # API_CreateScheduleGroup.html, API_GetScheduleGroup.html, API_ListScheduleGroups.html.
    arn = call(sim, "CreateScheduleGroup", {"Name": "reports", "ClientToken": "abc"})["ScheduleGroupArn"]
    assert arn == f"{ARN_PREFIX}:schedule-group/reports"
    group = call(sim, "GetScheduleGroup", {"Name": "reports"})
    assert (group["Arn"], group["Name"], group["State"]) == (arn, "reports", "ACTIVE")
    assert call(sim, "GetScheduleGroup", {"Name": "default"})["Arn"] == f"{ARN_PREFIX}:schedule-group/default"
    names = [g["Name"] for g in call(sim, "ListScheduleGroups", {})["ScheduleGroups"]]
    assert names == ["default", "reports"]
    assert [g["Name"] for g in call(sim, "ListScheduleGroups", {"NamePrefix": "rep"})["ScheduleGroups"]] == ["reports"]
    page = call(sim, "ListScheduleGroups", {"MaxResults": 1})
    assert [g["Name"] for g in page["ScheduleGroups"]] == ["default"]
    assert [g["Name"] for g in call(sim, "ListScheduleGroups", {"NextToken": page["NextToken"]})["ScheduleGroups"]] == ["reports"]
    call(sim, "CreateSchedule", request(GroupName="reports"))
    assert call(sim, "DeleteScheduleGroup", {"Name": "reports"}) == {}
    assert isinstance(error_of(sim, "GetScheduleGroup", {"Name": "reports"}), ResourceNotFoundError)
    assert call(sim, "ListSchedules", {})["Schedules"] == []


def test_group_errors(sim: Simulation) -> None:
    call(sim, "CreateScheduleGroup", {"Name": "reports"})
    assert isinstance(error_of(sim, "CreateScheduleGroup", {"Name": "reports"}), ConflictError)
    assert isinstance(error_of(sim, "CreateScheduleGroup", {"Name": "default"}), ConflictError)
    assert isinstance(error_of(sim, "DeleteScheduleGroup", {"Name": "default"}), ValidationError)
    missing = error_of(sim, "DeleteScheduleGroup", {"Name": "missing"})
    assert (missing.code, missing.status) == ("ResourceNotFoundException", 404)
    bad = error_of(sim, "CreateScheduleGroup", {"Name": "bad name"})
    assert str(bad) == (
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+"
    )


def test_max_results_out_of_range(sim: Simulation) -> None:
    error = error_of(sim, "ListScheduleGroups", {"MaxResults": 101})
    assert "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100" in str(error)


# ----------------------------------------------------------------- tags
def test_tag_untag_and_list_tags_of_a_group(sim: Simulation) -> None:
    # AWS-validated LocalStack tests test_tag_resource / test_untag_resource: tags belong to schedule groups.
    arn = call(sim, "CreateScheduleGroup", {"Name": "reports", "Tags": [{"Key": "team", "Value": "data"}]})["ScheduleGroupArn"]
    assert call(sim, "ListTagsForResource", {"ResourceArn": arn})["Tags"] == [{"Key": "team", "Value": "data"}]
    assert call(sim, "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "env", "Value": "prod"}]}) == {}
    assert call(sim, "ListTagsForResource", {"ResourceArn": arn})["Tags"] == [
        {"Key": "team", "Value": "data"},
        {"Key": "env", "Value": "prod"},
    ]
    assert call(sim, "UntagResource", {"ResourceArn": arn, "TagKeys": ["team"]}) == {}
    assert call(sim, "ListTagsForResource", {"ResourceArn": arn})["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_tags_need_an_existing_group_arn(sim: Simulation) -> None:
    missing = error_of(sim, "ListTagsForResource", {"ResourceArn": f"{ARN_PREFIX}:schedule-group/missing"})
    assert isinstance(missing, ResourceNotFoundError)
    call(sim, "CreateSchedule", request())
    not_a_group = error_of(sim, "ListTagsForResource", {"ResourceArn": f"{ARN_PREFIX}:schedule/default/job"})
    assert isinstance(not_a_group, ValidationError)
    assert "at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern" in str(not_a_group)


# ------------------------------------------------------- firing through the API
def test_a_schedule_created_through_the_api_delivers_to_its_queue(sim: Simulation) -> None:
    queue = RecordingEndpoint(sim, "jobs")
    call(
        sim,
        "CreateSchedule",
        request(
            "once",
            "at(2024-01-01T09:00:00)",
            ScheduleExpressionTimezone="Europe/Paris",
            Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": "hello"},
            ActionAfterCompletion="DELETE",
        ),
    )
    sim.advance(86400)
    assert queue.bodies == ["hello"]
    assert [record.time for record in sim.journal if record.kind == "scheduler.fired"] == [8 * 3600.0]
    assert call(sim, "ListSchedules", {})["Schedules"] == []


def test_update_may_keep_a_start_date_now_in_the_past(sim: Simulation) -> None:
    # The five-minute StartDate rule (getmoto/moto#8172, reported for CreateSchedule) is applied to a new
    # StartDate only: an update that sends the schedule's own StartDate again is accepted.
    start = datetime(2024, 1, 1, 1, 0, tzinfo=UTC)
    call(sim, "CreateSchedule", request(StartDate=start))
    sim.advance(3 * 3600)
    call(sim, "UpdateSchedule", request(StartDate=start, State="DISABLED"))
    sim.scheduler.get_schedule("job").enable()
    error = error_of(sim, "UpdateSchedule", request(StartDate=datetime(2024, 1, 1, 2, 0, tzinfo=UTC)))
    assert str(error) == "The StartDate you specify cannot be earlier than 5 minutes ago."


def test_schedule_group_quota(sim: Simulation) -> None:
    # scheduler-quotas.html: 500 schedule groups per account and Region (the default group included);
    # ServiceQuotaExceededException is HTTP 402 in the API model.
    for index in range(499):
        sim.scheduler.create_schedule_group(f"g{index}")
    error = error_of(sim, "CreateScheduleGroup", {"Name": "one-too-many"})
    assert (error.code, error.status) == ("ServiceQuotaExceededException", 402)
