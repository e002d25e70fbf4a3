"""``sim.sns``: the simulation's Amazon SNS, its topics, subscriptions and outbox.

Topics are registered in the simulation's registry under their ARN, so that EventBridge rules and
schedules can target them; subscriptions reach their endpoints (queues, functions) by ARN at delivery
time. Requests SNS would send outside AWS (HTTP/S posts, emails, text messages) are recorded in
:attr:`SnsService.outbox`; :meth:`SnsService.serve_http` lets a Python function answer an HTTP/S
endpoint, so that its status codes drive the retries
(https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html: any status from 200 to
499 is a delivery, a 5xx or an exception is retried).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .._simulation import Outcome, Simulation
from ..arn import parse_arn
from ..errors import ServiceError, ValidationError
from ._delivery import callable_endpoint
from ._sns_errors import (
    InvalidParameterError,
    NotFoundError,
    arn_error,
    check_xml_text,
    invalid,
    topic_not_found,
)
from ._sns_format import Notification
from ._sns_model import PROTOCOLS, PublishResult, check_message, check_subject
from ._sns_subscription import OutboundMessage, Subscription, email_text
from ._sns_topic import Topic

if TYPE_CHECKING:
    from ._sns_api import SnsApi

__all__ = ("HttpHandler", "SnsService")

#: A Python stand-in for an HTTP/S endpoint: returns the status code (None means 200) or raises.
HttpHandler = Callable[[OutboundMessage], Any]

_TOPIC_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FIFO_TOPIC_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")
_PHONE: Final = re.compile(r"\+?[0-9]{5,15}")
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LARGE_MESSAGE_PROTOCOLS: Final = ("sqs", "lambda", "firehose")
_CONFIRMATION_PROTOCOLS: Final = ("http", "https", "email", "email-json")


class HttpStatusError(ServiceError):
    """An HTTP/S endpoint answered with a server error (5xx): SNS retries the delivery."""

    default_code = "HttpStatus"
    default_status = 500


class SnsService:
    """The simulation's SNS: ``sim.sns``.

    Attributes:
        sim: the simulation.
        topics: the topics by ARN.
        subscriptions: every subscription by ARN.
        outbox: every request SNS sent to an HTTP/S endpoint, email address, phone number ... in
            order (:class:`OutboundMessage`).

    Example::

        sim = Simulation()
        orders = sim.sns.create_topic("orders")
        queue = sim.sqs.create_queue("shipping")
        orders.subscribe(queue, filter_policy={"kind": ["order"]}, raw=True)
        orders.publish("order 1", attributes={"kind": "order"})
        sim.run_until_idle()
        [message] = queue.receive()
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.outbox: list[OutboundMessage] = []
        self._tokens: dict[str, Subscription] = {}
        self._http: dict[str, HttpHandler] = {}
        self._api: SnsApi | None = None

    def __repr__(self) -> str:
        return f"eventbus.sns.SnsService(topics={sorted(t.name for t in self.topics.values())!r})"

    @property
    def api(self) -> SnsApi:
        """The AWS-named operations (``api.call("Publish", {...})``), for the boto3 facade."""
        if self._api is None:
            from ._sns_api import SnsApi

            self._api = SnsApi(self)
        return self._api

    # ------------------------------------------------------------------ ids
    def new_message_id(self) -> str:
        """A MessageId: a UUID from the simulation's generator, of the name-based (version 5) shape
        SNS's ids have had since 2021 (as observed in delivered messages)."""
        return str(uuid.UUID(int=self.sim.rng.getrandbits(128), version=5))

    def new_signature(self) -> str:
        """A ``Signature``: 256 random bytes, base64 (the length of an RSA-2048 signature)."""
        return base64.b64encode(self.sim.rng.getrandbits(2048).to_bytes(256, "big")).decode()

    # --------------------------------------------------------------- topics
    def create_topic(
        self,
        name: str,
        *,
        fifo: bool | None = None,
        content_based_deduplication: bool | None = None,
        display_name: str | None = None,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        data_protection_policy: str | None = None,
    ) -> Topic:
        """Create a topic, or return the existing one of that name (CreateTopic is idempotent).

        Args:
            name: 1-256 of ``A-Z a-z 0-9 _ -``; FIFO topics end with ``.fifo``.
            fifo: FifoTopic; natively, a name ending ``.fifo`` implies it.
            content_based_deduplication: ContentBasedDeduplication (FIFO topics).
            display_name: DisplayName.
            attributes: further topic attributes by AWS name (``DeliveryPolicy``, ``Policy``,
                ``SignatureVersion``, ``TracingConfig``, ``KmsMasterKeyId``, ``FifoThroughputScope``,
                ``ArchivePolicy``, ``MaximumMessageSize`` ...).
            tags: the topic's tags.

        Raises:
            InvalidParameterError: an invalid name or attribute, or an existing topic of that name with
                different attributes or tags.
        """
        given = dict(attributes or {})
        if fifo is None and name.endswith(".fifo") and "FifoTopic" not in given:
            fifo = True
        if fifo is not None:
            given["FifoTopic"] = "true" if fifo else "false"
        if content_based_deduplication is not None:
            given["ContentBasedDeduplication"] = "true" if content_based_deduplication else "false"
        if display_name is not None:
            given["DisplayName"] = display_name
        return self._create_topic(name, given, dict(tags or {}), data_protection_policy)

    def _create_topic(self, name: str, attributes: dict[str, str], tags: dict[str, str], data_protection_policy: str | None) -> Topic:
        check_xml_text(name, "Name")
        is_fifo = str(attributes.get("FifoTopic", "false")).lower() == "true"
        if is_fifo:
            if _FIFO_TOPIC_NAME.fullmatch(name) is None:
                raise invalid(
                    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, "
                    "numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                )
        elif _TOPIC_NAME.fullmatch(name) is None:
            raise invalid("Topic Name")
        arn = self.sim.arn("sns", name)
        existing = self.topics.get(arn)
        if existing is not None:
            self._check_same(existing, attributes, tags)
            return existing
        topic = Topic(self, name, fifo=is_fifo)
        for key, value in attributes.items():
            topic.set_attribute(key, value, creating=True)
        if data_protection_policy is not None:
            topic.data_protection_policy = _check_json_policy(data_protection_policy)
        topic.tags.update(tags)
        self.topics[arn] = topic
        self.sim.registry.register(arn, topic)
        self.sim.record("sns.topic.created", arn, "", {"fifo": is_fifo})
        return topic

    @staticmethod
    def _check_same(topic: Topic, attributes: Mapping[str, str], tags: Mapping[str, str]) -> None:
        """CreateTopic of an existing name: the same attributes and tags, or an error (AWS-validated)."""
        current = topic.attributes()
        for key, value in attributes.items():
            if key == "FifoTopic":
                same = (str(value).lower() == "true") == topic.fifo
            elif key in ("Policy", "DeliveryPolicy"):
                try:
                    same = json.loads(value) == json.loads(current.get(key, "null"))
                except ValueError:
                    same = False
            else:
                same = current.get(key, "") == str(value) or (key == "ContentBasedDeduplication" and current.get(key) == str(value).lower())
            if not same:
                raise invalid("Attributes Reason: Topic already exists with different attributes")
        for key, value in tags.items():
            if topic.tags.get(key) != value:
                raise invalid("Tags Reason: Topic already exists with different tags")

    def topic(self, name_or_arn: str) -> Topic:
        """The topic of that name or ARN.

        Raises:
            NotFoundError: ``Topic does not exist``.
        """
        arn = name_or_arn if name_or_arn.startswith("arn:") else self.sim.arn("sns", name_or_arn)
        topic = self.topics.get(arn)
        if topic is None:
            raise topic_not_found()
        return topic

    def get_topic(self, topic_arn: str | None, parameter: str = "TopicArn") -> Topic:
        """The topic an API parameter names, checked as SNS checks it.

        Raises:
            InvalidParameterError: not an ARN (``... Reason: An ARN must have at least 6 elements, not
                N``), another region (``Invalid parameter: TopicArn``), or a resource that is not a
                topic name (``Invalid parameter: Topic Name``, as AWS answers for a subscription ARN).
            NotFoundError: ``Topic does not exist``.
        """
        if not topic_arn:
            raise invalid(f"{parameter} Reason: no value for required parameter")
        try:
            arn = parse_arn(topic_arn)
        except ValidationError:
            raise arn_error(parameter, topic_arn) from None
        if arn.region != self.sim.region or arn.service != "sns":
            raise invalid(parameter)
        if _TOPIC_NAME.fullmatch(arn.resource) is None and _FIFO_TOPIC_NAME.fullmatch(arn.resource) is None:
            raise invalid("Topic Name")
        topic = self.topics.get(topic_arn)
        if topic is None or arn.account != self.sim.account_id:
            raise topic_not_found()
        return topic

    def delete_topic(self, topic_arn: str) -> None:
        """Delete a topic and its subscriptions (DeleteTopic); deleting a missing topic succeeds."""
        topic = self.topics.pop(topic_arn, None)
        if topic is None:
            return
        for subscription in list(topic.subscriptions.values()):
            self._drop_subscription(subscription)
        self.sim.registry.unregister(topic_arn)
        self.sim.record("sns.topic.deleted", topic_arn)

    def _check_alive(self, topic: Topic) -> None:
        if self.topics.get(topic.arn) is not topic:
            raise topic_not_found()

    # -------------------------------------------------------- subscriptions
    def _resolve_target(self, target: Any, protocol: str | None) -> tuple[str, str]:
        """The protocol and endpoint a native ``subscribe(target)`` means."""
        if isinstance(target, str):
            endpoint = target
        elif hasattr(target, "arn"):
            endpoint = str(target.arn)
        elif callable(target):
            return protocol or "lambda", callable_endpoint(self.sim, target).arn
        else:
            raise InvalidParameterError(f"Cannot subscribe {type(target).__name__!s}: give a queue, a function, a callable or an endpoint")
        if protocol is not None:
            return protocol, endpoint
        if endpoint.startswith("arn:"):
            service = endpoint.split(":")[2] if endpoint.count(":") >= 2 else ""
            kind = {"sqs": "sqs", "lambda": "lambda", "python": "lambda", "firehose": "firehose"}.get(service)
            if kind is None:
                raise InvalidParameterError(f"Cannot tell the protocol of {endpoint}: pass protocol=")
            return kind, endpoint
        if endpoint.startswith("https://"):
            return "https", endpoint
        if endpoint.startswith("http://"):
            return "http", endpoint
        if "@" in endpoint:
            return "email", endpoint
        if _PHONE.fullmatch(endpoint):
            return "sms", endpoint
        raise InvalidParameterError(f"Cannot tell the protocol of {endpoint!r}: pass protocol=")

    def _subscribe(
        self,
        topic: Topic,
        protocol: str,
        endpoint: str | None,
        attributes: Mapping[str, str],
        *,
        prefix: str = "Invalid parameter: Attributes Reason: ",
    ) -> Subscription:
        """Subscribe, validated as SNS validates it (the AWS-validated texts unless noted)."""
        self._check_alive(topic)
        if protocol not in PROTOCOLS:
            raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
        if not endpoint:
            raise invalid("Endpoint Reason: no value for required parameter")  # (wording not confirmed)
        check_xml_text(endpoint, "Endpoint")
        if protocol in ("http", "https") and not endpoint.startswith(f"{protocol}://"):
            raise invalid("Endpoint must match the specified protocol")
        if protocol in ("sqs", "lambda", "firehose", "application"):
            try:
                service = parse_arn(endpoint).service
            except ValidationError:
                service = ""
            expected = {"sqs": ("sqs",), "lambda": ("lambda", "python"), "firehose": ("firehose",), "application": ("sns",)}[protocol]
            if service not in expected:
                names = {"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose", "application": "ApplicationEndpoint"}
                raise invalid(f"{names[protocol]} endpoint ARN")
        if protocol == "sms" and _PHONE.fullmatch(endpoint) is None:
            raise InvalidParameterError(f"Invalid SMS endpoint: {endpoint}")
        if protocol in ("email", "email-json") and "@" not in endpoint:
            raise invalid("Email address")  # (wording not confirmed)
        if ".fifo" in endpoint and protocol == "sqs" and not topic.fifo:
            raise invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
        if topic.fifo and protocol != "sqs":
            raise invalid(f"Endpoint Reason: FIFO topics deliver to Amazon SQS queues only, not to {protocol}")  # (ours)
        if topic.max_message_size > 262_144 and (protocol not in _LARGE_MESSAGE_PROTOCOLS or len(topic.subscriptions) >= 100):
            raise invalid("Endpoint Reason: topics larger than 256 KiB support at most 100 SQS, Firehose or Lambda subscriptions")
        for existing in topic.subscriptions.values():
            if existing.endpoint == endpoint and existing.protocol == protocol:
                current = existing.attributes()
                for key, value in attributes.items():
                    if not _same_attribute(key, value, current.get(key)):
                        raise invalid("Attributes Reason: Subscription already exists with different attributes")
                return existing
        sim = self.sim
        subscription = Subscription(self, topic, f"{topic.arn}:{sim.new_uuid()}", protocol, endpoint)
        ordered = sorted(attributes.items(), key=lambda item: item[0] != "FilterPolicyScope")
        for key, value in ordered:
            subscription.set_attribute(key, value, prefix=prefix)
        topic._add(subscription)
        topic._policy_changed(subscription)
        self.subscriptions[subscription.arn] = subscription
        sim.record("sns.subscription.created", subscription.arn, "", {"protocol": protocol, "endpoint": endpoint})
        if protocol in _CONFIRMATION_PROTOCOLS:
            subscription.send_confirmation()
        return subscription

    def subscription(self, subscription_arn: str) -> Subscription:
        """The subscription of that ARN.

        Raises:
            NotFoundError: ``Subscription does not exist``.
        """
        subscription = self.subscriptions.get(subscription_arn)
        if subscription is None:
            raise NotFoundError("Subscription does not exist")
        return subscription

    def get_subscription(self, subscription_arn: str | None, *, missing_ok: bool = False) -> Subscription | None:
        """The subscription an API parameter names, checked as SNS checks it (AWS-validated texts).

        Raises:
            InvalidParameterError: empty (``... Reason: no value for required parameter``), not an ARN
                (``... An ARN must have at least 6 elements, not N``), or no subscription id after the
                topic (``Invalid parameter: SubscriptionId``).
            NotFoundError: ``Subscription does not exist`` (unless ``missing_ok``).
        """
        if not subscription_arn:
            raise invalid("SubscriptionArn Reason: no value for required parameter")
        parts = subscription_arn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            raise arn_error("SubscriptionArn", subscription_arn)
        if len(parts) != 7 or _UUID.fullmatch(parts[6]) is None:
            raise invalid("SubscriptionId")
        subscription = self.subscriptions.get(subscription_arn)
        if subscription is None and not missing_ok:
            raise NotFoundError("Subscription does not exist")
        return subscription

    def unsubscribe(self, subscription_arn: str) -> None:
        """Delete a subscription (Unsubscribe); unsubscribing twice succeeds."""
        subscription = self.subscriptions.get(subscription_arn)
        if subscription is None:
            return
        if subscription.protocol in ("http", "https") and not subscription.pending_confirmation:
            subscription.send_confirmation("UnsubscribeConfirmation")
        self._drop_subscription(subscription)

    def _drop_subscription(self, subscription: Subscription) -> None:
        subscription.active = False
        subscription.topic._remove(subscription)
        self.subscriptions.pop(subscription.arn, None)
        if subscription.token is not None:
            self._tokens.pop(subscription.token, None)
        self.sim.record("sns.subscription.deleted", subscription.arn, "", {"topic": subscription.topic.arn})

    def confirm_subscription(self, topic_arn: str, token: str, *, authenticate_on_unsubscribe: bool = False) -> Subscription:
        """Confirm a pending subscription with the token SNS sent it (ConfirmSubscription).

        Raises:
            InvalidParameterError: a topic ARN that is not one of this simulation's
                (``Invalid parameter: Topic``) or an unknown token (``Invalid parameter: Token``),
                AWS-validated texts.
            NotFoundError: ``Topic does not exist``.
        """
        try:
            arn = parse_arn(topic_arn)
        except ValidationError:
            raise invalid("Topic") from None
        if arn.region != self.sim.region or arn.service != "sns":
            raise invalid("Topic")
        topic = self.topics.get(topic_arn)
        if topic is None:
            raise topic_not_found()
        subscription = self._tokens.get(token)
        if subscription is None or subscription.topic is not topic:
            raise invalid("Token")
        subscription.confirm(authenticated=authenticate_on_unsubscribe)
        return subscription

    # ---------------------------------------------------------------- outbox
    def serve_http(self, url: str, handler: HttpHandler | None) -> None:
        """Answer the HTTP/S endpoint ``url`` with ``handler`` (None: stop answering; every post succeeds).

        The handler receives each :class:`OutboundMessage` SNS posts there (confirmation requests
        included) and returns the HTTP status (None means 200) or raises. A status from 200 to 499 is
        a delivery; 500 and above, or an exception, is a failure SNS retries with the subscription's
        delivery policy.
        """
        if handler is None:
            self._http.pop(url, None)
        else:
            self._http[url] = handler

    def sent_to(self, endpoint: str) -> list[OutboundMessage]:
        """What the outbox holds for one URL, address or number, in order."""
        return [message for message in self.outbox if message.endpoint == endpoint]

    def _send_outbound(self, request: OutboundMessage, on_done: Callable[[Outcome], None] | None = None) -> None:
        self.outbox.append(request)
        self.sim.record(
            "sns.outbound",
            request.endpoint,
            request.message_id,
            {"type": request.message_type, "protocol": request.protocol, "attempt": request.attempt},
        )
        handler = self._http.get(request.endpoint) if request.protocol in ("http", "https") else None
        if handler is None:
            if on_done is not None:
                on_done(Outcome(True, 200))
            return

        def answered(outcome: Outcome) -> None:
            if on_done is None:
                return
            if not outcome.ok:
                on_done(outcome)
                return
            status = 200 if outcome.value is None else int(outcome.value)
            if status >= 500:
                on_done(Outcome(False, None, HttpStatusError(f"The endpoint answered {status}.", code=str(status))))
            else:
                on_done(Outcome(True, status))

        self.sim.invoke(handler, request, on_done=answered, resource=request.endpoint, name="http-endpoint")

    def _deliver_outbound(self, subscription: Subscription, note: Notification, attempt: int, on_done: Callable[[Outcome], None]) -> None:
        protocol = subscription.protocol
        headers: dict[str, str] = {}
        subject: str | None = None
        if protocol in ("http", "https"):
            body = subscription.notification_body(note)
            headers = subscription._headers("Notification", note.message_id)
        elif protocol == "email":
            subject, body = email_text(note, subscription.topic.display_name, subscription.arn, subscription.endpoint, self.sim.region)
        elif protocol in ("email-json", "firehose"):
            body = subscription.notification_body(note)
            subject = note.subject if protocol == "email-json" else None
        else:
            body = note.text_for(protocol)
        request = OutboundMessage(
            time=self.sim.time,
            protocol=protocol,
            endpoint=subscription.endpoint,
            message_type="Notification",
            message_id=note.message_id,
            topic_arn=subscription.topic.arn,
            subscription_arn=subscription.arn,
            headers=headers,
            body=body,
            subject=subject,
            attempt=attempt,
        )
        self._send_outbound(request, on_done)

    def publish_sms(self, phone_number: str, message: Any, *, subject: str | None = None) -> PublishResult:
        """Publish a text message straight to a phone number (Publish with PhoneNumber): recorded.

        Raises:
            InvalidParameterError: ``Invalid parameter: PhoneNumber Reason: <n> is not valid to publish
                to`` (AWS-validated).
        """
        check_xml_text(phone_number, "PhoneNumber")
        if _PHONE.fullmatch(phone_number) is None or not phone_number.startswith("+"):
            raise invalid(f"PhoneNumber Reason: {phone_number} is not valid to publish to")
        text = check_message(message)
        check_subject(subject)
        message_id = self.new_message_id()
        self._send_outbound(
            OutboundMessage(
                time=self.sim.time,
                protocol="sms",
                endpoint=phone_number,
                message_type="Notification",
                message_id=message_id,
                topic_arn="",
                body=text,
                subject=subject,
            )
        )
        return PublishResult(message_id)

    def _lambda_target(self, endpoint: str) -> str:
        """The registry key of a function endpoint (an unqualified function ARN as given)."""
        return endpoint

    # ---------------------------------------------------------------- lists
    def list_topics(self) -> list[Topic]:
        """Every topic, in creation order."""
        return list(self.topics.values())

    def list_subscriptions(self, topics: Iterable[Topic] | None = None) -> list[Subscription]:
        """Every subscription (of ``topics``, when given), in creation order."""
        if topics is None:
            return list(self.subscriptions.values())
        wanted = {topic.arn for topic in topics}
        return [s for s in self.subscriptions.values() if s.topic.arn in wanted]


def _same_attribute(name: str, given: str, current: str | None) -> bool:
    if name == "RawMessageDelivery":
        return given.lower() == (current or "false")
    if name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if current is None:
            return not given
        try:
            return bool(json.loads(given) == json.loads(current))
        except ValueError:
            return False
    if name == "FilterPolicyScope":
        return given == (current or "MessageAttributes")
    return given == (current or "")


def _check_json_policy(text: str) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        raise invalid("DataProtectionPolicy") from None
    if not isinstance(document, dict):
        raise invalid("DataProtectionPolicy")
    return text
