"""patterns/fan-out: an SNS topic fanned out to SQS queues with filter policies, a worker behind each.

Pages: "Amazon SNS message filtering" and filter policy scope
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html), "Fanout to Amazon SQS
queues" (https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html), "Amazon SNS raw
message delivery" (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html),
"Amazon SNS message delivery retries" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
"""

from __future__ import annotations

import json
from typing import Any

from blueprints import (
    PROPERTY,
    assert_equivalent_files,
    drain,
    eventbus,
    fault_mixes,
    lines_with,
    load_blueprint,
    records,
    replay_blueprint,
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.testing.invariants import assert_invariants

NAME = "fan-out"
EVENTS = "patterns/fan-out/events.jsonl"


def publish(sim: Simulation, order: dict[str, Any], *, attributes: bool = True) -> str:
    """Publish an order as the producer does: the order as JSON, its event and total as attributes."""
    topic = sim.sns.topic("orders")
    given_attributes = {"event": order["event"], "total_cents": order["total_cents"]} if attributes else None
    return topic.publish(json.dumps(order), attributes=given_attributes).message_id


def placed(order_id: str, total: int = 1000, kinds: tuple[str, ...] = ("physical",), address: str | None = "1 Main St") -> dict[str, Any]:
    order: dict[str, Any] = {
        "event": "order_placed",
        "order_id": order_id,
        "total_cents": total,
        "items": [{"sku": f"sku-{i}", "kind": kind} for i, kind in enumerate(kinds)],
    }
    if address:
        order["address"] = address
    return order


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert len(lines_with(run.out, "delivered", "to queue analytics by subscription")) == 6
    assert len(lines_with(run.out, "delivered", "to queue billing by subscription")) == 4
    assert len(lines_with(run.out, "delivered", "to queue shipping by subscription")) == 4
    assert len(lines_with(run.out, "filtered out", "filter policy rejects message", "(NoMatch)")) == 4
    assert lines_with(run.out, "raised", "function ship failed: ValueError: order o-5 has no address")
    assert lines_with(run.out, "dead-lettered", "moved to queue shipping-dlq after 3 receives")
    assert "summary: 6 input lines: 6 accepted, 0 failed, 0 skipped; 1 dead-lettered, 0 dropped, 3 handler errors" in run.out


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


def test_each_worker_did_what_its_filter_policy_let_through() -> None:
    _, handlers = replay_blueprint(NAME)
    assert handlers.LEDGER == {
        ("o-1", "order_placed"): 2500,
        ("o-2", "order_placed"): 900,
        ("o-1", "order_refunded"): -2500,
        ("o-5", "order_placed"): 4200,
    }
    assert sorted(handlers.PARCELS) == ["o-1", "o-3", "o-4"]
    assert handlers.PARCELS["o-1"] == {"to": "1 Main St", "skus": ["tea"]}
    assert sorted(order for _, order in handlers.SEEN.values()) == ["o-1", "o-1", "o-2", "o-3", "o-4", "o-5"]


# ---------------------------------------------------------------------------- filter policies
def test_attribute_scope_sees_only_message_attributes() -> None:
    # FilterPolicyScope MessageAttributes (the default): a message published without attributes is
    # not billed, though its body says order_placed with a total: SNS accepted the publish, the
    # subscription filtered it out, nothing failed and nothing is in a DLQ.
    sim, _, handlers = load_blueprint(NAME)
    message_id = publish(sim, placed("o-4", total=1800), attributes=False)
    sim.advance(60)
    assert handlers.LEDGER == {}
    [billing] = [s.arn for s in sim.sns.list_subscriptions() if s.endpoint.endswith(":billing")]
    [filtered] = records(sim, "sns.filtered_out")
    assert (filtered.id, filtered.resource) == (message_id, billing)
    assert "o-4" in handlers.PARCELS  # the body-scope subscription matched the same message
    assert "sns.dead_lettered" not in {r.kind for r in sim.journal}


def test_numeric_attribute_filter() -> None:
    # total_cents is published as a Number attribute; {"numeric": [">", 0]} leaves free orders out.
    sim, _, handlers = load_blueprint(NAME)
    publish(sim, placed("o-3", total=0))
    publish(sim, placed("o-6", total=1))
    sim.advance(60)
    assert list(handlers.LEDGER) == [("o-6", "order_placed")]


def test_body_scope_matches_inside_arrays_of_objects() -> None:
    # FilterPolicyScope MessageBody: {"items": {"kind": ["physical"]}} matches when any item is physical.
    sim, _, handlers = load_blueprint(NAME)
    publish(sim, placed("o-2", kinds=("digital",)))
    publish(sim, placed("o-5", kinds=("digital", "physical")))
    sim.advance(60)
    assert sorted(handlers.PARCELS) == ["o-5"]


def test_without_raw_delivery_the_body_is_the_sns_envelope() -> None:
    # analytics has no RawMessageDelivery: its messages are SNS's JSON envelope (Type, MessageId,
    # TopicArn, Message, MessageAttributes ...); billing's raw messages are the order itself, with the
    # SNS attributes as SQS message attributes.
    sim, _, _ = load_blueprint(NAME)
    for name in ("bill", "record"):
        for mapping in sim.lambda_.list_event_source_mappings(function=name):
            mapping.update(enabled=False)
    sim.run_until_idle()
    order = placed("o-1", total=2500)
    message_id = publish(sim, order)
    sim.run_until_idle()
    [envelope] = [json.loads(body) for body in drain(sim.sqs.get_queue("analytics"))]
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == message_id
    assert json.loads(envelope["Message"]) == order
    assert envelope["MessageAttributes"]["total_cents"] == {"Type": "Number", "Value": "2500"}
    [raw] = sim.sqs.get_queue("billing").receive(max_messages=10)
    assert json.loads(raw.body) == order
    assert raw.message_attributes["event"].string_value == "order_placed"


def test_a_failing_worker_does_not_hold_back_the_others() -> None:
    # Each subscription has its own queue: shipping's failures (retries, then its DLQ) do not delay
    # billing or analytics, which processed the same message at once.
    sim, _, handlers = load_blueprint(NAME)
    publish(sim, placed("o-5", total=4200, address=None))
    sim.run_until_idle()
    assert ("o-5", "order_placed") in handlers.LEDGER
    assert len(handlers.SEEN) == 1
    sim.advance(600)
    assert "o-5" not in handlers.PARCELS
    assert [json.loads(b)["order_id"] for b in drain(sim.sqs.get_queue("shipping-dlq"))] == ["o-5"]


def test_a_subscriber_added_later_gets_only_later_messages() -> None:
    # SNS keeps nothing: a message reaches the subscriptions the topic has when it is published.
    sim, _, _ = load_blueprint(NAME)
    publish(sim, placed("o-1"))
    late = sim.sqs.create_queue("late")
    sim.sns.topic("orders").subscribe(late, raw=True)
    publish(sim, placed("o-2"))
    sim.run_until_idle()
    assert [json.loads(body)["order_id"] for body in drain(late)] == ["o-2"]


# ---------------------------------------------------------------------------- property under faults
orders_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "event": st.sampled_from(["order_placed", "order_refunded", "order_viewed"]),
            "total_cents": st.integers(0, 3),
            "kinds": st.lists(st.sampled_from(["physical", "digital"]), min_size=1, max_size=3),
            "address": st.booleans(),
            "attributes": st.booleans(),
        }
    ),
    min_size=1,
    max_size=8,
)


def billing_accepts(spec: dict[str, Any]) -> bool:
    return spec["attributes"] and spec["event"] in ("order_placed", "order_refunded") and spec["total_cents"] > 0


def shipping_accepts(spec: dict[str, Any]) -> bool:
    return spec["event"] == "order_placed" and "physical" in spec["kinds"]


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    specs=orders_strategy,
    plan=fault_mixes(("sns_delivery_failure", "duplicate_delivery", "lost_delete", "visibility_expiry", "crash_before", "crash_after"),
        queues=["billing", "shipping", "analytics"],
        functions=["bill", "ship", "record"],
    ),
)
def test_property_each_worker_sees_exactly_what_its_filter_accepts(sim: Simulation, specs: list[dict[str, Any]], plan: Any) -> None:
    # Under failed SNS deliveries (retried by SNS), duplicate and returning messages, visibility
    # running out and crashes, each worker's store ends up with exactly the orders its filter policy
    # accepts (a reference implementation of the policy below), and nothing is lost.
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.faults.add(plan)
    ids = {}
    for i, spec in enumerate(specs):
        order = {
            "event": spec["event"],
            "order_id": f"o-{i}",
            "total_cents": spec["total_cents"],
            "items": [{"sku": f"s-{j}", "kind": kind} for j, kind in enumerate(spec["kinds"])],
        }
        if spec["address"]:
            order["address"] = f"{i} Main St"
        ids[publish(sim, order, attributes=spec["attributes"])] = f"o-{i}"
        sim.run_until_idle()
    sim.advance(3600)
    assert_invariants(sim, settled=True)

    billed = {order for order, _ in handlers.LEDGER}
    assert billed == {f"o-{i}" for i, s in enumerate(specs) if billing_accepts(s)}
    shipped_or_dead = set(handlers.PARCELS) | dead_lettered(sim, "shipping-dlq")
    assert shipped_or_dead == {f"o-{i}" for i, s in enumerate(specs) if shipping_accepts(s)}
    assert all(specs[int(o[2:])]["address"] for o in handlers.PARCELS)
    assert {ids[m] for m in handlers.SEEN} == set(ids.values())  # analytics: every message, once per id


def dead_lettered(sim: Simulation, queue: str) -> set[str]:
    return {json.loads(body)["order_id"] for body in drain(sim.sqs.get_queue(queue))}
