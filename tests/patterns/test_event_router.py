"""patterns/event-router: a custom EventBridge bus, rules with input transformers to a queue, a topic
and a function, an archive and a replay.

Pages: "Amazon EventBridge input transformation"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html), "Event
buses" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html), "Archiving and
replaying events" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html),
"Lambda asynchronous invocation" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html),
"Event retry policy and using dead-letter queues" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
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
    load_variant,
    records,
    replay_blueprint,
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.testing.invariants import assert_invariants

NAME = "event-router"
EVENTS = "patterns/event-router/events.jsonl"
SOURCE = "com.example.orders"


def put(sim: Simulation, detail_type: str, detail: dict[str, Any], bus: str = "orders") -> str:
    [entry] = sim.events.put_events(
        [{"EventBusName": bus, "Source": SOURCE, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    ).entries
    assert entry.ok, entry
    sim.run_until_idle()
    return str(entry.event_id)


def replay_archive(sim: Simulation, name: str, rules: list[str] | None) -> None:
    """StartReplay of everything archived so far, to ``rules`` (None: every rule); wait until done."""
    bus = sim.events.get_bus("orders")
    replay = sim.events.start_replay(
        name,
        archive="orders-archive",
        start=0.0 + sim.epoch(0),
        end=sim.epoch() + 60,
        rules=None if rules is None else [bus.get_rule(rule) for rule in rules],
    )
    sim.advance(3600)
    assert replay.describe()["State"] == "COMPLETED"


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert lines_with(run.out, "matched", "3 rules on bus orders: to-fulfilment, big-order-alerts, Events-Archive-orders-archive")
    assert lines_with(run.out, "delivered", "to topic alerts by rule orders/big-order-alerts")
    assert len(lines_with(run.out, "archived", "in archive orders-archive")) == 4
    assert len(lines_with(run.out, "raised", "function cancel-order failed: ValueError: cannot refund gift_card payments (order o-2)")) == 3
    assert lines_with(run.out, "discarded", "Lambda gives up on the event for function cancel-order: RetriesExhausted after 3 attempts")
    assert lines_with(run.out, "no match", "no rule on bus default matches this event")
    assert "summary: 5 input lines: 5 accepted, 0 failed, 0 skipped; 0 dead-lettered, 1 dropped, 3 handler errors" in run.out
    assert eventbus("replay", EVENTS, "--fail-on", "dropped", "--quiet").code == 1


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


# ---------------------------------------------------------------------------- input transformation
def test_input_transformer_builds_the_job_each_consumer_reads() -> None:
    # A quoted placeholder inserts the value as string content; an unquoted one inserts raw JSON (the
    # items array). The job carries the event id and time, which the queue consumer needs and would
    # not otherwise have.
    sim, _, _ = load_blueprint(NAME)
    sim.lambda_.list_event_source_mappings(function="pack")[0].update(enabled=False)
    sim.run_until_idle()
    event_id = put(sim, "OrderPlaced", {"order_id": "o-1", "total": 120, "items": [{"sku": "tea", "qty": 2}]})
    [body] = drain(sim.sqs.get_queue("fulfilment"))
    assert json.loads(body) == {
        "event_id": event_id,
        "order": "o-1",
        "items": [{"sku": "tea", "qty": 2}],
        "placed_at": "2024-01-01T00:00:00Z",
    }


PAGE = '"Order o-2 is worth 780: check it before it ships"'


def test_string_template_reaches_the_topic_with_its_quotes() -> None:
    # A template that is a JSON string renders as that JSON string, quotes included, and SNS
    # publishes the text as given: the tutorial "Use input transformers to transform events in
    # EventBridge" shows the same quoted SNS message.
    _, handlers = replay_blueprint(NAME)
    assert handlers.PAGES == [PAGE]
    assert sorted(handlers.SLIPS) == ["o-1", "o-2"]
    assert handlers.SLIPS["o-2"] == {"items": ["kettle", "tea"], "placed_at": "2024-01-01T00:00:10Z"}


def test_a_string_value_outside_quotes_is_inserted_as_json() -> None:
    # A plain-text template: an unquoted placeholder inserts the value as JSON, so a string keeps
    # its quotes inside the text.
    def plain_text(document: dict[str, Any]) -> None:
        target = document["buses"]["orders"]["rules"]["big-order-alerts"]["targets"][0]
        target["input_transformer"]["template"] = "Order <order> is worth <total>: check it before it ships"

    sim, _, handlers = load_variant(NAME, plain_text)
    put(sim, "OrderPlaced", {"order_id": "o-2", "total": 780, "items": []})
    assert handlers.PAGES == ['Order "o-2" is worth 780: check it before it ships']


def test_input_path_gives_the_function_only_the_detail() -> None:
    sim, _, handlers = load_blueprint(NAME)
    put(sim, "OrderCancelled", {"order_id": "o-1", "total": 120, "payment": "card"})
    [invoked] = records(sim, "lambda.async.succeeded")
    assert handlers.REFUNDS == {"o-1": 120}
    assert invoked.resource.endswith(":function:cancel-order")


def test_events_put_on_the_default_bus_never_reach_the_custom_bus_rules() -> None:
    # Rules belong to one bus: a producer that forgets EventBusName puts to the default bus, where
    # nothing matches, and PutEvents still succeeds.
    sim, _, handlers = load_blueprint(NAME)
    put(sim, "OrderPlaced", {"order_id": "o-3", "total": 60, "items": []}, bus="default")
    sim.advance(60)
    assert handlers.SLIPS == {}
    assert not records(sim, "events.matched")


def test_function_errors_are_retried_by_lambda_not_by_eventbridge() -> None:
    # EventBridge invokes Lambda asynchronously: its delivery succeeds once Lambda has queued the
    # event, so the rule's retry policy never sees the function's error. Lambda retries twice (after
    # 1 and 2 minutes) and, with no dead-letter queue or on-failure destination, drops the event.
    sim, _, handlers = load_blueprint(NAME)
    put(sim, "OrderCancelled", {"order_id": "o-2", "total": 780, "payment": "gift_card"})
    sim.advance(3600)
    assert len(records(sim, "events.target.delivered")) == 1
    assert not records(sim, "events.target.retrying")
    failures = records(sim, "lambda.failed", ":function:cancel-order")
    assert [r.time for r in failures] == [0.0, 60.0, 180.0]
    assert records(sim, "lambda.async.discarded")
    assert handlers.REFUNDS == {}


# ---------------------------------------------------------------------------- archive and replay
def test_replaying_the_archive_to_one_rule_refunds_the_failed_cancellation() -> None:
    # After the fix, replay the archive to the cancellations rule only: the dropped gift-card
    # cancellation is refunded; o-1 (a card) is refunded again, which the refund store absorbs (keyed
    # by order); the other rules' targets (fulfilment, alerts) see nothing.
    sim, _, handlers = load_blueprint(NAME)
    for line in (folder_events := _events()):
        if "after" in line:
            sim.advance(line["after"])
        put(sim, line["DetailType"], line["Detail"], bus=line.get("bus", "default"))
    sim.advance(600)
    assert handlers.REFUNDS == {"o-1": 120}
    sent_before = len(records(sim, "sqs.sent", ":fulfilment"))

    handlers.deploy_fix()
    replay_archive(sim, "refund-gift-cards", rules=["cancellations"])
    assert handlers.REFUNDS == {"o-1": 120, "o-2": 780}
    assert len(records(sim, "sqs.sent", ":fulfilment")) == sent_before
    assert handlers.PAGES == [PAGE]
    assert len(folder_events) == 5


def test_replaying_to_every_rule_repeats_every_target() -> None:
    # A replay without FilterArns sends the archived events to every rule of the bus: fulfilment gets
    # its jobs again and on-call is paged again for an order it already saw.
    sim, _, handlers = load_blueprint(NAME)
    put(sim, "OrderPlaced", {"order_id": "o-2", "total": 780, "items": [{"sku": "kettle", "qty": 1}]})
    sim.advance(600)
    replay_archive(sim, "everything", rules=None)
    assert len(records(sim, "sqs.sent", ":fulfilment")) == 2
    assert handlers.PAGES == [PAGE, PAGE]


def _events() -> list[dict[str, Any]]:
    from blueprints import folder

    return [json.loads(line) for line in (folder(NAME) / "events.jsonl").read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------- property under faults
events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["OrderPlaced", "OrderCancelled"]),
        st.integers(1, 1000),
        st.sampled_from(["card", "gift_card"]),
    ),
    min_size=1,
    max_size=8,
)


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    events=events_strategy,
    plan=fault_mixes(("target_delivery_failure", "sns_delivery_failure", "crash_before", "crash_after", "async_duplicate", "duplicate_delivery", "visibility_expiry"),
        queues=["fulfilment"],
        functions=["cancel-order", "page-oncall", "pack"],
    ),
)
def test_property_every_consumer_gets_its_shape_and_replay_recovers_what_lambda_dropped(
    sim: Simulation, events: list[tuple[str, int, str]], plan: Any
) -> None:
    # Under failed target and SNS deliveries (retried), crashes and duplicate invocations, and
    # duplicate or returning queue messages: every matched event reached each target at least once or
    # was dead-lettered or dropped with a reason (the journal invariants); every placed order got its
    # packing slip (or sits in router-dlq); on-call was paged only for big orders, and a big order it
    # was not paged for was dropped by Lambda after its retries (page-oncall has no DLQ). After the
    # fix and a replay to the cancellations rule (faults over), every cancellation is refunded
    # exactly its total.
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.faults.add(plan)
    placed, cancelled = {}, {}
    for i, (kind, total, payment) in enumerate(events):
        order = f"o-{i}"
        if kind == "OrderPlaced":
            placed[order] = total
            put(sim, kind, {"order_id": order, "total": total, "items": [{"sku": "tea", "qty": total}]})
        else:
            cancelled[order] = total
            put(sim, kind, {"order_id": order, "total": total, "payment": payment})
        sim.advance(5)
    sim.advance(7200)
    assert_invariants(sim, settled=True)

    parked = {json.loads(body)["order"] for body in drain(sim.sqs.get_queue("router-dlq"))}
    assert set(handlers.SLIPS) | parked == set(placed)
    big = {f'"Order {o} is worth {t}: check it before it ships"' for o, t in placed.items() if t >= 500}
    assert set(handlers.PAGES) <= big
    given_up = [r for r in records(sim, "lambda.async.discarded") if r.resource.endswith(":function:page-oncall")]
    assert len(big - set(handlers.PAGES)) <= len(given_up)  # page-oncall has no DLQ: Lambda dropped them
    assert set(handlers.REFUNDS) <= set(cancelled)

    sim.faults.clear()
    handlers.deploy_fix()
    replay_archive(sim, "recover", rules=["cancellations"])
    assert_invariants(sim, settled=True)
    assert cancelled == handlers.REFUNDS
