"""Every example of AWS's input-transformation documentation, reproduced.

User guide: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
("Input transform examples": one EC2 event, one InputPathsMap, eight templates with their output).
The page prints JSON output pretty; AWS delivers it minified ("The JSON that is passed to the
target is minified"), so JSON outputs are compared both as text and as parsed JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus.transform import InputTransformer, TargetInput

USER_GUIDE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html"

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}

# The page's "Input Path" box.
INPUT_PATHS_MAP = {
    "timestamp": "$.time",
    "instance": "$.detail.instance-id",
    "state": "$.detail.state",
    "resource": "$.resources[0]",
}

RULE = {
    "rule_arn": "arn:aws:events:us-east-2:123456789012:rule/example",
    "rule_name": "example",
    "ingestion_time": "2015-11-11T21:29:55Z",
}


def render(template: str, event: dict[str, Any] = EC2_EVENT, paths: dict[str, str] = INPUT_PATHS_MAP) -> str:
    return InputTransformer(paths, template, target_id="t1").render(event, **RULE)


def test_simple_string() -> None:
    # USER_GUIDE, "Simple string".
    assert render('"instance <instance> is in <state>"') == '"instance i-0123456789 is in RUNNING"'


def test_string_with_escaped_quotes() -> None:
    # USER_GUIDE, "String with escaped quotes" (the console's behaviour, which the API shares).
    template = r'"instance \"<instance>\" is in <state>"'
    assert render(template) == r'"instance \"i-0123456789\" is in RUNNING"'


def test_simple_json() -> None:
    # USER_GUIDE, "Simple JSON": unquoted placeholders of string values arrive quoted.
    template = '{\n  "instance" : <instance>,\n  "state": <state>\n}'
    out = render(template)
    assert out == '{"instance":"i-0123456789","state":"RUNNING"}'
    assert json.loads(out) == {"instance": "i-0123456789", "state": "RUNNING"}


def test_json_with_strings_and_variables() -> None:
    # USER_GUIDE, "JSON with strings and variables".
    template = (
        '{\n "instance" : <instance>,\n "state": "<state>",\n'
        ' "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}'
    )
    assert json.loads(render(template)) == {
        "instance": "i-0123456789",
        "state": "RUNNING",
        "instanceStatus": 'instance "i-0123456789" is in RUNNING',
    }


def test_json_with_a_mix_of_variables_and_static_information() -> None:
    # USER_GUIDE, "JSON with a mix of variables and static information".
    template = '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}\n'
    out = render(template)
    assert out == '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}'


def test_including_reserved_variables_in_json() -> None:
    # USER_GUIDE, "Including reserved variables in JSON". The page elides originalEvent ("commented
    # for brevity"); its shape (no detail, detailType) is the one AWS delivered in LocalStack's
    # recorded parity test, see test_transform_placeholders.py.
    template = (
        '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n'
        '  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}'
    )
    out = json.loads(render(template))
    assert out["instance"] == "i-0123456789"
    assert out["state"] == "RUNNING"
    assert out["ruleArn"] == "arn:aws:events:us-east-2:123456789012:rule/example"
    assert out["ruleName"] == "example"
    assert out["originalEvent"]["id"] == EC2_EVENT["id"]
    assert "detail" not in out["originalEvent"]


def test_including_reserved_variables_in_a_string() -> None:
    # USER_GUIDE, "Including reserved variables in a string".
    assert render('"<aws.events.rule-name> triggered"') == '"example triggered"'


def test_amazon_cloudwatch_log_group() -> None:
    # USER_GUIDE, "Amazon CloudWatch log group". The page shows the log record as CloudWatch Logs
    # displays it (timestamp unquoted, message unescaped); the JSON EventBridge hands over carries
    # the timestamp as a string (unquoted placeholder of a string value) and the message with the
    # template's escaped quotes.
    template = '{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}'
    out = render(template)
    assert out == '{"timestamp":"2015-11-11T21:29:54Z","message":"instance \\"i-0123456789\\" is in RUNNING"}'
    assert json.loads(out)["message"] == 'instance "i-0123456789" is in RUNNING'


def test_array_index_path_from_the_input_path_box() -> None:
    # USER_GUIDE's InputPathsMap includes "resource": "$.resources[0]" (an array index).
    assert render('"<resource>"') == '"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"'


def test_tutorial_sns_message() -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html:
    # {"detail-type": "$.detail-type"} and "This event was of <detail-type> type." gives the SNS
    # message "This event was of customerCreated type." (quotes included).
    event = {**EC2_EVENT, "detail-type": "customerCreated", "detail": {}}
    out = render('"This event was of <detail-type> type."', event, {"detail-type": "$.detail-type"})
    assert out == '"This event was of customerCreated type."'


API_REFERENCE = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html"
API_EVENT = {**EC2_EVENT, "detail": {"instance": "i-12345", "status": "running"}}
API_PATHS = {"instance": "$.detail.instance", "status": "$.detail.status"}


def test_api_reference_unquoted_text_template() -> None:
    # API_REFERENCE, first example: "<instance> is in state <status>". Outside any JSON string a
    # placeholder inserts the value as JSON, so the string values arrive with their quotes.
    out = render("<instance> is in state <status>", API_EVENT, API_PATHS)
    assert out == '"i-12345" is in state "running"'


def test_api_reference_escaped_quotes_around_a_placeholder() -> None:
    # API_REFERENCE, second example: "InputTemplate": "<instance> is in state \"<status>\"". The
    # slashes escape the quotes in the request's JSON; the template itself is
    # <instance> is in state "<status>", so <status> sits in a string and goes in unquoted.
    out = render('<instance> is in state "<status>"', API_EVENT, API_PATHS)
    assert out == '"i-12345" is in state "running"'


def test_api_reference_json_with_variables_in_and_out_of_quotes() -> None:
    # API_REFERENCE, third example.
    template = '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}'
    out = render(template, API_EVENT, API_PATHS)
    assert json.loads(out) == {"myInstance": "i-12345", "myStatus": 'i-12345 is in state "running"'}


def test_api_reference_target_shapes() -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html: no input
    # settings pass the entire event in JSON form; InputPath $.detail passes only the detail.
    whole = TargetInput("t1").payload(EC2_EVENT, **RULE)
    assert whole is not None
    assert json.loads(whole) == EC2_EVENT
    detail = TargetInput("t1", input_path="$.detail").payload(EC2_EVENT, **RULE)
    assert detail == '{"instance-id":"i-0123456789","state":"RUNNING"}'


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-events-rule-inputtransformer.html
        # style multi-line text: each line a JSON string, delivered as written.
        (
            '"Job <instance> has just been run."\n"Job finished in the following state: <state>."',
            '"Job i-0123456789 has just been run."\n"Job finished in the following state: RUNNING."',
        ),
    ],
)
def test_multi_line_text_template_is_delivered_as_written(template: str, expected: str) -> None:
    assert render(template) == expected
