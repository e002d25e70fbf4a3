"""eventbus's own topology format: every section builds what AWS would have, and events flow through it.

Each test names the AWS page of the resource it checks; the format maps onto the same API calls
(CreateQueue, CreateTopic/Subscribe, CreateEventBus/PutRule/PutTargets/CreateArchive,
CreateFunction/CreateEventSourceMapping/PutFunctionEventInvokeConfig, CreateSchedule).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eventbus import Simulation
from eventbus.topology import DEFAULT_NAMES, Topology, TopologyError, find_default, load, schema

from ._helpers import DATA, drain, schema_errors, write

SHOP = DATA / "shop.yaml"


@pytest.fixture
def shop(sim: Simulation) -> Topology:
    return load(SHOP, sim)


def test_load_reports_every_resource_by_logical_name(shop: Topology, sim: Simulation) -> None:
    # Topology.resources: logical name -> ARN, in creation order.
    arn = sim.arn
    assert shop.kind == "eventbus"
    assert shop.source == str(SHOP)
    assert shop.warnings == []
    assert shop.resources["orders"] == arn("sqs", "orders")
    assert shop.resources["order-events"] == arn("sns", "order-events")
    assert shop.resources["shop"] == arn("events", "event-bus/shop")
    assert shop.resources["default"] == arn("events", "event-bus/default")
    assert shop.resources["shop/big-orders"] == arn("events", "rule/shop/big-orders")
    assert shop.resources["default/nightly"] == arn("events", "rule/nightly")
    assert shop.resources["shop/all-orders"] == arn("events", "archive/all-orders")
    assert shop.resources["audit"] == arn("lambda", "function:audit")
    assert shop.resources["hourly"] == arn("scheduler", "schedule/jobs/hourly")
    assert shop.resources["worker/orders"].startswith(arn("lambda", "event-source-mapping:"))
    assert shop.resources["order-events/0"].startswith(arn("sns", "order-events:"))
    order = list(shop.resources)
    assert order.index("orders-dlq") < order.index("orders")  # the dead-letter queue first


def test_queues_have_their_redrive_and_fifo_attributes(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html
    orders = sim.sqs.get_queue("orders").get_attributes()
    assert json.loads(orders["RedrivePolicy"]) == {
        "deadLetterTargetArn": sim.arn("sqs", "orders-dlq"),
        "maxReceiveCount": 3,
    }
    assert orders["VisibilityTimeout"] == "30"
    dlq = sim.sqs.get_queue("orders-dlq").get_attributes()
    assert dlq["MessageRetentionPeriod"] == "1209600"
    assert json.loads(dlq["RedriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [sim.arn("sqs", "orders")],
    }
    payments = sim.sqs.get_queue("payments.fifo").get_attributes()
    assert (payments["FifoQueue"], payments["ContentBasedDeduplication"]) == ("true", "true")


def test_topic_subscriptions_filter_and_deliver_raw(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html
    topic = sim.sns.topic("order-events")
    assert topic.attributes()["DisplayName"] == "Orders"
    to_queue, to_function = topic.subscriptions.values()
    assert (to_queue.protocol, to_queue.raw, to_queue.filter_policy_text) == (
        "sqs",
        True,
        '{"kind": ["placed"]}',
    )
    assert to_function.protocol == "lambda"
    topic.publish("order 1", attributes={"kind": "placed"})
    topic.publish("order 2", attributes={"kind": "cancelled"})
    sim.advance(5)
    handlers = shop.modules["shop.handlers"]
    assert handlers.worked == ["order 1"]  # raw body, through the queue, to the worker's event source mapping
    [audited] = handlers.audited
    assert audited["Records"][0]["Sns"]["Message"] == "order 2"


def test_rule_targets_transform_retry_and_dead_letter(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
    rule = sim.events.get_bus("shop").get_rule("big-orders")
    to_queue = rule.targets["orders"].to_aws()
    assert to_queue["InputTransformer"] == {
        "InputPathsMap": {"id": "$.detail.id"},
        "InputTemplate": '{"id": <id>}',
    }
    assert to_queue["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert to_queue["DeadLetterConfig"] == {"Arn": sim.arn("sqs", "orders-dlq")}
    assert rule.targets["audit"].arn == sim.arn("lambda", "function:audit")
    sim.events.bus("shop").put(source="shop", detail_type="OrderPlaced", detail={"id": 7, "total": 500})
    sim.events.bus("shop").put(source="shop", detail_type="OrderPlaced", detail={"id": 8, "total": 5})
    sim.advance(5)
    handlers = shop.modules["shop.handlers"]
    assert handlers.worked == ['{"id":7}']
    assert [event["detail"]["id"] for event in handlers.audited] == [7]


def test_fifo_target_gets_its_message_group(shop: Topology, sim: Simulation) -> None:
    # SqsParameters.MessageGroupId: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
    sim.events.bus("shop").put(source="shop", detail_type="PaymentDue", detail={"order": 7})
    sim.run_until_idle()
    [message] = sim.sqs.get_queue("payments.fifo").receive(max_messages=10)
    assert message.body == '{"order":7}'
    assert message.attributes["MessageGroupId"] == "shop"


def test_archive_keeps_the_bus_events(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-archive.html
    archive = sim.events.get_archive("all-orders")
    assert (archive.bus.name, archive.retention_days, json.loads(archive.event_pattern or "{}")) == (
        "shop",
        7,
        {"source": ["shop"]},
    )


def test_schedule_rule_on_the_default_bus_and_destination(shop: Topology, sim: Simulation) -> None:
    # A schedule rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html) invokes
    # report asynchronously; its OnSuccess destination receives the record
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html).
    rule = sim.events.default_bus.get_rule("nightly")
    assert rule.schedule is not None
    assert rule.schedule.text == "cron(0 2 * * ? *)"
    reports = sim.sqs.get_queue("reports")
    sim.run_until_idle()
    assert [json.loads(body) for body in drain(reports)] == [
        {"job": "hourly"}
    ]  # the hourly schedule fired at once
    sim.advance(2 * 3600 + 1)
    records = [json.loads(body) for body in drain(reports)]
    destination = [record for record in records if "requestContext" in record]
    assert len(destination) == 1
    assert destination[0]["requestContext"]["condition"] == "Success"
    assert destination[0]["responsePayload"] == {"status": "ok"}
    assert shop.modules["shop.handlers"].reports[0]["detail-type"] == "Scheduled Event"


def test_scheduler_schedule_in_its_group(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-scheduler-schedule.html
    schedule = sim.scheduler.get_schedule("hourly", group="jobs")
    assert schedule.expression == "rate(1 hour)"
    assert schedule.target.arn == sim.arn("sqs", "reports")
    assert schedule.target.input == '{"job":"hourly"}'


def test_functions_and_event_source_mapping(shop: Topology, sim: Simulation) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html
    audit = sim.lambda_.get_function("audit")
    assert audit.timeout == 10
    [mapping] = sim.lambda_.mappings.values()
    assert (
        mapping.queue_arn,
        mapping.function.name,
        mapping.batch_size,
        mapping.report_batch_item_failures,
    ) == (
        sim.arn("sqs", "orders"),
        "worker",
        5,
        True,
    )
    config = sim.lambda_.get_function("report").event_invoke_config
    assert config is not None
    assert (config.max_retries, config.on_success) == (0, sim.arn("sqs", "reports"))


def test_json_files_load_too(sim: Simulation) -> None:
    # The same format in JSON (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
    topology = load(DATA / "shop.json", sim)
    assert list(topology.resources) == ["orders-dlq", "orders", "shop", "shop/all"]
    assert sim.sqs.get_queue("orders").visibility_timeout == 45


def test_a_parsed_mapping_loads(sim: Simulation) -> None:
    # DelaySeconds (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html)
    topology = load({"queues": {"a": {"delay_seconds": 5}}}, sim)
    assert topology.source == "<mapping>"
    assert sim.sqs.get_queue("a").delay_seconds == 5


def test_references_reach_resources_already_in_the_simulation(sim: Simulation, tmp_path: Path) -> None:
    # A DLQ created before the load is found by name (CreateQueue RedrivePolicy needs an existing queue).
    sim.sqs.create_queue("shared-dlq")
    write(tmp_path, "topology.yaml", "queues:\n  work: {dead_letter: shared-dlq}\n")
    load(tmp_path / "topology.yaml", sim)
    policy = sim.sqs.get_queue("work").redrive_policy
    assert policy is not None
    assert policy.dead_letter_target_arn == sim.arn("sqs", "shared-dlq")


def test_raw_arn_targets(sim: Simulation, tmp_path: Path) -> None:
    # Targets may give any ARN (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html).
    arn = sim.arn("sqs", "elsewhere")
    write(
        tmp_path,
        "topology.yaml",
        f"buses:\n  b:\n    rules:\n      r: {{pattern: {{source: [x]}}, targets: [{{arn: '{arn}'}}]}}\n",
    )
    load(tmp_path / "topology.yaml", sim)
    assert [t.arn for t in sim.events.get_bus("b").get_rule("r").targets.values()] == [arn]


def test_two_targets_to_one_destination_get_distinct_ids(sim: Simulation) -> None:
    # PutTargets replaces a target of the same Id, so generated Ids must differ.
    load(
        {
            "queues": {"q": {}},
            "buses": {
                "b": {
                    "rules": {
                        "r": {
                            "pattern": {"source": ["x"]},
                            "targets": [{"queue": "q"}, {"queue": "q", "input": {"a": 1}}],
                        }
                    }
                }
            },
        },
        sim,
    )
    assert sorted(sim.events.get_bus("b").get_rule("r").targets) == ["q", "q-2"]


def test_find_default_prefers_topology_then_template(tmp_path: Path) -> None:
    # eventbus's own rule (issue 9): the topology next to an events file; SAM's default name is template.yaml
    # (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-deploy.html).
    events = tmp_path / "events.jsonl"
    events.write_text("")
    assert find_default(events) is None
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    assert find_default(events) == tmp_path / "template.yaml"
    (tmp_path / "topology.json").write_text("{}")
    assert find_default(events) == tmp_path / "topology.json"
    (tmp_path / "topology.yaml").write_text("{}")
    assert find_default(events) == tmp_path / "topology.yaml"
    assert find_default(tmp_path) == tmp_path / "topology.yaml"
    assert DEFAULT_NAMES[0] == "topology.yaml"


def test_a_directory_loads_its_default_topology(sim: Simulation, tmp_path: Path) -> None:
    shutil.copy(DATA / "shop.json", tmp_path / "topology.json")
    assert load(tmp_path, sim).source == str(tmp_path / "topology.json")


def test_schema_file_is_the_generated_schema() -> None:
    # eventbus/topology/schema.json is package data generated from the format's classes.
    path = Path(__file__).parents[2] / "eventbus" / "topology" / "schema.json"
    assert json.loads(path.read_text()) == schema()


def test_example_files_validate_against_the_schema() -> None:
    from eventbus.topology._yaml import read_file

    for path in (SHOP, DATA / "shop.json", DATA / "blue" / "topology.yaml"):
        assert schema_errors(schema(), json.loads(json.dumps(read_file(path)))) == [], path


def test_schema_refuses_what_the_loader_refuses() -> None:
    bad = [
        {"queues": {"q": {"visiblity_timeout": 3}}},
        {"buses": {"b": {"rules": {"r": {"pattern": {}, "targets": [{"queue": "q", "topic": "t"}]}}}}},
        {"buses": {"b": {"rules": {"r": {"targets": []}}}}},
        {"functions": {"f": {"handler": "no-colon"}}},
    ]
    for document in bad:
        assert schema_errors(schema(), document), document


def test_python_factory_returning_nothing_lists_what_it_created(sim: Simulation) -> None:
    # A factory builds through the native APIs (CreateQueue, CreateEventBus, PutRule, PutTargets).
    topology = load("factory:build", sim, base_dir=DATA)
    assert topology.kind == "python"
    assert topology.resources == {
        "jobs-dlq": sim.arn("sqs", "jobs-dlq"),
        "jobs": sim.arn("sqs", "jobs"),
        "work": sim.arn("events", "event-bus/work"),
        "work/all-jobs": sim.arn("events", "rule/work/all-jobs"),
    }


def test_python_factory_with_parameters_and_a_mapping(sim: Simulation) -> None:
    topology = load("factory:build_named", sim, base_dir=DATA, parameters={"stage": "test"})
    assert topology.resources == {"Jobs": sim.arn("sqs", "jobs-test"), "JobsArn": sim.arn("sqs", "jobs-test")}


def test_python_factory_errors_say_what_was_created(sim: Simulation) -> None:
    with pytest.raises(TopologyError) as caught:
        load("factory:build_broken", sim, base_dir=DATA)
    assert caught.value.created == ("first",)
    assert "factory:build_broken" in str(caught.value)
    with pytest.raises(TopologyError, match="takes only the simulation"):
        load("factory:build", Simulation(), base_dir=DATA, parameters={"x": 1})
    with pytest.raises(TopologyError, match="no module named 'nowhere'"):
        load("nowhere:build", Simulation(), base_dir=DATA)
