"""What a Publish carries, validated as SNS validates it: message, subject, structure, attributes.

Message attributes ("Amazon SNS message attributes",
https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html): a name of up to 256
characters of ``A-Z a-z 0-9 _ - .`` that neither starts nor ends with a period nor has two in a
row; a data type ``String``, ``String.Array``, ``Number`` or ``Binary`` (optionally with a custom
``.label``); a non-empty value in the field the type calls for (``StringValue`` or ``BinaryValue``).
Name, type and value count toward the message size, 256 KiB unless the topic's
``MaximumMessageSize`` says otherwise (https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html).

``MessageStructure=json`` (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): the
message is a JSON object with a string ``default`` and optional per-protocol strings; non-string
values are ignored.

The error texts are AWS's, recorded against AWS in LocalStack's AWS-validated snapshots.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from ._sns_errors import (
    INVALID_XML_CHARACTER,
    InvalidParameterValueError,
    SnsValidationError,
    check_xml_text,
    invalid,
)

__all__ = (
    "DEFAULT_MAX_MESSAGE_SIZE",
    "PROTOCOLS",
    "Attributes",
    "BatchResult",
    "BatchResultEntry",
    "BatchResultErrorEntry",
    "PublishResult",
    "attributes_size",
    "check_identifier",
    "check_message",
    "check_size",
    "check_subject",
    "normalize_attributes",
    "parse_structure",
)

#: SNS's default maximum message size: 256 KiB, message and attributes together.
DEFAULT_MAX_MESSAGE_SIZE: Final = 262_144
#: The delivery protocols Subscribe accepts (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
PROTOCOLS: Final = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")

#: Message attributes, Publish-shaped: ``{name: {"DataType": ..., "StringValue" | "BinaryValue": ...}}``.
Attributes = dict[str, dict[str, Any]]

_NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9_.\-]+")
_TYPE: Final = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)
_IDENTIFIER: Final = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class PublishResult(msgspec.Struct, frozen=True):
    """What Publish returns: the message id, and on FIFO topics the sequence number.

    A duplicate within the deduplication window returns the first message's id and sequence number
    (AWS-validated: a republished FIFO batch answers with the original ids).
    """

    message_id: str
    sequence_number: str | None = None
    duplicate: bool = False

    def to_aws(self) -> dict[str, str]:
        out = {"MessageId": self.message_id}
        if self.sequence_number is not None:
            out["SequenceNumber"] = self.sequence_number
        return out


class BatchResultEntry(msgspec.Struct, frozen=True):
    """One published entry of a PublishBatch."""

    id: str
    message_id: str
    sequence_number: str | None = None

    def to_aws(self) -> dict[str, str]:
        out = {"Id": self.id, "MessageId": self.message_id}
        if self.sequence_number is not None:
            out["SequenceNumber"] = self.sequence_number
        return out


class BatchResultErrorEntry(msgspec.Struct, frozen=True):
    """One refused entry of a PublishBatch."""

    id: str
    code: str
    message: str
    sender_fault: bool = True

    def to_aws(self) -> dict[str, Any]:
        return {"Id": self.id, "Code": self.code, "Message": self.message, "SenderFault": self.sender_fault}


class BatchResult(msgspec.Struct, frozen=True):
    """What PublishBatch returns: each entry is either successful or failed."""

    successful: list[BatchResultEntry]
    failed: list[BatchResultErrorEntry]

    def to_aws(self) -> dict[str, Any]:
        return {"Successful": [e.to_aws() for e in self.successful], "Failed": [e.to_aws() for e in self.failed]}


# ----------------------------------------------------------------- checks
def check_subject(subject: str | None) -> None:
    """Subject: "UTF-8 text with no line breaks or control characters, and less than 100 characters long".

    An empty subject is refused with ``Invalid parameter: Subject`` (AWS-validated); the other
    violations are given the same text (not confirmed).
    """
    if subject is None:
        return
    check_xml_text(subject, "Subject")
    if not subject or len(subject) >= 100 or any(ch < " " or ch == "\x7f" for ch in subject):
        raise invalid("Subject")


def check_identifier(value: str | None, parameter: str) -> None:
    """MessageGroupId / MessageDeduplicationId: up to 128 alphanumeric or punctuation characters.

    The wording of the refusal is the simulation's (modelled on SNS's ``Invalid parameter: X Reason: ...``).
    """
    if value is None:
        return
    check_xml_text(value, parameter)
    if _IDENTIFIER.fullmatch(value) is None:
        raise invalid(
            f"{parameter} Reason: {parameter} can only include alphanumeric and punctuation characters. "
            "1 to 128 in length."
        )


def _check_name(name: str) -> None:
    if len(name.encode()) > 256:
        raise InvalidParameterValueError("Length of message attribute name must be less than 256 bytes.")
    if _NAME_CHARACTERS.fullmatch(name) is not None and not name.startswith(".") and not name.endswith(".") and ".." not in name:
        lowered = name.lower()
        if lowered.startswith(("aws.", "amazon.")):
            # Reserved prefixes (documented); AWS's wording for the refusal was not found.
            raise InvalidParameterValueError(
                f"Invalid message attribute name '{name}': names starting with AWS. or Amazon. are reserved."
            )
        return
    if not name:
        raise InvalidParameterValueError("The message attribute name must not be empty.")
    if name[0] == ".":
        raise InvalidParameterValueError("Invalid message attribute name starting with character '.' was found.")
    if name[-1] == ".":
        raise InvalidParameterValueError("Invalid message attribute name ending with character '.' was found.")
    for index, char in enumerate(name):
        if _NAME_CHARACTERS.fullmatch(char) is None:
            raise InvalidParameterValueError(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message attribute name. "
                "Can only include alphanumeric characters, hyphens, underscores, or dots."
            )
        if char == "." and name[index - 1] == ".":
            raise InvalidParameterValueError("Message attribute name can not have successive '.' character.")


def _coerce(value: Any) -> Mapping[str, Any]:
    """Plain Python values of the native API, as Publish-shaped attributes."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, bool):
        return {"DataType": "String", "StringValue": "true" if value else "false"}
    if isinstance(value, (int, float)):
        return {"DataType": "Number", "StringValue": repr(value) if isinstance(value, float) else str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"DataType": "Binary", "BinaryValue": bytes(value)}
    if isinstance(value, (list, tuple)):
        return {"DataType": "String.Array", "StringValue": json.dumps(list(value), separators=(",", ":"))}
    if isinstance(value, str):
        return {"DataType": "String", "StringValue": value}
    raise InvalidParameterValueError(f"Message attribute values must be str, int, float, bytes or a list, not {type(value).__name__}.")


def _check_number(name: str, text: str) -> None:
    """A ``Number`` attribute must hold a number (the wording of the refusal is not confirmed)."""
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped) is None or not math.isfinite(float(stripped)):
        raise InvalidParameterValueError(f"Could not cast message attribute '{name}' value to number.")


#: Attribute names already found valid (names repeat from message to message).
_KNOWN_NAMES: set[str] = set()
_PLAIN_TYPES: Final = frozenset({"String", "Number", "String.Array"})


def normalize_attributes(attributes: Mapping[str, Any] | None, *, entry: int | None = None) -> Attributes:
    """Validate Publish's ``MessageAttributes`` as SNS does and return them Publish-shaped.

    Accepts the AWS shape (``BinaryValue`` as bytes or base64 text) and, natively, plain values:
    ``str`` (String), ``int``/``float`` (Number), ``bytes`` (Binary), a list (String.Array).
    ``entry`` is the 1-based position of a PublishBatch entry, for the model-violation text.

    Raises:
        InvalidParameterValueError: ``ParameterValueInvalid`` with AWS's message.
        SnsValidationError: a missing ``DataType`` (``Value null at '...dataType'``).
    """
    if not attributes:
        return {}
    out: Attributes = {}
    known = _KNOWN_NAMES
    for name, raw in attributes.items():
        if name not in known:
            _check_name(name)
            if len(known) < 65_536:
                known.add(name)
        value = raw if type(raw) is dict else _coerce(raw)
        data_type = value.get("DataType")
        text = value.get("StringValue")
        # The common case, checked quickly: a plain type and a non-empty string value only.
        if data_type in _PLAIN_TYPES and type(text) is str and text and len(value) == 2 and INVALID_XML_CHARACTER.search(text) is None:
            if data_type == "Number":
                _check_number(name, text)
            out[name] = {"DataType": data_type, "StringValue": text}
            continue
        if data_type is None:
            where = f"messageAttributes.{name}.member.dataType"
            if entry is not None:
                where = f"publishBatchRequestEntries.{entry}.member.{where}"
            raise SnsValidationError(
                f"1 validation error detected: Value null at '{where}' failed to satisfy constraint: Member must not be null"
            )
        data_type = str(data_type)
        check_xml_text(data_type, "MessageAttributes")
        if _TYPE.fullmatch(data_type) is None or len(data_type.encode()) > 256:
            raise InvalidParameterValueError(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported type "
                "prefixes is Binary, Number, and String."
            )
        field = "Binary" if data_type.startswith("Binary") else "String"
        has_string = value.get("StringValue") is not None
        has_binary = value.get("BinaryValue") is not None
        if not has_string and not has_binary:
            raise InvalidParameterValueError(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        if (field == "Binary" and not has_binary) or (field == "String" and not has_string):
            raise InvalidParameterValueError(f"The message attribute '{name}' with type '{data_type}' must use field '{field}'.")
        if field == "Binary":
            binary = value["BinaryValue"]
            if isinstance(binary, str):
                try:
                    binary = base64.b64decode(binary, validate=True)
                except (binascii.Error, ValueError):
                    raise InvalidParameterValueError(f"The message attribute '{name}' has an invalid binary value.") from None
            binary = bytes(binary)
            if not binary:
                raise InvalidParameterValueError(
                    f"The message attribute '{name}' must contain non-empty message attribute value for message "
                    f"attribute type '{data_type}'."
                )
            out[name] = {"DataType": data_type, "BinaryValue": binary}
            continue
        text = value["StringValue"]
        if not isinstance(text, str):
            text = str(text)
        if not text:
            raise InvalidParameterValueError(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        check_xml_text(text, "MessageAttributes")
        if data_type.startswith("Number"):
            _check_number(name, text)
        out[name] = {"DataType": data_type, "StringValue": text}
    return out


def attributes_size(attributes: Attributes) -> int:
    """Bytes the attributes count toward the message size: names, types and values."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"].encode())
        binary = value.get("BinaryValue")
        size += len(binary) if binary is not None else len(value["StringValue"].encode())
    return size


def parse_structure(message: str) -> dict[str, str]:
    """The per-protocol messages of ``MessageStructure=json``: ``{"default": ..., "sqs": ...}``.

    Raises:
        InvalidParameterError: ``Invalid parameter: Message Structure - JSON message body failed to
            parse`` or ``... - No default entry in JSON message body`` (AWS-validated; a ``default``
            that is not a string counts as missing).
    """
    try:
        document = json.loads(message)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(document, dict):
        raise invalid("Message Structure - JSON message body failed to parse")
    if not isinstance(document.get("default"), str):
        raise invalid("Message Structure - No default entry in JSON message body")
    return {key: value for key, value in document.items() if isinstance(value, str)}


def check_message(message: Any) -> str:
    """The Message parameter: a non-empty string (``Invalid parameter: Empty message``, AWS-validated)."""
    if message is None or message == "":
        raise invalid("Empty message")
    if not isinstance(message, str):
        raise invalid("Message")
    check_xml_text(message, "Message")
    return message


def check_size(message: str, attributes: Attributes, limit: int) -> int:
    """The message's size (UTF-8 bytes of message and attributes); ``Message too long`` past ``limit``."""
    size = len(message.encode()) + (attributes_size(attributes) if attributes else 0)
    if size > limit:
        raise invalid("Message too long")
    return size
