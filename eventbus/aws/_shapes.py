"""What every wire protocol shares: timestamps, blobs and compiled per-shape converters.

Each protocol module compiles, once per shape of a botocore service model, a small function that
turns a wire value into the Python value botocore's own parser would produce (request side), or a
Python value the simulation returns into the wire value AWS would send (response side). A shape
whose values need no conversion compiles to ``None`` so that whole subtrees are passed through
untouched: most SQS and EventBridge payloads are plain strings and numbers.

Timestamp formats follow the botocore models and the Smithy protocol specifications:
https://smithy.io/2.0/spec/protocol-traits.html#timestampformat-trait
"""

from __future__ import annotations

import base64
import calendar
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any

from botocore.utils import parse_timestamp  # type: ignore[import-untyped]

__all__ = (
    "Convert",
    "ConverterCache",
    "decode_blob",
    "decode_timestamp",
    "encode_blob_text",
    "encode_timestamp",
    "to_datetime",
)

#: A compiled converter; ``None`` where the value passes through unchanged.
Convert = Callable[[Any], Any]


def decode_blob(value: str | bytes) -> bytes:
    """Base64 text (as every protocol carries blobs outside a raw payload) to bytes."""
    return base64.b64decode(value)


def encode_blob_text(value: bytes | bytearray | memoryview | str) -> str:
    """Bytes (or text, encoded as UTF-8 as botocore does) to base64 text."""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


def decode_timestamp(value: str | float) -> datetime:
    """A wire timestamp (epoch seconds, ISO 8601 or RFC 822 text) as an aware UTC datetime."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    parsed: datetime = parse_timestamp(value)
    return parsed.astimezone(UTC)


def to_datetime(value: datetime | float | str) -> datetime:
    """What a service returned for a timestamp (datetime, epoch seconds or ISO text) as aware UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return decode_timestamp(value)


def encode_timestamp(value: datetime | float | str, timestamp_format: str) -> str | float:
    """A timestamp in the wire format named by the model (``unixTimestamp``, ``iso8601``, ``rfc822``)."""
    instant = to_datetime(value)
    fmt = timestamp_format.lower()
    if fmt == "unixtimestamp":
        whole = calendar.timegm(instant.utctimetuple())
        if instant.microsecond:
            return (whole * 10**6 + instant.microsecond) / 10**6
        return whole
    if fmt == "rfc822":
        return formatdate(calendar.timegm(instant.utctimetuple()), usegmt=True)
    if instant.microsecond:
        return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


class ConverterCache:
    """Compiled converters of one service model and one direction, by shape.

    A shape is known by its name and its serialization traits (a member reference may add a
    location name, a timestamp format or ``flattened`` to a named shape). ``get(shape, compile)``
    compiles each once. A recursive shape (one that contains itself)
    receives, at the point of recursion, a converter that looks the finished one up when called.
    """

    __slots__ = ("_compiled", "_compiling")

    def __init__(self) -> None:
        self._compiled: dict[tuple[Any, ...], Any] = {}
        self._compiling: set[tuple[Any, ...]] = set()

    def get(self, shape: Any, compile_shape: Callable[[Any], Any]) -> Any:
        name = (shape.name, *sorted(shape.serialization.items()))
        try:
            return self._compiled[name]
        except KeyError:
            pass
        if name in self._compiling:
            compiled = self._compiled

            def deferred(*args: Any) -> Any:
                target = compiled[name]
                if target is None:
                    return args[0] if len(args) == 1 else None
                return target(*args)

            return deferred
        self._compiling.add(name)
        try:
            result = compile_shape(shape)
        finally:
            self._compiling.discard(name)
        self._compiled[name] = result
        return result
