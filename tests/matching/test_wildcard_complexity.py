"""The wildcard complexity measure behind "Rule is too complex" (aws/event-ruler
MachineComplexityEvaluator; AWS "Content filtering in Amazon EventBridge event patterns", section on
wildcard matching)."""

from __future__ import annotations

from eventbus.matching._wildcard_complexity import MAX_COMPLEXITY, complexity, too_complex


def test_plain_and_single_wildcards_are_cheap() -> None:
    assert complexity(["abc"]) <= 1  # one pattern alive at a time
    assert complexity(["*.png"]) <= 3
    assert not too_complex(["*.png", "*.jpg", "*.gif", "*.bmp"])


def test_repeated_sequences_after_wildcards_are_expensive() -> None:
    assert too_complex(["*a*a*a*a*a*a*a*"])
    assert complexity(["*a*a*a*a*a*a*a*"]) == MAX_COMPLEXITY + 1  # capped


def test_observed_aws_answers_four_refused_two_accepted() -> None:
    four = [f"*/datasync/*.{ext}" for ext in ("bif", "tiff", "tif", "svs")]
    assert too_complex(four)
    assert not too_complex(four[:2])


def test_escaped_asterisk_is_a_literal() -> None:
    assert complexity(["a\\*b\\*c\\*d\\*e\\*f"]) <= 1
