"""Request plumbing several services share: tags, offset paging, timestamps, validation errors.

Only the mechanics are shared; each service keeps its own wording where AWS's differs (the
message for a NextToken it did not issue, for a bad timestamp).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from .._transform_json import constraint_error
from ..errors import ValidationError

__all__ = ("offset_page", "raise_violations", "tags_from_aws", "tags_to_aws", "to_utc")

T = TypeVar("T")


def tags_from_aws(tags: Iterable[Mapping[str, Any]] | Mapping[str, str] | None) -> dict[str, str]:
    """Tags as a dict, from AWS's ``[{"Key": ..., "Value": ...}]`` or from a plain mapping."""
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return {str(key): str(value) for key, value in tags.items()}
    return {str(tag["Key"]): str(tag.get("Value", "")) for tag in tags}


def tags_to_aws(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags in AWS's ``[{"Key": ..., "Value": ...}]`` shape."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def raise_violations(violations: Sequence[tuple[str | None, str, str]]) -> None:
    """Raise AWS's ``N validation error(s) detected: ...`` when there is any violation."""
    if violations:
        raise constraint_error(violations)


def offset_page(
    items: Sequence[T], next_token: str | None, limit: int | None, *, prefix: str, invalid_token: str
) -> tuple[list[T], str | None]:
    """One page of ``items`` from the position ``next_token`` names, and the token of the next page.

    Tokens are ``base64(prefix + offset)``; a token that does not decode to one raises
    ``ValidationError(invalid_token)``.
    """
    start = 0
    if next_token:
        try:
            decoded = base64.urlsafe_b64decode(next_token.encode()).decode()
            if not decoded.startswith(prefix):
                raise ValueError(decoded)
            start = int(decoded.removeprefix(prefix))
        except (ValueError, UnicodeDecodeError):
            raise ValidationError(invalid_token) from None
    end = len(items) if limit is None else min(len(items), start + limit)
    token = base64.urlsafe_b64encode(f"{prefix}{end}".encode()).decode() if end < len(items) else None
    return list(items[start:end]), token


def to_utc(value: datetime | float | int | str, *, invalid: str) -> datetime:
    """A timestamp parameter (aware datetime, epoch seconds or ISO-8601 text) as an aware UTC datetime.

    A naive datetime is taken as UTC, as botocore serialises it.

    Raises:
        ValidationError: ``invalid``, for a value that is not a timestamp.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, bool):
        raise ValidationError(invalid)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(invalid) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
