"""Exact values, nesting, dotted keys and event arrays.

AWS documentation: "Event patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/
eb-event-patterns.html), "Matching values" and "Arrays in Amazon EventBridge event patterns"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html); array
consistency is aws/event-ruler's rulesForJSONEvent (README "JSON Array Matching").
"""

from __future__ import annotations

import pytest

from .conftest import matches

EC2 = {
    "source": "aws.ec2",
    "detail-type": "EC2 Instance State-change Notification",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
    "detail": {"state": "terminated", "count": 5, "ratio": 3.0, "flag": True, "none": None, "empty": ""},
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["aws.ec2"]}, True),
        ({"source": ["aws.s3"]}, False),
        ({"source": ["aws.s3", "aws.ec2"]}, True),  # values in one array are ORed
        ({"source": ["aws.ec2"], "detail-type": ["nope"]}, False),  # fields are ANDed
        ({"detail": {"state": ["terminated"]}}, True),
        ({"detail.state": ["terminated"]}, True),  # dotted key equals nesting
        ({"detail": {"absent": ["x"]}}, False),
        ({"detail": {"empty": [""]}}, True),  # "Empty values": [""] matches the empty string
        ({"detail": {"none": [None]}}, True),  # "Null values"
        ({"detail": {"absent": [None]}}, False),  # null does not match a missing field
        ({"detail": {"flag": [True]}}, True),
        ({"detail": {"flag": [1]}}, False),  # a boolean never equals a number
        ({"detail": {"count": [True]}}, False),
        ({"detail": {"count": [5.0]}}, True),  # numbers compare by value
        ({"detail": {"ratio": [3]}}, True),
        ({"detail": {"count": ["5"]}}, False),  # a string is not a number
        ({"detail": {"state": ["Terminated"]}}, False),  # matching is case-sensitive
        ({"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]}, True),
    ],
)
def test_exact_values_event_patterns_page(pattern: object, expected: bool) -> None:
    assert matches(pattern, EC2) is expected


def test_number_exponent_forms_are_equal_aws_confirmed() -> None:
    """AWS-confirmed: [300] matches 300, 300.0 and 3.0e2 (JSON text events keep their spelling)."""
    for text in ('{"x": 300}', '{"x": 300.0}', '{"x": 3.0e2}'):
        assert matches('{"x": [300]}', text)
    assert matches('{"x": [3.0e2]}', {"x": 300})


def test_dotted_event_key_equals_nesting_event_ruler_readme() -> None:
    """event-ruler README "Compiled rules and JSON keys with dots": both spellings match both."""
    for pattern in ({"a": {"b": ["x"]}}, {"a.b": ["x"]}):
        assert matches(pattern, {"a": {"b": "x"}})
        assert matches(pattern, {"a.b": "x"})


def test_any_array_element_matches_arrays_page() -> None:
    assert matches({"tags": ["web"]}, {"tags": ["prod", "web"]})
    assert not matches({"tags": ["dev"]}, {"tags": ["prod", "web"]})
    assert matches({"tags": ["a"]}, {"tags": [["b"], ["a"]]})  # nested arrays flatten


def test_objects_inside_arrays_are_crushed_event_ruler_readme() -> None:
    event = {"employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}]}
    assert matches({"employees": {"first": ["Anna"]}}, event)
    assert matches({"employees": {"first": ["Anna"], "last": ["Smith"]}}, event)


def test_array_consistency_same_element_rules_for_json_event() -> None:
    """rulesForJSONEvent refuses matches combining fields from different elements of one array."""
    event = {"employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}]}
    assert not matches({"employees": {"first": ["Anna"], "last": ["Doe"]}}, event)


def test_array_consistency_nested_arrays() -> None:
    event = {"a": [{"b": [{"c": 1, "d": 2}, {"c": 3, "d": 4}]}, {"b": [{"c": 5, "d": 6}]}]}
    assert matches({"a": {"b": {"c": [3], "d": [4]}}}, event)
    assert not matches({"a": {"b": {"c": [3], "d": [6]}}}, event)


def test_fields_outside_the_array_combine_freely() -> None:
    event = {"source": "s", "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}
    assert matches({"source": ["s"], "items": {"sku": ["b"], "qty": [2]}}, event)
    assert not matches({"source": ["s"], "items": {"sku": ["b"], "qty": [1]}}, event)


def test_empty_array_and_object_have_no_leaf() -> None:
    assert not matches({"tags": [{"exists": True}]}, {"tags": []})
    assert matches({"tags": [{"exists": False}]}, {"tags": []})
    assert not matches({"o": [{"exists": True}]}, {"o": {}})


def test_event_as_json_text_bytes_or_mapping() -> None:
    for event in ('{"a": "b"}', b'{"a": "b"}', {"a": "b"}):
        assert matches({"a": ["b"]}, event)


def test_event_must_be_an_object() -> None:
    with pytest.raises(TypeError):
        matches({"a": ["b"]}, "[1, 2]")


def test_unicode_values_match_exactly() -> None:
    assert matches({"name": ["Zoë 🚀"]}, {"name": "Zoë 🚀"})
    assert not matches({"name": ["Zoe"]}, {"name": "Zoë"})


def test_large_integers_compare_as_doubles_event_ruler_full_range() -> None:
    """event-ruler (since PR #188, full float64 range) compares numbers as doubles."""
    assert matches({"n": [123456789012]}, {"n": 123456789012})
    assert matches({"n": [{"numeric": [">", 1e300]}]}, {"n": 1e301})
