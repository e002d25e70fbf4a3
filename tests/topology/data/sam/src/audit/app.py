"""SAM CodeUri src/audit: the audit function (also module ``app``: each CodeUri imports its own)."""

from __future__ import annotations

from typing import Any

NAME = "audit"
events: list[Any] = []


def handler(event: Any, context: Any) -> None:
    events.append(event)
