"""Each form of target input, end to end through a rule, against AWS's documented examples.

Pages: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html (Input, InputPath,
InputTransformer; with none of them "the entire event is passed to the target in JSON format") and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html ("Input
transform examples": one EC2 event, one InputPathsMap, templates with their outputs; the JSON passed
to the target is minified).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services.events import Rule

from ._fakes import RecordingEndpoint

INPUT_PATHS_MAP = {
    "timestamp": "$.time",
    "instance": "$.detail.instance-id",
    "state": "$.detail.state",
    "resource": "$.resources[0]",
}
# The user guide's EC2 event, sent with a custom source (sources starting "aws." are reserved).
DETAIL = {"instance-id": "i-0123456789", "state": "RUNNING"}
RESOURCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"


def deliver_one(**target: Any) -> tuple[str, Any, Rule]:
    """Put the example event through a rule with one queue-like target and a callable target."""
    sim = Simulation(start="2015-11-11T21:29:54Z")
    queue = RecordingEndpoint(sim, "q")
    received: list[Any] = []
    rule = sim.events.default_bus.rule("example", pattern={"source": ["example.ec2"]})
    rule.target(queue, **target)
    rule.target(received.append, **target)
    sim.events.default_bus.put(
        source="example.ec2",
        detail_type="EC2 Instance State-change Notification",
        detail=DETAIL,
        resources=[RESOURCE],
    )
    sim.run_until_idle()
    assert len(queue.messages) == 1
    assert len(received) == 1
    return queue.bodies[0], received[0], rule


def test_no_input_passes_the_whole_event_minified() -> None:
    body, structured, _ = deliver_one()
    event = json.loads(body)
    assert body == json.dumps(event, separators=(",", ":"))
    assert event["detail"] == DETAIL
    assert event["resources"] == [RESOURCE]
    assert structured == event  # a callable receives the event, parsed


def test_input_constant_is_passed_verbatim() -> None:
    # API_Target.Input: "Valid JSON text passed to the target."
    body, structured, _ = deliver_one(input='{"greeting": "hello"}')
    assert body == '{"greeting": "hello"}'
    assert structured == {"greeting": "hello"}


def test_input_path_passes_part_of_the_event() -> None:
    # API_Target.InputPath: "the value of the JSON path ... $.detail".
    body, structured, _ = deliver_one(input_path="$.detail")
    assert json.loads(body) == DETAIL
    assert structured == DETAIL
    body, structured, _ = deliver_one(input_path="$.detail.state")
    assert body == '"RUNNING"'
    assert structured == "RUNNING"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # "Simple string"
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        # "Simple JSON"
        ('{\n  "instance" : <instance>,\n  "state": <state>\n}', '{"instance":"i-0123456789","state":"RUNNING"}'),
        # "JSON with a mix of variables and static information"
        (
            '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}\n',
            '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
        ),
        # "Including reserved variables in a string"
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
        # "Amazon CloudWatch log group"
        (
            '{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}',
            '{"timestamp":"2015-11-11T21:29:54Z","message":"instance \\"i-0123456789\\" is in RUNNING"}',
        ),
    ],
)
def test_input_transformer_documented_examples(template: str, expected: str) -> None:
    body, _, _ = deliver_one(input_transformer={"InputPathsMap": INPUT_PATHS_MAP, "InputTemplate": template})
    assert body == expected


def test_input_transformer_reserved_variables_name_the_rule() -> None:
    # "Including reserved variables in JSON": rule ARN, rule name, the original event without detail.
    template = (
        '{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, '
        '"originalEvent": <aws.events.event>, "at": <aws.events.event.ingestion-time>}'
    )
    body, structured, rule = deliver_one(input_transformer={"InputPathsMap": INPUT_PATHS_MAP, "InputTemplate": template})
    out = json.loads(body)
    assert out["ruleArn"] == rule.arn == "arn:aws:events:us-east-1:123456789012:rule/example"
    assert out["ruleName"] == "example"
    assert "detail" not in out["originalEvent"]
    assert out["originalEvent"]["resources"] == [RESOURCE]
    assert out["at"] == "2015-11-11T21:29:54Z"
    assert structured == out


def test_non_json_template_output_reaches_a_callable_as_text() -> None:
    # A template of several quoted lines is not one JSON value; the callable gets the text.
    template = '"instance <instance>"\n"is in <state>"'
    body, structured, _ = deliver_one(input_transformer={"InputPathsMap": INPUT_PATHS_MAP, "InputTemplate": template})
    assert body == '"instance i-0123456789"\n"is in RUNNING"'
    assert structured == body


def test_input_path_that_matches_nothing_is_journaled_and_not_delivered() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("r", pattern={"source": ["s"]}).target(queue, input_path="$.detail.missing")
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.run_until_idle()
    assert queue.messages == []
    assert [r.detail["reason"] for r in sim.journal.select("events.dropped")] == ["InputPathMatchedNothing"]
