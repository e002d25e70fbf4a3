"""Property tests: eventbus.matching agrees with the reference interpreter (reference.py).

What is checked, on generated events and patterns that share names and values:
* EventPattern.matches equals the reference (EventBridge event patterns,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html, with aws/event-ruler's
  array consistency);
* PatternSet.match returns exactly the names whose EventPattern matches;
* adding then removing a pattern leaves PatternSet results unchanged;
* FilterPolicy agrees with the reference in both SNS scopes
  (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html).

Examples where the two readings of ``exists: false`` inside arrays differ are skipped (see
reference.Verdict). Each test counts both outcomes and requires both, so agreement is never vacuous.
Runs are derandomized and print the reproduction blob on failure; set EVENTBUS_PROPERTY_EXPLORE=1 to
explore with random seeds (hypothesis then prints the falsifying example and its blob).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from . import reference
from .strategies import (
    attribute_policies_for,
    bodies,
    events,
    message_attributes,
    patterns_for,
    within_sns_limits,
)

EXPLORE = bool(os.environ.get("EVENTBUS_PROPERTY_EXPLORE"))


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples * (10 if EXPLORE else 1),
        derandomize=not EXPLORE,
        print_blob=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


TOO_COMPLEX = "Rule is too complex"


def _compile(pattern: Any) -> Any:
    """EventPattern(pattern), skipping the example if the engine refuses it as too complex: AWS's
    wildcard complexity limit is not part of the reference (the conformance cases cover it)."""
    from eventbus.errors import InvalidEventPatternError
    from eventbus.matching import EventPattern

    try:
        return EventPattern(pattern)
    except InvalidEventPatternError as error:
        assume(TOO_COMPLEX not in str(error))
        raise


def _both_outcomes(seen: Counter[bool], minimum: int) -> None:
    assert seen[True] >= minimum, f"too few matching examples: {dict(seen)}"
    assert seen[False] >= minimum, f"too few non-matching examples: {dict(seen)}"


def test_event_pattern_agrees_with_reference() -> None:
    seen: Counter[bool] = Counter()

    @_settings(300)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event = data.draw(events, label="event")
        pattern = data.draw(patterns_for(event), label="pattern")
        verdict = reference.evaluate(pattern, event)
        assume(not verdict.ambiguous)
        note(f"pattern JSON: {json.dumps(pattern)}\nevent JSON: {json.dumps(event)}")
        assert _compile(pattern).matches(event) is verdict.matches
        seen[verdict.matches] += 1

    check()
    _both_outcomes(seen, 30)


def test_event_pattern_agrees_on_json_text() -> None:
    """The same, with pattern and event given as JSON text (numbers in their JSON spelling)."""
    seen: Counter[bool] = Counter()

    @_settings(100)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event = data.draw(events, label="event")
        pattern = data.draw(patterns_for(event), label="pattern")
        verdict = reference.evaluate(pattern, event)
        assume(not verdict.ambiguous)
        assert _compile(json.dumps(pattern)).matches(json.dumps(event)) is verdict.matches
        seen[verdict.matches] += 1

    check()
    _both_outcomes(seen, 10)


@st.composite
def _pattern_sets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A few events and patterns derived from them (so each pattern matches some events)."""
    sample = draw(st.lists(events, min_size=1, max_size=4))
    patterns = [draw(patterns_for(draw(st.sampled_from(sample)))) for _ in range(draw(st.integers(1, 8)))]
    return patterns, sample


def test_pattern_set_equals_union_of_event_patterns() -> None:
    from eventbus.matching import PatternSet

    seen: Counter[bool] = Counter()

    @_settings(150)
    @given(_pattern_sets())
    def check(drawn: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        patterns, sample = drawn
        pattern_set = PatternSet()
        singles = {}
        for index, pattern in enumerate(patterns):
            name = f"p{index}"
            singles[name] = _compile(pattern)
            pattern_set.add(name, pattern)
        for event in sample:
            expected = {name for name, single in singles.items() if single.matches(event)}
            got = pattern_set.match(event)
            note(f"event JSON: {json.dumps(event)}")
            assert len(got) == len(set(got)), f"duplicate names in {got}"
            assert set(got) == expected
            for name in singles:
                seen[name in expected] += 1

    check()
    _both_outcomes(seen, 30)


def test_pattern_set_add_then_remove_leaves_results_unchanged() -> None:
    from eventbus.matching import PatternSet

    seen: Counter[bool] = Counter()

    @_settings(100)
    @given(_pattern_sets(), st.data())
    def check(drawn: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject) -> None:
        patterns, sample = drawn
        pattern_set = PatternSet()
        for index, pattern in enumerate(patterns):
            _compile(pattern)
            pattern_set.add(f"p{index}", pattern)
        before = [sorted(pattern_set.match(event)) for event in sample]
        extra = data.draw(patterns_for(data.draw(st.sampled_from(sample))), label="extra pattern")
        _compile(extra)
        pattern_set.add("extra", extra)
        with_extra = [sorted(pattern_set.match(event)) for event in sample]
        for event_names in with_extra:
            seen["extra" in event_names] += 1
        pattern_set.remove("extra")
        after = [sorted(pattern_set.match(event)) for event in sample]
        assert after == before
        # removing and re-adding an existing pattern restores it too
        victim = data.draw(st.integers(0, len(patterns) - 1), label="victim")
        pattern_set.remove(f"p{victim}")
        assert all(f"p{victim}" not in names for names in (pattern_set.match(e) for e in sample))
        pattern_set.add(f"p{victim}", patterns[victim])
        assert [sorted(pattern_set.match(event)) for event in sample] == before

    check()
    _both_outcomes(seen, 10)


def test_filter_policy_message_attributes_agrees_with_reference() -> None:
    from eventbus.matching import FilterPolicy

    seen: Counter[bool] = Counter()

    @_settings(200)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        attributes = data.draw(message_attributes, label="attributes")
        policy = data.draw(attribute_policies_for(attributes), label="policy")
        assume(within_sns_limits(policy))
        verdict = reference.evaluate_attributes(policy, attributes)
        assume(not verdict.ambiguous)
        got = FilterPolicy(policy, scope="MessageAttributes").matches_attributes(attributes)
        assert got is verdict.matches
        seen[verdict.matches] += 1

    check()
    _both_outcomes(seen, 20)


def test_filter_policy_message_body_agrees_with_reference() -> None:
    from eventbus.matching import FilterPolicy

    seen: Counter[bool] = Counter()

    @_settings(200)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        body = data.draw(bodies, label="body")
        policy = data.draw(patterns_for(body, sns=True), label="policy")
        assume(within_sns_limits(policy))
        verdict = reference.evaluate_body(policy, json.dumps(body))
        assume(not verdict.ambiguous)
        got = FilterPolicy(policy, scope="MessageBody").matches_body(json.dumps(body))
        assert got is verdict.matches
        seen[verdict.matches] += 1

    check()
    _both_outcomes(seen, 20)


@pytest.mark.slow
def test_event_pattern_agrees_with_reference_many_examples(request: pytest.FixtureRequest) -> None:
    """The first property with ten times the examples: only with ``-m slow`` (or EVENTBUS_SLOW_TESTS=1)."""
    markexpr = request.config.getoption("markexpr") or ""
    if ("slow" not in markexpr or "not slow" in markexpr) and not os.environ.get("EVENTBUS_SLOW_TESTS"):
        pytest.skip("slow property test: run with -m slow")

    @_settings(3000)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event = data.draw(events, label="event")
        pattern = data.draw(patterns_for(event), label="pattern")
        verdict = reference.evaluate(pattern, event)
        assume(not verdict.ambiguous)
        assert _compile(pattern).matches(event) is verdict.matches

    check()
