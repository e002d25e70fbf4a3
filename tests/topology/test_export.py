"""export: a simulation as a CloudFormation template that passes cfn-lint and loads back to the same thing.

"What was tested offline is what gets deployed" (design.md, "Scale beyond one machine"). Each resource
is written as its CloudFormation type's page describes it (AWS::SQS::Queue aws-resource-sqs-queue.html,
AWS::SNS::Topic aws-resource-sns-topic.html, AWS::SNS::Subscription aws-resource-sns-subscription.html,
AWS::Events::EventBus/Rule/Archive, AWS::Scheduler::ScheduleGroup/Schedule,
AWS::Lambda::EventSourceMapping, AWS::Serverless::Function sam-resource-function.html), checked by
cfn-lint (https://github.com/aws-cloudformation/cfn-lint).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint  # type: ignore[import-untyped]

from eventbus import Simulation
from eventbus.topology import TopologyError, export, export_yaml, load
from eventbus.topology._yaml import parse_text

from ._helpers import DATA, snapshot


def lint_errors(text: str) -> list[str]:
    """cfn-lint's findings (errors and warnings) for a template."""
    return [
        f"{match.rule.id} {match.message} (line {match.linenumber})"
        for match in lint(text, regions=["us-east-1"])
    ]


def loaded(source: Path | dict[str, Any], **kwargs: Any) -> Simulation:
    sim = Simulation(seed=3)
    load(source, sim, **kwargs)
    return sim


@pytest.mark.parametrize("source", [DATA / "shop.yaml", DATA / "sam" / "template.yaml", DATA / "shop.json"])
def test_export_passes_cfn_lint(source: Path) -> None:
    text = export_yaml(loaded(source), base_dir=source.parent)
    assert lint_errors(text) == []


@pytest.mark.parametrize("source", [DATA / "shop.yaml", DATA / "sam" / "template.yaml"])
def test_export_round_trips(source: Path) -> None:
    # load(export(sim)) builds an equivalent simulation: same queues, topics, subscriptions, buses, rules,
    # targets, archives, schedules, functions and event source mappings.
    original = loaded(source)
    template = export(original, base_dir=source.parent)
    again = loaded(template, base_dir=source.parent)
    assert snapshot(again) == snapshot(original)


def test_yaml_uses_short_forms_and_reads_back(tmp_path: Path) -> None:
    sim = loaded(DATA / "shop.yaml")
    text = export_yaml(sim, base_dir=DATA)
    assert "!GetAtt OrdersDlqQueue.Arn" in text
    assert "!Ref ShopBus" in text
    assert parse_text(text, "export.yaml") == export(sim, base_dir=DATA)


def test_what_the_shop_exports(tmp_path: Path) -> None:
    template = export(loaded(DATA / "shop.yaml"), base_dir=DATA)
    resources = template["Resources"]
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert resources["OrdersQueue"] == {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": "orders",
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": ["OrdersDlqQueue", "Arn"]},
                "maxReceiveCount": 3,
            },
        },
    }
    assert resources["OrdersDlqQueue"]["Properties"]["RedriveAllowPolicy"] == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [{"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"}],
    }
    assert resources["PaymentsFifoQueue"]["Properties"] == {
        "QueueName": "payments.fifo",
        "FifoQueue": True,
        "ContentBasedDeduplication": True,
    }
    big = resources["ShopBigOrdersRule"]["Properties"]
    assert big["EventBusName"] == {"Ref": "ShopBus"}
    assert big["Targets"][0] == {
        "Id": "orders",
        "Arn": {"Fn::GetAtt": ["OrdersQueue", "Arn"]},
        "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"id": <id>}'},
        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["OrdersDlqQueue", "Arn"]}},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
    }
    assert resources["NightlyRule"]["Properties"]["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert "EventBusName" not in resources["NightlyRule"]["Properties"]
    assert resources["AllOrdersArchive"]["Properties"] == {
        "ArchiveName": "all-orders",
        "SourceArn": {"Fn::GetAtt": ["ShopBus", "Arn"]},
        "EventPattern": {"source": ["shop"]},
        "RetentionDays": 7,
    }
    assert resources["HourlySchedule"]["Properties"]["GroupName"] == {"Ref": "JobsScheduleGroup"}
    assert resources["HourlySchedule"]["Properties"]["Target"]["RoleArn"] == {
        "Fn::GetAtt": ["EventbusSchedulerRole", "Arn"]
    }
    audit = resources["AuditFunction"]["Properties"]
    assert (audit["Handler"], audit["CodeUri"], audit["Runtime"], audit["Timeout"]) == (
        "shop.handlers.audit",
        ".",
        "python3.12",
        10,
    )
    assert resources["ReportFunction"]["Properties"]["EventInvokeConfig"] == {
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {
            "OnSuccess": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["ReportsQueue", "Arn"]}}
        },
    }
    assert resources["WorkerOrdersMapping"]["Properties"] == {
        "EventSourceArn": {"Fn::GetAtt": ["OrdersQueue", "Arn"]},
        "FunctionName": {"Ref": "WorkerFunction"},
        "BatchSize": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }
    subscription = resources["OrderEventsOrdersSubscription"]["Properties"]
    assert subscription == {
        "TopicArn": {"Ref": "OrderEventsTopic"},
        "Protocol": "sqs",
        "Endpoint": {"Fn::GetAtt": ["OrdersQueue", "Arn"]},
        "FilterPolicy": {"kind": ["placed"]},
        "FilterPolicyScope": "MessageAttributes",
        "RawMessageDelivery": True,
    }


def test_export_adds_the_permissions_aws_needs(tmp_path: Path) -> None:
    # EventBridge and SNS need a queue policy to send to SQS and a Lambda permission to invoke a function
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html); Scheduler needs
    # an execution role (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role).
    resources = export(loaded(DATA / "shop.yaml"), base_dir=DATA)["Resources"]
    policy = resources["OrdersQueuePolicy"]["Properties"]
    senders = [statement["Principal"]["Service"] for statement in policy["PolicyDocument"]["Statement"]]
    assert sorted(senders) == ["events.amazonaws.com", "sns.amazonaws.com"]
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert {(p["FunctionName"]["Ref"], p["Principal"]) for p in permissions} == {
        ("AuditFunction", "events.amazonaws.com"),
        ("AuditFunction", "sns.amazonaws.com"),
        ("ReportFunction", "events.amazonaws.com"),
    }
    assert resources["EventbusSchedulerRole"]["Type"] == "AWS::IAM::Role"
    assert resources["WorkerFunction"]["Properties"]["Policies"] == [
        {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": ["OrdersQueue", "QueueName"]}}}
    ]


def test_export_of_one_topology_leaves_the_others_out() -> None:
    sim = Simulation()
    first = load({"queues": {"a": {}}}, sim)
    load({"queues": {"b": {}}}, sim)
    assert list(export(first)["Resources"]) == ["AQueue"]
    assert list(export(sim)["Resources"]) == ["AQueue", "BQueue"]


def test_plain_callable_targets_become_functions_with_a_warning() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("q")
    rule = sim.events.bus("b").rule("r", pattern={"source": ["x"]})
    rule.target(lint_errors)
    rule.target(queue)
    template = export(sim, base_dir=Path(__file__).parent)
    function = template["Resources"]["LintErrorsFunction"]
    assert function["Properties"]["Handler"] == f"{__name__}.lint_errors"
    assert function["Properties"]["CodeUri"] == "/".join([".."] * __name__.count("."))
    [warning] = template["Metadata"]["eventbus"]["warnings"]
    assert warning.startswith(
        "callable lint_errors: a plain Python callable target is exported as a Lambda function"
    )
    assert lint_errors(export_yaml(sim, base_dir=Path(__file__).parent)) == []


def test_export_reads_without_changing_the_simulation() -> None:
    sim = loaded(DATA / "shop.yaml")
    before = len(sim.journal)
    export(sim, base_dir=DATA)
    assert len(sim.journal) == before


def test_nothing_to_export() -> None:
    with pytest.raises(TopologyError, match="the simulation holds nothing to export"):
        export(Simulation())
