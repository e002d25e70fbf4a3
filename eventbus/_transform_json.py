"""JSON helpers shared by the target-input transformation modules.

Kept apart so that the path, template and target modules agree on one serialisation: compact JSON
(no whitespace between tokens) with non-ASCII characters left as they are, which is how EventBridge
hands an event to a target ("The JSON that is passed to the target is minified", from
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from .errors import ValidationError

__all__ = ("MISSING", "Missing", "constraint_error", "java_map_text", "to_json")


class Missing(enum.Enum):
    """The result of a JSON path that matched nothing in the event.

    A distinct value (not ``None``) because ``null`` is a legitimate JSON value of an event field.
    """

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "eventbus.transform.MISSING"


MISSING: Final = Missing.MISSING


def _encode_other(value: Any) -> Any:
    # Read-only mappings and sequences (MappingProxyType, ...) are JSON objects and arrays too.
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODER: Final = msgspec.json.Encoder(enc_hook=_encode_other)


def to_json(value: Any) -> str:
    """Serialise ``value`` as compact JSON, non-ASCII characters unescaped.

    msgspec writes what Python's ``json`` writes with compact separators, except that exponents
    carry no ``+`` (``1e100``), which is nearer Jackson's ``1.0E100`` than ``1e+100`` is.
    """
    return _ENCODER.encode(value).decode()


def java_map_text(mapping: Mapping[str, str]) -> str:
    """Render a string map the way AWS's request validator prints it (Java's ``{k=v, k2=v2}``)."""
    return "{" + ", ".join(f"{key}={value}" for key, value in mapping.items()) + "}"


def constraint_error(violations: Sequence[tuple[str | None, str, str]]) -> ValidationError:
    """Build the ``ValidationException`` AWS's request model gives for constraint violations.

    AWS words these ``1 validation error detected: Value 'x' at 'targets.1.member.inputPath' failed
    to satisfy constraint: Member must have length less than or equal to 256``, several violations
    joined by ``; `` under ``N validation errors detected:``.

    Args:
        violations: ``(value text, member location, constraint text)`` triples, in request order;
            a value of ``None`` is an absent required member (AWS prints ``Value null``).
    """
    count = len(violations)
    head = f"{count} validation error{'' if count == 1 else 's'} detected: "
    body = "; ".join(
        f"Value {_quoted(value)} at '{location}' failed to satisfy constraint: {constraint}"
        for value, location, constraint in violations
    )
    return ValidationError(head + body)


def _quoted(value: str | None) -> str:
    return "null" if value is None else f"'{value}'"
