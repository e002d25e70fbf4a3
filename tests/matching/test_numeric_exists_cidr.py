"""numeric, exists and cidr.

AWS documentation: "Content filtering in Amazon EventBridge event patterns", sections "Numeric
matching", "Exists matching" and "IP address matching"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html);
aws/event-ruler ``CIDR.java`` for address ranges.
"""

from __future__ import annotations

import pytest

from .conftest import matches, reason


@pytest.mark.parametrize(
    ("numeric", "value", "expected"),
    [
        ([">", 0, "<=", 5], 5, True),
        ([">", 0, "<=", 5], 0, False),
        ([">", 0, "<=", 5], 0.000001, True),
        (["<", 10], 9.99, True),
        (["<", 10], 10, False),
        (["<=", 10], 10, True),
        ([">=", 10], 10, True),
        (["=", 3.018e2], 301.8, True),
        (["=", 5], 5.0, True),
        ([">", 0], "5", False),  # JSON numbers only
        ([">", 0], True, False),
        (["<", -1e9], -5e9, True),  # beyond event-ruler's old +/-5e9 limit
        ([">", 1e15], 1e16, True),
        ([">=", -1.5, "<", 2.5], -1.5, True),
    ],
)
def test_numeric_matching(numeric: list[object], value: object, expected: bool) -> None:
    assert matches({"f": [{"numeric": numeric}]}, {"f": value}) is expected


def test_exists_true_and_false_exists_matching_section() -> None:
    assert matches({"f": [{"exists": True}]}, {"f": "x"})
    assert matches({"f": [{"exists": True}]}, {"f": None})  # null is a leaf value
    assert not matches({"f": [{"exists": True}]}, {})
    assert matches({"f": [{"exists": False}]}, {})
    assert not matches({"f": [{"exists": False}]}, {"f": 0})


def test_exists_applies_to_leaves_only_event_ruler_readme() -> None:
    """event-ruler README: exists matching only works on leaf nodes, not intermediate objects."""
    assert not matches({"c": [{"exists": True}]}, {"c": {"c1": 100}})
    assert matches({"c": [{"exists": False}]}, {"c": {"c1": 100}})


def test_exists_false_or_value() -> None:
    pattern = {"f": [{"exists": False}, "x"]}
    assert matches(pattern, {})
    assert matches(pattern, {"f": "x"})
    assert not matches(pattern, {"f": "y"})


def test_exists_false_with_array_consistency() -> None:
    """Under rulesForJSONEvent, a field counts as absent when the chosen array element lacks it."""
    event = {"people": [{"name": "a", "nick": "A"}, {"name": "b"}]}
    assert matches({"people": {"name": ["b"], "nick": [{"exists": False}]}}, event)
    assert not matches({"people": {"name": ["a"], "nick": [{"exists": False}]}}, event)


@pytest.mark.parametrize(
    ("cidr", "value", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.123", True),
        ("10.0.0.0/24", "10.0.1.1", False),
        ("10.0.0.0/8", "10.255.255.255", True),
        ("2001:db8::/32", "2001:db8:0:0:0:0:0:1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("10.0.0.0/24", "2001:db8::1", False),  # another IP version
        ("10.0.0.0/24", "not an ip", False),
        ("10.0.0.0/24", 10, False),
    ],
)
def test_cidr_ip_address_matching(cidr: str, value: object, expected: bool) -> None:
    assert matches({"ip": [{"cidr": cidr}]}, {"ip": value}) is expected


def test_exact_ip_literal_matches_other_spellings_event_ruler_cidr() -> None:
    """event-ruler compiles an exact IP-address string into a one-address range."""
    assert matches({"ip": ["2001:db8::1"]}, {"ip": "2001:DB8:0:0:0:0:0:1"})
    assert matches({"ip": ["10.0.0.1"]}, {"ip": "10.0.0.1"})


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("10.0.0.0", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/8/9", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/x", "Malformed CIDR, mask bits must be an integer"),
        ("10.0.0.0/-1", "Malformed CIDR, mask bits must not be negative"),
        ("10.0.0.0/32", "IPv4 mask bits must be < 32"),
        ("2001:db8::/128", "IPv6 mask bits must be < 128"),
        ("999.0.0.1/8", "Invalid IP address: 999.0.0.1"),
        ("host/8", "Nonstandard IP address: host"),
    ],
)
def test_cidr_errors_event_ruler_cidr(cidr: str, expected: str) -> None:
    assert reason({"ip": [{"cidr": cidr}]}) == expected


@pytest.mark.parametrize(
    ("numeric", "expected"),
    [
        ([], "Invalid member in numeric match: ]"),
        ([5], "Invalid member in numeric match: 5"),
        (["=="], "Unrecognized numeric range operator: =="),
        ([">>", 5], "Unrecognized numeric range operator: >>"),
        (["=", "5"], "Value of equals must be numeric"),
        (["=", 5, 6], "Too many elements in numeric expression"),
        ([">"], "Value of > must be numeric"),
        (["<", 5, ">", 1], "Too many elements in numeric expression"),
        ([">", 5, ">", 10], "Bad numeric range operator: >"),
        ([">", 5, 10], "Bad value in numeric range: 10"),
        ([">", 5, "<", "10"], "Value of < must be numeric"),
        ([">", 5, "<", 10, "<", 20], "Too many terms in numeric range expression"),
        ([">", 10, "<", 5], "Bottom must be less than top"),
        ([">=", 5, "<=", 5], "Bottom must be less than top"),
    ],
)
def test_numeric_errors_json_rule_compiler(numeric: list[object], expected: str) -> None:
    assert reason({"f": [{"numeric": numeric}]}) == expected


def test_numeric_not_an_array() -> None:
    assert reason({"f": [{"numeric": 5}]}) == "Value of numeric must be an array."
