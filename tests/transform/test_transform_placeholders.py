"""How a placeholder's value goes into the template: quoted (string) vs unquoted (JSON) context.

Rules from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
("Input transform examples" and "Common issues": "For Strings, quotes are required", "If you specify
a variable to match a JSON path that doesn't exist in the event, that variable isn't created",
"The JSON that is passed to the target is minified", "EventBridge doesn't escape values extracted by
Input Path, when populating the Input Template"). Where the page is silent, tests say which AWS
recording or which choice they pin down.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus.transform import InputTransformer

USER_GUIDE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html"
# AWS responses recorded by LocalStack's parity tests (tests/aws/services/events/
# test_events_inputs.snapshot.json, "recorded-content" captured from real AWS).
AWS_RECORDING = "localstack tests/aws/services/events/test_events_inputs.snapshot.json"

RULE = {
    "rule_arn": "arn:aws:events:us-east-1:123456789012:rule/my-bus/my-rule",
    "rule_name": "my-rule",
    "ingestion_time": "2024-06-11T08:33:10Z",
}


def event_with(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "d6f0f4e6-7f1a-4c8e-9d2b-1a2b3c4d5e6f",
        "detail-type": "core.update-account-command",
        "source": "core.update-account-command",
        "account": "111111111111",
        "time": "2024-06-11T08:33:09Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def render(template: str, detail: dict[str, Any], paths: dict[str, str] | None = None) -> str:
    paths = {"v": "$.detail.v"} if paths is None else paths
    return InputTransformer(paths, template, target_id="t1").render(event_with(detail), **RULE)


# --------------------------------------------------------------------------- value types, both contexts

VALUES: list[tuple[Any, str, str]] = [
    # (value, unquoted output as JSON, quoted output as string content)
    ("RUNNING", '"RUNNING"', "RUNNING"),
    ("", '""', ""),
    (42, "42", "42"),
    (-3.5, "-3.5", "-3.5"),
    (0, "0", "0"),
    (True, "true", "true"),
    (False, "false", "false"),
    (None, "null", "null"),
    ({"a": 1, "b": "x"}, '{"a":1,"b":"x"}', "{a:1,b:x}"),
    ([1, "two", None], '[1,"two",null]', "[1,two,null]"),
    ([], "[]", "[]"),
    ({}, "{}", "{}"),
]


@pytest.mark.parametrize(("value", "as_json", "_as_text"), VALUES)
def test_unquoted_placeholder_inserts_the_value_as_json(value: Any, as_json: str, _as_text: str) -> None:
    # USER_GUIDE "Simple JSON": {"instance": <instance>} gives {"instance": "i-0123456789"}; numbers,
    # booleans, null, objects and arrays likewise go in as JSON.
    out = render('{"k": <v>}', {"v": value})
    assert out == '{"k":' + as_json + "}"
    assert json.loads(out) == {"k": value}


@pytest.mark.parametrize(("value", "_as_json", "as_text"), VALUES)
def test_quoted_placeholder_inserts_string_content(value: Any, _as_json: str, as_text: str) -> None:
    # USER_GUIDE "Simple string" / "JSON with strings and variables": inside quotes the value is
    # text. Objects and arrays lose their quotes, as the Pipes page describes
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html:
    # {"key": "value"} becomes {key: value}); AWS does not document this for rules.
    assert render('{"k": "<v>"}', {"v": value}) == '{"k":"' + as_text + '"}'
    assert render('"value: <v>"', {"v": value}) == '"value: ' + as_text + '"'


def test_nested_objects_in_string_context_drop_every_quote() -> None:
    out = render('"<v>"', {"v": {"outer": {"inner": ["a", {"b": True}]}}})
    assert out == '"{outer:{inner:[a,{b:true}]}}"'


# --------------------------------------------------------------------------- characters needing escapes


@pytest.mark.parametrize(
    "text",
    [
        'say "hi"',
        "back\\slash",
        "line1\nline2",
        "tab\there",
        "nul\u0000char",
        "caf\u00e9 \u6771\u4eac \U0001f600",
        "</script><b>",
        "\u2028\u2029",
    ],
)
def test_unquoted_string_values_are_escaped_as_json(text: str) -> None:
    # An unquoted placeholder inserts valid JSON, so the delivered object parses back to the value.
    out = render('{"k": <v>}', {"v": text})
    assert json.loads(out) == {"k": text}


def test_unquoted_string_values_keep_non_ascii_characters() -> None:
    # Non-ASCII is not \\u-escaped, as in the event EventBridge delivers.
    assert render("<v>", {"v": "caf\u00e9 \u6771\u4eac"}) == '"caf\u00e9 \u6771\u4eac"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('say "hi"', '{"k":"say "hi""}'),
        ("back\\slash", '{"k":"back\\slash"}'),
        ("line1\nline2", '{"k":"line1\nline2"}'),
    ],
)
def test_quoted_string_values_are_not_escaped(text: str, expected: str) -> None:
    # USER_GUIDE "Common issues": "EventBridge doesn't escape values extracted by Input Path, when
    # populating the Input Template for a target". The result is then not valid JSON, and is
    # delivered as rendered (not minified further).
    out = render('{"k": "<v>"}', {"v": text})
    assert out == expected
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_escaped_quotes_in_the_template_do_not_end_the_string() -> None:
    # USER_GUIDE "String with escaped quotes": \" inside a string stays inside it, so <v> after it
    # is still quoted context.
    assert render(r'"a \"<v>\" b"', {"v": "x"}) == r'"a \"x\" b"'
    assert render(r'"a \\" <v>', {"v": "x"}) == r'"a \\" "x"'  # \\ is an escaped backslash: the string ends


# --------------------------------------------------------------------------- missing values


def test_missing_path_in_a_string_template_is_empty() -> None:
    # AWS_RECORDING, test_put_events_with_input_transformer_input_template_string: with
    # "command": "$.detail.notinmessage" the body was "... info extracted from detail " (empty).
    paths = {"detail-type": "$.detail-type", "command": "$.detail.notinmessage"}
    template = '"Event of <detail-type> type, info extracted from detail <command>"'
    out = render(template, {"command": "update-account"}, paths)
    assert out == '"Event of core.update-account-command type, info extracted from detail "'


def test_missing_path_unquoted_in_a_json_template_is_an_empty_string() -> None:
    # AWS_RECORDING, test_put_events_with_input_transformer_input_template_json: the template
    # {"detailType": <detail-type>, "time": <timestamp>, "command": <command>} with a missing
    # command delivered {"detailType": "...", "time": "...", "command": ""}.
    paths = {"detail-type": "$.detail-type", "timestamp": "$.time", "command": "$.detail.notinmessage"}
    template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}'
    out = render(template, {"command": "update-account"}, paths)
    assert json.loads(out) == {
        "detailType": "core.update-account-command",
        "time": "2024-06-11T08:33:09Z",
        "command": "",
    }


@pytest.mark.parametrize(
    "path", ["$.detail.a.b.c", "$.detail.list[5]", "$.detail.scalar.x", "$.detail.list.x"]
)
def test_paths_through_missing_or_mistyped_nodes_are_missing(path: str) -> None:
    detail = {"list": [1, 2], "scalar": 7}
    assert render('{"k": <v>, "s": "[<v>]"}', detail, {"v": path}) == '{"k":"","s":"[]"}'


def test_present_null_is_null_not_missing() -> None:
    # A field that is present with null is a value; only a path matching nothing is "not created".
    assert render('{"k": <v>, "s": "<v>"}', {"v": None}) == '{"k":null,"s":"null"}'


# --------------------------------------------------------------------------- wildcards and indices


def test_wildcard_paths_insert_the_list_of_matches() -> None:
    # USER_GUIDE lists wildcards (*) among the supported path syntax; a wildcard path yields every
    # match, as an array.
    detail = {"items": [{"id": "a"}, {"id": "b"}, {"other": 1}]}
    assert render('{"ids": <v>}', detail, {"v": "$.detail.items[*].id"}) == '{"ids":["a","b"]}'
    assert render('{"ids": <v>}', detail, {"v": "$.detail.nothing[*]"}) == '{"ids":[]}'


def test_array_index_paths() -> None:
    detail = {"items": [{"id": "a"}, {"id": "b"}]}
    assert render("<v>", detail, {"v": "$.detail.items[1].id"}) == '"b"'


# --------------------------------------------------------------------------- reserved variables


def test_reserved_string_variables_in_a_string() -> None:
    # AWS_RECORDING, test_input_transformer_predefined_variables (string case): all three
    # string variables, no InputPathsMap needed.
    template = (
        '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> '
        '<aws.events.event.ingestion-time>"'
    )
    out = InputTransformer(None, template, target_id="t1").render(event_with({}), **RULE)
    assert out == (
        '"Message containing all pre defined variables '
        'arn:aws:events:us-east-1:123456789012:rule/my-bus/my-rule my-rule 2024-06-11T08:33:10Z"'
    )


def test_reserved_string_variables_unquoted_are_json_strings() -> None:
    # USER_GUIDE "Including reserved variables in JSON": "ruleName" : <aws.events.rule-name> gives
    # "ruleName" : "example".
    template = '{"arn": <aws.events.rule-arn>, "name": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}'
    out = InputTransformer({}, template, target_id="t1").render(event_with({}), **RULE)
    assert json.loads(out) == {
        "arn": RULE["rule_arn"],
        "name": "my-rule",
        "at": "2024-06-11T08:33:10Z",
    }


def test_aws_events_event_is_the_envelope_without_detail_with_detail_type_as_detail_type() -> None:
    # AWS_RECORDING, test_input_transformer_predefined_variables (JSON case):
    # {"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>} delivered
    # originalEvent with keys id, account, detailType, time, source, region, resources, version
    # (in that order, no detail) and originalEventJson as the whole event.
    event = event_with({"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}})
    template = '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}'
    out = InputTransformer(None, template, target_id="t1").render(event, **RULE)
    decoded = json.loads(out)
    assert list(decoded["originalEvent"]) == [
        "id",
        "account",
        "detailType",
        "time",
        "source",
        "region",
        "resources",
        "version",
    ]
    assert decoded["originalEvent"]["detailType"] == "core.update-account-command"
    assert decoded["originalEventJson"] == event
    assert list(decoded["originalEventJson"]) == list(event)


def test_aws_events_event_keeps_extra_envelope_fields_after_the_known_ones() -> None:
    # Replayed events carry replay-name; it is not detail, so it stays (after the known fields).
    event = {**event_with({}), "replay-name": "r1"}
    out = InputTransformer(None, '{"e": <aws.events.event>}', target_id="t1").render(event, **RULE)
    assert list(json.loads(out)["e"])[-1] == "replay-name"


def test_object_variables_quoted_inside_a_json_template_render_without_quotes() -> None:
    # Accepted at PutTargets (the template is a JSON object); AWS documents these variables only as
    # JSON field values, so their text form here follows the objects-in-strings rule above.
    event = event_with({"x": 1})
    out = InputTransformer(None, '{"s": "<aws.events.event.json>"}', target_id="t1").render(event, **RULE)
    assert out.startswith('{"s":"{version:0,id:d6f0f4e6-7f1a-4c8e-9d2b-1a2b3c4d5e6f,')
    assert out.endswith('detail:{x:1}}"}')


# --------------------------------------------------------------------------- template shape


def test_json_templates_are_minified_outside_strings_only() -> None:
    # USER_GUIDE "Common issues": "The JSON that is passed to the target is minified".
    template = '{\n\t"a b" :  [ 1 ,\r\n 2 ] ,\n  "c": "  keep   these  spaces  <v> " }'
    assert render(template, {"v": " x "}) == '{"a b":[1,2],"c":"  keep   these  spaces   x  "}'


def test_leading_whitespace_still_makes_a_json_template() -> None:
    assert render('  \n {"k": <v>}', {"v": 1}) == '{"k":1}'


def test_string_and_text_templates_are_not_minified() -> None:
    assert render('"a  b <v>"', {"v": 1}) == '"a  b 1"'
    assert render("  text  <v>  ", {"v": "x"}) == '  text  "x"  '
    assert render('[ <v> , "x" ]', {"v": 1}) == '[ 1 , "x" ]'


def test_a_variable_used_twice_renders_twice_in_each_context() -> None:
    out = render('{"a": <v>, "b": "<v>-<v>", "c": <v>}', {"v": "x"})
    assert out == '{"a":"x","b":"x-x","c":"x"}'


def test_angle_brackets_that_are_not_placeholders_stay_literal() -> None:
    # "<" followed by whitespace, a quote or nothing closing is literal text.
    assert render('"a < b and c > d <v>"', {"v": 1}) == '"a < b and c > d 1"'
    assert render('"1 <> 2 <v>"', {"v": 1}) == '"1 <> 2 1"'


def test_placeholders_adjacent_to_each_other_and_to_text() -> None:
    paths = {"a": "$.detail.a", "b": "$.detail.b"}
    assert render('"<a><b>x<a>"', {"a": 1, "b": "y"}, paths) == '"1yx1"'
    assert render("<a><b>", {"a": 1, "b": "y"}, paths) == '1"y"'


def test_rendering_does_not_mutate_the_event() -> None:
    event = event_with({"v": {"a": [1, 2]}})
    snapshot = json.dumps(event)
    InputTransformer({"v": "$.detail.v"}, '{"a": <v>, "e": <aws.events.event>}', target_id="t1").render(
        event, **RULE
    )
    assert json.dumps(event) == snapshot
