"""Helpers shared by the pattern engine's unit tests."""

from __future__ import annotations

from typing import Any

import pytest

from eventbus.errors import InvalidEventPatternError
from eventbus.matching import EventPattern


def matches(pattern: Any, event: Any) -> bool:
    """Compile and match in one step."""
    return EventPattern(pattern).matches(event)


def reason(pattern: Any) -> str:
    """The reason EventBridge gives for refusing ``pattern`` (fails the test if it compiles)."""
    with pytest.raises(InvalidEventPatternError) as raised:
        EventPattern(pattern)
    error = raised.value
    assert str(error) == f"Event pattern is not valid. Reason: {error.reason}"
    assert error.code == "InvalidEventPatternException"
    return error.reason
