"""prefix, suffix, equals-ignore-case and wildcard.

AWS documentation: "Content filtering in Amazon EventBridge event patterns"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html),
sections "Prefix matching", "Prefix matching while ignoring case", "Suffix matching", "Suffix matching
while ignoring case", "Equals-ignore-case matching" and "Matching using wildcards".
"""

from __future__ import annotations

import pytest

from .conftest import matches, reason


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"prefix": "2017-10-02"}, "2017-10-02T18:43:48Z", True),
        ({"prefix": "2017-10-02"}, "2017-10-03", False),
        ({"prefix": ""}, "anything", True),
        ({"prefix": ""}, "", True),
        ({"prefix": "5"}, 5, False),  # strings only
        ({"prefix": {"equals-ignore-case": "EventB"}}, "eventbridge", True),
        ({"prefix": {"equals-ignore-case": "EventB"}}, "EVENTBRIDGE", True),
        ({"prefix": {"equals-ignore-case": "EventB"}}, "Event", False),
        ({"suffix": ".png"}, "image.png", True),
        ({"suffix": ".png"}, "image.PNG", False),
        ({"suffix": {"equals-ignore-case": ".png"}}, "image.PNG", True),
        ({"suffix": "1"}, 1, False),
        ({"equals-ignore-case": "alice"}, "ALICE", True),
        ({"equals-ignore-case": "alice"}, "alicia", False),
        ({"equals-ignore-case": "1"}, 1, False),
    ],
)
def test_prefix_suffix_equals_ignore_case(condition: object, value: object, expected: bool) -> None:
    assert matches({"f": [condition]}, {"f": value}) is expected


@pytest.mark.parametrize(
    ("wildcard", "value", "expected"),
    [
        ("Simple*Service", "SimpleQueueService", True),
        ("Simple*Service", "SimpleService", True),  # * matches zero characters
        ("Simple*Service", "SimpleServiceX", False),
        ("*.png", "dir/file.png", True),
        ("dir/*/file", "dir/a/b/file", True),
        ("*", "", True),
        ("a\\*b", "a*b", True),  # \* is a literal asterisk
        ("a\\*b", "axb", False),
        ("a\\\\b", "a\\b", True),  # \\ is a literal backslash
        ("us-*-1", "us-east-1", True),
        ("x*", 5, False),  # strings only
    ],
)
def test_wildcard_matching(wildcard: str, value: object, expected: bool) -> None:
    assert matches({"f": [{"wildcard": wildcard}]}, {"f": value}) is expected


def test_wildcard_consecutive_asterisks_are_refused_with_byte_position() -> None:
    """event-ruler's WildcardParser counts UTF-8 bytes of the quoted value (so the opening quote too)."""
    assert reason({"f": [{"wildcard": "a**b"}]}) == "Consecutive wildcard characters at pos 2"
    assert reason({"f": [{"wildcard": "**"}]}) == "Consecutive wildcard characters at pos 1"
    assert reason({"f": [{"wildcard": "é**"}]}) == "Consecutive wildcard characters at pos 3"


def test_wildcard_invalid_escape_is_refused() -> None:
    assert reason({"f": [{"wildcard": "a\\b"}]}) == "Invalid escape character at pos 2"
    assert reason({"f": [{"wildcard": "a\\"}]}) == "Invalid escape character at pos 2"


def test_wildcard_too_complex_is_refused() -> None:
    """ "Wildcard matching": too many wildcards or repeated sequences after one are refused."""
    text = (
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
        "sequences after a wildcard character"
    )
    assert reason({"f": [{"wildcard": "*a*a*a*a*a*a*a*"}]}) == text
    keys = [{"wildcard": f"*/datasync/*.{ext}"} for ext in ("bif", "tiff", "tif", "svs")]
    assert reason({"key": keys}) == text


def test_reasonable_wildcards_are_accepted() -> None:
    assert matches(
        {"key": [{"wildcard": "*/datasync/*.bif"}, {"wildcard": "*/datasync/*.tif"}]},
        {"key": "x/datasync/y.tif"},
    )
    assert matches(
        {"f": [{"wildcard": "*.png"}, {"wildcard": "*.jpg"}, {"wildcard": "*.gif"}]}, {"f": "a.gif"}
    )


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"prefix": {"equals-ignore-case": "\u0391\u03a3"}}, "\u0391\u03a3A", True),  # no final-sigma context
        ({"suffix": {"equals-ignore-case": "\u03a3"}}, "\u0391\u03a3", True),
        ({"equals-ignore-case": "\u03c3"}, "\u03a3", True),
        ({"equals-ignore-case": "k"}, "\u212a", False),  # the Kelvin sign is not a case form of k
        ({"equals-ignore-case": "é"}, "É", True),
        ({"anything-but": {"equals-ignore-case": "\u0391\u03a3"}}, "\u03b1\u03c3", False),
    ],
)
def test_ignore_case_is_per_character_event_ruler(condition: object, value: str, expected: bool) -> None:
    """event-ruler input/EqualsIgnoreCaseParser: each pattern character matches its own lower- or
    upper-case form, without context (notes/pattern-discrepancies.md section 4)."""
    from eventbus.matching import PatternSet

    assert matches({"f": [condition]}, {"f": value}) is expected
    patterns = PatternSet()
    patterns.add("p", {"f": [condition]})
    assert (patterns.match({"f": value}) == ["p"]) is expected
