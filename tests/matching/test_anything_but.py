"""anything-but in all its forms.

AWS documentation: "Content filtering in Amazon EventBridge event patterns", section "Anything-but
matching" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html);
type behaviour from aws/event-ruler ByteMachine (an exclusion only excludes values of its own type).
"""

from __future__ import annotations

import pytest

from .conftest import matches


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("initializing", "running", True),
        ("initializing", "initializing", False),
        (["stopped", "overloaded"], "running", True),
        (["stopped", "overloaded"], "stopped", False),
        (123, 124, True),
        (123, 123.0, False),  # by value
        ([100, 200, 300], 200, False),
        ([100, 200, 300], "200", True),  # a string is not excluded by numbers
        ("5", 5, True),  # a number is not excluded by strings
        ("x", None, True),  # null is not excluded
        ("x", True, True),
        ({"prefix": "init"}, "initializing", False),
        ({"prefix": "init"}, "running", True),
        ({"prefix": ["us-", "eu-"]}, "eu-west-1", False),
        ({"suffix": ".png"}, "a.png", False),
        ({"suffix": ".png"}, "a.jpg", True),
        ({"suffix": ".png"}, 5, True),
        ({"equals-ignore-case": "initializing"}, "INITIALIZING", False),
        ({"equals-ignore-case": ["a", "B"]}, "b", False),
        ({"equals-ignore-case": ["a", "B"]}, "c", True),
        ({"wildcard": "*/lib/*"}, "/usr/lib/x", False),
        ({"wildcard": ["*/lib/*", "*.tmp"]}, "x.tmp", False),
        ({"wildcard": "*/lib/*"}, "/usr/bin/x", True),
    ],
)
def test_anything_but_forms(condition: object, value: object, expected: bool) -> None:
    assert matches({"f": [{"anything-but": condition}]}, {"f": value}) is expected


def test_missing_field_never_matches_anything_but() -> None:
    """ "Anything-but matching": a field missing from the event does not match."""
    assert not matches({"f": [{"anything-but": "x"}]}, {"g": "y"})
    assert not matches({"f": [{"anything-but": {"prefix": "x"}}]}, {})


def test_anything_but_on_arrays_any_element() -> None:
    """An array matches when any element is not excluded (each element is a value)."""
    assert matches({"f": [{"anything-but": "a"}]}, {"f": ["a", "b"]})
    assert not matches({"f": [{"anything-but": ["a", "b"]}]}, {"f": ["a", "b"]})


def test_two_anything_buts_on_one_field_are_ored() -> None:
    pattern = {"f": [{"anything-but": "a"}, {"anything-but": "b"}]}
    assert matches(pattern, {"f": "a"})  # not "b"
    assert matches(pattern, {"f": "c"})
