"""The AWS-named operations for buses, rules, targets, tags and TestEventPattern.

Each result is checked against botocore's output shape for the operation. Error texts are those AWS
returned in LocalStack's AWS-validated snapshots (test_events.snapshot.json) unless a comment says
otherwise; the API Reference pages are https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_<Operation>.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import (
    InvalidEventPatternError,
    LimitExceededError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceError,
    Simulation,
    ValidationError,
)

from ._fakes import RecordingEndpoint
from ._shapes import assert_output_shape

PATTERN = json.dumps({"source": ["com.shop"]})


def call(sim: Simulation, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    result = sim.events.api.call(operation, params)
    assert_output_shape(operation, result)
    return result


@pytest.fixture
def sim() -> Simulation:
    return Simulation()


# ------------------------------------------------------------------ event buses
def test_create_describe_list_delete_bus(sim: Simulation) -> None:
    # AWS-validated snapshot test_create_list_describe_delete_custom_event_buses.
    arn = call(sim, "CreateEventBus", {"Name": "orders", "Description": "d"})["EventBusArn"]
    assert arn == "arn:aws:events:us-east-1:123456789012:event-bus/orders"
    described = call(sim, "DescribeEventBus", {"Name": "orders"})
    assert described["Name"] == "orders"
    assert described["Arn"] == arn
    assert described["Description"] == "d"
    assert call(sim, "DescribeEventBus", {"Name": arn})["Name"] == "orders"
    listed = call(sim, "ListEventBuses", {"NamePrefix": "ord"})["EventBuses"]
    assert [bus["Name"] for bus in listed] == ["orders"]
    assert [bus["Name"] for bus in call(sim, "ListEventBuses", {})["EventBuses"]] == ["default", "orders"]
    call(sim, "DeleteEventBus", {"Name": "orders"})
    assert call(sim, "ListEventBuses", {"NamePrefix": "ord"})["EventBuses"] == []


def test_describe_without_name_is_the_default_bus(sim: Simulation) -> None:
    assert call(sim, "DescribeEventBus", {})["Arn"].endswith(":event-bus/default")


def test_bus_errors(sim: Simulation) -> None:
    # AWS-validated snapshots test_create_multiple_event_buses_same_name,
    # test_describe_delete_not_existing_event_bus, test_delete_default_event_bus.
    call(sim, "CreateEventBus", {"Name": "orders"})
    with pytest.raises(ResourceExistsError, match=r"^Event bus orders already exists\.$") as exists:
        call(sim, "CreateEventBus", {"Name": "orders"})
    assert exists.value.code == "ResourceAlreadyExistsException"
    with pytest.raises(ResourceNotFoundError, match=r"^Event bus nope does not exist\.$"):
        call(sim, "DescribeEventBus", {"Name": "nope"})
    call(sim, "DeleteEventBus", {"Name": "nope"})  # deleting what does not exist succeeds
    with pytest.raises(ValidationError, match=r"^Cannot delete event bus default\.$"):
        call(sim, "DeleteEventBus", {"Name": "default"})
    with pytest.raises(ValidationError) as bad:
        call(sim, "CreateEventBus", {"Name": "a b"})
    assert str(bad.value) == (
        "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+"
    )


def test_list_event_buses_pages(sim: Simulation) -> None:
    # AWS-validated snapshot test_list_event_buses_with_limit: Limit and NextToken.
    for i in range(6):
        call(sim, "CreateEventBus", {"Name": f"bus-{i}"})
    first = call(sim, "ListEventBuses", {"NamePrefix": "bus-", "Limit": 3})
    second = call(sim, "ListEventBuses", {"NamePrefix": "bus-", "Limit": 5, "NextToken": first["NextToken"]})
    assert [b["Name"] for b in first["EventBuses"]] == ["bus-0", "bus-1", "bus-2"]
    assert [b["Name"] for b in second["EventBuses"]] == ["bus-3", "bus-4", "bus-5"]
    assert "NextToken" not in second


# ------------------------------------------------------------------------ rules
@pytest.mark.parametrize("bus", ["default", "custom"])
def test_put_list_describe_delete_rule(sim: Simulation, bus: str) -> None:
    # AWS-validated snapshot test_put_list_with_prefix_describe_delete_rule[custom/default].
    if bus == "custom":
        call(sim, "CreateEventBus", {"Name": "custom"})
    arn = call(sim, "PutRule", {"Name": "r1", "EventPattern": PATTERN, "EventBusName": bus})["RuleArn"]
    expected = "arn:aws:events:us-east-1:123456789012:rule/" + ("r1" if bus == "default" else "custom/r1")
    assert arn == expected
    listed = call(sim, "ListRules", {"NamePrefix": "r", "EventBusName": bus})["Rules"]
    assert listed == [{"Name": "r1", "Arn": arn, "EventPattern": PATTERN, "State": "ENABLED", "EventBusName": bus}]
    described = call(sim, "DescribeRule", {"Name": "r1", "EventBusName": bus})
    assert described == {**listed[0], "CreatedBy": "123456789012"}
    call(sim, "DeleteRule", {"Name": "r1", "EventBusName": bus})
    assert call(sim, "ListRules", {"EventBusName": bus})["Rules"] == []


def test_put_rule_again_replaces_it_and_keeps_targets(sim: Simulation) -> None:
    # API_PutRule: "If you omit arguments in PutRule, the old values for those arguments are not kept."
    # AWS-validated snapshot test_update_rule_with_targets: targets survive the update.
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN, "Description": "first", "State": "DISABLED"})
    queue = RecordingEndpoint(sim, "q")
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": queue.arn}]})
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    described = call(sim, "DescribeRule", {"Name": "r"})
    assert described["State"] == "ENABLED"
    assert "Description" not in described
    assert call(sim, "ListTargetsByRule", {"Rule": "r"})["Targets"] == [{"Id": "t", "Arn": queue.arn}]


def test_rule_errors(sim: Simulation) -> None:
    with pytest.raises(ResourceNotFoundError, match=r"^Rule nope does not exist on EventBus default\.$"):
        call(sim, "DescribeRule", {"Name": "nope"})  # AWS-validated test_describe_nonexistent_rule
    with pytest.raises(ResourceNotFoundError, match=r"^Event bus nope does not exist\.$"):
        call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN, "EventBusName": "nope"})
    with pytest.raises(ValidationError, match=r"^Parameter\(s\) EventPattern or ScheduleExpression must be specified\.$"):
        call(sim, "PutRule", {"Name": "r"})
    with pytest.raises(InvalidEventPatternError) as bad_pattern:
        call(sim, "PutRule", {"Name": "r", "EventPattern": json.dumps({"source": "com.shop"})})
    assert bad_pattern.value.code == "InvalidEventPatternException"
    assert str(bad_pattern.value).startswith("Event pattern is not valid. Reason: ")
    with pytest.raises(ValidationError) as bad_state:
        call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN, "State": "ON"})
    assert str(bad_state.value) == (
        "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy "
        "enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
    )
    call(sim, "DeleteRule", {"Name": "never-was"})  # deleting what does not exist succeeds


def test_schedules_only_on_the_default_bus(sim: Simulation) -> None:
    # eb-create-rule-schedule.html: scheduled rules are on the default event bus.
    call(sim, "CreateEventBus", {"Name": "custom"})
    with pytest.raises(ValidationError, match=r"^ScheduleExpression is supported only on the default event bus\.$"):
        call(sim, "PutRule", {"Name": "r", "ScheduleExpression": "rate(5 minutes)", "EventBusName": "custom"})
    with pytest.raises(ValidationError, match=r"^Parameter ScheduleExpression is not valid\.$"):
        call(sim, "PutRule", {"Name": "r", "ScheduleExpression": "rate(1 minutes)"})


def test_delete_rule_with_targets_is_refused(sim: Simulation) -> None:
    # AWS-validated snapshot test_delete_rule_with_targets.
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": RecordingEndpoint(sim, "q").arn}]})
    with pytest.raises(ValidationError, match=r"^Rule can't be deleted since it has targets\.$"):
        call(sim, "DeleteRule", {"Name": "r"})
    call(sim, "RemoveTargets", {"Rule": "r", "Ids": ["t"]})
    call(sim, "DeleteRule", {"Name": "r"})


def test_disable_and_enable_rule(sim: Simulation) -> None:
    # AWS-validated snapshot test_disable_re_enable_rule; a disabled rule does not deliver.
    queue = RecordingEndpoint(sim, "q")
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": queue.arn}]})
    entry = {"Source": "com.shop", "DetailType": "t", "Detail": "{}"}
    call(sim, "DisableRule", {"Name": "r"})
    assert call(sim, "DescribeRule", {"Name": "r"})["State"] == "DISABLED"
    call(sim, "PutEvents", {"Entries": [entry]})
    sim.run_until_idle()
    assert queue.messages == []
    call(sim, "EnableRule", {"Name": "r"})
    call(sim, "PutEvents", {"Entries": [entry]})
    sim.run_until_idle()
    assert len(queue.messages) == 1


def test_list_rules_pages(sim: Simulation) -> None:
    # AWS-validated snapshot test_list_rule_with_limit.
    for i in range(6):
        call(sim, "PutRule", {"Name": f"r-{i}", "EventPattern": PATTERN})
    first = call(sim, "ListRules", {"Limit": 3})
    second = call(sim, "ListRules", {"Limit": 5, "NextToken": first["NextToken"]})
    assert [r["Name"] for r in first["Rules"] + second["Rules"]] == [f"r-{i}" for i in range(6)]


# ---------------------------------------------------------------------- targets
def test_put_list_remove_targets(sim: Simulation) -> None:
    # AWS-validated snapshot test_put_list_remove_target.
    queue = RecordingEndpoint(sim, "q")
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    put = call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t1", "Arn": queue.arn}]})
    assert put == {"FailedEntryCount": 0, "FailedEntries": []}
    assert call(sim, "ListTargetsByRule", {"Rule": "r"})["Targets"] == [{"Id": "t1", "Arn": queue.arn}]
    removed = call(sim, "RemoveTargets", {"Rule": "r", "Ids": ["t1"]})
    assert removed == {"FailedEntryCount": 0, "FailedEntries": []}
    assert call(sim, "ListTargetsByRule", {"Rule": "r"})["Targets"] == []


def test_targets_keep_every_setting(sim: Simulation) -> None:
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    target = {
        "Id": "t",
        "Arn": "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
        "RoleArn": "arn:aws:iam::123456789012:role/events",
        "InputTransformer": {"InputPathsMap": {"id": "$.id"}, "InputTemplate": '{"id": <id>}'},
        "SqsParameters": {"MessageGroupId": "g1"},
        "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
        "HttpParameters": {"HeaderParameters": {"a": "b"}},
    }
    call(sim, "PutTargets", {"Rule": "r", "Targets": [target]})
    assert call(sim, "ListTargetsByRule", {"Rule": "r"})["Targets"] == [target]


def test_more_than_five_targets_is_a_limit_error(sim: Simulation) -> None:
    # AWS-validated snapshot test_add_exceed_fife_targets_per_rule; eb-quota.html: 5 targets per rule.
    arn = RecordingEndpoint(sim, "q").arn
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    with pytest.raises(LimitExceededError, match=r"^The requested resource exceeds the maximum number allowed\.$"):
        call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": f"t{i}", "Arn": arn} for i in range(7)]})
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": f"t{i}", "Arn": arn} for i in range(5)]})
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t0", "Arn": arn}]})  # replacing is fine
    with pytest.raises(LimitExceededError):
        call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": "t5", "Arn": arn}]})


def test_target_validation(sim: Simulation) -> None:
    # AWS-validated snapshot test_put_target_id_validation; the other texts from moto/LocalStack.
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    arn = "arn:aws:sqs:us-east-1:123456789012:q"

    def put(target: dict[str, Any]) -> str:
        with pytest.raises(ValidationError) as caught:
            call(sim, "PutTargets", {"Rule": "r", "Targets": [target]})
        return str(caught.value)

    assert put({"Id": "!@#$@!#$", "Arn": arn}) == (
        "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
    )
    long_id = "x" * 65
    assert put({"Id": long_id, "Arn": arn}) == (
        f"1 validation error detected: Value '{long_id}' at 'targets.1.member.id' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    assert put({"Id": "t", "Arn": "not-an-arn"}) == "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format."
    assert put({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q.fifo"}) == (
        "Parameter(s) SqsParameters must be specified for target: t."
    )
    assert put({"Id": "t", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 186}}) == (
        "1 validation error detected: Value '186' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed "
        "to satisfy constraint: Member must have value less than or equal to 185"
    )
    assert put({"Id": "t", "Arn": arn, "RetryPolicy": {"MaximumEventAgeInSeconds": 59}}) == (
        "1 validation error detected: Value '59' at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed "
        "to satisfy constraint: Member must have value greater than or equal to 60"
    )
    assert put({"Id": "t", "Arn": arn, "Input": "{nope"}).startswith("JSON syntax error in input for target t")
    assert put({"Id": "t", "Arn": arn, "Input": "{}", "InputPath": "$.detail"}) == (
        "Only one of Input, InputPath, or InputTransformer must be provided for target t."
    )
    assert call(sim, "ListTargetsByRule", {"Rule": "r"})["Targets"] == []


def test_targets_on_a_missing_rule(sim: Simulation) -> None:
    with pytest.raises(ResourceNotFoundError, match=r"^Rule nope does not exist on EventBus default\.$"):
        call(sim, "PutTargets", {"Rule": "nope", "Targets": [{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q"}]})


def test_list_targets_pages_and_rule_names_by_target(sim: Simulation) -> None:
    # AWS-validated snapshot test_list_target_by_rule_limit.
    arn = RecordingEndpoint(sim, "q").arn
    call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN})
    call(sim, "PutRule", {"Name": "s", "EventPattern": PATTERN})
    call(sim, "PutTargets", {"Rule": "r", "Targets": [{"Id": f"t{i}", "Arn": arn} for i in range(5)]})
    call(sim, "PutTargets", {"Rule": "s", "Targets": [{"Id": "x", "Arn": arn}]})
    first = call(sim, "ListTargetsByRule", {"Rule": "r", "Limit": 3})
    second = call(sim, "ListTargetsByRule", {"Rule": "r", "Limit": 3, "NextToken": first["NextToken"]})
    assert [t["Id"] for t in first["Targets"] + second["Targets"]] == [f"t{i}" for i in range(5)]
    assert call(sim, "ListRuleNamesByTarget", {"TargetArn": arn})["RuleNames"] == ["r", "s"]


# ------------------------------------------------------------------------- tags
def test_tags_on_buses_and_rules(sim: Simulation) -> None:
    # API_TagResource: event buses and rules can be tagged.
    bus_arn = call(sim, "CreateEventBus", {"Name": "b", "Tags": [{"Key": "team", "Value": "a"}]})["EventBusArn"]
    rule_arn = call(sim, "PutRule", {"Name": "r", "EventPattern": PATTERN, "EventBusName": "b"})["RuleArn"]
    assert call(sim, "ListTagsForResource", {"ResourceARN": bus_arn})["Tags"] == [{"Key": "team", "Value": "a"}]
    call(sim, "TagResource", {"ResourceARN": rule_arn, "Tags": [{"Key": "k", "Value": "v"}, {"Key": "x", "Value": ""}]})
    call(sim, "UntagResource", {"ResourceARN": rule_arn, "TagKeys": ["x"]})
    assert call(sim, "ListTagsForResource", {"ResourceARN": rule_arn})["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ResourceNotFoundError):
        call(sim, "ListTagsForResource", {"ResourceARN": rule_arn.replace("/r", "/nope")})


# ---------------------------------------------------------------- managed rules
def test_managed_rules_need_force(sim: Simulation) -> None:
    # An archive's rule is managed by EventBridge; changing it needs Force (text seen from AWS in
    # public issue threads: "<name> is a managed rule. Set 'force' parameter to true to override.").
    call(sim, "CreateArchive", {"ArchiveName": "a", "EventSourceArn": sim.events.default_bus.arn})
    rule = call(sim, "ListRules", {"NamePrefix": "Events-Archive-"})["Rules"][0]
    assert rule["Name"] == "Events-Archive-a"
    assert rule["ManagedBy"] == "prod.vhs.events.aws.internal"
    cases: list[tuple[str, dict[str, Any]]] = [
        ("DisableRule", {"Name": "Events-Archive-a"}),
        ("DeleteRule", {"Name": "Events-Archive-a"}),
        ("PutRule", {"Name": "Events-Archive-a", "EventPattern": PATTERN}),
        ("RemoveTargets", {"Rule": "Events-Archive-a", "Ids": ["x"]}),
    ]
    for operation, params in cases:
        with pytest.raises(ServiceError) as caught:
            call(sim, operation, params)
        assert caught.value.code == "ManagedRuleException"
        assert str(caught.value) == "Events-Archive-a is a managed rule. Set 'force' parameter to true to override."


# ------------------------------------------------------------ TestEventPattern
def test_test_event_pattern(sim: Simulation) -> None:
    # API_TestEventPattern.
    event = {
        "id": "1",
        "account": "123456789012",
        "source": "com.shop",
        "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1",
        "detail-type": "t",
        "detail": {"n": 5},
    }
    hit = {"EventPattern": json.dumps({"detail": {"n": [{"numeric": [">", 1]}]}}), "Event": json.dumps(event)}
    assert call(sim, "TestEventPattern", hit) == {"Result": True}
    miss = dict(hit, EventPattern=json.dumps({"source": ["other"]}))
    assert call(sim, "TestEventPattern", miss) == {"Result": False}
    with pytest.raises(InvalidEventPatternError):
        call(sim, "TestEventPattern", dict(hit, EventPattern=json.dumps({"source": []})))
    for field in ("id", "account", "source", "time", "region", "detail-type"):
        incomplete = {key: value for key, value in event.items() if key != field}
        with pytest.raises(ValidationError, match=r"^Parameter Event is not valid\.$"):
            call(sim, "TestEventPattern", dict(hit, Event=json.dumps(incomplete)))
    with pytest.raises(ValidationError, match=r"^Parameter Event is not valid\.$"):
        call(sim, "TestEventPattern", dict(hit, Event="[1]"))
    # nested deeper than Python can walk: refused like any other unusable event, not an InternalFailure
    deep = json.dumps(event)[:-1] + ', "deep": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
    with pytest.raises(ValidationError, match=r"^Parameter Event is not valid\.$"):
        call(sim, "TestEventPattern", dict(hit, Event=deep))


def test_unknown_operation_and_missing_parameters(sim: Simulation) -> None:
    with pytest.raises(ServiceError) as unknown:
        sim.events.api.call("PutPartnerEvents", {})
    assert unknown.value.code == "UnknownOperationException"
    with pytest.raises(ValidationError, match="Value null at 'name' failed to satisfy constraint: Member must not be null"):
        sim.events.api.call("PutRule", {})
    assert len(sim.events.api.operations) == 28
