"""An SNS subscription: its attributes, its confirmation state, and delivery with retries and a DLQ.

A subscription binds a topic to an endpoint of one protocol
(https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html):

* ``sqs``: a queue ARN; the queue receives the JSON envelope, or with ``RawMessageDelivery`` the
  message itself with its attributes as SQS message attributes. FIFO topics pass the message group
  and deduplication ids on to FIFO queues.
* ``lambda``: a function ARN; the function is handed the SNS event (``Records[0].Sns``). Plain Python
  callables subscribe the same way (they are Lambda functions of this simulation).
* ``http``/``https``: a URL, ``email``/``email-json``: an address, ``sms``/``application``/
  ``firehose``: recorded only. These wait in ``PendingConfirmation`` (HTTP/S and email) until
  ``ConfirmSubscription`` is called with the token of the confirmation message SNS sent; every request
  SNS would send lands in ``sim.sns.outbox``, since a simulation has no network.

Deliveries go through the shared retry machine (:mod:`eventbus.services._delivery`) with the schedule
of the protocol; a failure that cannot succeed (a deleted queue or function) is not retried. When the
retries run out, the subscription's ``RedrivePolicy`` queue receives the message as it would have
been delivered (envelope or raw body, with its attributes; AWS-validated snapshots), or the message is
dropped. https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import msgspec

from .._simulation import Outcome
from ..errors import ResourceNotFoundError, ServiceError
from ..matching import FilterPolicy, InvalidFilterPolicyError
from ._delivery import Delivery, ExhaustedReason, Inbound, RetryPolicy, is_endpoint
from ._sns_errors import InvalidParameterError, check_xml_text
from ._sns_format import Notification, confirmation_message
from ._sns_policies import (
    SMTP_MANAGED,
    SNS_MANAGED,
    effective_subscription_policy,
    jackson_error,
    parse_redrive_policy,
    parse_subscription_delivery_policy,
    retry_policy,
)

if TYPE_CHECKING:
    from ._sns_service import SnsService
    from ._sns_topic import Topic

__all__ = ("SUBSCRIPTION_ATTRIBUTES", "OutboundMessage", "Subscription", "email_text")

#: The attributes Subscribe and SetSubscriptionAttributes accept.
SUBSCRIPTION_ATTRIBUTES: Final = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
)
_RAW_PROTOCOLS: Final = ("sqs", "http", "https", "firehose")
_CONFIRMED_PROTOCOLS: Final = ("sqs", "lambda", "sms", "application", "firehose")
_USER_AGENT: Final = "Amazon Simple Notification Service Agent"
_encode = msgspec.json.encode


class OutboundMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A request SNS sends outside AWS (HTTP/S, email, SMS ...), recorded instead of sent.

    Attributes:
        time: simulation time it was sent at.
        protocol: the subscription's protocol.
        endpoint: the URL, address or number.
        message_type: ``Notification``, ``SubscriptionConfirmation`` or ``UnsubscribeConfirmation``.
        message_id: the SNS message id.
        topic_arn: the topic.
        subscription_arn: the subscription ('' for a confirmation request of a new subscription).
        headers: the HTTP headers SNS sends (``x-amz-sns-message-type`` ...), for HTTP/S.
        body: the request body (the JSON envelope, or the message itself when raw), or the email text.
        subject: the email subject, for email.
        token: the confirmation token, for confirmation messages.
        attempt: 1 for the first attempt, then 2, 3 ... for retries.
    """

    time: float
    protocol: str
    endpoint: str
    message_type: str
    message_id: str
    topic_arn: str
    subscription_arn: str = ""
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: str = ""
    subject: str | None = None
    token: str | None = None
    attempt: int = 1

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


class Subscription:
    """A subscription of an SNS topic (``eventbus.services.sns.Subscription``).

    Create one with :meth:`Topic.subscribe <eventbus.services.sns.Topic.subscribe>` or the
    ``Subscribe`` operation.

    Attributes:
        arn: the SubscriptionArn (``<topic arn>:<uuid>``).
        topic: the topic.
        protocol: ``sqs``, ``lambda``, ``http``, ``https``, ``email``, ``email-json``, ...
        endpoint: the queue or function ARN, URL or address.
        raw: RawMessageDelivery.
        filter_policy: the compiled FilterPolicy, or None.
        redrive_policy: ``{"deadLetterTargetArn": ...}``, or None.
        delivery_policy: the DeliveryPolicy (HTTP/S), or None.
        pending_confirmation: True until an HTTP/S or email subscription is confirmed.
        token: the confirmation token SNS sent, for subscriptions that need one.
    """

    __slots__ = (
        "_busy",
        "_filter_policy_text",
        "_retry",
        "active",
        "arn",
        "authenticated",
        "delivery_policy",
        "endpoint",
        "filter_policy",
        "filter_policy_scope",
        "pending_confirmation",
        "protocol",
        "raw",
        "redrive_policy",
        "replay_policy",
        "role_arn",
        "scope_given",
        "service",
        "token",
        "topic",
    )

    def __init__(self, service: SnsService, topic: Topic, arn: str, protocol: str, endpoint: str) -> None:
        self.service = service
        self.topic = topic
        self.arn = arn
        self.protocol = protocol
        self.endpoint = endpoint
        self.raw = False
        self.filter_policy: FilterPolicy | None = None
        self._filter_policy_text: str | None = None
        self.filter_policy_scope = "MessageAttributes"
        self.scope_given = False
        self.redrive_policy: dict[str, str] | None = None
        self.delivery_policy: dict[str, Any] | None = None
        self.role_arn: str | None = None
        self.replay_policy: str | None = None
        self.pending_confirmation = protocol not in _CONFIRMED_PROTOCOLS
        self.authenticated = not self.pending_confirmation
        self.token: str | None = None
        self.active = True
        self._retry: RetryPolicy | None = None
        self._busy: dict[str, deque[Notification]] = {}

    def __repr__(self) -> str:
        return f"eventbus.sns.Subscription(protocol={self.protocol!r}, endpoint={self.endpoint!r})"

    # ----------------------------------------------------------- attributes
    def set_attribute(self, name: str, value: str | None, *, prefix: str = "Invalid parameter: ") -> None:
        """Change one attribute (SetSubscriptionAttributes), validated as SNS validates it.

        ``prefix`` is the start of the error messages: ``Invalid parameter: `` for
        SetSubscriptionAttributes, ``Invalid parameter: Attributes Reason: `` for Subscribe (AWS words
        the same refusal differently for the two, AWS-validated).

        Raises:
            InvalidParameterError: an unknown attribute (``AttributeName``) or an invalid value.
        """
        if name not in SUBSCRIPTION_ATTRIBUTES:
            raise InvalidParameterError(f"{prefix}AttributeName")
        text = "" if value is None else str(value)
        check_xml_text(text, name)
        if name == "RawMessageDelivery":
            lowered = text.lower()
            if lowered not in ("true", "false"):
                raise InvalidParameterError(f"{prefix}RawMessageDelivery: Invalid value [{text}]. Must be true or false.")
            if lowered == "true" and self.protocol not in _RAW_PROTOCOLS:
                # Wording seen in a public emulator, not confirmed against AWS.
                raise InvalidParameterError(f"{prefix}Delivery protocol [{self.protocol}] does not support raw message delivery.")
            self.raw = lowered == "true"
        elif name == "FilterPolicyScope":
            if text not in ("MessageAttributes", "MessageBody"):
                raise InvalidParameterError(
                    f"{prefix}FilterPolicyScope: Invalid value [{text}]. Please use either MessageBody or MessageAttributes"
                )
            if self._filter_policy_text is not None:
                self.filter_policy = self._compile(self._filter_policy_text, text, prefix)
            self.filter_policy_scope = text
            self.scope_given = True
            self.topic._policy_changed(self)
        elif name == "FilterPolicy":
            if text.strip() in ("", "{}"):
                self.filter_policy = None
                self._filter_policy_text = None
            else:
                self.filter_policy = self._compile(text, self.filter_policy_scope, prefix)
                self._filter_policy_text = text
            self.topic._policy_changed(self)
        elif name == "RedrivePolicy":
            if not text:
                self.redrive_policy = None
            else:
                fifo_subscription = self.topic.fifo and self.endpoint.endswith(".fifo")
                self.redrive_policy = parse_redrive_policy(text, prefix, fifo_subscription=fifo_subscription)
        elif name == "DeliveryPolicy":
            self.delivery_policy = parse_subscription_delivery_policy(text, prefix) if text else None
            self._retry = None
        elif name == "SubscriptionRoleArn":
            self.role_arn = text or None
        else:  # ReplayPolicy: accepted and kept (message archiving and replay is not simulated)
            self.replay_policy = text or None

    @staticmethod
    def _compile(text: str, scope: str, prefix: str) -> FilterPolicy:
        try:
            json.loads(text)
        except ValueError:
            raise InvalidParameterError(f"{prefix}FilterPolicy: failed to parse JSON. {jackson_error(text)}") from None
        try:
            return FilterPolicy(text, scope)  # type: ignore[arg-type]
        except InvalidFilterPolicyError as error:
            message = error.subscribe_message() if prefix.endswith("Reason: ") else error.message
            raise InvalidParameterError(message) from None

    @property
    def filter_policy_text(self) -> str | None:
        """The FilterPolicy as given, or None."""
        return self._filter_policy_text

    def attributes(self) -> dict[str, str]:
        """The subscription's attributes, as GetSubscriptionAttributes returns them."""
        topic = self.topic
        out = {
            "ConfirmationWasAuthenticated": "true" if self.authenticated else "false",
            "Endpoint": self.endpoint,
            "Owner": self.service.sim.account_id,
            "PendingConfirmation": "true" if self.pending_confirmation else "false",
            "Protocol": self.protocol,
            "RawMessageDelivery": "true" if self.raw else "false",
            "SubscriptionArn": self.arn,
            "SubscriptionPrincipal": f"arn:aws:iam::{self.service.sim.account_id}:user/eventbus",
            "TopicArn": topic.arn,
        }
        if self._filter_policy_text is not None:
            out["FilterPolicy"] = self._filter_policy_text
        if self._filter_policy_text is not None or self.scope_given:
            out["FilterPolicyScope"] = self.filter_policy_scope
        if self.redrive_policy is not None:
            out["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        if self.delivery_policy is not None:
            out["DeliveryPolicy"] = json.dumps(self.delivery_policy, separators=(",", ":"))
        if self.protocol in ("http", "https"):
            effective = effective_subscription_policy(self.delivery_policy, topic.delivery_policy)
            out["EffectiveDeliveryPolicy"] = json.dumps(effective, separators=(",", ":"))
        if self.role_arn is not None:
            out["SubscriptionRoleArn"] = self.role_arn
        if self.replay_policy is not None:
            out["ReplayPolicy"] = self.replay_policy
        return out

    def summary(self) -> dict[str, str]:
        """The ``Subscription`` shape of ListSubscriptions(ByTopic)."""
        return {
            "SubscriptionArn": "PendingConfirmation" if self.pending_confirmation else self.arn,
            "Owner": self.service.sim.account_id,
            "Protocol": self.protocol,
            "Endpoint": self.endpoint,
            "TopicArn": self.topic.arn,
        }

    # --------------------------------------------------------- confirmation
    def confirm(self, *, authenticated: bool = False) -> None:
        """Confirm the subscription (what ConfirmSubscription does with its token)."""
        if self.pending_confirmation:
            self.pending_confirmation = False
            self.authenticated = authenticated
            self.service.sim.record("sns.subscription.confirmed", self.arn, "", {"topic": self.topic.arn})

    def send_confirmation(self, kind: str = "SubscriptionConfirmation") -> None:
        """Send (record) the SubscriptionConfirmation or UnsubscribeConfirmation message."""
        service = self.service
        sim = service.sim
        if kind == "SubscriptionConfirmation" and self.token is None:
            self.token = sim.new_hex(256)
            service._tokens[self.token] = self
        token = self.token if kind == "SubscriptionConfirmation" else sim.new_hex(256)
        assert token is not None
        message_id = service.new_message_id()
        body = confirmation_message(
            kind,
            message_id=message_id,
            token=token,
            topic_arn=self.topic.arn,
            subscription_arn=self.arn,
            timestamp=sim.iso(millis=True),
            signature=service.new_signature(),
            region=sim.region,
        )
        headers: dict[str, str] = {}
        if self.protocol in ("http", "https"):
            headers = self._headers(kind, message_id, with_subscription=kind != "SubscriptionConfirmation")
        subject = "AWS Notification - Subscription Confirmation" if self.protocol.startswith("email") else None
        request = OutboundMessage(
            time=sim.time,
            protocol=self.protocol,
            endpoint=self.endpoint,
            message_type=kind,
            message_id=message_id,
            topic_arn=self.topic.arn,
            subscription_arn="" if kind == "SubscriptionConfirmation" else self.arn,
            headers=headers,
            body=body,
            subject=subject,
            token=token,
        )
        service._send_outbound(request)
        if kind == "SubscriptionConfirmation":
            sim.record("sns.subscription.confirmation_requested", self.arn, message_id, {"endpoint": self.endpoint})

    def _headers(self, kind: str, message_id: str, *, with_subscription: bool = True) -> dict[str, str]:
        request_policy = effective_subscription_policy(self.delivery_policy, self.topic.delivery_policy)["requestPolicy"]
        content_type = "text/plain; charset=UTF-8" if kind != "Notification" else request_policy["headerContentType"]
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": self.topic.arn,
        }
        if with_subscription:
            headers["x-amz-sns-subscription-arn"] = self.arn
        if kind == "Notification" and self.raw:
            headers["x-amz-sns-rawdelivery"] = "true"
        headers["Content-Type"] = content_type
        headers["User-Agent"] = _USER_AGENT
        return headers

    # ------------------------------------------------------------- delivery
    def retry_policy(self) -> RetryPolicy:
        """The retry schedule of this subscription's protocol (and delivery policy, for HTTP/S)."""
        policy = self._retry
        if policy is None:
            if self.protocol in ("http", "https"):
                healthy = effective_subscription_policy(self.delivery_policy, self.topic.delivery_policy)["healthyRetryPolicy"]
                policy = retry_policy(healthy)
            elif self.protocol in ("sqs", "lambda", "firehose"):
                policy = SNS_MANAGED
            else:
                policy = SMTP_MANAGED
            self._retry = policy
        return policy

    def deliver(self, note: Notification) -> None:
        """Deliver one published message (it passed the filter policy); FIFO topics keep group order."""
        group = note.group_id
        if self.topic.fifo and group is not None:
            waiting = self._busy.get(group)
            if waiting is not None:
                waiting.append(note)
                return
            self._busy[group] = deque()
        self._start(note)

    def _release(self, note: Notification) -> None:
        group = note.group_id
        if not self.topic.fifo or group is None:
            return
        waiting = self._busy.get(group)
        if not waiting:
            self._busy.pop(group, None)
            return
        self._start(waiting.popleft())

    def _start(self, note: Notification) -> None:
        service = self.service
        sim = service.sim
        protocol = self.protocol
        attempt: Callable[[Callable[[Outcome], None]], None]
        if protocol == "sqs" or protocol == "lambda":
            message = self._inbound(note)
            target = self.endpoint if protocol == "sqs" else service._lambda_target(self.endpoint)

            def attempt(on_done: Callable[[Outcome], None]) -> None:
                if not self.active:
                    on_done(Outcome(False, None, _unsubscribed()))
                    return
                endpoint = sim.registry.get(target)
                if endpoint is None or not is_endpoint(endpoint):
                    on_done(Outcome(False, None, ResourceNotFoundError(f"Resource {target} does not exist.", retryable=False)))
                    return
                endpoint.accept(message, on_done)

        else:
            counter = [0]

            def attempt(on_done: Callable[[Outcome], None]) -> None:
                if not self.active:
                    on_done(Outcome(False, None, _unsubscribed()))
                    return
                counter[0] += 1
                service._deliver_outbound(self, note, counter[0], on_done)

        def success(outcome: Outcome) -> None:
            self._release(note)

        def exhausted(reason: ExhaustedReason, outcome: Outcome, attempts: int) -> None:
            self._dead_letter(note, reason, outcome, attempts)
            self._release(note)

        Delivery(
            sim,
            kind="sns.delivery",
            source=self.arn,
            target=self.endpoint,
            message_id=note.message_id,
            attempt=attempt,
            policy=self.retry_policy(),
            on_success=success,
            on_exhausted=exhausted,
        ).start()

    def _inbound(self, note: Notification) -> Inbound:
        """The message an SQS queue or a function receives."""
        if self.protocol == "lambda":
            event = note.lambda_event(self.arn)
            return Inbound(body=_encode(event).decode(), source_arn=self.topic.arn, event=event)
        group_id, deduplication_id = self._fifo_ids(note)
        if self.raw:
            return Inbound(
                body=note.text_for("sqs"),
                attributes=note.delivered_attributes,
                group_id=group_id,
                deduplication_id=deduplication_id,
                source_arn=self.topic.arn,
            )
        return Inbound(
            body=note.envelope("sqs", self.arn),
            group_id=group_id,
            deduplication_id=deduplication_id,
            source_arn=self.topic.arn,
        )

    def _fifo_ids(self, note: Notification) -> tuple[str | None, str | None]:
        """MessageGroupId and MessageDeduplicationId for the queue: FIFO topic to FIFO queue passes
        both; a standard topic passes its MessageGroupId on to standard queues (fair queues); a FIFO
        topic passes neither to a standard queue (AWS-validated snapshots)."""
        fifo_queue = self.endpoint.endswith(".fifo")
        if self.topic.fifo:
            return (note.group_id, note.deduplication_id) if fifo_queue else (None, None)
        return (note.group_id if not fifo_queue else None), None

    def notification_body(self, note: Notification) -> str:
        """What an HTTP/S endpoint or email-json address receives (envelope, or the message when raw)."""
        if self.raw:
            return note.text_for(self.protocol)
        return note.envelope(self.protocol, self.arn)

    def _dead_letter(self, note: Notification, reason: ExhaustedReason, outcome: Outcome, attempts: int) -> None:
        sim = self.service.sim
        error = outcome.error
        code = getattr(error, "code", outcome.error_type) or outcome.error_type
        detail: dict[str, Any] = {"subscription": self.arn, "reason": reason, "error_code": code, "error_message": outcome.error_message}
        if not self.active:
            sim.record("sns.dropped", self.arn, note.message_id, dict(detail, reason="Unsubscribed"))
            return
        redrive = self.redrive_policy
        if redrive is None:
            sim.record("sns.dropped", self.arn, note.message_id, detail)
            return
        dlq = redrive["deadLetterTargetArn"]
        letter = self._dead_letter_message(note)

        def sent(result: Outcome) -> None:
            if result.ok:
                sim.record("sns.dead_lettered", dlq, note.message_id, dict(detail, attempts=attempts))
            else:
                failed = dict(detail, reason="DeadLetterDeliveryFailed", dlq=dlq, dlq_error=result.error_message)
                sim.record("sns.dropped", self.arn, note.message_id, failed)

        endpoint = sim.registry.get(dlq)
        if endpoint is None or not is_endpoint(endpoint):
            sent(Outcome(False, None, ResourceNotFoundError(f"Resource {dlq} does not exist.")))
            return
        try:
            endpoint.accept(letter, sent)
        except ServiceError as exc:
            sent(Outcome(False, None, exc))

    def _dead_letter_message(self, note: Notification) -> Inbound:
        """The message as it would have been delivered: raw body and attributes, or the envelope (a
        function's messages arrive as the SQS-style envelope); FIFO ids for FIFO dead-letter queues."""
        dlq = (self.redrive_policy or {}).get("deadLetterTargetArn", "")
        fifo_dlq = dlq.endswith(".fifo")
        group_id = note.group_id if fifo_dlq else None
        deduplication_id = note.deduplication_id if fifo_dlq else None
        if self.raw:
            return Inbound(
                body=note.text_for(self.protocol),
                attributes=note.delivered_attributes,
                group_id=group_id,
                deduplication_id=deduplication_id,
                source_arn=self.topic.arn,
            )
        return Inbound(
            body=note.envelope(self.protocol, self.arn),
            group_id=group_id,
            deduplication_id=deduplication_id,
            source_arn=self.topic.arn,
        )


def _unsubscribed() -> ServiceError:
    return ServiceError("The subscription was deleted.", code="SubscriptionDeleted", status=400, retryable=False)


def email_text(note: Notification, display_name: str, subscription_arn: str, endpoint: str, region: str) -> tuple[str, str]:
    """The subject and body of an ``email`` notification: the message, and SNS's unsubscribe footer."""
    subject = note.subject if note.subject is not None else (display_name or "AWS Notification Message")
    footer = (
        "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below "
        f"to unsubscribe:\nhttps://sns.{region}.amazonaws.com/unsubscribe.html?SubscriptionArn={subscription_arn}&Endpoint={endpoint}"
    )
    return subject, note.text_for("email") + footer

