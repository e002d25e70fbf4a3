"""The public names of eventbus.matching (tuple ``__all__``, every name importable)."""

from __future__ import annotations

import eventbus.matching as matching


def test_all_is_a_tuple_of_existing_names() -> None:
    assert isinstance(matching.__all__, tuple)
    for name in matching.__all__:
        assert hasattr(matching, name), name
    assert {"EventPattern", "PatternSet", "FilterPolicy"} <= set(matching.__all__)


def test_reprs_say_eventbus() -> None:
    assert repr(matching.EventPattern({"a": ["b"]})).startswith("eventbus.EventPattern(")
    assert repr(matching.PatternSet()).startswith("eventbus.PatternSet(")
