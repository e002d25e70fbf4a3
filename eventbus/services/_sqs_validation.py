"""SQS's limits and the checks AWS makes before it accepts a queue, a message or a batch.

Every range, pattern and message here comes from the SQS API reference and the quotas pages, or
from AWS responses recorded by LocalStack's AWS-validated tests; messages we could not confirm
against AWS are marked ``(unverified wording)``.

* Queue names, attributes and their ranges:
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
* Message bodies, attributes and sizes:
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
* Batches: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from ._sqs_errors import (
    BatchEntryIdsNotDistinctError,
    EmptyBatchRequestError,
    InvalidAttributeNameError,
    InvalidAttributeValueError,
    InvalidBatchEntryIdError,
    InvalidMessageContentsError,
    InvalidParameterValueError,
    MissingParameterError,
    TooManyEntriesInBatchRequestError,
)

__all__ = (
    "DEDUPLICATION_WINDOW",
    "INVALID_CHARACTER",
    "INVALID_CHARACTERS_MESSAGE",
    "MAX_BATCH_ENTRIES",
    "MAX_MESSAGE_SIZE",
    "MAX_VISIBILITY_TIMEOUT",
    "PURGE_INTERVAL",
    "QUEUE_REUSE_DELAY",
    "VALID_ASCII",
    "AttributeDict",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "check_batch_ids",
    "check_body",
    "check_fifo_id",
    "check_queue_name",
    "check_range",
    "normalize_message_attributes",
    "parse_queue_attributes",
    "size_of_attributes",
)

#: Maximum message size, body and attributes together (1 MiB since August 2025).
MAX_MESSAGE_SIZE = 1_048_576
#: Entries a batch may hold.
MAX_BATCH_ENTRIES = 10
#: The longest a message can stay invisible, counted from the receive that made it so.
MAX_VISIBILITY_TIMEOUT = 43_200
#: How long FIFO queues remember a deduplication id (also ReceiveRequestAttemptId).
DEDUPLICATION_WINDOW = 300.0
#: PurgeQueue may run once a minute.
PURGE_INTERVAL = 60.0
#: A deleted queue's name may be reused after a minute.
QUEUE_REUSE_DELAY = 60.0

AttributeDict = dict[str, dict[str, Any]]

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
# Valid ids joined by spaces (a character no valid id has): one match checks a whole batch.
_BATCH_IDS = re.compile(r"[A-Za-z0-9_-]{1,80}(?: [A-Za-z0-9_-]{1,80})*")
# Alphanumeric and punctuation, 1 to 128 characters (MessageGroupId, MessageDeduplicationId,
# ReceiveRequestAttemptId).
_FIFO_ID = re.compile(r"[!-~]{1,128}")
# Characters outside #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
VALID_ASCII = bytes([9, 10, 13, *range(32, 128)])
INVALID_CHARACTERS_MESSAGE = (
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
    "#xE000 to #xFFFD | #x10000 to #x10FFFF"
)


def check_range(name: str, value: object, low: int, high: int, reason: str | None = None) -> int:
    """``value`` as an int in ``low..high``, or AWS's InvalidParameterValue naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameterValueError(
            f"Value {value} for parameter {name} is invalid. Reason: "
            + (reason or f"Must be between {low} and {high}, if provided.")
        )
    return value


def check_queue_name(name: object, fifo: bool) -> str:
    """Raise AWS's error unless ``name`` is a valid standard (or, with ``fifo``, FIFO) queue name.

    Up to 80 characters of ``[A-Za-z0-9_-]``; a FIFO queue's name ends in ``.fifo``, which counts
    toward the 80. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
    """
    if not isinstance(name, str):
        raise InvalidParameterValueError("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
    if fifo:
        if not _FIFO_QUEUE_NAME.fullmatch(name):
            raise InvalidParameterValueError(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length"
            )
    elif not _QUEUE_NAME.fullmatch(name):
        raise InvalidParameterValueError("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
    return name


def check_body(body: object, maximum_size: int, attributes_size: int = 0) -> bytes:
    """Check a message body as SendMessage does and return it encoded as UTF-8.

    The body must be one or more characters from the XML character set, and the body plus the
    message attributes must fit in the queue's MaximumMessageSize.
    """
    if type(body) is not str or not body:
        raise MissingParameterError("The request must contain the parameter MessageBody.")
    encoded = body.encode("utf-8", "surrogatepass")
    size = len(encoded)
    if size == len(body):
        # ASCII: only the control characters other than tab, line feed and carriage return are out.
        if encoded.translate(None, VALID_ASCII):
            raise InvalidMessageContentsError(INVALID_CHARACTERS_MESSAGE)
    elif INVALID_CHARACTER.search(body):
        raise InvalidMessageContentsError(INVALID_CHARACTERS_MESSAGE)
    if size + attributes_size > maximum_size:
        raise InvalidParameterValueError(
            f"One or more parameters are invalid. Reason: Message must be shorter than {maximum_size} bytes."
        )
    return encoded


def check_fifo_id(value: object, parameter: str) -> str:
    """A MessageGroupId, MessageDeduplicationId or ReceiveRequestAttemptId: 1-128 printable ASCII."""
    if not isinstance(value, str) or not _FIFO_ID.fullmatch(value):
        raise InvalidParameterValueError(
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length."
        )
    return value


# ---------------------------------------------------------------- message attributes
def _attribute_value_error(name: str, data_type: str) -> InvalidParameterValueError:
    kind = data_type.split(".", 1)[0]
    return InvalidParameterValueError(f"Message (user) attribute '{name}' must contain a non-empty value of type '{kind}'.")


def normalize_message_attributes(attributes: Mapping[str, Any] | None, *, system: bool = False) -> tuple[AttributeDict, int]:
    """Validate message attributes and return them AWS-shaped, with their size in bytes.

    Accepts the AWS shape ``{name: {"DataType": "String", "StringValue": "..."}}`` (``BinaryValue``
    as bytes, or base64 text) and, for the native API, plain values: ``str`` (String), ``int`` or
    ``float`` (Number), ``bytes`` (Binary). At most 10 attributes; names of up to 256 characters of
    ``[A-Za-z0-9_.-]`` that do not start with ``AWS.`` or ``Amazon.`` nor start or end with ``.``;
    data types ``String``, ``Number`` or ``Binary``, optionally with a ``.label``. Name, type and
    value all count toward the message size.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
    """
    if not attributes:
        return {}, 0
    if not isinstance(attributes, Mapping):
        raise InvalidParameterValueError("MessageAttributes must be a map of attribute names to values.")
    if len(attributes) > 10 and not system:
        raise InvalidParameterValueError(f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [10].")
    out: AttributeDict = {}
    size = 0
    for name, raw in attributes.items():
        if not isinstance(name, str) or not name:
            raise InvalidParameterValueError("The request must contain non-empty message attribute name.")
        if system:
            if name != "AWSTraceHeader":
                raise InvalidParameterValueError(
                    f"Message system attribute name '{name}' is invalid."  # (unverified wording)
                )
        else:
            _check_attribute_name(name)
        value = _coerce_attribute(raw)
        data_type = value.get("DataType")
        if not isinstance(data_type, str) or not data_type:
            raise InvalidParameterValueError(f"The message attribute '{name}' must contain non-empty message attribute type.")
        if len(data_type) >= 256:
            raise InvalidParameterValueError("Message (user) attribute types must be shorter than 256 Bytes")
        kind = data_type.split(".", 1)[0]
        if kind not in ("String", "Number", "Binary") or (system and data_type != "String"):
            raise InvalidParameterValueError(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        if kind == "Binary":
            binary = value.get("BinaryValue")
            if isinstance(binary, str):
                try:
                    binary = base64.b64decode(binary, validate=True)
                except ValueError:
                    raise InvalidParameterValueError(f"The message attribute '{name}' has an invalid binary value.") from None
            if not isinstance(binary, (bytes, bytearray, memoryview)) or not binary:
                raise _attribute_value_error(name, data_type)
            binary = bytes(binary)
            out[name] = {"DataType": data_type, "BinaryValue": binary}
            size += len(name.encode()) + len(data_type) + len(binary)
            continue
        text = value.get("StringValue")
        if not isinstance(text, str) or not text:
            raise _attribute_value_error(name, data_type)
        if INVALID_CHARACTER.search(text):
            raise InvalidParameterValueError(INVALID_CHARACTERS_MESSAGE)
        if kind == "Number":
            _check_number(name, text)
        out[name] = {"DataType": data_type, "StringValue": text}
        size += len(name.encode()) + len(data_type) + len(text.encode("utf-8", "surrogatepass"))
    return out, size


def size_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes that ``attributes`` (already normalized) count toward the message size."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"])
        binary = value.get("BinaryValue")
        size += len(binary) if binary is not None else len(str(value.get("StringValue", "")).encode())
    return size


def _coerce_attribute(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, bool):
        return {"DataType": "String", "StringValue": "true" if raw else "false"}
    if isinstance(raw, str):
        return {"DataType": "String", "StringValue": raw}
    if isinstance(raw, (int, float, Decimal)):
        return {"DataType": "Number", "StringValue": str(raw)}
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return {"DataType": "Binary", "BinaryValue": bytes(raw)}
    to_builtins = getattr(raw, "to_aws", None)
    if callable(to_builtins):
        result: Mapping[str, Any] = to_builtins()
        return result
    raise InvalidParameterValueError(f"Message attribute value {raw!r} is not a string, a number, bytes or an AWS attribute map.")


def _check_attribute_name(name: str) -> None:
    if len(name) > 256:
        raise InvalidParameterValueError("Message (user) attribute names must be shorter than 256 Bytes")
    if not _ATTRIBUTE_NAME.fullmatch(name):
        raise InvalidParameterValueError(
            "Message (user) attributes name can only contain upper and lower score characters, digits, periods, "
            "hyphens and underscores. "
        )
    lower = name.lower()
    if lower.startswith(("aws.", "amazon.")) or name.startswith(".") or name.endswith(".") or ".." in name:
        raise InvalidParameterValueError(
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are "
            "reserved for internal use. Additionally, they cannot start or end with '.'."
        )


def _check_number(name: str, text: str) -> None:
    """Numbers: up to 38 significant digits, between 10^-128 and 10^+126 in magnitude."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidParameterValueError(f"Can't cast the value of message (user) attribute '{name}' to a number.")  # (unverified wording)
    digits = len(number.as_tuple().digits)
    if number != 0 and (digits > 38 or not Decimal("1e-128") <= abs(number) <= Decimal("1e126")):
        raise InvalidParameterValueError(
            f"Value {text} for parameter MessageAttributes.{name} is invalid. Reason: Number values must be "
            "between 10^-128 and 10^+126 with at most 38 digits of precision."  # (unverified wording)
        )


# ----------------------------------------------------------------------- batches
def check_batch_ids(ids: Iterable[object], entry_name: str, *, generated: bool = False) -> list[str]:
    """The checks every batch operation makes before any entry: count, id format, distinct ids.

    Args:
        ids: the entries' ``Id`` values in order.
        entry_name: ``SendMessageBatchRequestEntry`` and so on, for the empty-batch message.
        generated: the ids are positions the native API made up (valid and distinct by
            construction), so only the count is checked.
    """
    id_list = list(ids)
    count = len(id_list)
    if 0 < count <= MAX_BATCH_ENTRIES:
        if generated:
            return id_list  # type: ignore[return-value]
        # The common case at once: all text (the join refuses anything else), distinct, and valid
        # (no id holds the separator, so the separators counted are the ones the join put in).
        try:
            joined = " ".join(id_list)  # type: ignore[arg-type]
        except TypeError:
            pass
        else:
            if len(set(id_list)) == count and joined.count(" ") == count - 1 and _BATCH_IDS.fullmatch(joined):
                return id_list  # type: ignore[return-value]
    if not id_list:
        raise EmptyBatchRequestError(f"There should be at least one {entry_name} in the request.")
    if len(id_list) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequestError(
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(id_list)}."
        )
    seen: set[str] = set()
    for entry_id in id_list:
        if not isinstance(entry_id, str) or not _BATCH_ID.fullmatch(entry_id):
            raise InvalidBatchEntryIdError(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinctError(f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return id_list  # type: ignore[return-value]


# -------------------------------------------------------------- queue attributes
class RedrivePolicy(msgspec.Struct, frozen=True):
    """A source queue's RedrivePolicy: where messages go after ``max_receive_count`` receives."""

    dead_letter_target_arn: str
    max_receive_count: int

    def to_json(self) -> str:
        return json.dumps(
            {"deadLetterTargetArn": self.dead_letter_target_arn, "maxReceiveCount": self.max_receive_count},
            separators=(",", ":"),
        )


class RedriveAllowPolicy(msgspec.Struct, frozen=True):
    """A dead-letter queue's RedriveAllowPolicy: which source queues may name it."""

    redrive_permission: str = "allowAll"
    source_queue_arns: tuple[str, ...] = ()

    def allows(self, source_arn: str) -> bool:
        if self.redrive_permission == "allowAll":
            return True
        if self.redrive_permission == "denyAll":
            return False
        return source_arn in self.source_queue_arns

    def to_json(self) -> str:
        document: dict[str, Any] = {"redrivePermission": self.redrive_permission}
        if self.redrive_permission == "byQueue":
            document["sourceQueueArns"] = list(self.source_queue_arns)
        return json.dumps(document, separators=(",", ":"))


_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, MAX_VISIBILITY_TIMEOUT),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
_BOOLEANS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_STRINGS = ("Policy", "KmsMasterKeyId")
_FIFO_ONLY_NAMED = ("DeduplicationScope", "FifoThroughputLimit")
_SETTABLE = (
    *_INTEGER_RANGES,
    *_BOOLEANS,
    *_STRINGS,
    *_FIFO_ONLY_NAMED,
    "RedrivePolicy",
    "RedriveAllowPolicy",
)


def _invalid_value(name: str, reason: str | None = None) -> InvalidAttributeValueError:
    return InvalidAttributeValueError(f"Invalid value for the parameter {name}." + (f" Reason: {reason}" if reason else ""))


def parse_queue_attributes(attributes: Mapping[str, Any], *, fifo: bool, creating: bool) -> dict[str, Any]:
    """Validate CreateQueue/SetQueueAttributes ``Attributes`` and return typed values by name.

    Integers become ``int``, booleans ``bool``, RedrivePolicy a :class:`RedrivePolicy` (``None``
    when set to ``""``), RedriveAllowPolicy a :class:`RedriveAllowPolicy`; whether a dead-letter
    queue exists and accepts the source is checked by the caller, which knows the queues.

    Raises:
        InvalidAttributeNameError: an unknown attribute, a read-only one, or a FIFO-only attribute
            on a standard queue.
        InvalidAttributeValueError: a value out of its range.
        InvalidParameterValueError: a malformed RedrivePolicy or RedriveAllowPolicy.
    """
    parsed: dict[str, Any] = {}
    for name, raw in attributes.items():
        if name not in _SETTABLE:
            raise InvalidAttributeNameError(f"Unknown Attribute {name}.")
        value = raw if isinstance(raw, str) else _to_text(raw)
        if name == "FifoQueue":
            if not fifo:
                if creating and value.lower() == "false":
                    parsed[name] = False
                    continue
                raise InvalidAttributeNameError("Unknown Attribute FifoQueue.")
            if value.lower() != "true":
                raise _invalid_value("FifoQueue", "Modifying queue type is not supported.")
            parsed[name] = True
            continue
        if not fifo and name == "ContentBasedDeduplication":
            raise InvalidAttributeNameError(f"Unknown Attribute {name}.")
        if not fifo and name in _FIFO_ONLY_NAMED:
            raise InvalidAttributeNameError(f"You can specify the {name} only when FifoQueue is set to true.")
        if name in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[name]
            try:
                number = int(value.strip())
            except ValueError:
                raise _invalid_value(name) from None
            if not low <= number <= high:
                raise _invalid_value(name)
            parsed[name] = number
        elif name in _BOOLEANS:
            lowered = value.lower()
            if lowered not in ("true", "false"):
                raise _invalid_value(name)
            parsed[name] = lowered == "true"
        elif name == "DeduplicationScope":
            if value not in ("messageGroup", "queue"):
                raise _invalid_value(name)
            parsed[name] = value
        elif name == "FifoThroughputLimit":
            if value not in ("perQueue", "perMessageGroupId"):
                raise _invalid_value(name)
            parsed[name] = value
        elif name == "RedrivePolicy":
            parsed[name] = _parse_redrive_policy(value)
        elif name == "RedriveAllowPolicy":
            parsed[name] = _parse_redrive_allow_policy(value)
        else:
            parsed[name] = value
    if parsed.get("SqsManagedSseEnabled") and parsed.get("KmsMasterKeyId"):
        raise InvalidAttributeNameError(
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
        )
    return parsed


def _to_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (dict, list)):
        return json.dumps(raw)
    return str(raw)


def _redrive_error(value: str, reason: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(f"Value {value} for parameter RedrivePolicy is invalid. Reason: {reason}")


def _parse_redrive_policy(value: str) -> RedrivePolicy | None:
    """``{"deadLetterTargetArn": <arn>, "maxReceiveCount": 1..1000}``; ``""`` removes the policy."""
    if value == "":
        return None
    try:
        document = json.loads(value)
    except ValueError:
        raise _redrive_error(value, "Redrive policy is not a valid JSON map.") from None  # (unverified wording)
    if not isinstance(document, dict):
        raise _redrive_error(value, "Redrive policy is not a valid JSON map.")  # (unverified wording)
    arn = document.get("deadLetterTargetArn")
    if not isinstance(arn, str) or not arn.startswith("arn:") or arn.count(":") < 5:
        raise _redrive_error(value, "Invalid value for deadLetterTargetArn.")
    count = document.get("maxReceiveCount")
    try:
        max_receive_count = int(count) if not isinstance(count, bool) and count is not None else None
    except (TypeError, ValueError):
        max_receive_count = None
    if max_receive_count is None or not 1 <= max_receive_count <= 1000:
        raise _redrive_error(
            value,
            f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive.",
        )
    unknown = set(document) - {"deadLetterTargetArn", "maxReceiveCount"}
    if unknown:
        raise _redrive_error(value, f"Unknown attribute {sorted(unknown)[0]}.")  # (unverified wording)
    return RedrivePolicy(arn, max_receive_count)


def _parse_redrive_allow_policy(value: str) -> RedriveAllowPolicy | None:
    """``{"redrivePermission": "allowAll"|"denyAll"|"byQueue", "sourceQueueArns": [up to 10 ARNs]}``."""
    if value == "":
        return None

    def error(reason: str) -> InvalidParameterValueError:
        return InvalidParameterValueError(f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: {reason}")

    try:
        document = json.loads(value)
    except ValueError:
        raise error("Redrive allow policy is not a valid JSON map.") from None  # (unverified wording)
    if not isinstance(document, dict):
        raise error("Redrive allow policy is not a valid JSON map.")  # (unverified wording)
    permission = document.get("redrivePermission")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise error("Invalid value for redrivePermission.")  # (unverified wording)
    arns = document.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(arns, list) or not arns or not all(isinstance(a, str) for a in arns):
            raise error("sourceQueueArns must be specified when redrivePermission is byQueue.")  # (unverified wording)
        if len(arns) > 10:
            raise error("The maximum number of sourceQueueArns is 10.")  # (unverified wording)
        return RedriveAllowPolicy("byQueue", tuple(arns))
    if arns:
        raise error("sourceQueueArns can only be specified when redrivePermission is byQueue.")  # (unverified wording)
    return RedriveAllowPolicy(permission)
