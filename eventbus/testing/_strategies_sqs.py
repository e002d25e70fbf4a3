"""SQS SendMessage requests within AWS's limits.

From https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html and
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html:
a body of at least one character from ``#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
#x10000-#x10FFFF``; at most 10 message attributes whose names are up to 256 characters of
``[A-Za-z0-9_.-]``, neither starting with ``AWS.`` or ``Amazon.`` (any case) nor starting or ending with
``.`` nor holding ``..``; data types ``String``, ``Number`` or ``Binary``, optionally followed by
``.label``; non-empty values; numbers with at most 38 significant digits between 10^-128 and 10^126;
DelaySeconds 0 to 900; body and attributes together at most the queue's maximum message size
(1 MiB since August 2025).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

__all__ = ("MAX_BODY_SIZE", "MAX_MESSAGE_SIZE", "message_size", "sqs_messages")

#: The largest message SQS accepts (body plus attributes), in bytes.
MAX_MESSAGE_SIZE = 1_048_576
_MAX_ATTRIBUTES = 10
_MAX_VALUE_SIZE = 256
# An attribute is at most 38 (name) + 17 (type) + 4 * 256 (value) bytes; a character at most 4 bytes.
#: The longest body (in characters) that keeps any request within MAX_MESSAGE_SIZE bytes.
MAX_BODY_SIZE = (MAX_MESSAGE_SIZE - _MAX_ATTRIBUTES * (38 + 17 + 4 * _MAX_VALUE_SIZE)) // 4
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

#: Characters SQS allows in a body or a string attribute.
body_characters = st.one_of(
    st.sampled_from("\t\n\r"),
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF),
    st.characters(min_codepoint=0xE000, max_codepoint=0xFFFD),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
)


def _name_is_allowed(name: str) -> bool:
    return not name.lower().startswith(("aws.", "amazon."))


# Dot-separated runs of allowed characters: no leading, trailing or doubled dots.
_attribute_names = (
    st.lists(st.text(_NAME_CHARS, min_size=1, max_size=12), min_size=1, max_size=3)
    .map(".".join)
    .map(lambda name: name if _name_is_allowed(name) else "x" + name)
)
_labels = st.text(_NAME_CHARS, min_size=1, max_size=10)


@st.composite
def _numbers(draw: st.DrawFn) -> str:
    """Plain decimal text with at most 38 digits (trailing zeros of an integer count) and a
    magnitude from 10^-128 to below 10^38 (SQS allows up to 10^126, which needs more digits)."""
    digits = draw(st.text("0123456789", min_size=1, max_size=38).map(lambda d: d.lstrip("0") or "0"))
    if digits == "0":
        return draw(st.sampled_from(["0", "0.0", "-0"]))
    sign = draw(st.sampled_from(["", "-"]))
    # The value 0.d1d2... x 10^exponent lies in [10^(exponent-1), 10^exponent).
    exponent = draw(st.integers(-127, 38))
    if exponent <= 0:
        return f"{sign}0.{'0' * -exponent}{digits}"
    if exponent >= len(digits):
        return sign + digits + "0" * (exponent - len(digits))
    return f"{sign}{digits[:exponent]}.{digits[exponent:]}"


def _attribute_values() -> st.SearchStrategy[dict[str, Any]]:
    def data_type(kind: str) -> st.SearchStrategy[str]:
        return st.one_of(st.just(kind), _labels.map(lambda label: f"{kind}.{label}"))

    strings = st.builds(
        lambda t, v: {"DataType": t, "StringValue": v},
        data_type("String"),
        st.text(body_characters, min_size=1, max_size=_MAX_VALUE_SIZE),
    )
    numbers = st.builds(lambda t, v: {"DataType": t, "StringValue": v}, data_type("Number"), _numbers())
    binaries = st.builds(
        lambda t, v: {"DataType": t, "BinaryValue": v},
        data_type("Binary"),
        st.binary(min_size=1, max_size=_MAX_VALUE_SIZE),
    )
    return st.one_of(strings, numbers, binaries)


def message_size(message: dict[str, Any]) -> int:
    """Bytes a SendMessage request counts toward the maximum: body, attribute names, types, values."""
    size = len(message["MessageBody"].encode("utf-8"))
    for name, value in message.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(value["DataType"].encode())
        if "BinaryValue" in value:
            size += len(value["BinaryValue"])
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


def sqs_messages(
    *, max_body_size: int = 1024, max_attributes: int = _MAX_ATTRIBUTES, delay: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """SendMessage requests: ``{"MessageBody", "MessageAttributes"?, "DelaySeconds"?}``.

    Every request is one SQS accepts on a standard queue with the default maximum message size
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
    Pass ``delay=False`` for FIFO queues, which refuse a per-message DelaySeconds.

    Args:
        max_body_size: the longest body, in characters (1 to ``MAX_BODY_SIZE``, 259,446: with four
            UTF-8 bytes a character, any body then fits beside ten attributes).
        max_attributes: the most message attributes (0 to 10).
        delay: whether requests may carry ``DelaySeconds`` (0 to 900).
    """
    if (
        isinstance(max_body_size, bool)
        or not isinstance(max_body_size, int)
        or not 1 <= max_body_size <= MAX_BODY_SIZE
    ):
        raise InvalidArgument(
            f"max_body_size must be an int from 1 to {MAX_BODY_SIZE}, got {max_body_size!r}"
        )
    if (
        isinstance(max_attributes, bool)
        or not isinstance(max_attributes, int)
        or not 0 <= max_attributes <= _MAX_ATTRIBUTES
    ):
        raise InvalidArgument(
            f"max_attributes must be an int from 0 to {_MAX_ATTRIBUTES}, got {max_attributes!r}"
        )
    if not isinstance(delay, bool):
        raise InvalidArgument(f"delay must be a bool, got {delay!r}")
    attributes = st.dictionaries(_attribute_names, _attribute_values(), max_size=max_attributes)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        message: dict[str, Any] = {
            "MessageBody": draw(st.text(body_characters, min_size=1, max_size=max_body_size))
        }
        if max_attributes and draw(st.booleans()):
            message["MessageAttributes"] = draw(attributes)
        if delay and draw(st.booleans()):
            message["DelaySeconds"] = draw(st.integers(0, 900))
        return message

    return build()
