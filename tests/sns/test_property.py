"""Property: with N filtered subscriptions and random messages, each queue receives exactly the
messages its filter policy accepts, judged by :class:`eventbus.FilterPolicy` alone: none lost, none
extra, none twice (no faults injected). Both scopes, the operator families SNS supports
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventbus import FilterPolicy, Simulation

KEYS = ("store", "event", "price", "tags")
WORDS = ("a", "ab", "abc", "b", "order-1", "order-2", "refund")

_string_conditions = st.one_of(
    st.sampled_from(WORDS),
    st.builds(lambda w: {"prefix": w}, st.sampled_from(("a", "order-", "re"))),
    st.builds(lambda w: {"suffix": w}, st.sampled_from(("b", "-1", "nd"))),
    st.builds(lambda w: {"equals-ignore-case": w.upper()}, st.sampled_from(WORDS)),
    st.builds(lambda ws: {"anything-but": ws}, st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True)),
    st.builds(lambda e: {"exists": e}, st.booleans()),
)
_number_conditions = st.one_of(
    st.integers(0, 10),
    st.builds(lambda op, n: {"numeric": [op, n]}, st.sampled_from(("<", "<=", "=", ">", ">=")), st.integers(0, 10)),
    st.builds(lambda lo, hi: {"numeric": [">=", lo, "<", lo + hi]}, st.integers(0, 8), st.integers(1, 4)),
    st.builds(lambda n: {"anything-but": [n]}, st.integers(0, 10)),
)


@st.composite
def policies(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    scope = draw(st.sampled_from(("MessageAttributes", "MessageBody")))
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
    policy: dict[str, Any] = {}
    for key in keys:
        conditions = _number_conditions if key == "price" else _string_conditions
        values = draw(st.lists(conditions, min_size=1, max_size=3))
        if scope == "MessageBody" and key == "store" and draw(st.booleans()):
            policy["order"] = {"store": values}  # a nested key, body scope only
        else:
            policy[key] = values
    return policy, scope


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["store"] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        fields["event"] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        fields["price"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        fields["tags"] = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    return fields


def _attributes(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, list):
            out[key] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, int):
            out[key] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[key] = {"DataType": "String", "StringValue": value}
    return out


def _body(index: int, fields: dict[str, Any]) -> str:
    body: dict[str, Any] = {"id": index, **fields}
    if "store" in fields:
        body["order"] = {"store": fields["store"]}
    return json.dumps(body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subscriptions=st.lists(policies(), min_size=1, max_size=8),
    published=st.lists(messages(), min_size=1, max_size=15),
    seed=st.integers(0, 2**16),
)
def test_each_queue_receives_exactly_what_its_policy_accepts(
    subscriptions: list[tuple[dict[str, Any], str]], published: list[dict[str, Any]], seed: int
) -> None:
    sim = Simulation(seed=seed)
    topic = sim.sns.create_topic("t")
    queues = []
    for index, (policy, scope) in enumerate(subscriptions):
        queue = sim.sqs.create_queue(f"q{index}")
        topic.subscribe(queue, filter_policy=policy, filter_policy_scope=scope, raw=True)
        queues.append(queue)
    unfiltered = sim.sqs.create_queue("all")
    topic.subscribe(unfiltered, raw=True)
    bodies = [_body(index, fields) for index, fields in enumerate(published)]
    for body, fields in zip(bodies, published, strict=True):
        topic.publish(body, attributes=_attributes(fields))
    sim.run_until_idle()

    def received(queue: Any) -> list[int]:
        out = []
        while batch := queue.receive(max_messages=10):
            for message in batch:
                out.append(json.loads(message.body)["id"])
                queue.delete(message.receipt_handle)
        return sorted(out)

    assert received(unfiltered) == list(range(len(published)))
    for queue, (policy, scope) in zip(queues, subscriptions, strict=True):
        judge = FilterPolicy(policy, scope)  # type: ignore[arg-type]
        expected = [
            index
            for index, (body, fields) in enumerate(zip(bodies, published, strict=True))
            if (judge.matches_attributes(_attributes(fields)) if scope == "MessageAttributes" else judge.matches_body(body))
        ]
        assert received(queue) == expected, (policy, scope)
