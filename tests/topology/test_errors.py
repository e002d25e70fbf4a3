"""Malformed topologies: each problem is a TopologyError naming the file, line, resource and the cause.

CloudFormation's own validation is the model for templates ("Template anatomy",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html): unknown
sections and properties, references to nothing and dependency cycles are refused before anything is
created; errors a service raises name the resource and keep AWS's code and message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventbus import Simulation
from eventbus.errors import EventBusError
from eventbus.topology import TopologyError, load

from ._helpers import write


def error_of(tmp_path: Path, name: str, text: str, **kwargs: object) -> TopologyError:
    path = write(tmp_path, name, text)
    with pytest.raises(TopologyError) as caught:
        load(path, Simulation(), **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_topology_error_is_an_eventbus_error_and_a_value_error(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues: [\n")
    assert isinstance(error, EventBusError)
    assert isinstance(error, ValueError)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders: {visibility_timeout: 30\n  dlq: {}\n")
    assert error.line == 3
    assert str(error).startswith(f"{tmp_path / 't.yaml'}, line 3: YAML syntax error")


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.json", '{\n  "queues": {\n    "a": {},\n  }\n}\n')
    assert error.line == 4
    assert "JSON syntax error" in error.reason


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  a: {}\n  a: {delay_seconds: 1}\n")
    assert (error.line, error.reason) == (3, "YAML syntax error: duplicate key 'a' (first given on line 2)")


def test_unknown_key_names_its_line_and_the_closest_key(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders:\n    visiblity_timeout: 30\n")
    assert (error.line, error.resource) == (3, "queue 'orders'")
    assert error.reason == "unknown key 'visiblity_timeout' (did you mean 'visibility_timeout'?)"


def test_unknown_key_deep_in_a_rule_target(tmp_path: Path) -> None:
    text = "buses:\n  shop:\n    rules:\n      r:\n        pattern: {source: [a]}\n        targets:\n          - queue: q\n            retry: {atempts: 3}\n"
    error = error_of(tmp_path, "t.yaml", text)
    assert (error.line, error.resource) == (8, "rule 'r' on bus 'shop'")
    assert "unknown key 'atempts' (did you mean 'attempts'?)" in error.reason


def test_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders:\n    visibility_timeout: soon\n")
    assert (error.line, error.reason) == (3, "visibility_timeout: expected an integer, got a string")
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders:\n    visibility_timeout: 50000\n")
    assert error.reason == "visibility_timeout: expected an integer <= 43200"


def test_unknown_resource_kind_in_the_eventbus_format(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues: {}\ntables:\n  orders: {}\n")
    assert (error.line, error.reason) == (
        2,
        "unknown section 'tables'; the sections are queues, topics, buses, functions, schedules",
    )
    error = error_of(tmp_path, "t.yaml", "queue:\n  orders: {}\n")
    assert error.reason == "unknown section 'queue' (did you mean 'queues'?)"


def test_a_reference_to_a_queue_that_does_not_exist(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders: {dead_letter: nowhere}\n  other: {}\n")
    assert (error.line, error.resource) == (2, "queue 'orders'")
    assert (
        error.reason
        == "queue 'nowhere' does not exist in this file or the simulation (the file's queues: orders, other)"
    )


def test_a_target_must_name_one_destination(tmp_path: Path) -> None:
    text = "buses:\n  b:\n    rules:\n      r:\n        pattern: {source: [a]}\n        targets:\n          - {queue: q, topic: t}\n"
    error = error_of(tmp_path, "t.yaml", text)
    assert (error.line, error.reason) == (
        7,
        "targets[0]: give exactly one of queue, topic, bus, function, arn",
    )


def test_a_schedule_rule_on_a_custom_bus(tmp_path: Path) -> None:
    # "ScheduleExpression is supported only on the default event bus."
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html)
    error = error_of(
        tmp_path, "t.yaml", "buses:\n  shop:\n    rules:\n      nightly:\n        schedule: rate(1 day)\n"
    )
    assert error.line == 5
    assert "must be on the default bus" in error.reason


def test_names_are_unique_across_sections(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  orders: {}\ntopics:\n  orders: {}\n")
    assert (error.line, error.resource) == (4, "topic 'orders'")


def test_a_dead_letter_cycle_is_named(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues:\n  a: {dead_letter: b}\n  b: {dead_letter: a}\n")
    assert error.reason == "the queues' dead_letter settings form a cycle: a -> b -> a"
    assert error.created == ()


def test_missing_handler_module_says_which_and_why(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "functions:\n  f:\n    handler: shop.nowhere:run\n")
    assert (error.line, error.resource) == (3, "function 'f'")
    assert (
        error.reason
        == f"module 'shop.nowhere' cannot be imported: no module named 'shop' in {tmp_path} or on sys.path"
    )


def test_handler_module_whose_own_import_fails(tmp_path: Path) -> None:
    write(
        tmp_path, "broken.py", "import not_installed_anywhere\n\ndef run(event, context):\n    return None\n"
    )
    error = error_of(tmp_path, "t.yaml", "functions:\n  f: {handler: 'broken:run'}\n")
    assert (
        error.reason
        == "module 'broken' cannot be imported: ModuleNotFoundError: No module named 'not_installed_anywhere'"
    )


def test_handler_attribute_missing(tmp_path: Path) -> None:
    write(tmp_path, "handlers.py", "def run(event, context):\n    return None\n")
    error = error_of(tmp_path, "t.yaml", "functions:\n  f: {handler: 'handlers:walk'}\n")
    assert "handler 'handlers:walk': module 'handlers'" in error.reason
    assert error.reason.endswith("has no attribute 'walk'")


def test_malformed_handler(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "functions:\n  f: {handler: handlers.run}\n")
    assert (
        error.reason == "handler must be 'module:function' (e.g. 'shop.handlers:audit'), got 'handlers.run'"
    )


def test_a_service_error_names_the_resource_and_what_was_created(tmp_path: Path) -> None:
    # CreateQueue refuses the name (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html)
    error = error_of(tmp_path, "t.yaml", "queues:\n  good: {}\n  'bad name!': {}\n")
    assert (error.line, error.resource) == (3, "queue 'bad name!'")
    assert error.reason.startswith("CreateQueue failed: InvalidParameterValue")
    assert error.created == ("good",)
    assert str(error).endswith("(created in the simulation before this error: good)")


def test_an_invalid_event_pattern_keeps_aws_code_and_message(tmp_path: Path) -> None:
    # PutRule: InvalidEventPatternException (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html)
    error = error_of(tmp_path, "t.yaml", "buses:\n  b:\n    rules:\n      r: {pattern: {source: shop}}\n")
    assert error.resource == "rule 'r' on bus 'b'"
    assert error.reason.startswith(
        "PutRule failed: InvalidEventPatternException: Event pattern is not valid."
    )
    assert error.created == ("b",)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TopologyError, match="no such file"):
        load(tmp_path / "nothing.yaml", Simulation())


def test_parameters_do_not_apply_to_the_eventbus_format(tmp_path: Path) -> None:
    error = error_of(tmp_path, "t.yaml", "queues: {a: {}}\n", parameters={"Stage": "x"})
    assert "parameters apply to CloudFormation templates" in error.reason


# ------------------------------------------------------------------ templates
def test_template_ref_to_nothing(tmp_path: Path) -> None:
    # "Unresolved resource dependencies" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html)
    text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: {source: [a]}\n      Targets:\n        - {Id: q, Arn: !GetAtt Queu.Arn}\n"
    error = error_of(tmp_path, "template.yaml", text)
    assert (error.line, error.resource) == (9, "Rule (AWS::Events::Rule)")
    assert (
        error.reason
        == "reference to 'Queu', which is not a resource, parameter or pseudo parameter of the template (did you mean 'Queue'?)"
    )
    assert error.created == ()


def test_template_dependency_cycle(tmp_path: Path) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
    text = (
        "Resources:\n"
        "  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 1}\n"
        "  B:\n    Type: AWS::SQS::Queue\n    DependsOn: C\n"
        "  C:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${A}-c'\n"
    )
    error = error_of(tmp_path, "template.yaml", text)
    assert error.reason == "resources depend on each other in a cycle: A -> B -> C -> A"
    assert error.line == 2


def test_template_depends_on_nothing(tmp_path: Path) -> None:
    error = error_of(
        tmp_path, "template.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: [Nope]\n"
    )
    assert (error.line, error.reason) == (
        4,
        "DependsOn names 'Nope', which is not a resource of the template",
    )


def test_template_unknown_property_names_its_line(tmp_path: Path) -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html
    error = error_of(
        tmp_path,
        "template.yaml",
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimout: 5\n",
    )
    assert (error.line, error.resource) == (5, "A (AWS::SQS::Queue)")
    assert error.reason == "unknown property 'VisibilityTimout' (did you mean 'VisibilityTimeout'?)"


def test_template_unknown_section_and_resource_attribute(tmp_path: Path) -> None:
    error = error_of(tmp_path, "template.yaml", "Resources:\n  A: {Type: AWS::SQS::Queue}\nOutput: {}\n")
    assert (error.line, error.reason) == (3, "unknown template section 'Output' (did you mean 'Outputs'?)")
    error = error_of(
        tmp_path, "template.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Propertys: {}\n"
    )
    assert (error.line, error.reason) == (
        4,
        "unknown resource attribute 'Propertys' (did you mean 'Properties'?)",
    )


def test_template_service_error_is_re_raised_with_the_resource(tmp_path: Path) -> None:
    # A standard queue's dead-letter queue must be standard too
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
    text = (
        "Resources:\n"
        "  Dlq:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: true}\n"
        "  Work:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 2}\n"
    )
    error = error_of(tmp_path, "template.yaml", text)
    assert (error.line, error.resource) == (5, "Work (AWS::SQS::Queue)")
    assert error.reason.startswith("CreateQueue failed: InvalidParameterValueException: Value {")
    assert error.reason.endswith("Reason: Dead-letter queue must be same type of queue as the source.")
    assert error.created == ("Dlq",)


def test_template_missing_handler_module(tmp_path: Path) -> None:
    # AWS::Lambda::Function Handler (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html)
    text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Role: arn:aws:iam::123456789012:role/r\n      Code: ./src\n"
    (tmp_path / "src").mkdir()
    error = error_of(tmp_path, "template.yaml", text)
    assert (error.line, error.resource) == (5, "Fn (AWS::Lambda::Function)")
    assert (
        error.reason
        == f"module 'app' cannot be imported: no module named 'app' in {(tmp_path / 'src').resolve()} or on sys.path"
    )


def test_template_serverless_without_the_transform(tmp_path: Path) -> None:
    error = error_of(
        tmp_path,
        "template.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a.b}\n",
    )
    assert error.reason == "AWS::Serverless types need Transform: AWS::Serverless-2016-10-31"


def test_template_macro_transform(tmp_path: Path) -> None:
    error = error_of(
        tmp_path, "template.yaml", "Transform: MyMacro\nResources:\n  A: {Type: AWS::SQS::Queue}\n"
    )
    assert error.reason.startswith("transform 'MyMacro' is a CloudFormation macro the simulation cannot run")


def test_template_without_resources(tmp_path: Path) -> None:
    error = error_of(tmp_path, "template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n")
    assert error.reason == "a template needs a Resources section with at least one resource"


def test_an_intrinsic_that_fails_names_its_line_and_what_was_created(tmp_path: Path) -> None:
    # Fn::Select with an index outside the list (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-select.html)
    text = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Select [3, [a, b]]\n"
    error = error_of(tmp_path, "template.yaml", text)
    assert (error.line, error.resource) == (7, "B (AWS::SQS::Queue)")
    assert error.reason == 'Fn::Select index 3 is outside the list ["a", "b"]'
    assert error.created == ("A",)


def test_public_names() -> None:
    # anyio's house rule: a tuple __all__ of names that exist.
    import eventbus.topology as topology

    assert isinstance(topology.__all__, tuple)
    assert all(hasattr(topology, name) for name in topology.__all__)
    assert set(topology.__all__) >= {
        "Topology",
        "TopologyError",
        "load",
        "find_default",
        "export",
        "export_yaml",
    }
