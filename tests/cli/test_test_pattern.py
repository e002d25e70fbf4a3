"""``eventbus test-pattern``: exit 0 on a match, 1 on no match, 2 on an invalid pattern (with AWS's
InvalidEventPatternException message) or bad input; ``--explain`` prints the engine's explanation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run

Eventbus = Callable[..., Run]

PATTERN = {"source": ["com.example.shop"], "detail": {"total": [{"numeric": [">", 100]}]}}
BIG = {"id": "1", "source": "com.example.shop", "detail-type": "OrderPlaced", "detail": {"total": 250}}
SMALL = {**BIG, "detail": {"total": 25}}


def test_match_exits_0_and_no_match_exits_1(eventbus: Eventbus) -> None:
    # numeric matching https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
    match = eventbus("test-pattern", json.dumps(PATTERN), json.dumps(BIG))
    assert (match.code, match.out) == (0, "match\n")
    miss = eventbus("test-pattern", json.dumps(PATTERN), json.dumps(SMALL))
    assert (miss.code, miss.out) == (1, "no match\n")


def test_arguments_may_be_files(tmp_path: Path, eventbus: Eventbus) -> None:
    pattern, event = tmp_path / "pattern.json", tmp_path / "event.json"
    pattern.write_text(json.dumps(PATTERN, indent=2))
    event.write_text(json.dumps(BIG, indent=2))
    assert eventbus("test-pattern", str(pattern), str(event)).code == 0


def test_explain_says_why_each_field_matched_or_not(eventbus: Eventbus) -> None:
    run = eventbus("test-pattern", json.dumps(PATTERN), json.dumps(SMALL), "--explain")
    assert run.code == 1
    assert run.out.startswith("NO MATCH: the event does not match the pattern")
    assert 'MATCH source: value "com.example.shop"' in run.out
    assert "FAIL  detail.total: value 25" in run.out
    assert '25 is outside {"numeric": [">", 100]}' in run.out
    ok = eventbus("test-pattern", json.dumps(PATTERN), json.dumps(BIG), "--explain")
    assert ok.code == 0
    assert ok.out.startswith("MATCH: the event matches the pattern")


def test_explain_or_branches(eventbus: Eventbus) -> None:
    # $or https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or
    pattern = {"$or": [{"source": ["a"]}, {"detail": {"total": [250]}}]}
    run = eventbus("test-pattern", json.dumps(pattern), json.dumps(BIG), "--explain")
    assert run.code == 0
    assert "(1 of 2 $or branches match)" in run.out


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ({"source": "com.example.shop"}, 'Event pattern is not valid. Reason: "source" must be an object or an array'),
        ({"detail": {"n": [{"numeric": [">", "x"]}]}}, "Event pattern is not valid. Reason:"),
    ],
)
def test_invalid_pattern_exits_2_with_awss_message(pattern: object, message: str, eventbus: Eventbus) -> None:
    # InvalidEventPatternException https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
    run = eventbus("test-pattern", json.dumps(pattern), json.dumps(BIG))
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith(message), run.err


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("{bad", "the event is not JSON"),
        ("[1]", "the event must be a JSON object"),
        ("no-such-file.json", "the event 'no-such-file.json' is neither a file nor inline JSON"),
    ],
)
def test_bad_event_exits_2(event: str, message: str, eventbus: Eventbus) -> None:
    run = eventbus("test-pattern", json.dumps(PATTERN), event)
    assert run.code == 2
    assert message in run.err


def test_pattern_that_is_not_json_exits_2(eventbus: Eventbus) -> None:
    run = eventbus("test-pattern", "{source", json.dumps(BIG))
    assert run.code == 2
    assert "Event pattern is not valid" in run.err or "not JSON" in run.err


def test_missing_arguments_exit_2(eventbus: Eventbus) -> None:
    run = eventbus("test-pattern", json.dumps(PATTERN))
    assert run.code == 2
    assert "the following arguments are required: EVENT" in run.err
