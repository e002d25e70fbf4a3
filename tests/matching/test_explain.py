"""EventPattern.explain: the structured explanation ``eventbus test-pattern --explain`` prints.

Semantics explained are those of "Event patterns" and "Content filtering in Amazon EventBridge event
patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).
"""

from __future__ import annotations

import msgspec

from eventbus.matching import EventPattern, Explanation

PATTERN = {
    "source": ["aws.ec2"],
    "detail": {"state": [{"anything-but": "running"}], "count": [{"numeric": [">", 3]}]},
}


def test_explain_agrees_with_matches() -> None:
    pattern = EventPattern(PATTERN)
    for event in (
        {"source": "aws.ec2", "detail": {"state": "stopped", "count": 5}},
        {"source": "aws.s3", "detail": {"state": "stopped", "count": 5}},
        {"source": "aws.ec2", "detail": {"count": 5}},
    ):
        explanation = pattern.explain(event)
        assert isinstance(explanation, Explanation)
        assert explanation.matched is pattern.matches(event)


def test_explain_names_the_failing_condition_and_value() -> None:
    explanation = EventPattern(PATTERN).explain(
        {"source": "aws.ec2", "detail": {"state": "running", "count": "5"}}
    )
    assert not explanation.matched
    (branch,) = explanation.branches
    fields = {field.path: field for field in branch.fields}
    assert fields["source"].matched
    assert not fields["detail.state"].matched
    assert fields["detail.state"].values == ("running",)
    assert "excluded" in fields["detail.state"].conditions[0].reason
    assert "numbers only" in fields["detail.count"].conditions[0].reason
    text = str(explanation)
    assert text.startswith("NO MATCH")
    assert "detail.count" in text
    assert '{"numeric": [">", 3]}' in text


def test_explain_missing_field_and_anything_but() -> None:
    explanation = EventPattern(PATTERN).explain({"source": "aws.ec2", "detail": {"count": 4}})
    state = next(f for f in explanation.branches[0].fields if f.path == "detail.state")
    assert not state.present
    assert "missing" in state.conditions[0].reason
    assert "anything-but" in state.conditions[0].reason


def test_explain_or_branches_and_array_consistency_note() -> None:
    pattern = EventPattern({"$or": [{"a": ["1"]}, {"items": {"x": ["1"], "y": ["2"]}}]})
    explanation = pattern.explain({"a": "0", "items": [{"x": "1", "y": "0"}, {"x": "0", "y": "2"}]})
    assert not explanation.matched
    assert len(explanation.branches) == 2
    assert "array consistency" in explanation.branches[1].note
    assert "2 $or branches" in str(explanation)


def test_explanation_is_a_frozen_msgspec_struct() -> None:
    explanation = EventPattern({"a": ["x"]}).explain({"a": "x"})
    decoded = msgspec.json.decode(msgspec.json.encode(explanation))
    assert decoded["matched"] is True
    assert decoded["branches"][0]["fields"][0]["path"] == "a"
