"""Conformance of eventbus.matching with AWS, one test per case of tests/conformance/cases/.

EventBridge: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html, plus the
behaviour of aws/event-ruler, the engine EventBridge runs. SNS:
https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html. Each case cites its own source;
see _cases.py for the case format and notes/pattern-discrepancies.md for what the engine gets wrong.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ._cases import EVENTBRIDGE_CASES, SNS_CASES, Case, body_text, describe, event_text, pattern_text

# Cases the engine still gets wrong, each explained in notes/pattern-discrepancies.md. They are
# strict xfails: the day the engine is fixed, the test fails until the entry is removed here.
KNOWN_ENGINE_DISCREPANCIES: dict[str, str] = {}

EB_MATCH = [c for c in EVENTBRIDGE_CASES if "match" in c]
EB_ERROR = [c for c in EVENTBRIDGE_CASES if "error" in c]
SNS_MATCH = [c for c in SNS_CASES if "match" in c]
SNS_ERROR = [c for c in SNS_CASES if "error" in c]
SNS_VALID = [c for c in SNS_CASES if c.get("valid") is True]

EVENT_PATTERN_PREFIX = "Event pattern is not valid. Reason: "


def _params(cases: list[Case]) -> list[Any]:
    params = []
    for case in cases:
        marks = []
        reason = KNOWN_ENGINE_DISCREPANCIES.get(case["name"])
        if reason is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=f"notes/pattern-discrepancies.md: {reason}"))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def _explain(pattern: Any, event: str) -> str:
    try:
        return f"\nexplain: {pattern.explain(event)!r}"
    except Exception as error:  # the explanation is a diagnostic only
        return f"\nexplain() raised {error!r}"


@pytest.mark.parametrize("case", _params(EB_MATCH))
def test_eventbridge_pattern_matches_like_aws(case: Case) -> None:
    """EventPattern.matches gives AWS's answer for the case's pattern and event."""
    from eventbus.matching import EventPattern

    pattern = EventPattern(pattern_text(case))
    event = event_text(case)
    result = pattern.matches(event)
    assert result is case["match"], (
        f"expected match={case['match']}, got {result!r}\n{describe(case)}{_explain(pattern, event)}"
    )


@pytest.mark.parametrize("case", _params(EB_ERROR))
def test_eventbridge_invalid_pattern_reason_is_awss(case: Case) -> None:
    """An invalid pattern raises InvalidEventPatternError with AWS's exact message and code."""
    from eventbus.errors import InvalidEventPatternError
    from eventbus.matching import EventPattern

    with pytest.raises(InvalidEventPatternError) as raised:
        EventPattern(pattern_text(case))
    assert str(raised.value) == EVENT_PATTERN_PREFIX + case["error"], describe(case)
    assert raised.value.code == "InvalidEventPatternException", describe(case)


@pytest.fixture(scope="module")
def all_patterns() -> tuple[Any, dict[str, str]]:
    """One PatternSet holding every valid EventBridge case's pattern, named after the case, and the
    patterns it refused (so one refusal does not hide the other cases)."""
    from eventbus.matching import PatternSet

    patterns = PatternSet()
    refused: dict[str, str] = {}
    for case in EB_MATCH:
        try:
            patterns.add(case["name"], pattern_text(case))
        except Exception as error:
            refused[case["name"]] = repr(error)
    return patterns, refused


@pytest.mark.parametrize("case", _params(EB_MATCH))
def test_eventbridge_pattern_set_agrees(case: Case, all_patterns: tuple[Any, dict[str, str]]) -> None:
    """PatternSet.match, with all the cases' patterns compiled together, reports the case's own
    pattern exactly when AWS matches it (aws/event-ruler Machine.rulesForJSONEvent)."""
    patterns, refused = all_patterns
    assert case["name"] not in refused, f"PatternSet.add refused it: {refused.get(case['name'])}"
    matched = patterns.match(event_text(case))
    assert (case["name"] in matched) is case["match"], describe(case)


def test_eventbridge_mapping_and_bytes_inputs_agree_with_text() -> None:
    """EventPattern takes a JSON string, bytes or a mapping (pattern and event) with the same result."""
    from eventbus.matching import EventPattern

    wrong = []
    for case in EB_MATCH:
        if "pattern_json" in case or "event_json" in case:
            continue
        from_mapping = EventPattern(case["pattern"])
        from_bytes = EventPattern(pattern_text(case).encode())
        for result in (from_mapping.matches(case["event"]), from_bytes.matches(event_text(case).encode())):
            if result is not case["match"]:
                wrong.append(case["name"])
    assert not wrong, f"mapping/bytes input disagrees on {sorted(set(wrong))}"


def _policy(case: Case) -> Any:
    from eventbus.matching import FilterPolicy

    return FilterPolicy(json.dumps(case["policy"]), scope=case["scope"])


@pytest.mark.parametrize("case", _params(SNS_MATCH))
def test_sns_filter_policy_matches_like_aws(case: Case) -> None:
    """FilterPolicy matches message attributes or the message body as SNS does."""
    policy = _policy(case)
    if case["scope"] == "MessageAttributes":
        result = policy.matches_attributes(case["attributes"])
    else:
        result = policy.matches_body(body_text(case))
    assert result is case["match"], f"expected match={case['match']}, got {result!r}\n{describe(case)}"


@pytest.mark.parametrize("case", _params(SNS_ERROR))
def test_sns_invalid_filter_policy_message_is_snss(case: Case) -> None:
    """An invalid filter policy raises a ValidationError, code InvalidParameter, with SNS's text."""
    from eventbus.errors import ValidationError

    with pytest.raises(ValidationError) as raised:
        _policy(case)
    message = str(raised.value)
    assert raised.value.code == "InvalidParameter", describe(case)
    assert message.startswith("Invalid parameter: "), f"{message!r}\n{describe(case)}"
    assert message.endswith(case["error"]), f"{message!r}\n{describe(case)}"


@pytest.mark.parametrize("case", _params(SNS_VALID))
def test_sns_filter_policy_within_limits_is_accepted(case: Case) -> None:
    """Policies at SNS's limits (5 keys, 150 combinations) compile."""
    _policy(case)
