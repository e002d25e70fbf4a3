"""Subscriptions: protocols, attributes, the HTTP/S and email confirmation flow, unsubscribing.

Subscribe (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html), "Subscribing an HTTP/S
endpoint" and its JSON formats (https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html,
https://docs.aws.amazon.com/sns/latest/dg/http-header.html); error texts AWS-validated (LocalStack
snapshots) unless a test says otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.errors import ServiceError
from eventbus.services.sns import InvalidParameterError, NotFoundError


@pytest.fixture
def sim() -> Simulation:
    return Simulation()


def _error(call: Any) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call()
    return raised.value


def test_subscribe_is_idempotent_unless_attributes_differ(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    first = topic.subscribe(queue, raw=True)
    assert topic.subscribe(queue, raw=True) is first
    assert topic.subscribe(queue) is first  # no attributes: the existing subscription
    error = _error(lambda: topic.subscribe(queue, filter_policy={"a": ["b"]}))
    assert str(error) == "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"


def test_sqs_subscription_attributes(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    dlq = sim.sqs.create_queue("dlq")
    subscription = topic.subscribe(queue, filter_policy={"attr1": [{"numeric": [">", 0, "<=", 100]}]}, dead_letter=dlq)
    attributes = subscription.attributes()
    assert attributes == {
        "ConfirmationWasAuthenticated": "true",
        "Endpoint": queue.arn,
        "Owner": "123456789012",
        "PendingConfirmation": "false",
        "Protocol": "sqs",
        "RawMessageDelivery": "false",
        "SubscriptionArn": subscription.arn,
        "SubscriptionPrincipal": "arn:aws:iam::123456789012:user/eventbus",
        "TopicArn": topic.arn,
        "FilterPolicy": json.dumps({"attr1": [{"numeric": [">", 0, "<=", 100]}]}),
        "FilterPolicyScope": "MessageAttributes",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn}, separators=(",", ":")),
    }
    assert subscription.arn.startswith(topic.arn + ":")


def test_attribute_errors_on_subscribe_and_set(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    error = _error(lambda: topic.subscribe(queue, attributes={"RawMessageDelivery": "wrongvalue"}))
    assert str(error) == "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false."
    subscription = topic.subscribe(queue)
    cases = {
        ("Fake", "x"): "Invalid parameter: AttributeName",
        ("RawMessageDelivery", "test-ValUe"): "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.",
        ("RawMessageDelivery", ""): "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.",
        ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "fake-arn"})): "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn",
        ("RedrivePolicy", "{invalid json}"): (
            "Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting "
            "double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` "
            "disabled); line: 1, column: 2]"
        ),
    }
    for (name, value), message in cases.items():
        assert str(_error(lambda n=name, v=value: subscription.set_attribute(n, v))) == message
    subscription.set_attribute("RawMessageDelivery", "TRUE")
    assert subscription.attributes()["RawMessageDelivery"] == "true"


def test_raw_delivery_is_for_sqs_http_and_firehose(sim: Simulation) -> None:
    # (wording seen in a public emulator; AWS refuses raw delivery for Lambda, email ...)
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(lambda event: None)
    error = _error(lambda: subscription.set_attribute("RawMessageDelivery", "true"))
    assert str(error) == "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery."


def test_protocol_and_endpoint_checks(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    subscribe = sim.sns._subscribe
    assert str(_error(lambda: subscribe(topic, "test-protocol", "x", {}))) == (
        "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol"
    )
    assert str(_error(lambda: subscribe(topic, "sqs", "https://sqs.us-east-1.amazonaws.com/123456789012/q", {}))) == (
        "Invalid parameter: SQS endpoint ARN"
    )
    assert str(_error(lambda: subscribe(topic, "https", "http://example.com", {}))) == (
        "Invalid parameter: Endpoint must match the specified protocol"
    )
    assert str(_error(lambda: subscribe(topic, "sms", "invalid-number", {}))) == "Invalid SMS endpoint: invalid-number"
    # A queue that does not exist (yet) can be subscribed (AWS-validated).
    assert subscribe(topic, "sqs", sim.arn("sqs", "later"), {}).protocol == "sqs"


def test_http_subscription_waits_for_confirmation(sim: Simulation) -> None:
    topic = sim.sns.create_topic("MyTopic")
    url = "https://example.com/sns-endpoint"
    subscription = topic.subscribe(url)
    assert subscription.pending_confirmation
    assert subscription.attributes()["PendingConfirmation"] == "true"
    assert subscription.attributes()["ConfirmationWasAuthenticated"] == "false"
    assert subscription.summary()["SubscriptionArn"] == "PendingConfirmation"
    [request] = sim.sns.sent_to(url)
    assert request.message_type == "SubscriptionConfirmation"
    assert request.headers == {
        "x-amz-sns-message-type": "SubscriptionConfirmation",
        "x-amz-sns-message-id": request.message_id,
        "x-amz-sns-topic-arn": topic.arn,
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    body = request.json()
    assert list(body) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert body["Message"] == (
        f"You have chosen to subscribe to the topic {topic.arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    assert body["Token"] == request.token == subscription.token
    assert body["SubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic.arn}&Token={request.token}"
    )
    topic.publish("before confirmation")
    sim.run_until_idle()
    assert len(sim.sns.sent_to(url)) == 1  # nothing delivered while pending
    confirmed = sim.sns.confirm_subscription(topic.arn, body["Token"])
    assert confirmed is subscription
    assert not subscription.pending_confirmation
    topic.publish("after confirmation", subject="s", attributes={"k": "v"})
    sim.run_until_idle()
    notification = sim.sns.sent_to(url)[-1]
    assert notification.message_type == "Notification"
    assert notification.headers["x-amz-sns-subscription-arn"] == subscription.arn
    envelope = notification.json()
    assert envelope["Message"] == "after confirmation"
    assert envelope["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}


def test_http_raw_delivery_and_content_type(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    url = "http://example.com/raw"
    subscription = topic.subscribe(url, raw=True, delivery_policy={"requestPolicy": {"headerContentType": "text/csv"}})
    subscription.confirm()
    topic.publish("a,b,c")
    sim.run_until_idle()
    notification = sim.sns.sent_to(url)[-1]
    assert notification.body == "a,b,c"
    assert notification.headers["x-amz-sns-rawdelivery"] == "true"
    assert notification.headers["Content-Type"] == "text/csv"


def test_a_handler_can_confirm_from_the_confirmation_message(sim: Simulation) -> None:
    # What an HTTP endpoint does: read the token and call ConfirmSubscription.
    topic = sim.sns.create_topic("t")
    url = "https://example.com/hook"
    received: list[str] = []

    def endpoint(request: Any) -> int:
        if request.message_type == "SubscriptionConfirmation":
            sim.sns.api.call("ConfirmSubscription", {"TopicArn": request.topic_arn, "Token": request.token})
        else:
            received.append(request.json()["Message"])
        return 200

    sim.sns.serve_http(url, endpoint)
    topic.subscribe(url)
    topic.publish("hello")
    sim.run_until_idle()
    assert received == ["hello"]


def test_confirm_subscription_errors(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    topic.subscribe("https://example.com")
    assert str(_error(lambda: sim.sns.confirm_subscription(topic.arn, "nope"))) == "Invalid parameter: Token"
    assert str(_error(lambda: sim.sns.confirm_subscription("arn:aws:sns:eu-west-1:123456789012:t", "x"))) == "Invalid parameter: Topic"
    assert str(_error(lambda: sim.sns.confirm_subscription("broken", "x"))) == "Invalid parameter: Topic"


def test_unsubscribing_an_http_subscription_sends_an_unsubscribe_confirmation(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    url = "https://example.com"
    subscription = topic.subscribe(url)
    subscription.confirm()
    sim.sns.unsubscribe(subscription.arn)
    message = sim.sns.sent_to(url)[-1]
    assert message.message_type == "UnsubscribeConfirmation"
    assert message.json()["Message"] == (
        f"You have chosen to deactivate subscription {subscription.arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    )
    sim.sns.unsubscribe(subscription.arn)  # idempotent
    assert subscription.arn not in sim.sns.subscriptions


def test_email_and_email_json(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t", display_name="Orders")
    email = topic.subscribe("ops@example.com")
    as_json = topic.subscribe("bot@example.com", protocol="email-json")
    assert (email.protocol, as_json.protocol) == ("email", "email-json")
    assert email.pending_confirmation
    assert as_json.pending_confirmation
    assert sim.sns.sent_to("ops@example.com")[0].subject == "AWS Notification - Subscription Confirmation"
    email.confirm()
    as_json.confirm()
    topic.publish("hello")
    sim.run_until_idle()
    mail = sim.sns.sent_to("ops@example.com")[-1]
    assert mail.subject == "Orders"
    assert mail.body.startswith("hello\n\n--\nIf you wish to stop receiving notifications from this topic")
    assert sim.sns.sent_to("bot@example.com")[-1].json()["Message"] == "hello"


def test_sms_subscriptions_are_confirmed_and_recorded(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe("+15555550100")
    assert subscription.protocol == "sms"
    assert not subscription.pending_confirmation
    topic.publish("code 1234")
    sim.run_until_idle()
    assert sim.sns.sent_to("+15555550100")[-1].body == "code 1234"


def test_deleting_a_topic_deletes_its_subscriptions(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(sim.sqs.create_queue("q"))
    topic.delete()
    assert subscription.arn not in sim.sns.subscriptions
    with pytest.raises(NotFoundError):
        sim.sns.subscription(subscription.arn)
    topic.delete()  # deleting again succeeds


def test_subscription_arn_checks(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    get = sim.sns.get_subscription
    assert str(_error(lambda: get(""))) == "Invalid parameter: SubscriptionArn Reason: no value for required parameter"
    assert str(_error(lambda: get("nope"))) == "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    assert str(_error(lambda: get("arn:aws:sns:us-east-1:123456789012"))) == (
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5"
    )
    assert str(_error(lambda: get(topic.arn))) == "Invalid parameter: SubscriptionId"
    missing = _error(lambda: get(f"{topic.arn}:12345678-1234-4234-8234-123456789012"))
    assert (missing.code, str(missing), missing.status) == ("NotFound", "Subscription does not exist", 404)


def test_redrive_policy_is_optional_and_removable(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(sim.sqs.create_queue("q"), dead_letter=sim.sqs.create_queue("dlq"))
    subscription.set_attribute("RedrivePolicy", "")
    assert "RedrivePolicy" not in subscription.attributes()
    with pytest.raises(InvalidParameterError):
        subscription.set_attribute("RedrivePolicy", "[]")
