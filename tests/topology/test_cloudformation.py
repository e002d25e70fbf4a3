"""CloudFormation templates: intrinsic functions, conditions, parameters, return values, order, warnings.

Pages: "Intrinsic function reference"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html),
"Conditions" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html),
"Parameters" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html)
and each resource type's page, named in the tests.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.topology import TopologyError, load

from ._helpers import write

INTRINSICS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Retention:
    Type: Number
    Default: 7
    MinValue: 1
  Zones:
    Type: CommaDelimitedList
    Default: "a,b,c"
  Prefix:
    Type: String
    Default: shop
    AllowedPattern: "[a-z]+"
Mappings:
  Sizes:
    dev: {Visibility: 30}
    prod: {Visibility: 120}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  DevAndShop: !And [!Condition IsDev, !Equals [!Ref Prefix, shop]]
  EitherStage: !Or [!Condition IsProd, !Condition IsDev]
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [!Ref Prefix, !Ref Stage, dlq]]
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-${Stage}-orders"
      VisibilityTimeout: !FindInMap [Sizes, !Ref Stage, Visibility]
      DelaySeconds: !If [IsProd, 5, !Ref AWS::NoValue]
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: !Select [1, [1, 4, 9]]
      Tags:
        - {Key: zone, Value: !Select [2, !Ref Zones]}
        - {Key: split, Value: !Select [1, !Split [":", "x:y:z"]]}
        - {Key: region, Value: !Sub "${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${AWS::StackName}"}
        - {Key: literal, Value: !Sub "${!NotAVariable}"}
        - {Key: form2, Value: !Sub ["${Name}@${Dlq.QueueName}", {Name: !Ref Stage}]}
        - {Key: zones, Value: !Join [",", !GetAZs ""]}
        - {Key: encoded, Value: !Base64 hello}
        - {Key: json, Value: {"Fn::ToJsonString": {a: [1, 2]}}}
        - {Key: length, Value: {"Fn::Length": [1, 2, 3]}}
        - {Key: url, Value: !Ref Dlq}
        - Fn::If: [DevAndShop, {Key: dev, Value: "yes"}, !Ref AWS::NoValue]
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Both:
    Type: AWS::SQS::Queue
    Condition: EitherStage
    Properties:
      QueueName: !If [IsProd, both-prod, !Sub "both-${Retention}"]
Outputs:
  OrdersUrl:
    Value: !Ref Orders
  OrdersArn:
    Value: !GetAtt Orders.Arn
  ProdOnly:
    Condition: IsProd
    Value: !Ref ProdOnly
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write(tmp_path, "template.yaml", INTRINSICS)


def tags_of(sim: Simulation, name: str) -> dict[str, str]:
    return sim.sqs.get_queue(name).tags


def test_intrinsic_functions_with_defaults(template: Path, sim: Simulation) -> None:
    # Ref, Fn::Sub (both forms, ${!Literal}), Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap,
    # Fn::GetAZs, Fn::Base64, Fn::ToJsonString, Fn::Length and the pseudo parameters
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
    topology = load(template, sim, parameters={"AWS::StackName": "shop-stack"})
    orders = sim.sqs.get_queue("shop-dev-orders")
    assert orders.visibility_timeout == 30
    assert orders.delay_seconds == 0  # Fn::If to AWS::NoValue leaves the property out
    assert orders.redrive_policy is not None
    assert orders.redrive_policy.max_receive_count == 4
    assert orders.redrive_policy.dead_letter_target_arn == sim.arn("sqs", "shop-dev-dlq")
    assert tags_of(sim, "shop-dev-orders") == {
        "zone": "c",
        "split": "y",
        "region": "us-east-1/123456789012/aws/shop-stack",
        "literal": "${NotAVariable}",
        "form2": "dev@shop-dev-dlq",
        "zones": "us-east-1a,us-east-1b,us-east-1c",
        "encoded": base64.b64encode(b"hello").decode(),
        "json": '{"a":[1,2]}',
        "length": "3",
        "url": "https://sqs.us-east-1.amazonaws.com/123456789012/shop-dev-dlq",
        "dev": "yes",
    }
    assert "Both" in topology.resources
    assert sim.sqs.get_queue("both-7").name == "both-7"
    assert topology.outputs == {
        "OrdersUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/shop-dev-orders",
        "OrdersArn": sim.arn("sqs", "shop-dev-orders"),
    }


def test_parameter_overrides_and_conditions(template: Path, sim: Simulation) -> None:
    # Parameters with overrides; Condition on resources and outputs.
    topology = load(template, sim, parameters={"Stage": "prod", "Retention": 3})
    orders = sim.sqs.get_queue("shop-prod-orders")
    assert (orders.visibility_timeout, orders.delay_seconds) == (120, 5)
    assert "dev" not in orders.tags
    assert "ProdOnly" in topology.resources
    assert sim.sqs.get_queue("both-prod").name == "both-prod"
    assert topology.outputs["ProdOnly"] == sim.sqs.get_queue(topology.resources["ProdOnly"]).url


def test_a_false_condition_skips_the_resource_with_a_note(template: Path, sim: Simulation) -> None:
    topology = load(template, sim)
    assert "ProdOnly" not in topology.resources
    assert "ProdOnly (AWS::SQS::Queue): not created, its condition IsProd is false" in topology.notes
    assert "ProdOnly" not in topology.outputs


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"Stage": "qa"}, "Parameter 'Stage' must be one of AllowedValues (dev, prod); got 'qa'"),
        ({"Retention": 0}, "Parameter 'Retention' must be a number not less than 1"),
        ({"Retention": "many"}, "Parameter 'Retention' must be a number; got 'many'"),
        ({"Prefix": "Shop1"}, "Parameter 'Prefix' must match pattern [a-z]+; got 'Shop1'"),
        (
            {"Nope": "x"},
            "parameters given that the template does not declare: Nope (declared: Stage, Retention, Zones, Prefix)",
        ),
    ],
)
def test_parameter_checks(template: Path, parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(TopologyError) as caught:
        load(template, Simulation(), parameters=parameters)
    assert caught.value.reason == message


def test_a_parameter_without_default_needs_a_value(sim: Simulation) -> None:
    template = {
        "Parameters": {"Name": {"Type": "String"}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
    }
    with pytest.raises(
        TopologyError,
        match=r"no value: the parameter has no Default; give one with load\(\.\.\., parameters=\{'Name': \.\.\.\}\)",
    ):
        load(template, sim)
    load(template, sim, parameters={"Name": "given"})
    assert sim.sqs.get_queue("given").name == "given"


def test_json_templates_with_long_forms(sim: Simulation, tmp_path: Path) -> None:
    # The same functions in JSON: {"Ref": ...}, {"Fn::GetAtt": [...]} and "Fn::GetAtt": "A.B".
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
            "Work": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": {"Fn::Join": ["", ["work-", {"Fn::GetAtt": "Dlq.QueueName"}]]},
                    "RedrivePolicy": json.dumps(
                        {
                            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq",
                            "maxReceiveCount": "5",
                        }
                    ),
                },
            },
        },
    }
    path = write(tmp_path, "template.json", json.dumps(template, indent=2))
    topology = load(path, sim)
    assert topology.kind == "cloudformation"
    policy = sim.sqs.get_queue("work-dlq").redrive_policy
    assert policy is not None
    assert policy.max_receive_count == 5


def test_resources_are_created_in_dependency_order(sim: Simulation) -> None:
    # References and DependsOn decide the order, not the template's
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html).
    template = {
        "Resources": {
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventBusName": {"Ref": "Bus"},
                    "EventPattern": {"source": ["a"]},
                    "Targets": [{"Id": "q", "Arn": {"Fn::GetAtt": ["Queue", "Arn"]}}],
                },
            },
            "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Late"},
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "b"}},
            "Late": {"Type": "AWS::SQS::Queue"},
        }
    }
    topology = load(template, sim)
    assert list(topology.resources) == [
        "Bus",
        "Late",
        "Queue",
        "Rule",
    ]  # depth first from the template's first resource


def test_ref_and_getatt_return_values(sim: Simulation) -> None:
    # Each type's "Return values": a queue's Ref is its URL
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html), a topic's
    # its ARN (aws-resource-sns-topic.html), a bus's its name (aws-resource-events-eventbus.html), a rule's its
    # name (aws-resource-events-rule.html), a function's its name (aws-resource-lambda-function.html).
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}},
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "b"}},
            "OnDefault": {
                "Type": "AWS::Events::Rule",
                "Properties": {"Name": "d", "EventPattern": {"source": ["a"]}},
            },
            "OnBus": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": "r",
                    "EventBusName": {"Ref": "Bus"},
                    "EventPattern": {"source": ["a"]},
                },
            },
            "Archive": {
                "Type": "AWS::Events::Archive",
                "Properties": {"SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]}},
            },
            "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": "g"}},
        },
        "Outputs": {
            name: {"Value": value}
            for name, value in {
                "QueueRef": {"Ref": "Queue"},
                "QueueArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                "QueueName": {"Fn::GetAtt": ["Queue", "QueueName"]},
                "QueueUrl": {"Fn::GetAtt": ["Queue", "QueueUrl"]},
                "TopicRef": {"Ref": "Topic"},
                "TopicName": {"Fn::GetAtt": ["Topic", "TopicName"]},
                "BusRef": {"Ref": "Bus"},
                "BusArn": {"Fn::GetAtt": ["Bus", "Arn"]},
                "DefaultRuleRef": {"Ref": "OnDefault"},
                "BusRuleRef": {"Ref": "OnBus"},
                "BusRuleArn": {"Fn::GetAtt": ["OnBus", "Arn"]},
                "ArchiveRef": {"Ref": "Archive"},
                "GroupRef": {"Ref": "Group"},
                "GroupArn": {"Fn::GetAtt": ["Group", "Arn"]},
            }.items()
        },
    }
    outputs = load(template, sim, parameters={"AWS::StackName": "s"}).outputs
    assert outputs == {
        "QueueRef": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        "QueueArn": sim.arn("sqs", "q"),
        "QueueName": "q",
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        "TopicRef": sim.arn("sns", "t"),
        "TopicName": "t",
        "BusRef": "b",
        "BusArn": sim.arn("events", "event-bus/b"),
        "DefaultRuleRef": "d",
        "BusRuleRef": "b|r",
        "BusRuleArn": sim.arn("events", "rule/b/r"),
        "ArchiveRef": "s-Archive",
        "GroupRef": "g",
        "GroupArn": sim.arn("scheduler", "schedule-group/g"),
    }


def test_getatt_of_an_unknown_attribute(sim: Simulation) -> None:
    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"X": {"Value": {"Fn::GetAtt": ["Q", "Url"]}}},
    }
    with pytest.raises(TopologyError) as caught:
        load(template, sim)
    assert (
        caught.value.reason
        == "Fn::GetAtt Q.Url: AWS::SQS::Queue has no attribute Url (known: Arn, QueueName, QueueUrl)"
    )
    assert caught.value.created == ("Q",)


def test_ref_to_a_resource_whose_condition_is_false(sim: Simulation) -> None:
    template = {
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
        "Resources": {
            "Skipped": {"Type": "AWS::SQS::Queue", "Condition": "Never"},
            "User": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": {"Fn::GetAtt": ["Skipped", "QueueName"]}},
            },
        },
    }
    with pytest.raises(TopologyError, match=r"Skipped is not created \(its condition Never is false\)"):
        load(template, sim)


def test_unsupported_resources_are_listed_never_dropped(sim: Simulation) -> None:
    # Types the simulation does not model give warnings and placeholder return values.
    template = {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"Tags": [{"Key": "table", "Value": {"Fn::GetAtt": ["Table", "Arn"]}}]},
            },
            "Stream": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
                    "FunctionName": "f",
                    "StartingPosition": "LATEST",
                },
            },
        }
    }
    topology = load(template, sim, parameters={"AWS::StackName": "s"})
    assert topology.warnings == [
        "Table (AWS::DynamoDB::Table): not simulated; references to it resolve to placeholder names and ARNs",
        "Stream (AWS::Lambda::EventSourceMapping): only SQS event sources are simulated, not arn:aws:kinesis:us-east-1:123456789012:stream/s; not simulated",
    ]
    assert list(topology.resources) == ["Queue"]
    assert sim.sqs.get_queue("s-Queue").tags == {
        "table": "arn:aws:dynamodb:us-east-1:123456789012:table/s-Table"
    }


def test_policies_roles_and_permissions_are_notes(sim: Simulation) -> None:
    # AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy, AWS::Lambda::Permission, AWS::IAM::Role: accepted, no effect.
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "QueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": {}},
            },
            "TopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {}},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"RoleName": "worker", "AssumeRolePolicyDocument": {}},
            },
            "Permission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": "f",
                    "Action": "lambda:InvokeFunction",
                    "Principal": "sns.amazonaws.com",
                },
            },
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}}},
    }
    topology = load(template, sim)
    assert topology.warnings == []
    assert topology.notes == [
        "QueuePolicy (AWS::SQS::QueuePolicy): accepted, no effect (queue policies are not enforced)",
        "TopicPolicy (AWS::SNS::TopicPolicy): accepted, no effect (topic policies are not enforced)",
        "Role (AWS::IAM::Role): accepted, no effect (the simulation has no IAM)",
        "Permission (AWS::Lambda::Permission): accepted, no effect (invoke permissions are not enforced)",
    ]
    assert topology.outputs == {"RoleArn": "arn:aws:iam::123456789012:role/worker"}
    assert list(topology.resources) == ["Queue", "Topic"]


def test_topic_with_inline_and_separate_subscriptions(sim: Simulation, tmp_path: Path) -> None:
    # AWS::SNS::Topic Subscription (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html)
    # and AWS::SNS::Subscription (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html).
    text = """\
Resources:
  Inbox: {Type: AWS::SQS::Queue, Properties: {QueueName: inbox}}
  Raw: {Type: AWS::SQS::Queue, Properties: {QueueName: raw}}
  Dlq: {Type: AWS::SQS::Queue, Properties: {QueueName: dlq}}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: orders
      DisplayName: Orders
      Subscription:
        - {Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
  RawSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Raw.Arn
      RawMessageDelivery: "true"
      FilterPolicyScope: MessageBody
      FilterPolicy: {kind: [placed]}
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn}
"""
    topology = load(write(tmp_path, "template.yaml", text), sim)
    assert topology.resources["RawSubscription"].startswith(sim.arn("sns", "orders:"))
    topic = sim.sns.topic("orders")
    topic.publish('{"kind": "placed"}')
    topic.publish('{"kind": "cancelled"}')
    sim.run_until_idle()
    assert [m.body for m in sim.sqs.get_queue("raw").receive(max_messages=10)] == ['{"kind": "placed"}']
    assert len(sim.sqs.get_queue("inbox").receive(max_messages=10)) == 2


def test_rules_archives_and_schedules(sim: Simulation, tmp_path: Path) -> None:
    # AWS::Events::Rule targets (aws-resource-events-rule.html), AWS::Events::Archive (aws-resource-events-archive.html),
    # AWS::Scheduler::Schedule (aws-resource-scheduler-schedule.html).
    text = """\
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: q}}
  Dlq: {Type: AWS::SQS::Queue, Properties: {QueueName: dlq}}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: shop}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: big
      EventBusName: !GetAtt Bus.Arn
      State: ENABLED
      EventPattern: '{"detail": {"total": [{"numeric": [">", 100]}]}}'
      Targets:
        - Id: to-queue
          Arn: !GetAtt Queue.Arn
          InputTransformer: {InputPathsMap: {id: $.detail.id}, InputTemplate: '{"big": <id>}'}
          RetryPolicy: {MaximumRetryAttempts: "2", MaximumEventAgeInSeconds: 60}
          DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
  Scheduled:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(5 minutes)
      State: DISABLED
      Targets: [{Id: q, Arn: !GetAtt Queue.Arn, Input: '{"tick": true}'}]
  Archive:
    Type: AWS::Events::Archive
    Properties: {ArchiveName: everything, SourceArn: !GetAtt Bus.Arn, RetentionDays: 3}
  Group: {Type: AWS::Scheduler::ScheduleGroup, Properties: {Name: jobs}}
  Schedule:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: hourly
      GroupName: !Ref Group
      ScheduleExpression: cron(0 * * * ? *)
      ScheduleExpressionTimezone: Europe/Paris
      FlexibleTimeWindow: {Mode: FLEXIBLE, MaximumWindowInMinutes: "5"}
      Target:
        Arn: !GetAtt Queue.Arn
        RoleArn: arn:aws:iam::123456789012:role/scheduler
        Input: '{"job": "hourly"}'
        RetryPolicy: {MaximumRetryAttempts: 1}
"""
    topology = load(write(tmp_path, "template.yaml", text), sim, parameters={"AWS::StackName": "s"})
    rule = sim.events.get_bus("shop").get_rule("big")
    target = rule.targets["to-queue"].to_aws()
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}
    assert target["DeadLetterConfig"] == {"Arn": sim.arn("sqs", "dlq")}
    scheduled = sim.events.default_bus.get_rule("s-Scheduled")
    assert (scheduled.state, scheduled.schedule is not None) == ("DISABLED", True)
    assert sim.events.get_archive("everything").retention_days == 3
    schedule = sim.scheduler.get_schedule("hourly", group="jobs")
    assert (schedule.spec.timezone, schedule.spec.window_minutes, schedule.target.max_retries) == (
        "Europe/Paris",
        5,
        1,
    )
    assert topology.resources["Schedule"] == sim.arn("scheduler", "schedule/jobs/hourly")
    sim.events.bus("shop").put(source="shop", detail_type="x", detail={"id": 3, "total": 300})
    sim.run_until_idle()
    assert [m.body for m in sim.sqs.get_queue("q").receive(max_messages=10)] == [
        '{"big":3}'
    ]  # JSON templates are minified


def test_lambda_function_code_forms(sim: Simulation, tmp_path: Path) -> None:
    # AWS::Lambda::Function Code: a local path (as `aws cloudformation package` takes it) or ZipFile
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html),
    # and AWS::Lambda::EventSourceMapping (aws-resource-lambda-eventsourcemapping.html).
    (tmp_path / "code").mkdir()
    write(
        tmp_path / "code",
        "worker.py",
        "seen = []\n\ndef handle(event, context):\n    seen.extend(r['body'] for r in event['Records'])\n",
    )
    text = """\
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs, VisibilityTimeout: 60}}
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Runtime: python3.12
      Handler: worker.handle
      Role: arn:aws:iam::123456789012:role/worker
      Code: ./code
      Timeout: 30
      MemorySize: 512
  Inline:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/worker
      Code:
        ZipFile: |
          def handler(event, context):
              return {"ok": True}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Worker
      BatchSize: 2
      MaximumBatchingWindowInSeconds: 1
      FunctionResponseTypes: [ReportBatchItemFailures]
      ScalingConfig: {MaximumConcurrency: 2}
      FilterCriteria:
        Filters:
          - Pattern: '{"body": {"keep": [true]}}'
"""
    topology = load(write(tmp_path, "template.yaml", text), sim, parameters={"AWS::StackName": "s"})
    worker = sim.lambda_.get_function("worker")
    assert (worker.timeout, worker.memory) == (30, 512)
    assert sim.lambda_.get_function("s-Inline").invoke({}).payload == {"ok": True}
    mapping = sim.lambda_.get_event_source_mapping(topology.resources["Mapping"].rsplit(":", 1)[-1])
    assert (
        mapping.batch_size,
        mapping.window,
        mapping.max_concurrency,
        mapping.report_batch_item_failures,
    ) == (2, 1, 2, True)
    queue = sim.sqs.get_queue("jobs")
    queue.send('{"keep": true}')
    queue.send('{"keep": false}')
    sim.advance(5)
    assert topology.modules["code:worker"].seen == ['{"keep": true}']
    assert sorted(topology.modules) == ["Inline:index", "code:worker"]


def test_non_python_runtimes_are_warned_about(sim: Simulation) -> None:
    template = {
        "Resources": {
            "Node": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "nodejs20.x",
                    "Handler": "index.h",
                    "Role": "r",
                    "Code": {"ZipFile": "x"},
                },
            },
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Node", "Arn"]}}},
    }
    topology = load(template, sim, parameters={"AWS::StackName": "s"})
    assert topology.warnings == [
        "Node (AWS::Lambda::Function): runtime nodejs20.x cannot run in the simulation (only Python handlers); not simulated"
    ]
    assert topology.outputs == {"Arn": sim.arn("lambda", "function:s-Node")}
    assert topology.resources == {}
