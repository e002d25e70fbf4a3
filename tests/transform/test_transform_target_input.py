"""What a rule target receives for each input form (PutTargets / Target API reference).

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html: with none of
Input, InputPath and InputTransformer "the entire event is passed to the target in JSON format";
Input "in the form of valid JSON" overrides the matched event with that constant; InputPath passes
"only the part of the event specified in the path"; InputTransformer uses extracted values in a
template.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus.transform import InputTransformer, TargetInput

# EVENT_DETAIL from LocalStack's parity tests, whose deliveries AWS recorded
# (tests/aws/services/events/test_events_inputs.snapshot.json).
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "a7f1c2d4-0000-4000-8000-000000000001",
    "detail-type": "core.update-account-command",
    "source": "core.update-account-command",
    "account": "111111111111",
    "time": "2024-05-13T12:27:07Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}},
}
RULE = {"rule_arn": "arn:aws:events:us-east-1:111111111111:rule/r", "rule_name": "r", "ingestion_time": "t"}


def test_whole_event_is_compact_json_in_envelope_order() -> None:
    out = TargetInput("t1").payload(EVENT, **RULE)
    assert out == json.dumps(EVENT, separators=(",", ":"))
    assert TargetInput("t1").kind == "event"


def test_whole_event_keeps_non_ascii_characters() -> None:
    event = {**EVENT, "detail": {"city": "K\u00f8benhavn"}}
    out = TargetInput("t1").payload(event, **RULE)
    assert out is not None
    assert "K\u00f8benhavn" in out


def test_input_is_passed_verbatim() -> None:
    # The constant is not re-serialised: whitespace and key order are the caller's.
    text = '{ "b": 1,\n  "a": [ true ] }'
    target_input = TargetInput("t1", input=text)
    assert target_input.kind == "input"
    assert target_input.payload(EVENT, **RULE) == text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Recorded: InputPath $.detail delivered the detail object.
        ("$.detail", {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}),
        # Recorded: $.detail.payload delivered the nested object.
        ("$.detail.payload", {"acc_id": "0a787ecb-4015", "sf_id": "baz"}),
    ],
)
def test_input_path_delivers_the_named_part_as_json(path: str, expected: Any) -> None:
    out = TargetInput("t1", input_path=path).payload(EVENT, **RULE)
    assert out is not None
    assert json.loads(out) == expected


def test_input_path_to_a_string_delivers_a_quoted_json_string() -> None:
    # Recorded: InputPath $.detail.payload.sf_id delivered the body "baz" (quotes included).
    assert TargetInput("t1", input_path="$.detail.payload.sf_id").payload(EVENT, **RULE) == '"baz"'


def test_input_path_to_the_root_is_the_whole_event() -> None:
    assert TargetInput("t1", input_path="$").payload(EVENT, **RULE) == TargetInput("t1").payload(
        EVENT, **RULE
    )


def test_input_path_with_a_wildcard_delivers_an_array() -> None:
    event = {**EVENT, "resources": ["arn:a", "arn:b"]}
    assert TargetInput("t1", input_path="$.resources[*]").payload(event, **RULE) == '["arn:a","arn:b"]'


def test_input_path_matching_nothing_gives_no_payload() -> None:
    # AWS does not document this case; None lets the caller decide (and journal) what happens.
    assert TargetInput("t1", input_path="$.detail.absent").payload(EVENT, **RULE) is None


def test_input_transformer_from_the_aws_shape() -> None:
    # Recorded: {"detailType": <detail-type>, "time": <timestamp>, "command": <command>}.
    spec = {
        "InputPathsMap": {
            "detail-type": "$.detail-type",
            "timestamp": "$.time",
            "command": "$.detail.command",
        },
        "InputTemplate": '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}',
    }
    target_input = TargetInput("t1", input_transformer=spec)
    assert target_input.kind == "input_transformer"
    out = target_input.payload(EVENT, **RULE)
    assert (
        out
        == '{"detailType":"core.update-account-command","time":"2024-05-13T12:27:07Z","command":"update-account"}'
    )


def test_input_transformer_object_is_rebound_to_the_target_id() -> None:
    transformer = InputTransformer({"c": "$.detail.command"}, '"<c>"', target_id="other")
    target_input = TargetInput("t1", input_transformer=transformer)
    assert target_input.input_transformer is not None
    assert target_input.input_transformer.target_id == "t1"
    assert target_input.payload(EVENT, **RULE) == '"update-account"'
    same = InputTransformer({"c": "$.detail.command"}, '"<c>"', target_id="t1")
    assert TargetInput("t1", input_transformer=same).input_transformer is same


def test_to_aws_round_trip() -> None:
    spec = {"InputPathsMap": {"c": "$.detail.command"}, "InputTemplate": '"<c>"'}
    assert TargetInput("t1").to_aws() == {}
    assert TargetInput("t1", input="{}").to_aws() == {"Input": "{}"}
    assert TargetInput("t1", input_path="$.detail").to_aws() == {"InputPath": "$.detail"}
    assert TargetInput("t1", input_transformer=spec).to_aws() == {"InputTransformer": spec}
    assert TargetInput("t1", input_transformer={"InputTemplate": '"x"'}).to_aws() == {
        "InputTransformer": {"InputTemplate": '"x"'}
    }
    assert TargetInput("t1", input_transformer=spec) == TargetInput("t1", input_transformer=dict(spec))


def test_properties_and_repr() -> None:
    target_input = TargetInput("t1", input_path="$.detail")
    assert (target_input.target_id, target_input.input, target_input.input_path) == ("t1", None, "$.detail")
    assert target_input.input_transformer is None
    assert repr(target_input) == "eventbus.transform.TargetInput('t1', InputPath='$.detail')"
    assert repr(TargetInput("t2")) == "eventbus.transform.TargetInput('t2')"
    transformer = InputTransformer(
        {"a": "$.a"}, '{"x": <a>, "y": "<a> <aws.events.rule-name>"}', target_id="t1"
    )
    assert transformer.placeholders == ("a", "aws.events.rule-name")
    assert transformer.is_json_template
    assert dict(transformer.input_paths_map) == {"a": "$.a"}
    assert "eventbus.transform.InputTransformer(" in repr(transformer)


def test_equality_and_hashing() -> None:
    a = InputTransformer({"a": "$.a"}, '"<a>"', target_id="t1")
    b = InputTransformer({"a": "$.a"}, '"<a>"', target_id="t1")
    assert a == b
    assert hash(a) == hash(b)
    assert a != InputTransformer({"a": "$.b"}, '"<a>"', target_id="t1")
    assert TargetInput("t1", input="{}") == TargetInput("t1", input="{}")
    assert TargetInput("t1", input="{}") != TargetInput("t1", input="[]")
    assert len({TargetInput("t1", input_transformer=a), TargetInput("t1", input_transformer=b)}) == 1


def test_input_paths_map_is_read_only() -> None:
    transformer = InputTransformer({"a": "$.a"}, '"<a>"', target_id="t1")
    with pytest.raises(TypeError):
        transformer.input_paths_map["b"] = "$.b"  # type: ignore[index]


def test_rendering_is_deterministic_and_repeatable() -> None:
    target_input = TargetInput(
        "t1",
        input_transformer={
            "InputPathsMap": {"p": "$.detail.payload"},
            "InputTemplate": '{"p": <p>, "e": <aws.events.event>, "s": "<p>"}',
        },
    )
    first = target_input.payload(EVENT, **RULE)
    assert all(target_input.payload(EVENT, **RULE) == first for _ in range(3))
