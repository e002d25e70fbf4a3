"""The conformance case files themselves: well formed, uniquely named, sourced, and broad enough.

These checks need no engine. They keep the data honest: every case cites the AWS documentation page
or the aws/event-ruler behaviour (or AWS-recorded LocalStack snapshot) it comes from.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from ._cases import CASES_DIR, EVENTBRIDGE_CASES, SNS_CASES, Case

ALL_CASES = EVENTBRIDGE_CASES + SNS_CASES
SOURCE_PREFIXES = (
    "https://docs.aws.amazon.com/",
    "aws/event-ruler ",
    "localstack/localstack ",
    "shared/docs/semantics.md",
)


def test_case_names_are_unique() -> None:
    counts = Counter(case["name"] for case in ALL_CASES)
    assert [name for name, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("case", ALL_CASES, ids=[case["name"] for case in ALL_CASES])
def test_case_is_well_formed(case: Case) -> None:
    assert case["name"].isidentifier(), "names are test ids: letters, digits and underscores"
    assert any(case["source"].startswith(prefix) for prefix in SOURCE_PREFIXES), case["source"]
    outcomes = [key for key in ("match", "error", "valid") if key in case]
    assert len(outcomes) == 1, outcomes
    if "doubt" in case:
        assert isinstance(case["doubt"], str)
        assert case["doubt"]
    if "match" in case:
        assert isinstance(case["match"], bool)
    if case in SNS_CASES:
        assert case["scope"] in ("MessageAttributes", "MessageBody")
        assert isinstance(case["policy"], dict)
        if "match" in case:
            has_attributes = "attributes" in case
            has_body = "body" in case or "body_text" in case
            assert has_attributes != has_body
            assert has_attributes == (case["scope"] == "MessageAttributes")
    else:
        assert "pattern" in case
        if "match" in case:
            assert "event" in case
        for key in ("pattern_json", "event_json"):
            if key in case:
                parsed = json.loads(case[key])
                assert parsed == case[key.removesuffix("_json")], f"{key} must parse to the same value"


def test_there_are_at_least_300_eventbridge_cases() -> None:
    assert len(EVENTBRIDGE_CASES) >= 300


def test_sns_cases_cover_both_scopes_and_all_attribute_types() -> None:
    scopes = Counter(case["scope"] for case in SNS_CASES if "match" in case)
    assert scopes["MessageAttributes"] >= 30
    assert scopes["MessageBody"] >= 30
    types = {attribute["Type"] for case in SNS_CASES for attribute in case.get("attributes", {}).values()}
    assert types == {"String", "Number", "String.Array", "Binary"}


def _operators(value: object) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(key)
            found |= _operators(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _operators(inner)
    return found


def test_every_operator_is_covered_by_eventbridge_match_cases() -> None:
    used: set[str] = set()
    for case in EVENTBRIDGE_CASES:
        if "match" in case:
            used |= _operators(case["pattern"])
    for operator in (
        "prefix",
        "suffix",
        "equals-ignore-case",
        "wildcard",
        "anything-but",
        "numeric",
        "exists",
        "cidr",
        "$or",
    ):
        assert operator in used, operator


def test_both_outcomes_are_represented_per_file() -> None:
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        outcomes = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            outcomes[
                "match"
                if case.get("match") is True
                else "no-match"
                if case.get("match") is False
                else "other"
            ] += 1
        if outcomes["match"] or outcomes["no-match"]:
            assert outcomes["match"], (path.name, outcomes)
            assert outcomes["no-match"], (path.name, outcomes)
