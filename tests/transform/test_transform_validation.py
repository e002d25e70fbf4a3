"""PutTargets validation of a target's input settings, with AWS's error codes and messages.

Sources, per test: the InputTransformer API reference limits
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html), the Target
reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html), AWS answers
recorded by LocalStack's parity tests, an aws-cli issue quoting AWS's Input error
(https://github.com/aws/aws-cli/issues/6711) and PutTargets answers measured 2026-09-07 in us-east-1
as recorded in a public CloudFormation pre-flight rule set.
"""

from __future__ import annotations

import pytest

from eventbus.errors import EventBusError, ValidationError
from eventbus.transform import InputTransformer, TargetInput


def transformer_error(paths: dict[str, str] | None, template: str, target_id: str = "t1") -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        InputTransformer(paths, template, target_id=target_id)
    assert raised.value.code == "ValidationException"
    assert raised.value.status == 400
    assert isinstance(raised.value, EventBusError)
    assert isinstance(raised.value, ValueError)
    return raised.value


def target_error(**settings: object) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        TargetInput("t1", **settings)  # type: ignore[arg-type]
    assert raised.value.code == "ValidationException"
    return raised.value


# --------------------------------------------------------------------------- placeholders


def test_undefined_placeholder() -> None:
    # Recorded from AWS (LocalStack test_put_events_with_input_transformer_missing_keys):
    # "InputTemplate for target <target-id> contains invalid placeholder notdefinedkey."
    paths = {"detail-type": "$.detail-type", "timestamp": "$.time", "command": "$.detail.command"}
    error = transformer_error(
        paths, '"Event of <detail-type> type, with not defined key <notdefinedkey>"', "tgt-9"
    )
    assert str(error) == "InputTemplate for target tgt-9 contains invalid placeholder notdefinedkey."


def test_first_undefined_placeholder_is_named() -> None:
    error = transformer_error({"a": "$.a"}, '{"x": <b>, "y": "<c>", "z": <a>}')
    assert str(error) == "InputTemplate for target t1 contains invalid placeholder b."


def test_unknown_aws_namespace_placeholder_is_invalid() -> None:
    error = transformer_error(None, '"<aws.events.rule-id>"')
    assert str(error) == "InputTemplate for target t1 contains invalid placeholder aws.events.rule-id."


def test_pipes_style_inline_path_is_not_a_rule_placeholder() -> None:
    # EventBridge Pipes allows <$.body> in templates; rule targets name variables only.
    error = transformer_error({}, '{"a": <$.detail>}')
    assert str(error) == "InputTemplate for target t1 contains invalid placeholder $.detail."


@pytest.mark.parametrize(
    "template",
    [
        '"<aws.events.event.json>"',
        "[<aws.events.event.json>]",
        "<aws.events.event.json>",
    ],
)
def test_event_json_only_in_json_object_templates(template: str) -> None:
    # Measured at PutTargets: '[<aws.events.event.json>]' and a quoted string holding it give
    # "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON
    # template."; '{"e": <aws.events.event.json>}' is accepted.
    error = transformer_error(None, template)
    assert str(error) == (
        "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON template."
    )
    InputTransformer(None, '{"e": <aws.events.event.json>}', target_id="t1")


def test_event_only_in_json_object_templates() -> None:
    # The user guide says both object variables "can only be used as a value for a JSON field";
    # the measured message is assumed to apply to aws.events.event as to aws.events.event.json.
    error = transformer_error(None, '"<aws.events.event>"')
    assert (
        str(error)
        == "InputTemplate for target t1 contains placeholder aws.events.event valid only for JSON template."
    )


def test_reserved_string_variables_are_fine_anywhere() -> None:
    for template in [
        '"<aws.events.rule-arn>"',
        "<aws.events.rule-name>",
        '["<aws.events.event.ingestion-time>"]',
    ]:
        InputTransformer(None, template, target_id="t1")


def test_unused_variables_are_fine() -> None:
    InputTransformer({"a": "$.a", "b": "$.b"}, '"constant"', target_id="t1")


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("path", ["detail.state", "$.detail['state']", "$..state", ""])
def test_invalid_paths_in_the_map(path: str) -> None:
    # Measured: the InputPath check runs over every InputPathsMap value, with the same message.
    error = transformer_error({"ok": "$.detail", "bad": path}, '"<ok> <bad>"')
    assert str(error) == "InputPath for target t1 is invalid."


def test_paths_are_checked_before_placeholders() -> None:
    error = transformer_error({"bad": "nope"}, '"<undefined>"')
    assert str(error) == "InputPath for target t1 is invalid."


# --------------------------------------------------------------------------- request-model limits


def test_at_most_100_variables() -> None:
    # API reference: "You can have as many as 100 key-value pairs" (Map Entries: Maximum 100).
    InputTransformer({f"k{i}": "$.detail" for i in range(100)}, '"x"', target_id="t1")
    paths = {f"k{i}": "$.detail" for i in range(101)}
    error = transformer_error(paths, '"x"')
    assert str(error).startswith("1 validation error detected: Value '{k0=$.detail, k1=$.detail, ")
    assert str(error).endswith(
        "' at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


@pytest.mark.parametrize("key", ["aws.events.rule-name", "has.dot", "has space", "ünï", "a:b"])
def test_keys_must_match_the_key_pattern(key: str) -> None:
    # API reference: Key Pattern [A-Za-z0-9\_\-]+, so reserved aws.events.* names cannot be keys
    # (measured: a key of "aws.events.rule-name" gives "1 validation error detected").
    error = transformer_error({key: "$.detail"}, '"x"')
    assert str(error) == (
        f"1 validation error detected: Value '{{{key}=$.detail}}' at "
        "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: "
        r"Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9\_\-]+]"
    )


def test_keys_starting_with_aws_are_accepted() -> None:
    # Measured: "A key merely starting with "AWS" is accepted" despite the API reference's wording.
    InputTransformer(
        {"AWSregion": "$.region", "aws-thing": "$.x"}, '"<AWSregion> <aws-thing>"', target_id="t1"
    )


def test_key_length_limits() -> None:
    InputTransformer({"k" * 256: "$.a"}, '"x"', target_id="t1")
    error = transformer_error({"k" * 257: "$.a"}, '"x"')
    assert "Map keys must satisfy constraint: [Member must have length less than or equal to 256]" in str(
        error
    )
    error = transformer_error({"": "$.a"}, '"x"')
    assert "Member must have length greater than or equal to 1" in str(error)


def test_path_length_limit() -> None:
    InputTransformer({"k": "$." + "a" * 254}, '"x"', target_id="t1")
    error = transformer_error({"k": "$." + "a" * 255}, '"x"')
    assert "Map value must satisfy constraint: [Member must have length less than or equal to 256]" in str(
        error
    )


def test_template_length_limits() -> None:
    # API reference: InputTemplate, Minimum length of 1, Maximum length of 8192.
    InputTransformer(None, '"' + "x" * 8190 + '"', target_id="t1")
    error = transformer_error(None, '"' + "x" * 8191 + '"')
    assert str(error).endswith(
        "' at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: "
        "Member must have length less than or equal to 8192"
    )
    error = transformer_error(None, "")
    assert str(error) == (
        "1 validation error detected: Value '' at 'targets.1.member.inputTransformer.inputTemplate' "
        "failed to satisfy constraint: Member must have length greater than or equal to 1"
    )


def test_several_model_violations_are_reported_together() -> None:
    error = transformer_error({"a.b": "$.x"}, "")
    assert str(error).startswith("2 validation errors detected: Value '{a.b=$.x}' at ")
    assert "; Value '' at 'targets.1.member.inputTransformer.inputTemplate'" in str(error)


def test_member_location_follows_the_request_position() -> None:
    with pytest.raises(ValidationError) as raised:
        InputTransformer(None, "", target_id="t3", member="targets.3.member")
    assert "'targets.3.member.inputTransformer.inputTemplate'" in str(raised.value)


# --------------------------------------------------------------------------- Target-level checks


def test_only_one_input_form() -> None:
    # Recorded from AWS (LocalStack test_put_event_input_path_and_input_transformer) and measured:
    # "Only one of Input, InputPath, or InputTransformer must be provided for target <id>."
    message = "Only one of Input, InputPath, or InputTransformer must be provided for target t1."
    transformer = {"InputPathsMap": {"c": "$.detail.command"}, "InputTemplate": '{"c": <c>}'}
    assert str(target_error(input_path="$.detail", input_transformer=transformer)) == message
    assert str(target_error(input="{}", input_path="$.detail")) == message
    assert str(target_error(input="{}", input_transformer=transformer)) == message
    assert str(target_error(input="{}", input_path="$", input_transformer=transformer)) == message


@pytest.mark.parametrize(
    ("text", "location"),
    [
        # https://github.com/aws/aws-cli/issues/6711: Input=env:dev gave
        # "JSON syntax error in input for target 1: [Source: (String)"env:dev"; line: 1, column: 4]".
        ("env:dev", "line: 1, column: 4"),
        # https://github.com/ansible-collections/community.aws/issues/201: "{'db_name':..." gave
        # "...; line: 1, column: 3]".
        ("{'db_name': 'x'}", "line: 1, column: 3"),
    ],
)
def test_input_must_be_json_with_aws_message(text: str, location: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TargetInput("1", input=text)
    assert (
        str(raised.value)
        == f'JSON syntax error in input for target 1: [Source: (String)"{text}"; {location}]'
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "{",
        '{"a": }',
        "[1, 2",
        '"unterminated',
        "NaN",
        "Infinity",
        "{'a': 1}",
        "True",
        "{} {}",
        "01",
    ],
)
def test_invalid_input_json_is_refused(text: str) -> None:
    error = target_error(input=text)
    assert str(error).startswith(
        f'JSON syntax error in input for target t1: [Source: (String)"{text}"; line: '
    )


def test_input_error_location_counts_lines() -> None:
    error = target_error(input='{\n  "a": 1,\n  oops\n}')
    assert str(error).endswith("line: 3, column: 4]")


def test_long_input_is_truncated_in_the_message_like_jackson() -> None:
    text = "x" * 600
    error = target_error(input=text)
    assert f'(String)"{"x" * 500}"[truncated 100 chars]; line: 1, column: 601]' in str(error)


@pytest.mark.parametrize("text", ['"hello"', "42", "true", "null", "[]", '{"a": [1, {"b": null}]}', " {} "])
def test_any_json_value_is_valid_input(text: str) -> None:
    # Measured: "A JSON scalar is fine ("\"hello\"" deploys), a bare word is not."
    assert TargetInput("t1", input=text).input == text


def test_input_length_limit() -> None:
    # Target reference: Input, Maximum length of 8192.
    TargetInput("t1", input='"' + "x" * 8190 + '"')
    error = target_error(input='"' + "x" * 8191 + '"')
    assert str(error).endswith(
        "' at 'targets.1.member.input' failed to satisfy constraint: Member must have length less than or equal to 8192"
    )


def test_input_path_length_limit() -> None:
    # Target reference: InputPath, Maximum length of 256.
    TargetInput("t1", input_path="$." + "a" * 254)
    error = target_error(input_path="$." + "a" * 255)
    assert str(error).endswith(
        "' at 'targets.1.member.inputPath' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


def test_invalid_input_path() -> None:
    assert str(target_error(input_path="detail")) == "InputPath for target t1 is invalid."
    assert str(target_error(input_path="$.detail['x']")) == "InputPath for target t1 is invalid."


def test_model_violations_come_before_the_exclusivity_check() -> None:
    error = target_error(input="x" * 8193, input_path="$")
    assert str(error).startswith("1 validation error detected: ")


def test_transformer_errors_name_the_target() -> None:
    error = target_error(input_transformer={"InputTemplate": '"<nope>"'})
    assert str(error) == "InputTemplate for target t1 contains invalid placeholder nope."


def test_input_template_is_required() -> None:
    # API reference: InputTemplate "Required: Yes"; AWS's request model prints an absent member as
    # "Value null ... Member must not be null".
    expected = (
        "1 validation error detected: Value null at 'targets.1.member.inputTransformer.inputTemplate' "
        "failed to satisfy constraint: Member must not be null"
    )
    assert str(target_error(input_transformer={"InputPathsMap": {"a": "$.a"}})) == expected
    with pytest.raises(ValidationError) as raised:
        InputTransformer.from_aws({}, target_id="t1")
    assert str(raised.value) == expected
