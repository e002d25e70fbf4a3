"""The green blueprint's handlers: same module name as the other colour's, different code."""

from __future__ import annotations

from typing import Any

COLOUR = "green"
seen: list[Any] = []


def colour(event: Any, context: Any) -> str:
    seen.append(event)
    return COLOUR
