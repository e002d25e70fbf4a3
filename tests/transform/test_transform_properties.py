"""Property tests: placeholder insertion keeps values intact wherever AWS's rules guarantee it.

Rules from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html:
an unquoted placeholder inserts the value as JSON; a quoted one inserts string content (unescaped);
JSON templates are minified. A failing example prints its seed (hypothesis prints the example).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import eventbus.transform as transform
from eventbus.transform import InputTransformer, TargetInput

RULE = {"rule_arn": "arn:aws:events:us-east-1:123456789012:rule/r", "rule_name": "r", "ingestion_time": "t"}

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Strings AWS can put inside a JSON string unescaped and still yield JSON: no quote, backslash or
# control character.
safe_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='"\\'))


def event_with(value: Any) -> dict[str, Any]:
    return {"version": "0", "id": "1", "detail-type": "t", "source": "s", "detail": {"v": value}}


@given(json_values)
def test_unquoted_placeholder_round_trips_any_json_value(value: Any) -> None:
    out = InputTransformer({"v": "$.detail.v"}, '{ "k" : <v> }', target_id="t1").render(
        event_with(value), **RULE
    )
    assert json.loads(out) == {"k": value}


@given(safe_text)
def test_quoted_placeholder_round_trips_safe_strings(value: str) -> None:
    out = InputTransformer({"v": "$.detail.v"}, '{"k": "[<v>]"}', target_id="t1").render(
        event_with(value), **RULE
    )
    assert json.loads(out) == {"k": f"[{value}]"}


@given(json_values)
def test_whole_event_and_root_path_round_trip(value: Any) -> None:
    event = event_with(value)
    whole = TargetInput("t1").payload(event, **RULE)
    assert whole is not None
    assert json.loads(whole) == event
    part = TargetInput("t1", input_path="$.detail.v").payload(event, **RULE)
    assert part is not None
    assert json.loads(part) == value


@given(st.text(st.characters(blacklist_characters="<")))
def test_text_without_placeholders_is_delivered_unchanged(text: str) -> None:
    if not text or text.lstrip(" \t\r\n").startswith("{"):
        return  # empty is refused; JSON-object templates are minified
    assert InputTransformer(None, text, target_id="t1").render(event_with(1), **RULE) == text


@given(json_values)
def test_minified_json_templates_equal_their_parsed_form(value: Any) -> None:
    template = json.dumps({"constant": value, "v": "<v>"}, indent=2).replace('"<v>"', "<v>")
    out = InputTransformer({"v": "$.detail.v"}, template, target_id="t1").render(event_with(value), **RULE)
    assert json.loads(out) == {"constant": value, "v": value}


def test_public_all_is_a_tuple_of_existing_names() -> None:
    # anyio's house rule, applied to this module (style.md).
    assert isinstance(transform.__all__, tuple)
    assert len(set(transform.__all__)) == len(transform.__all__)
    for name in transform.__all__:
        assert hasattr(transform, name)
