"""SAM templates: AWS::Serverless::Function with each event type, expanded as SAM expands them.

Pages: AWS::Serverless::Function
(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html),
its event source types (sam-property-function-sqs.html, sam-property-function-sns.html,
sam-property-function-eventbridgerule.html, sam-property-function-cloudwatchevent.html,
sam-property-function-schedule.html, sam-property-function-schedulev2.html), "Generated CloudFormation
resources" (sam-specification-generated-resources.html) and the Globals section
(sam-specification-template-anatomy-globals.html).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventbus import Simulation
from eventbus.topology import Topology, TopologyError, load

from ._helpers import DATA, drain, write

TEMPLATE = DATA / "sam" / "template.yaml"


@pytest.fixture
def app(sim: Simulation) -> Topology:
    return load(TEMPLATE, sim)


def test_generated_resources_are_named_as_sam_names_them(app: Topology, sim: Simulation) -> None:
    # <Function><EventId> for each event; <Function><EventId>Queue for generated queues.
    assert app.kind == "cloudformation"
    expected = {
        "OrdersFunctionQueue": "event-source-mapping:",
        "OrdersFunctionDirect": "sns",
        "OrdersFunctionBuffered": "sns",
        "OrdersFunctionBufferedQueue": "sqs",
        "OrdersFunctionBufferedEventSourceMapping": "event-source-mapping:",
        "OrdersFunctionEventInvokeConfig": "lambda",
        "AuditFunctionBig": "rule/shop-test/",
        "AuditFunctionBigQueue": "sqs",
        "AuditFunctionLegacy": "rule/",
        "AuditFunctionNightly": "rule/",
        "AuditFunctionHourly": "schedule/default/AuditFunctionHourly",
    }
    for logical_id, part in expected.items():
        assert part in app.resources[logical_id], logical_id
    assert app.outputs == {
        "OrdersQueueUrl": f"https://sqs.us-east-1.amazonaws.com/123456789012/{app.resources['OrdersQueue'].rsplit(':', 1)[-1]}",
        "AuditArn": sim.arn("lambda", "function:sam-AuditFunction"),
    }


def test_unsupported_events_runtimes_and_resources_are_warned_about(app: Topology) -> None:
    assert app.warnings == [
        "AuditFunction.Events.Web (Api): event type not simulated",
        "NodeFunction (AWS::Serverless::Function): runtime nodejs20.x cannot run in the simulation (only Python handlers); not simulated",
        "Table (AWS::Serverless::SimpleTable): not simulated; references to it resolve to placeholder names and ARNs",
    ]
    assert "OrdersFunctionRole (AWS::IAM::Role): accepted, no effect (the simulation has no IAM)" in app.notes


def test_globals_and_function_settings(app: Topology, sim: Simulation) -> None:
    # Globals.Function merged into each function; EventInvokeConfig and DeadLetterQueue.
    orders = sim.lambda_.get_function("sam-OrdersFunction")
    assert (orders.timeout, orders.memory, orders.runtime, orders.reserved_concurrency) == (
        5,
        256,
        "python3.12",
        5,
    )
    config = orders.event_invoke_config
    assert config is not None
    assert (config.max_retries, config.on_failure) == (1, app.resources["FailuresQueue"])
    audit = sim.lambda_.get_function("sam-AuditFunction")
    assert audit.dead_letter_arn == app.resources["FailuresQueue"]


def test_each_code_uri_imports_its_own_app_module(app: Topology) -> None:
    assert app.modules["src/orders:app"].NAME == "orders"
    assert app.modules["src/audit:app"].NAME == "audit"


def test_sqs_event(app: Topology, sim: Simulation) -> None:
    # Type: SQS -> AWS::Lambda::EventSourceMapping (sam-property-function-sqs.html)
    queue = sim.sqs.get_queue(app.resources["OrdersQueue"])
    queue.send("order 1")
    sim.advance(2)
    assert app.modules["src/orders:app"].records == ["order 1"]


def test_sns_event_direct_and_through_a_queue(app: Topology, sim: Simulation) -> None:
    # Type: SNS -> AWS::SNS::Subscription (protocol lambda); SqsSubscription: true -> a queue, its subscription
    # and an event source mapping (sam-property-function-sns.html).
    topic = sim.sns.topic(app.resources["OrderTopic"])
    topic.publish("direct one", attributes={"kind": "direct"})
    topic.publish("buffered one", attributes={"kind": "buffered"})
    sim.advance(2)
    orders = app.modules["src/orders:app"]
    assert orders.notifications == ["direct one"]
    [envelope] = orders.records
    assert json.loads(envelope)["Message"] == "buffered one"


def test_eventbridge_rule_event(app: Topology, sim: Simulation) -> None:
    # Type: EventBridgeRule -> AWS::Events::Rule with the function as target <Function><EventId>LambdaTarget,
    # InputPath, RetryPolicy and a generated dead-letter queue (sam-property-function-eventbridgerule.html).
    rule = sim.events.get_bus("shop-test").get_rule("sam-AuditFunctionBig")
    [target] = rule.targets.values()
    assert target.id == "AuditFunctionBigLambdaTarget"
    assert target.to_aws()["RetryPolicy"] == {"MaximumRetryAttempts": 2}
    assert target.dead_letter_arn == app.resources["AuditFunctionBigQueue"]
    sim.events.bus("shop-test").put(source="shop", detail_type="x", detail={"id": 1})
    sim.events.default_bus.put(source="legacy", detail_type="y", detail={"id": 2})
    sim.run_until_idle()
    events = app.modules["src/audit:app"].events
    assert {"id": 1} in events  # InputPath $.detail
    assert any(
        isinstance(event, dict) and event.get("source") == "legacy" for event in events
    )  # CloudWatchEvent


def test_schedule_and_schedule_v2_events(app: Topology, sim: Simulation) -> None:
    # Type: Schedule -> an AWS::Events::Rule (sam-property-function-schedule.html); Type: ScheduleV2 -> an
    # AWS::Scheduler::Schedule named <Function><EventId> (sam-property-function-schedulev2.html).
    schedule = sim.scheduler.get_schedule("AuditFunctionHourly")
    assert schedule.target.input == '{"job": "hourly"}'
    sim.advance(2 * 3600 + 60)
    jobs = [
        event["job"]
        for event in app.modules["src/audit:app"].events
        if isinstance(event, dict) and "job" in event
    ]
    assert jobs.count("hourly") == 3  # at creation, then each hour
    assert jobs.count("nightly") == 1  # cron(0 2 * * ? *)


def test_inline_code(app: Topology, sim: Simulation) -> None:
    # InlineCode (sam-resource-function.html#sam-function-inlinecode)
    sim.lambda_.get_function("sam-InlineFunction").invoke({"hello": 1})
    assert app.modules["InlineFunction:index"].calls == [{"hello": 1}]


def test_parameters_reach_the_expanded_resources(sim: Simulation) -> None:
    topology = load(TEMPLATE, sim, parameters={"Stage": "prod"})
    assert topology.resources["ShopBus"] == sim.arn("events", "event-bus/shop-prod")
    assert sim.events.get_bus("shop-prod").get_rule("sam-AuditFunctionBig") is not None


def test_failures_reach_the_generated_dead_letter_queue(app: Topology, sim: Simulation) -> None:
    # A target that keeps failing ends in the rule's DeadLetterConfig queue (eb-rule-dlq.html).
    sim.lambda_.delete_function("sam-AuditFunction")
    sim.events.bus("shop-test").put(source="shop", detail_type="x", detail={"id": 9})
    sim.advance(600)
    [letter] = drain(sim.sqs.get_queue(app.resources["AuditFunctionBigQueue"]))
    assert json.loads(letter) == {"id": 9}


def test_generated_id_clash_is_an_error(sim: Simulation, tmp_path: Path) -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  FnQ: {Type: AWS::SQS::Queue}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Q: {Type: SQS, Properties: {Queue: !GetAtt FnQ.Arn}}
"""
    with pytest.raises(TopologyError) as caught:
        load(write(tmp_path, "template.yaml", text), sim)
    assert (
        caught.value.reason
        == "SAM would generate a resource FnQ (AWS::Lambda::EventSourceMapping), but the template already has one of that name"
    )


def test_missing_code_uri_directory(sim: Simulation, tmp_path: Path) -> None:
    text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: missing/\n"
    with pytest.raises(TopologyError) as caught:
        load(write(tmp_path, "template.yaml", text), sim)
    assert (caught.value.line, caught.value.resource) == (7, "Fn (AWS::Serverless::Function)")
    assert caught.value.reason == f"the code directory {tmp_path / 'missing'} does not exist"
