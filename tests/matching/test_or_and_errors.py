"""``$or`` and every validation error, with event-ruler's exact reason text.

AWS documentation: "Content filtering in Amazon EventBridge event patterns", section "Or matching"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html);
reason texts from aws/event-ruler ``JsonRuleCompiler``; ``str(error)`` is
``Event pattern is not valid. Reason: <reason>`` as TestEventPattern/PutRule answer.
"""

from __future__ import annotations

import pytest

from eventbus.matching import EventPattern

from .conftest import matches, reason


def test_or_top_level_and_nested() -> None:
    pattern = {"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPU"]}, {"namespace": ["AWS/EC2"]}]}
    assert matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/EC2"})
    assert not matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/ES"})
    nested = {"detail": {"$or": [{"c": [{"numeric": [">", 10]}]}, {"state": ["on"]}]}}
    assert matches(nested, {"detail": {"c": 1, "state": "on"}})
    assert len(EventPattern(nested).branches) == 2


def test_or_nested_in_or() -> None:
    pattern = {"$or": [{"a": ["1"]}, {"b": ["2"], "$or": [{"c": ["3"]}, {"d": ["4"]}]}]}
    assert len(EventPattern(pattern).branches) == 3
    assert matches(pattern, {"b": "2", "d": "4"})
    assert not matches(pattern, {"b": "2"})


def test_later_write_to_same_path_wins_json_rule_compiler() -> None:
    """JsonRuleCompiler writes each path into a map: a later write to the same path replaces it."""
    assert matches({"a.b": ["1"], "a": {"b": ["2"]}}, {"a": {"b": "2"}})
    assert not matches({"a.b": ["1"], "a": {"b": ["2"]}}, {"a": {"b": "1"}})


def test_or_not_an_operator_falls_back_to_field_name_event_ruler_readme() -> None:
    """README "The backward compatibility of using $or as field name": {"$or": {...}} is a field."""
    assert matches({"$or": {"a": ["x"]}}, {"$or": {"a": "x"}})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('["a"]', "Filter is not an object"),
        ("5", "Filter is not an object"),
        ("{}", "Empty objects are not allowed"),
        ('{"a": {}}', "Empty objects are not allowed"),
        ('{"source": []}', "Empty arrays are not allowed"),
        ('{"source": "aws.ec2"}', '"source" must be an object or an array'),
        ('{"a": {"b": 5}}', '"b" must be an object or an array'),
        ('{"a": [["x"]]}', "Match value must be String, number, true, false, or null"),
        ('{"a": [{}]}', "Match expression name not found"),
        ('{"a": [{"regex": "x"}]}', "Unrecognized match type regex"),
        ('{"a": [{"NUMERIC": ["=", 5]}]}', "Unrecognized match type NUMERIC"),
        ('{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"),
        ('{"a": [{"prefix": 5}]}', "prefix match pattern must be a string"),
        ('{"a": [{"suffix": null}]}', "suffix match pattern must be a string"),
        ('{"a": [{"prefix": {}}]}', "Prefix expression name not found"),
        ('{"a": [{"prefix": {"x": "y"}}]}', "Unsupported prefix pattern: x"),
        ('{"a": [{"suffix": {"x": "y"}}]}', "Unsupported suffix pattern: x"),
        (
            '{"a": [{"prefix": {"equals-ignore-case": 5}}]}',
            "equals-ignore-case match pattern must be a string",
        ),
        ('{"a": [{"equals-ignore-case": ["x"]}]}', "equals-ignore-case match pattern must be a string"),
        ('{"a": [{"wildcard": 5}]}', "wildcard match pattern must be a string"),
        ('{"a": [{"exists": "yes"}]}', "exists match pattern must be either true or false."),
        ('{"a": [{"exists": true, "x": 1}]}', "Only one key allowed in match expression"),
        ('{"a": [{"cidr": 5}]}', "prefix match pattern must be a string"),
        ('{"a": [{"exactly": 5}]}', "exact match pattern must be a string"),
        ('{"a": [{"anything-but": {}}]}', "Anything-But expression name not found"),
        ('{"a": [{"anything-but": {"exists": false}}]}', "Unsupported anything-but pattern: exists"),
        (
            '{"a": [{"anything-but": null}]}',
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            '{"a": [{"anything-but": {"prefix": true}}]}',
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            '{"a": [{"anything-but": [true]}]}',
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        (
            '{"a": [{"anything-but": ["a", 1]}]}',
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        ),
        (
            '{"a": [{"anything-but": []}]}',
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        ),
        ('{"a": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"),
        ('{"a": [{"anything-but": {"suffix": [""]}}]}', "Null prefix/suffix not allowed"),
        ('{"a": [{"anything-but": {"prefix": 5}}]}', "prefix/suffix match pattern must be a string"),
        (
            '{"a": [{"anything-but": {"equals-ignore-case": 5}}]}',
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        ),
        ('{"a": [{"anything-but": {"wildcard": [5]}}]}', "wildcard match pattern must be a string"),
        ('{"a": [{"anything-but": {"wildcard": "a**"}}]}', "Consecutive wildcard characters at pos 2"),
        ('{"a": [{"anything-but": "x", "y": 1}]}', "Too many elements in numeric expression"),
        (
            '{"a": [{"anything-but": {"prefix": "x", "suffix": "y"}}]}',
            "Too many elements in numeric expression",
        ),
        ('{"$or": [{"a": ["1"]}]}', "There must have at least 2 Objects in $or relationship."),
        ('{"$or": "x"}', "It must be an Array followed with $or."),
        ('{"$or": [{"a": ["1"]}, "b"]}', "Only JSON object is allowed in array of $or relationship."),
        (
            '{"$or": [{"a": ["1"]}, {"numeric": ["1"]}]}',
            "numeric is Ruler reserved fieldName which cannot be used inside $or.",
        ),
        ('{"a": ', "Filter is not valid JSON"),
    ],
)
def test_validation_errors(pattern: str, expected: str) -> None:
    assert reason(pattern) == expected


def test_error_is_a_validation_error_with_reason() -> None:
    from eventbus.errors import InvalidEventPatternError, ValidationError

    with pytest.raises(ValidationError) as raised:
        EventPattern({"source": []})
    assert isinstance(raised.value, InvalidEventPatternError)
    assert str(raised.value) == "Event pattern is not valid. Reason: Empty arrays are not allowed"
    assert raised.value.reason == "Empty arrays are not allowed"
    assert "at [Source" not in str(raised.value)


def test_pattern_as_mapping_bytes_or_text_agree() -> None:
    pattern = {"a": [{"numeric": [">", 1]}], "b": ["x"]}
    import json

    for given in (pattern, json.dumps(pattern), json.dumps(pattern).encode()):
        assert matches(given, {"a": 2, "b": "x"})


# Input nested more deeply than a JSON parser reads (AWS's Jackson stops at 1,000 levels; Python's
# recursion limit is of the same order) is refused with a clear error, never a RecursionError.
def _deep_text(depth: int, leaf: str) -> str:
    return '{"x":' * depth + leaf + "}" * depth


def _deep_mapping(depth: int, leaf: object) -> dict[str, object]:
    value: dict[str, object] = {"x": leaf}
    for _ in range(depth):
        value = {"x": value}
    return value


def test_too_deep_patterns_are_not_valid_json() -> None:
    from eventbus.matching import FilterPolicy, InvalidFilterPolicyError

    for pattern in (_deep_text(5000, "[1]"), _deep_mapping(5000, [1])):
        assert reason(pattern) == "Filter is not valid JSON"
        with pytest.raises(InvalidFilterPolicyError, match="Filter is not valid JSON"):
            FilterPolicy(pattern, scope="MessageBody")


def test_too_deep_event_text_is_a_value_error_naming_the_problem() -> None:
    pattern = EventPattern({"x": {"y": [1]}})
    with pytest.raises(ValueError, match="nested more deeply"):
        pattern.matches(_deep_text(5000, "1"))
    # A deep mapping is fine: only the referenced paths are walked.
    assert pattern.matches(_deep_mapping(5000, 1)) is False
