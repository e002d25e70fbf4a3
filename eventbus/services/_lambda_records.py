"""The SQS event a mapping sends, its filters, and how a function's batch response is read (internal).

https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import InvalidEventPatternError
from ..matching import EventPattern
from ._lambda_errors import InvalidParameterValueError

__all__ = (
    "MAX_FILTERS",
    "compile_filters",
    "filter_view",
    "read_batch_response",
    "sqs_record",
)

#: "Maximum number of filters per event source mapping: 5" (a quota AWS can raise).
#: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
MAX_FILTERS = 5

#: The order of system attributes in Lambda's SQS records (as in the guide's FIFO example).
_ATTRIBUTE_ORDER = (
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
    "DeadLetterQueueSourceArn",
)


def sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    """One ``Records[]`` entry of the event Lambda builds from a received SQS message.

    Keys in the order AWS sends them: ``messageId``, ``receiptHandle``, ``body``, ``attributes``
    (system attributes, strings), ``messageAttributes`` (lowerCamel: ``stringValue`` or
    ``binaryValue`` (base64), ``stringListValues``, ``binaryListValues``, ``dataType``),
    ``md5OfMessageAttributes`` (null without attributes), ``md5OfBody``, ``eventSource``
    ("aws:sqs"), ``eventSourceARN``, ``awsRegion``.
    """
    system = message.attributes
    attributes = {name: system[name] for name in _ATTRIBUTE_ORDER if name in system}
    message_attributes: dict[str, Any] = {}
    for name, attribute in message.message_attributes.items():
        entry: dict[str, Any] = {}
        if attribute.binary_value is not None:
            entry["binaryValue"] = base64.b64encode(attribute.binary_value).decode("ascii")
        else:
            entry["stringValue"] = attribute.string_value
        entry["stringListValues"] = []
        entry["binaryListValues"] = []
        entry["dataType"] = attribute.data_type
        message_attributes[name] = entry
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfMessageAttributes": message.md5_of_message_attributes,
        "md5OfBody": message.md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def compile_filters(filters: Iterable[str | dict[str, Any]] | None) -> tuple[tuple[str, EventPattern], ...]:
    """FilterCriteria patterns, compiled; refused as Lambda refuses them.

    Raises:
        InvalidParameterValueError: more than 5 filters, or a pattern that is not a valid filter
            pattern ("Invalid filter pattern definition.").
    """
    if filters is None:
        return ()
    compiled: list[tuple[str, EventPattern]] = []
    items = list(filters)
    if len(items) > MAX_FILTERS:
        # AWS's wording is not confirmed.
        raise InvalidParameterValueError(f"The number of filters ({len(items)}) exceeds the limit of {MAX_FILTERS}.")
    for item in items:
        text = item if isinstance(item, str) else json.dumps(item)
        try:
            compiled.append((text, EventPattern(text)))
        except (InvalidEventPatternError, ValueError, TypeError):
            raise InvalidParameterValueError("Invalid filter pattern definition.") from None
    return tuple(compiled)


def filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as filters see it: ``body`` parsed when it is JSON (a plain string otherwise).
    https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
    """
    body = record["body"]
    try:
        parsed = json.loads(body)
    except ValueError:
        return record
    return dict(record, body=parsed)


def read_batch_response(payload: Any, message_ids: Sequence[str]) -> set[str] | None:
    """The message ids a ``ReportBatchItemFailures`` response asks to retry, or None when it is malformed.

    Lambda treats these as complete success: a null or empty ``batchItemFailures`` list, an empty
    or null response. As complete failure (None here): a response that is not a JSON object, a
    ``batchItemFailures`` that is not a list, an entry without ``itemIdentifier`` (a bad key name),
    an empty or null ``itemIdentifier``, or one that names no message of the batch.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#sqs-batchfailurereporting-conditions
    """
    if payload is None:
        return set()
    if not isinstance(payload, dict):
        return None
    if "batchItemFailures" not in payload:
        return set()
    failures = payload["batchItemFailures"]
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    known = set(message_ids)
    failed: set[str] = set()
    for entry in failures:
        if not isinstance(entry, dict) or "itemIdentifier" not in entry:
            return None
        identifier = entry["itemIdentifier"]
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return None
        failed.add(identifier)
    return failed
