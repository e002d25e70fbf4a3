"""The shapes SNS delivers: the JSON envelope, the Lambda event, confirmation messages.

The envelope that SQS queues, HTTP/S endpoints and email-json addresses receive is written as SNS
writes it, byte for byte ("Amazon SNS message and JSON formats",
https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html, and the SQS example of
"Subscribing an Amazon SQS queue to an Amazon SNS topic",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/subscribe-sqs-queue-to-sns-topic.html)::

    {
      "Type" : "Notification",
      "MessageId" : "...",
      "SequenceNumber" : "...",            (FIFO topics only)
      "TopicArn" : "...",
      "Subject" : "...",                   (only when the publisher gave one)
      "Message" : "...",
      "Timestamp" : "2024-01-01T00:00:00.000Z",
      "SignatureVersion" : "1",            (not on FIFO topics, nor the next two)
      "Signature" : "...",
      "SigningCertURL" : "...",
      "UnsubscribeURL" : "...",
      "MessageAttributes" : {              (only when the message has attributes)
        "name" : {"Type":"String","Value":"..."}
      }
    }

Two spaces of indentation, ``" : "`` between names and values, compact attribute objects. Strings are
escaped as Jackson (the JSON library of SNS's Java stack) escapes them: ``\\"``, ``\\\\``, the short
forms ``\\b \\t \\n \\f \\r`` and ``\\u00XX`` (upper-case hex) for the other control characters;
everything else, non-ASCII included, is written as is (non-ASCII observed unescaped in delivered
messages). ``MessageAttributes`` come in the iteration order of a ``java.util.HashMap`` of the
attribute names, which is what AWS delivers: checked against every multi-attribute envelope found in
public repositories and against AWS-validated snapshots (``attr2`` before ``attr1``).

The signature is a base64 string of 256 bytes from the simulation's generator (SNS signs with a
private key the simulation does not have); ``SigningCertURL`` names a certificate file derived from
the region. The Lambda event spells ``SigningCertUrl`` and ``UnsubscribeUrl``, always reports
``SignatureVersion`` 1, gives ``Subject`` as null when there is none, and passes ``Number`` and
``String.Array`` attributes with the type ``String``
(https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ._sns_model import Attributes

__all__ = (
    "Notification",
    "confirmation_message",
    "java_hash_order",
    "json_string",
    "signing_cert_url",
    "subscribe_url",
    "unsubscribe_url",
)

_ESCAPES: Final[dict[int, str]] = {code: f"\\u{code:04X}" for code in range(32)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", ord('"'): '\\"', ord("\\"): "\\\\"})


def json_string(text: str) -> str:
    """``text`` as a JSON string literal, escaped as Jackson escapes it."""
    return '"' + text.translate(_ESCAPES) + '"'


def _java_string_hash(text: str) -> int:
    """``String.hashCode()`` over the UTF-16 code units, as an unsigned 32-bit int."""
    data = text.encode("utf-16-be")
    value = 0
    for i in range(0, len(data), 2):
        value = (31 * value + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return value


_ORDER_CACHE: dict[tuple[str, ...], tuple[str, ...]] = {}


def java_hash_order(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in the iteration order of a ``java.util.HashMap`` they were put into, in this order.

    A HashMap iterates its table buckets in index order, and the entries of one bucket in insertion
    order. The bucket is ``(h ^ (h >>> 16)) & (capacity - 1)`` of ``String.hashCode()``; the capacity
    starts at 16 and doubles whenever the map grows past three quarters of it.
    """
    key = tuple(names)
    cached = _ORDER_CACHE.get(key)
    if cached is not None:
        return cached
    capacity = 16
    while len(key) > capacity * 3 // 4:
        capacity *= 2
    slots = []
    for position, name in enumerate(key):
        h = _java_string_hash(name)
        slots.append(((h ^ (h >> 16)) & (capacity - 1), position, name))
    ordered = tuple(name for _, _, name in sorted(slots))
    if len(_ORDER_CACHE) > 4096:
        _ORDER_CACHE.clear()
    _ORDER_CACHE[key] = ordered
    return ordered


#: The JSON text of each subscription's UnsubscribeURL (the subscription ARN names the region).
_UNSUBSCRIBE_JSON: dict[str, str] = {}


def signing_cert_url(region: str) -> str:
    """The ``SigningCertURL`` of a region: ``https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem``."""
    digest = hashlib.md5(f"eventbus-sns-signing-cert:{region}".encode()).hexdigest()
    return f"https://sns.{region}.amazonaws.com/SimpleNotificationService-{digest}.pem"


def unsubscribe_url(region: str, subscription_arn: str) -> str:
    """The ``UnsubscribeURL`` of a subscription."""
    return f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"


def subscribe_url(region: str, topic_arn: str, token: str) -> str:
    """The ``SubscribeURL`` of a confirmation message."""
    return f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"


def _attribute_value(value: Mapping[str, Any]) -> str:
    binary = value.get("BinaryValue")
    if binary is not None:
        return base64.b64encode(binary).decode()
    text: str = value["StringValue"]
    return text


class Notification:
    """One published message, as every subscription of the topic receives it.

    Attributes:
        message_id: the MessageId (the same for every subscription and every retry).
        topic_arn: the topic it was published to.
        message: the ``Message`` (the ``default`` entry with ``MessageStructure=json``).
        messages: the per-protocol messages of ``MessageStructure=json``, else None.
        subject: the ``Subject``, or None.
        attributes: the message attributes, Publish-shaped (not delivered with ``MessageStructure=json``).
        group_id: the MessageGroupId, or None.
        deduplication_id: the MessageDeduplicationId in effect on FIFO topics (given or content-based).
        sequence_number: the topic's sequence number on FIFO topics, else None.
        timestamp: when it was published, ISO-8601 with milliseconds.
        signature: the ``Signature`` of standard topics ('' on FIFO topics).
        signature_version: the topic's ``SignatureVersion`` ("1" or "2").
        region: the topic's region (for the URLs).
    """

    __slots__ = (
        "_heads",
        "_tail",
        "attributes",
        "deduplication_id",
        "group_id",
        "message",
        "message_id",
        "messages",
        "region",
        "sequence_number",
        "signature",
        "signature_version",
        "subject",
        "timestamp",
        "topic_arn",
    )

    def __init__(
        self,
        *,
        message_id: str,
        topic_arn: str,
        message: str,
        messages: dict[str, str] | None,
        subject: str | None,
        attributes: Attributes,
        group_id: str | None,
        deduplication_id: str | None,
        sequence_number: str | None,
        timestamp: str,
        signature: str,
        signature_version: str,
        region: str,
    ) -> None:
        self.message_id = message_id
        self.topic_arn = topic_arn
        self.message = message
        self.messages = messages
        self.subject = subject
        self.attributes = attributes
        self.group_id = group_id
        self.deduplication_id = deduplication_id
        self.sequence_number = sequence_number
        self.timestamp = timestamp
        self.signature = signature
        self.signature_version = signature_version
        self.region = region
        self._heads: dict[str, str] = {}
        self._tail: str | None = None

    def __repr__(self) -> str:
        return f"eventbus.sns.Notification(message_id={self.message_id!r}, topic_arn={self.topic_arn!r})"

    def text_for(self, protocol: str) -> str:
        """The message a protocol receives (its own entry with ``MessageStructure=json``)."""
        messages = self.messages
        if messages is None:
            return self.message
        return messages.get(protocol, self.message)

    @property
    def delivered_attributes(self) -> Attributes:
        """The attributes delivered with the message: none with ``MessageStructure=json``."""
        return {} if self.messages is not None else self.attributes

    def envelope(self, protocol: str, subscription_arn: str) -> str:
        """The JSON envelope an SQS queue, HTTP/S endpoint or email-json address receives."""
        text = self.text_for(protocol)
        head = self._heads.get(text)
        if head is None:
            head = self._heads[text] = self._head(text)
        tail = self._tail
        if tail is None:
            tail = self._tail = self._attributes_tail()
        url = _UNSUBSCRIBE_JSON.get(subscription_arn)
        if url is None:
            if len(_UNSUBSCRIBE_JSON) > 65_536:
                _UNSUBSCRIBE_JSON.clear()
            url = _UNSUBSCRIBE_JSON[subscription_arn] = json_string(unsubscribe_url(self.region, subscription_arn))
        return head + url + tail

    def _head(self, text: str) -> str:
        parts = ['{\n  "Type" : "Notification",\n  "MessageId" : ', json_string(self.message_id)]
        if self.sequence_number is not None:
            parts += [',\n  "SequenceNumber" : ', json_string(self.sequence_number)]
        parts += [',\n  "TopicArn" : ', json_string(self.topic_arn)]
        if self.subject is not None:
            parts += [',\n  "Subject" : ', json_string(self.subject)]
        parts += [',\n  "Message" : ', json_string(text), ',\n  "Timestamp" : ', json_string(self.timestamp)]
        if self.sequence_number is None:
            parts += [
                ',\n  "SignatureVersion" : ',
                json_string(self.signature_version),
                ',\n  "Signature" : ',
                json_string(self.signature),
                ',\n  "SigningCertURL" : ',
                json_string(signing_cert_url(self.region)),
            ]
        parts.append(',\n  "UnsubscribeURL" : ')
        return "".join(parts)

    def _attributes_tail(self) -> str:
        attributes = self.delivered_attributes
        if not attributes:
            return "\n}"
        lines = []
        for name in java_hash_order(attributes):
            value = attributes[name]
            lines.append(
                f'    {json_string(name)} : {{"Type":{json_string(value["DataType"])},"Value":{json_string(_attribute_value(value))}}}'
            )
        return ',\n  "MessageAttributes" : {\n' + ",\n".join(lines) + "\n  }\n}"

    def lambda_event(self, subscription_arn: str) -> dict[str, Any]:
        """The event a Lambda function subscribed to the topic is invoked with.

        Shape of "Using Lambda with Amazon SNS" (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
        """
        attributes: dict[str, dict[str, str]] = {}
        delivered = self.delivered_attributes
        for name in java_hash_order(delivered):
            value = delivered[name]
            kind = "Binary" if value["DataType"].startswith("Binary") else "String"
            attributes[name] = {"Type": kind, "Value": _attribute_value(value)}
        sns: dict[str, Any] = {
            "SignatureVersion": "1",
            "Timestamp": self.timestamp,
            "Signature": self.signature,
            "SigningCertUrl": signing_cert_url(self.region),
            "MessageId": self.message_id,
            "Message": self.text_for("lambda"),
            "MessageAttributes": attributes,
            "Type": "Notification",
            "UnsubscribeUrl": unsubscribe_url(self.region, subscription_arn),
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
        }
        return {
            "Records": [
                {
                    "EventVersion": "1.0",
                    "EventSubscriptionArn": subscription_arn,
                    "EventSource": "aws:sns",
                    "Sns": sns,
                }
            ]
        }


def confirmation_message(
    kind: str,
    *,
    message_id: str,
    token: str,
    topic_arn: str,
    subscription_arn: str,
    timestamp: str,
    signature: str,
    region: str,
) -> str:
    """A ``SubscriptionConfirmation`` or ``UnsubscribeConfirmation`` message, as SNS posts it.

    Fields and wording of "HTTP/HTTPS subscription confirmation JSON format"
    (https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html) and
    "HTTP/HTTPS unsubscribe confirmation JSON format"; texts AWS-validated (LocalStack snapshots).
    """
    if kind == "SubscriptionConfirmation":
        text = (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
    else:
        text = (
            f"You have chosen to deactivate subscription {subscription_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
        )
    fields = [
        ("Type", kind),
        ("MessageId", message_id),
        ("Token", token),
        ("TopicArn", topic_arn),
        ("Message", text),
        ("SubscribeURL", subscribe_url(region, topic_arn, token)),
        ("Timestamp", timestamp),
        ("SignatureVersion", "1"),
        ("Signature", signature),
        ("SigningCertURL", signing_cert_url(region)),
    ]
    return "{\n" + ",\n".join(f"  {json_string(name)} : {json_string(value)}" for name, value in fields) + "\n}"
