"""Fan-out and subscription filter policies, end to end: topic to several queues and callables.

Filter policy semantics: "Amazon SNS message filtering"
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html), the operator pages under
"Filter policy matching" (string, numeric, key, AND/OR), and "Filter policy scope"
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html). Filtered-out reasons
are the CloudWatch metric names (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services.sns import InvalidParameterError


def _bodies(queue: Any) -> list[str]:
    out: list[Any] = []
    while True:
        batch = queue.receive(max_messages=10)
        if not batch:
            return out
        for message in batch:
            body = message.body
            out.append(json.loads(body)["Message"] if body.startswith("{\n") else body)
            queue.delete(message.receipt_handle)


def test_fan_out_to_several_queues_and_a_callable() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("orders")
    queues = [sim.sqs.create_queue(f"q{i}") for i in range(3)]
    for queue in queues:
        topic.subscribe(queue)
    seen: list[str] = []
    topic.subscribe(lambda event: seen.append(event["Records"][0]["Sns"]["Message"]))
    for i in range(5):
        topic.publish(f"m{i}")
    sim.run_until_idle()
    for queue in queues:
        assert sorted(_bodies(queue)) == [f"m{i}" for i in range(5)]
    assert seen == [f"m{i}" for i in range(5)]
    delivered = [r for r in sim.journal if r.kind == "sns.delivery.delivered"]
    assert len(delivered) == 20


def test_messages_are_delivered_after_publish_returns() -> None:
    # Publish returns once SNS has the message; deliveries happen asynchronously (on the clock).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    seen: list[Any] = []
    topic.subscribe(seen.append)
    topic.publish("m")
    assert seen == []
    sim.run_until_idle()
    assert len(seen) == 1


ATTRIBUTE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # (operator family, policy, attributes, delivered?)
    ("exact string", {"store": ["example_corp"]}, {"store": "example_corp"}, True),
    ("exact string", {"store": ["example_corp"]}, {"store": "other"}, False),
    ("exact string, missing attribute", {"store": ["example_corp"]}, {}, False),
    ("numeric exact", {"price": [{"numeric": ["=", 301.5]}]}, {"price": 301.50}, True),
    ("numeric range", {"price": [{"numeric": [">", 0, "<=", 150]}]}, {"price": 150}, True),
    ("numeric range", {"price": [{"numeric": [">", 0, "<=", 150]}]}, {"price": 150.01}, False),
    ("number attribute, exact value", {"price": [100]}, {"price": "1e2"}, False),  # a String "1e2" is not a number
    ("number attribute, exact value", {"price": [100]}, {"price": {"DataType": "Number", "StringValue": "1e2"}}, True),
    ("prefix", {"event": [{"prefix": "order-"}]}, {"event": "order-placed"}, True),
    ("prefix", {"event": [{"prefix": "order-"}]}, {"event": "refund"}, False),
    ("suffix", {"image": [{"suffix": ".png"}]}, {"image": "cat.png"}, True),
    ("equals-ignore-case", {"color": [{"equals-ignore-case": "RED"}]}, {"color": "rEd"}, True),
    ("anything-but", {"event": [{"anything-but": ["cancelled"]}]}, {"event": "placed"}, True),
    ("anything-but", {"event": [{"anything-but": ["cancelled"]}]}, {"event": "cancelled"}, False),
    ("anything-but, missing attribute", {"event": [{"anything-but": ["cancelled"]}]}, {}, False),
    ("anything-but prefix", {"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "refund"}, True),
    ("anything-but numeric", {"price": [{"anything-but": [100]}]}, {"price": 100}, False),
    ("exists true", {"promo": [{"exists": True}]}, {"promo": "x"}, True),
    ("exists true", {"promo": [{"exists": True}]}, {}, False),
    ("exists false", {"promo": [{"exists": False}]}, {}, True),
    ("exists false", {"promo": [{"exists": False}]}, {"promo": "x"}, False),
    ("cidr", {"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.0.0.255"}, True),
    ("cidr", {"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.0.1.1"}, False),
    ("String.Array element", {"interests": ["rugby"]}, {"interests": ["football", "rugby"]}, True),
    ("String.Array element", {"interests": ["golf"]}, {"interests": ["football", "rugby"]}, False),
    ("String.Array numbers", {"sizes": [{"numeric": [">", 10]}]}, {"sizes": [5, 12]}, True),
    ("AND of keys", {"a": ["1"], "b": ["2"]}, {"a": "1", "b": "2"}, True),
    ("AND of keys", {"a": ["1"], "b": ["2"]}, {"a": "1", "b": "3"}, False),
    ("OR of values", {"a": ["1", "2"]}, {"a": "2"}, True),
    ("$or", {"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
    ("$or", {"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"c": "2"}, False),
    ("binary attributes never match", {"bin": [{"exists": True}]}, {"bin": b"\x00"}, False),
]


@pytest.mark.parametrize(("family", "policy", "attributes", "delivered"), ATTRIBUTE_CASES)
def test_attribute_scope_operator_families(family: str, policy: dict[str, Any], attributes: dict[str, Any], delivered: bool) -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    subscription = topic.subscribe(queue, filter_policy=policy)
    topic.publish("m", attributes=attributes)
    sim.run_until_idle()
    assert (_bodies(queue) == ["m"]) is delivered, family
    filtered = [r for r in sim.journal if r.kind == "sns.filtered_out"]
    assert len(filtered) == (0 if delivered else 1)
    if filtered:
        assert filtered[0].resource == subscription.arn
        assert filtered[0].detail == {"reason": "NoMatch"}


BODY_CASES: list[tuple[str, dict[str, Any], Any, bool]] = [
    ("nested exact", {"order": {"status": ["paid"]}}, {"order": {"status": "paid"}}, True),
    ("nested exact", {"order": {"status": ["paid"]}}, {"order": {"status": "open"}}, False),
    ("array element of the body", {"tags": ["vip"]}, {"tags": ["new", "vip"]}, True),
    ("numeric in body", {"total": [{"numeric": [">=", 100]}]}, {"total": 99.99}, False),
    ("numeric in body", {"total": [{"numeric": [">=", 100]}]}, {"total": 100}, True),
    ("exists in body", {"customer": {"vip": [{"exists": True}]}}, {"customer": {"vip": False}}, True),
    ("prefix in body", {"sku": [{"prefix": "A-"}]}, {"sku": "A-1"}, True),
    ("$or in body", {"$or": [{"a": [1]}, {"b": {"c": [2]}}]}, {"b": {"c": 2}}, True),
]


@pytest.mark.parametrize(("family", "policy", "body", "delivered"), BODY_CASES)
def test_message_body_scope_operator_families(family: str, policy: dict[str, Any], body: Any, delivered: bool) -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, filter_policy=policy, filter_policy_scope="MessageBody", raw=True)
    topic.publish(json.dumps(body))
    sim.run_until_idle()
    assert (_bodies(queue) == [json.dumps(body)]) is delivered, family


def test_body_scope_ignores_attributes_and_attribute_scope_ignores_the_body() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    by_body = sim.sqs.create_queue("by-body")
    by_attributes = sim.sqs.create_queue("by-attributes")
    topic.subscribe(by_body, filter_policy={"kind": ["a"]}, filter_policy_scope="MessageBody", raw=True)
    topic.subscribe(by_attributes, filter_policy={"kind": ["a"]}, raw=True)
    topic.publish('{"kind": "a"}', attributes={"kind": "b"})
    topic.publish('{"kind": "b"}', attributes={"kind": "a"})
    sim.run_until_idle()
    assert _bodies(by_body) == ['{"kind": "a"}']
    assert _bodies(by_attributes) == ['{"kind": "b"}']


def test_body_that_is_not_json_is_filtered_out_as_invalid_message_body() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, filter_policy={"kind": [{"exists": False}]}, filter_policy_scope="MessageBody")
    topic.publish("not json")
    sim.run_until_idle()
    assert _bodies(queue) == []
    [record] = [r for r in sim.journal if r.kind == "sns.filtered_out"]
    assert record.detail == {"reason": "InvalidMessageBody"}


def test_body_nested_too_deeply_to_parse_is_filtered_out_not_a_crash() -> None:
    # Used to raise RecursionError out of run_until_idle(). A body SNS cannot parse is
    # NumberOfNotificationsFilteredOut-InvalidMessageBody
    # (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, filter_policy={"kind": ["a"]}, filter_policy_scope="MessageBody")
    topic.publish('{"a":' * 5000 + "1" + "}" * 5000)
    sim.run_until_idle()
    assert _bodies(queue) == []
    [record] = [r for r in sim.journal if r.kind == "sns.filtered_out"]
    assert record.detail == {"reason": "InvalidMessageBody"}


def test_malformed_string_array_is_filtered_out_as_invalid_attributes() -> None:
    # NumberOfNotificationsFilteredOut-InvalidAttributes: "the attribute JSON is incorrectly formatted".
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    filtered = sim.sqs.create_queue("filtered")
    unfiltered = sim.sqs.create_queue("unfiltered")
    topic.subscribe(filtered, filter_policy={"other": [{"exists": False}]})
    topic.subscribe(unfiltered)
    topic.publish("m", attributes={"tags": {"DataType": "String.Array", "StringValue": "[not json"}})
    sim.run_until_idle()
    assert _bodies(filtered) == []
    assert _bodies(unfiltered) == ["m"]
    [record] = [r for r in sim.journal if r.kind == "sns.filtered_out"]
    assert record.detail == {"reason": "InvalidAttributes"}


def test_changing_the_filter_policy_and_scope_takes_effect_for_later_messages() -> None:
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    subscription = topic.subscribe(queue, filter_policy={"k": ["1"]}, raw=True)
    topic.publish("one", attributes={"k": "1"})
    sim.run_until_idle()
    subscription.set_attribute("FilterPolicy", json.dumps({"k": ["2"]}))
    topic.publish("two-no", attributes={"k": "1"})
    topic.publish("two-yes", attributes={"k": "2"})
    sim.run_until_idle()
    subscription.set_attribute("FilterPolicyScope", "MessageBody")
    topic.publish('{"k": "2"}')
    sim.run_until_idle()
    subscription.set_attribute("FilterPolicy", "")
    topic.publish("anything")
    sim.run_until_idle()
    assert _bodies(queue) == ["one", "two-yes", '{"k": "2"}', "anything"]


def test_many_filtered_subscriptions_share_one_index() -> None:
    # Fan-out matches every policy at once (FilterPolicySet), then delivers in subscription order.
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queues = [sim.sqs.create_queue(f"q{i}") for i in range(20)]
    for i, queue in enumerate(queues):
        topic.subscribe(queue, filter_policy={"n": [{"numeric": [">=", i]}]}, raw=True)
    topic.publish("m", attributes={"n": 9})
    sim.run_until_idle()
    assert [bool(_bodies(q)) for q in queues] == [i <= 9 for i in range(20)]
    assert len(topic._policies) == 20


def test_invalid_filter_policies_are_refused_with_sns_messages() -> None:
    # SetSubscriptionAttributes and Subscribe word the same refusal differently (AWS-validated).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    subscription = topic.subscribe(queue)
    with pytest.raises(InvalidParameterError) as raised:
        subscription.set_attribute("FilterPolicy", "{invalid")
    assert str(raised.value) == (
        "Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting "
        "double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` "
        "disabled); line: 1, column: 2]"
    )
    with pytest.raises(InvalidParameterError) as raised:
        topic.subscribe(sim.sqs.create_queue("q2"), filter_policy="invalid")
    assert str(raised.value) == (
        "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON. Unrecognized token 'invalid': was "
        "expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED "
        "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 8]"
    )
    with pytest.raises(InvalidParameterError) as raised:
        subscription.set_attribute("FilterPolicy", json.dumps({"a": {"b": ["c"]}}))
    assert str(raised.value) == "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    with pytest.raises(InvalidParameterError) as raised:
        subscription.set_attribute("FilterPolicy", json.dumps({f"k{i}": ["v"] for i in range(6)}))
    assert str(raised.value) == "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    with pytest.raises(InvalidParameterError) as raised:
        subscription.set_attribute("FilterPolicyScope", "Body")
    assert str(raised.value) == "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes"
    assert subscription.filter_policy is None
