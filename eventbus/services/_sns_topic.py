"""An SNS topic: its attributes, its subscriptions, Publish and PublishBatch, and fan-out.

Standard topics deliver every message to every subscription whose filter policy accepts it, at
least once and in best-effort order. FIFO topics (``.fifo`` names, ``FifoTopic=true``) deliver to
SQS queues only, in order within each message group, exactly once within a five-minute
deduplication window: a message whose MessageDeduplicationId (given, or the SHA-256 of the message
with ``ContentBasedDeduplication``) was seen in the last five minutes, in the topic or (with
``FifoThroughputScope=MessageGroup``) in its group, is accepted but not delivered, and Publish
answers with the first message's id and sequence number
(https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-fifo-topics.html).

Filter policies of all subscriptions are matched at once through a
:class:`~eventbus.matching.FilterPolicySet` (the cost is set by the message, not by the number of
subscriptions). A subscription that rejects a message is journaled ``sns.filtered_out`` with the
reason CloudWatch would count it under: ``NoMatch``, ``InvalidAttributes`` (a ``String.Array``
attribute that is not a JSON array) or ``InvalidMessageBody`` (a body-scope policy and a body that is
not a JSON object); https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .._simulation import Outcome
from ..errors import ServiceError
from ..matching import FilterPolicySet
from ._delivery import Inbound
from ._sns_errors import (
    BatchEntryIdsNotDistinctError,
    BatchRequestTooLongError,
    EmptyBatchRequestError,
    InvalidBatchEntryIdError,
    InvalidParameterError,
    TooManyEntriesInBatchRequestError,
    check_xml_text,
    invalid,
)
from ._sns_format import Notification
from ._sns_model import (
    DEFAULT_MAX_MESSAGE_SIZE,
    Attributes,
    BatchResult,
    BatchResultEntry,
    PublishResult,
    check_identifier,
    check_message,
    check_size,
    check_subject,
    normalize_attributes,
    parse_structure,
)
from ._sns_policies import (
    default_topic_policy,
    effective_topic_policy,
    parse_json_attribute,
    parse_topic_delivery_policy,
)
from ._sns_subscription import Subscription

if TYPE_CHECKING:
    from ._sns_service import SnsService

__all__ = ("DEDUPLICATION_WINDOW", "TOPIC_ATTRIBUTES", "Topic")

#: FIFO topics remember deduplication ids for five minutes.
DEDUPLICATION_WINDOW: Final = 300.0
#: The first sequence number a FIFO topic hands out, and the step between two (as observed on AWS:
#: ``10000000000000003000`` for a new topic's first message, then 1000 apart).
_FIRST_SEQUENCE: Final = 10_000_000_000_000_003_000
_SEQUENCE_STEP: Final = 1000
_FEEDBACK: Final = tuple(
    f"{endpoint}{kind}"
    for endpoint in ("HTTP", "Firehose", "Lambda", "Application", "SQS")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
)
#: The attributes CreateTopic and SetTopicAttributes accept (FifoTopic only at creation).
TOPIC_ATTRIBUTES: Final = (
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "TracingConfig",
    "KmsMasterKeyId",
    "SignatureVersion",
    "FifoTopic",
    "ContentBasedDeduplication",
    "FifoThroughputScope",
    "ArchivePolicy",
    "MaximumMessageSize",
    *_FEEDBACK,
)
_FIFO_ONLY: Final = ("ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy")
_LARGE_MESSAGE_PROTOCOLS: Final = ("sqs", "lambda", "firehose")
# The details of ``sns.filtered_out`` records (shared, as the journal shares its empty detail).
_NO_MATCH: Final = {"reason": "NoMatch"}
_INVALID_ATTRIBUTES: Final = {"reason": "InvalidAttributes"}
_INVALID_BODY: Final = {"reason": "InvalidMessageBody"}
_BATCH_ID: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Topic:
    """An Amazon SNS topic in a simulation (``eventbus.services.sns.Topic``).

    Create one with ``sim.sns.create_topic(name)``; ``topic.subscribe(queue)`` and
    ``topic.publish("hello")`` are the everyday calls. Deliveries happen on the simulation's clock
    (run ``sim.run_until_idle()`` or ``sim.advance(...)``).
    """

    def __init__(self, service: SnsService, name: str, *, fifo: bool) -> None:
        self.service = service
        sim = service.sim
        self.name = name
        self.fifo = fifo
        self.arn = sim.arn("sns", name)
        self.subscriptions: dict[str, Subscription] = {}
        self._fan: tuple[Subscription, ...] = ()
        self.tags: dict[str, str] = {}
        self.display_name = ""
        self.policy: dict[str, Any] = default_topic_policy(self.arn, sim.account_id)
        self.delivery_policy: dict[str, Any] | None = None
        self.content_based_deduplication = False
        self.signature_version = "1"
        self.max_message_size = DEFAULT_MAX_MESSAGE_SIZE
        self.data_protection_policy: str | None = None
        self._settings: dict[str, str] = {}
        self._policies = FilterPolicySet()
        self._attribute_scoped = 0
        self._body_scoped = 0
        self._deleted_subscriptions = 0
        self._sequence = _FIRST_SEQUENCE - _SEQUENCE_STEP
        self._seen: dict[tuple[str | None, str], tuple[float, PublishResult]] = {}
        self._expiry: deque[tuple[float, tuple[str | None, str]]] = deque()
        self.created_at = sim.time

    def __repr__(self) -> str:
        return f"eventbus.sns.Topic({self.name!r}, fifo={self.fifo})"

    # ---------------------------------------------------------- attributes
    def set_attribute(self, name: str, value: str | None, *, creating: bool = False) -> None:
        """Change one attribute (SetTopicAttributes), validated as SNS validates it.

        Raises:
            InvalidParameterError: an unknown name (``Invalid parameter: AttributeName``, also for
                FifoTopic after creation, AWS-validated) or an invalid value.
        """
        if name not in TOPIC_ATTRIBUTES or (name == "FifoTopic" and not creating):
            raise invalid("AttributeName")
        text = "" if value is None else str(value)
        check_xml_text(text, name)
        if name in _FIFO_ONLY and not self.fifo:
            # The wording is the simulation's: AWS refuses FIFO-only attributes on standard topics.
            raise invalid(f"{name} Reason: {name} can only be set for FIFO topics")
        if name == "FifoTopic":
            return
        if name == "DisplayName":
            if len(text) > 100:
                raise invalid("DisplayName Reason: DisplayName must be at most 100 characters long")
            self.display_name = text
        elif name == "Policy":
            document = parse_json_attribute(text, "Policy", "Invalid parameter: ") if text else None
            if document is not None and not isinstance(document, dict):
                raise invalid("Policy Error: the policy must be a JSON object")
            self.policy = document if document is not None else default_topic_policy(self.arn, self.service.sim.account_id)
        elif name == "DeliveryPolicy":
            self.delivery_policy = parse_topic_delivery_policy(text, "Invalid parameter: ") if text else None
            for subscription in self.subscriptions.values():
                subscription._retry = None
        elif name == "SignatureVersion":
            if text not in ("1", "2"):
                raise invalid("SignatureVersion")
            self.signature_version = text
            self._settings[name] = text
        elif name == "TracingConfig":
            if text not in ("PassThrough", "Active"):
                raise invalid("TracingConfig")
            if text == "Active" and self.fifo:
                raise invalid("TracingConfig Reason: Active tracing is only supported on standard topics")
            self._settings[name] = text
        elif name == "ContentBasedDeduplication":
            if text.lower() not in ("true", "false"):
                raise invalid("ContentBasedDeduplication")
            self.content_based_deduplication = text.lower() == "true"
        elif name == "FifoThroughputScope":
            if text not in ("Topic", "MessageGroup"):
                raise invalid("FifoThroughputScope")
            self._settings[name] = text
        elif name == "MaximumMessageSize":
            self._set_max_message_size(text)
        elif name == "ArchivePolicy":
            if text:
                parse_json_attribute(text, "ArchivePolicy", "Invalid parameter: ")
                self._settings[name] = text
                self._settings["BeginningArchiveTime"] = self.service.sim.iso(millis=True)
            else:
                self._settings.pop(name, None)
                self._settings.pop("BeginningArchiveTime", None)
        else:  # KmsMasterKeyId, delivery status logging
            if text:
                self._settings[name] = text
            else:
                self._settings.pop(name, None)

    def _set_max_message_size(self, text: str) -> None:
        try:
            size = int(text)
        except ValueError:
            raise invalid("MaximumMessageSize") from None
        if not 1024 <= size <= 1_048_576:
            raise invalid("MaximumMessageSize Reason: must be between 1024 and 1048576")
        # Large payloads: at most 100 subscriptions, all SQS, Firehose or Lambda (wording not confirmed).
        subscriptions = self.subscriptions.values()
        if size > DEFAULT_MAX_MESSAGE_SIZE and (
            len(subscriptions) > 100 or any(s.protocol not in _LARGE_MESSAGE_PROTOCOLS for s in subscriptions)
        ):
            raise invalid(
                "MaximumMessageSize Reason: topics larger than 256 KiB support at most 100 subscriptions of "
                "Amazon SQS, Amazon Data Firehose or AWS Lambda"
            )
        self.max_message_size = size
        self._settings["MaximumMessageSize"] = text

    @property
    def fifo_throughput_scope(self) -> str:
        """``Topic`` (deduplication across the topic) or ``MessageGroup``."""
        return self._settings.get("FifoThroughputScope", "Topic")

    def attributes(self) -> dict[str, str]:
        """The topic's attributes, as GetTopicAttributes returns them (JSON values compact)."""
        confirmed = sum(1 for s in self.subscriptions.values() if not s.pending_confirmation)
        out = {
            "DisplayName": self.display_name,
            "EffectiveDeliveryPolicy": json.dumps(effective_topic_policy(self.delivery_policy), separators=(",", ":")),
            "Owner": self.service.sim.account_id,
            "Policy": json.dumps(self.policy, separators=(",", ":")),
            "SubscriptionsConfirmed": str(confirmed),
            "SubscriptionsDeleted": str(self._deleted_subscriptions),
            "SubscriptionsPending": str(len(self.subscriptions) - confirmed),
            "TopicArn": self.arn,
        }
        if self.delivery_policy is not None:
            out["DeliveryPolicy"] = json.dumps(self.delivery_policy, separators=(",", ":"))
        if self.fifo:
            out["FifoTopic"] = "true"
            out["ContentBasedDeduplication"] = "true" if self.content_based_deduplication else "false"
        out.update(self._settings)
        return dict(sorted(out.items()))

    # ------------------------------------------------------- subscriptions
    def subscribe(
        self,
        target: Any,
        *,
        protocol: str | None = None,
        filter_policy: str | Mapping[str, Any] | None = None,
        filter_policy_scope: str | None = None,
        raw: bool = False,
        dead_letter: Any = None,
        delivery_policy: str | Mapping[str, Any] | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Subscription:
        """Subscribe an endpoint (Subscribe).

        Args:
            target: an SQS queue, a Lambda-style function, a plain Python callable (it receives the
                SNS event of a Lambda function), or an endpoint as SNS names it: a queue or function
                ARN, an ``http(s)://`` URL, an email address.
            protocol: the protocol, when ``target`` does not say it (``email-json``, ``sms`` ...).
            filter_policy: the FilterPolicy (JSON text or a mapping).
            filter_policy_scope: ``MessageAttributes`` (default) or ``MessageBody``.
            raw: RawMessageDelivery (SQS and HTTP/S).
            dead_letter: the subscription's dead-letter queue (a queue or its ARN): its RedrivePolicy.
            delivery_policy: the DeliveryPolicy (HTTP/S), JSON text or a mapping.
            attributes: further subscription attributes by AWS name.

        Returns:
            The subscription; subscribing the same endpoint again returns the existing one.
        """
        given: dict[str, str] = dict(attributes or {})
        if filter_policy_scope is not None:
            given["FilterPolicyScope"] = filter_policy_scope
        if filter_policy is not None:
            given["FilterPolicy"] = filter_policy if isinstance(filter_policy, str) else json.dumps(filter_policy)
        if raw:
            given["RawMessageDelivery"] = "true"
        if dead_letter is not None:
            dlq = dead_letter if isinstance(dead_letter, str) else dead_letter.arn
            given["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq})
        if delivery_policy is not None:
            given["DeliveryPolicy"] = delivery_policy if isinstance(delivery_policy, str) else json.dumps(delivery_policy)
        kind, endpoint = self.service._resolve_target(target, protocol)
        return self.service._subscribe(self, kind, endpoint, given)

    def _add(self, subscription: Subscription) -> None:
        self.subscriptions[subscription.arn] = subscription
        self._fan = tuple(self.subscriptions.values())

    def _remove(self, subscription: Subscription) -> None:
        if self.subscriptions.pop(subscription.arn, None) is not None:
            self._fan = tuple(self.subscriptions.values())
            self._deleted_subscriptions += 1
            self._policy_changed(subscription, removing=True)

    def _policy_changed(self, subscription: Subscription, *, removing: bool = False) -> None:
        """Keep the topic's FilterPolicySet in step with a subscription's filter policy."""
        policies = self._policies
        if subscription.arn in policies:
            policies.remove(subscription.arn)
        if not removing and subscription.filter_policy is not None and subscription.arn in self.subscriptions:
            policies.add(subscription.arn, subscription.filter_policy)
        scopes = [s.filter_policy.scope for s in self.subscriptions.values() if s.filter_policy is not None]
        self._attribute_scoped = scopes.count("MessageAttributes")
        self._body_scoped = len(scopes) - self._attribute_scoped

    # -------------------------------------------------------------- publish
    def publish(
        self,
        message: str,
        *,
        subject: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        structure: str | None = None,
    ) -> PublishResult:
        """Publish a message (Publish); it is delivered on the simulation's clock.

        Args:
            message: the message (with ``structure="json"``, a JSON object of per-protocol messages
                with a ``default``).
            subject: the Subject (email subject, and ``Subject`` of the envelope).
            attributes: message attributes: AWS-shaped, or plain values (str, int/float, bytes, list).
            group_id: MessageGroupId: required on FIFO topics; on standard topics passed on to
                standard SQS queues only.
            deduplication_id: MessageDeduplicationId (FIFO topics).
            structure: ``"json"`` for per-protocol messages.

        Raises:
            InvalidParameterError: what SNS refuses (``Invalid parameter: ...``).
            InvalidParameterValueError: invalid message attributes.
        """
        note, duplicate = self._commit(self._prepare(message, subject, attributes, group_id, deduplication_id, structure, None))
        if duplicate is not None:
            return duplicate
        self._accept(note)
        return PublishResult(note.message_id, note.sequence_number)

    def publish_batch(self, entries: Iterable[Mapping[str, Any] | str]) -> BatchResult:
        """Publish up to 10 messages (PublishBatch).

        Each entry is the ``PublishBatchRequestEntry`` shape (``Id``, ``Message``, ``Subject``,
        ``MessageStructure``, ``MessageAttributes``, ``MessageGroupId``,
        ``MessageDeduplicationId``); native names (``id``, ``message``, ``subject``, ``attributes``,
        ``group_id``, ``deduplication_id``, ``structure``) work too, and so does a bare message (its Id
        is its position). As AWS does, a request that breaks
        a rule (an entry without MessageGroupId on a FIFO topic, invalid attributes, too large
        altogether) is refused as a whole (AWS-validated); then every entry is published.

        Raises:
            EmptyBatchRequestError, TooManyEntriesInBatchRequestError, BatchEntryIdsNotDistinctError,
            InvalidBatchEntryIdError, BatchRequestTooLongError, InvalidParameterError: as AWS.
        """
        items = [_entry(entry, index) for index, entry in enumerate(entries)]
        if not items:
            raise EmptyBatchRequestError("The batch request doesn't contain any entries.")
        if len(items) > 10:
            raise TooManyEntriesInBatchRequestError("The batch request contains more entries than permissible.")
        ids = [item["Id"] for item in items]
        for entry_id in ids:
            if not 1 <= len(entry_id) <= 80 or not set(entry_id) <= _BATCH_ID:
                raise InvalidBatchEntryIdError("The Id of a batch entry in a batch request doesn't abide by the specification.")
        if len(set(ids)) != len(ids):
            raise BatchEntryIdsNotDistinctError("Two or more batch entries in the request have the same Id.")
        prepared: list[tuple[str, _Pending]] = []
        total = 0
        for position, item in enumerate(items, start=1):
            try:
                pending = self._prepare(
                    item.get("Message"),
                    item.get("Subject"),
                    item.get("MessageAttributes"),
                    item.get("MessageGroupId"),
                    item.get("MessageDeduplicationId"),
                    item.get("MessageStructure"),
                    position,
                )
            except InvalidParameterError as error:
                if error.message == "Invalid parameter: Message too long":
                    raise BatchRequestTooLongError("The length of all the messages put together is more than the limit.") from None
                raise
            total += pending.size
            prepared.append((item["Id"], pending))
        if total > self.max_message_size:
            raise BatchRequestTooLongError("The length of all the messages put together is more than the limit.")
        successful: list[BatchResultEntry] = []
        for entry_id, pending in prepared:
            note, duplicate = self._commit(pending)
            if duplicate is not None:
                successful.append(BatchResultEntry(entry_id, duplicate.message_id, duplicate.sequence_number))
                continue
            self._accept(note)
            successful.append(BatchResultEntry(entry_id, note.message_id, note.sequence_number))
        return BatchResult(successful, [])

    def _prepare(
        self,
        message: Any,
        subject: str | None,
        attributes: Mapping[str, Any] | None,
        group_id: str | None,
        deduplication_id: str | None,
        structure: str | None,
        entry: int | None,
    ) -> _Pending:
        """Validate one message; nothing is drawn or remembered until :meth:`_commit` (PublishBatch
        validates every entry before publishing any)."""
        self.service._check_alive(self)
        body = check_message(message)
        text = body
        check_subject(subject)
        messages: dict[str, str] | None = None
        if structure is not None:
            if structure != "json":
                raise invalid("MessageStructure")
            messages = parse_structure(text)
            text = messages["default"]
        normalized = normalize_attributes(attributes, entry=entry)
        size = check_size(body, normalized, self.max_message_size)
        check_identifier(group_id, "MessageGroupId")
        check_identifier(deduplication_id, "MessageDeduplicationId")
        if self.fifo:
            if not group_id:
                raise invalid("The MessageGroupId parameter is required for FIFO topics")
            if deduplication_id is None:
                if not self.content_based_deduplication:
                    raise invalid(
                        "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                    )
                deduplication_id = hashlib.sha256(body.encode()).hexdigest()
        elif deduplication_id is not None:
            raise invalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
            )
        return _Pending(text, messages, subject, normalized, group_id, deduplication_id, size)

    def _commit(self, pending: _Pending) -> tuple[Notification, PublishResult | None]:
        """Deduplicate, number and draw the ids of a validated message."""
        service = self.service
        sim = service.sim
        now = sim.time
        key: tuple[str | None, str] | None = None
        if self.fifo:
            assert pending.deduplication_id is not None
            key = (pending.group_id if self.fifo_throughput_scope == "MessageGroup" else None, pending.deduplication_id)
            expiry = self._expiry
            seen = self._seen
            while expiry and expiry[0][0] <= now:
                _, old = expiry.popleft()
                remembered = seen.get(old)
                if remembered is not None and remembered[0] <= now:
                    del seen[old]
            remembered = seen.get(key)
            if remembered is not None:
                original = remembered[1]
                sim.record(
                    "sns.duplicate_suppressed",
                    self.arn,
                    original.message_id,
                    {"deduplication_id": pending.deduplication_id, "group_id": pending.group_id},
                )
                return _DUMMY, PublishResult(original.message_id, original.sequence_number, duplicate=True)
        message_id = service.new_message_id()
        sequence: str | None = None
        if self.fifo:
            self._sequence += _SEQUENCE_STEP
            sequence = str(self._sequence)
        note = Notification(
            message_id=message_id,
            topic_arn=self.arn,
            message=pending.message,
            messages=pending.messages,
            subject=pending.subject,
            attributes=pending.attributes,
            group_id=pending.group_id,
            deduplication_id=pending.deduplication_id,
            sequence_number=sequence,
            timestamp=sim.iso(millis=True),
            signature="" if self.fifo else service.new_signature(),
            signature_version=self.signature_version,
            region=sim.region,
        )
        if key is not None:
            self._seen[key] = (now + DEDUPLICATION_WINDOW, PublishResult(message_id, sequence))
            self._expiry.append((now + DEDUPLICATION_WINDOW, key))
        return note, None

    def _accept(self, note: Notification) -> None:
        sim = self.service.sim
        detail: dict[str, Any] | None = None
        if self.fifo:
            detail = {"group_id": note.group_id, "sequence_number": note.sequence_number}
        sim.record("sns.published", self.arn, note.message_id, detail)
        if self._fan:
            sim.call_soon(self._fan_out, note, self._fan)

    # -------------------------------------------------------------- fan-out
    def _fan_out(self, note: Notification, subscriptions: tuple[Subscription, ...]) -> None:
        """Deliver ``note`` to every subscription it was published to whose filter policy accepts it
        (a subscription made after the publish does not get it; one deleted since does not either)."""
        policies = self._policies
        matched: set[str] | frozenset[str] = frozenset()
        invalid_attributes = False
        if len(policies):
            attributes = note.attributes
            if self._attribute_scoped:
                invalid_attributes = _has_invalid_array(attributes)
            names = policies.match_attributes(attributes) if self._attribute_scoped and not invalid_attributes else []
            if self._body_scoped:
                names = names + policies.match_body(note.message)
            matched = set(names)
        record = self.service.sim.record
        for subscription in subscriptions:
            if subscription.pending_confirmation or not subscription.active:
                continue
            arn = subscription.arn
            policy = subscription.filter_policy
            if policy is None or arn in matched:
                subscription.deliver(note)
                continue
            if policy.scope == "MessageAttributes":
                reason = _INVALID_ATTRIBUTES if invalid_attributes else _NO_MATCH
            else:
                reason = _NO_MATCH if _is_json_object(note.message) else _INVALID_BODY
            record("sns.filtered_out", arn, note.message_id, reason)

    # ------------------------------------------------------------- endpoint
    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        """Take a message another service delivers (an EventBridge rule or a schedule targeting the
        topic): the body is published as the Message; ``group_id`` and ``deduplication_id`` become
        MessageGroupId and MessageDeduplicationId on FIFO topics.

        A message SNS refuses is a failure that cannot succeed later (not retried).
        """
        try:
            result = self.publish(
                message.body,
                attributes=dict(message.attributes) if message.attributes else None,
                group_id=message.group_id,
                deduplication_id=message.deduplication_id if self.fifo else None,
            )
        except ServiceError as error:
            error.retryable = False
            on_done(Outcome(False, None, error))
            return
        on_done(Outcome(True, result))

    def delete(self) -> None:
        """Delete the topic and its subscriptions (DeleteTopic)."""
        self.service.delete_topic(self.arn)


class _Pending:
    """A validated message not yet numbered (PublishBatch validates every entry first)."""

    __slots__ = ("attributes", "deduplication_id", "group_id", "message", "messages", "size", "subject")

    def __init__(
        self,
        message: str,
        messages: dict[str, str] | None,
        subject: str | None,
        attributes: Attributes,
        group_id: str | None,
        deduplication_id: str | None,
        size: int,
    ) -> None:
        self.message = message
        self.messages = messages
        self.subject = subject
        self.attributes = attributes
        self.group_id = group_id
        self.deduplication_id = deduplication_id
        self.size = size


_DUMMY: Final = Notification(
    message_id="",
    topic_arn="",
    message="",
    messages=None,
    subject=None,
    attributes={},
    group_id=None,
    deduplication_id=None,
    sequence_number=None,
    timestamp="",
    signature="",
    signature_version="1",
    region="",
)

_NATIVE_ENTRY: Final = {
    "id": "Id",
    "message": "Message",
    "subject": "Subject",
    "structure": "MessageStructure",
    "attributes": "MessageAttributes",
    "group_id": "MessageGroupId",
    "deduplication_id": "MessageDeduplicationId",
}


def _entry(entry: Mapping[str, Any] | str, index: int) -> dict[str, Any]:
    """A PublishBatch entry in AWS's shape (native names and bare messages accepted)."""
    if isinstance(entry, str):
        return {"Id": str(index), "Message": entry}
    out = {_NATIVE_ENTRY.get(key, key): value for key, value in entry.items()}
    out.setdefault("Id", str(index))
    return out


def _has_invalid_array(attributes: Attributes) -> bool:
    """Whether a ``String.Array`` attribute is not a JSON array (SNS then filters the message out)."""
    for value in attributes.values():
        if value["DataType"] == "String.Array":
            try:
                parsed = json.loads(value["StringValue"])
            except ValueError:
                return True
            if not isinstance(parsed, list):
                return True
    return False


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than JSON parsers go
        return False

