"""patterns/fifo-ordering: per-customer ordering through a FIFO topic and FIFO queues; a poisoned
message group.

Pages: "Message ordering for FIFO topics" (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-ordering.html),
"Message deduplication for FIFO topics" (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html),
"Amazon SQS FIFO queue key terms" and message groups
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html),
"Handling errors for an SQS event source in Lambda" (FIFO and batchItemFailures:
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
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
    ordered_unique,
    records,
    replay_blueprint,
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.testing.invariants import assert_invariants

NAME = "fifo-ordering"
EVENTS = "patterns/fifo-ordering/events.jsonl"


def publish(sim: Simulation, customer: str, seq: int, kind: str = "order_created", **extra: Any) -> None:
    event = {"customer": customer, "seq": seq, "type": kind, "order_id": f"o-{customer}", **extra}
    sim.sns.topic("orders.fifo").publish(json.dumps(event), group_id=customer)


def fulfilment_message(result: Any, line: int) -> str:
    """The id of the fulfilment.fifo message an input line's publish put there."""
    sim = result.sim
    [published] = [r for r in records(sim, "replay.input") if r.detail["line"] == line]
    sent = [r for r in sim.journal if r.kind == "sqs.sent" and r.resource.endswith(":fulfilment.fifo")]
    index = [r.id for r in records(sim, "sns.published")].index(published.id)
    return str(sent[index].id)


def mapping_enabled(sim: Simulation, function: str, enabled: bool) -> None:
    for mapping in sim.lambda_.list_event_source_mappings(function=function):
        mapping.update(enabled=enabled)
    sim.run_until_idle()


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert lines_with(run.out, "sent", "to queue fulfilment.fifo (group c-2")
    assert lines_with(run.out, "partial", "the function reported 2 failed messages")
    assert lines_with(run.out, "dead-lettered", "moved to queue fulfilment-dlq.fifo after 3 receives")
    assert lines_with(run.out, "deduplicated", "FIFO publish ignored: deduplication id")
    assert "line 8  +00:00:35.000  Publish to topic orders.fifo  (a duplicate of line 6's message)" in run.out
    assert "summary: 8 input lines: 8 accepted, 0 failed, 0 skipped; 1 dead-lettered, 0 dropped, 0 handler errors" in run.out


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


# ---------------------------------------------------------------------------- ordering and the poisoned group
def test_each_customers_events_are_applied_in_order() -> None:
    _, handlers = replay_blueprint(NAME)
    assert handlers.APPLIED["c-1"] == [1, 2, 3]
    assert handlers.APPLIED["c-3"] == [1]
    assert handlers.ORDERS["o-1"] == {"state": "shipped", "paid": 3000}


def test_a_poisoned_group_blocks_only_its_customer() -> None:
    # c-2's payment (line 4) fails on every receive. Its shipment (line 5) waits behind it until the
    # queue dead-letters it after three receives; c-1's shipment and c-3's order, published at the
    # same moments, are processed at once.
    result, _ = replay_blueprint(NAME)
    sim = result.sim

    def processed_at(line: int) -> float:
        message = fulfilment_message(result, line)
        [deleted] = [r for r in records(sim, "sqs.deleted", ":fulfilment.fifo") if r.id == message]
        return float(deleted.time)

    [dead] = records(sim, "sqs.dead_lettered", ":fulfilment.fifo")
    assert dead.id == fulfilment_message(result, 4)
    assert (processed_at(6), processed_at(7)) == (10.0, 15.0)
    assert processed_at(5) == dead.time == 95.0


def test_after_the_poison_is_dead_lettered_the_group_goes_on_without_it() -> None:
    # FIFO order is per message: once the payment is in the DLQ, c-2's shipment is applied, and the
    # order ships unpaid. A consumer for which a gap matters must notice it (the sequence number
    # jumps from 1 to 3) and decide: stop the customer, or alert.
    result, handlers = replay_blueprint(NAME)
    assert handlers.APPLIED["c-2"] == [1, 3]
    assert handlers.ORDERS["o-2"] == {"state": "shipped", "paid": 0}
    [body] = drain(result.sim.sqs.get_queue("fulfilment-dlq.fifo"))
    assert json.loads(body)["seq"] == 2


def test_events_queued_behind_a_poison_use_up_their_receives() -> None:
    # The shipment was received (and handed back) with the poison each time: its third receive, the
    # one that finally processed it, was its last before the DLQ (maxReceiveCount 3).
    result, _ = replay_blueprint(NAME)
    message = fulfilment_message(result, 5)
    counts = [r.detail["count"] for r in records(result.sim, "sqs.received", ":fulfilment.fifo") if r.id == message]
    assert counts == [1, 2, 3]


def test_a_separate_queue_is_not_blocked() -> None:
    # The audit queue has its own copy of every event: c-2's events flow there at once, in order.
    result, handlers = replay_blueprint(NAME)
    assert handlers.AUDIT == {"c-1": [1, 2, 3], "c-2": [1, 2, 3], "c-3": [1]}
    assert max(r.time for r in records(result.sim, "sqs.deleted", ":audit.fifo")) == 15.0


def test_the_fifo_topic_drops_a_duplicate_publish() -> None:
    # Line 8 publishes line 6's message again within 5 minutes; with content-based deduplication the
    # topic accepts the publish and delivers nothing.
    result, handlers = replay_blueprint(NAME)
    assert len(records(result.sim, "sqs.sent", ":audit.fifo")) == 7
    assert handlers.AUDIT["c-1"] == [1, 2, 3]


def test_a_consumer_that_keeps_going_after_a_failure_loses_an_event() -> None:
    # c-2's payment times out once (a transient error) in a batch with the shipment after it.
    # fulfil stops the group at the failure: the payment is retried, then the shipment: in order.
    # fulfil_keep_going applies the shipment in the same batch; when the payment comes back its
    # sequence number is below the last applied one, so it is skipped as a copy: lost, with nothing
    # in the DLQ.
    def keep_going(document: dict[str, Any]) -> None:
        document["functions"]["fulfil"]["handler"] = "handlers:fulfil_keep_going"

    for variant, applied, paid in ((None, [1, 2, 3], 3000), (keep_going, [1, 3], 0)):
        sim, _, handlers = load_blueprint(NAME) if variant is None else load_variant(NAME, variant)
        mapping_enabled(sim, "fulfil", False)
        publish(sim, "c-2", 1)
        publish(sim, "c-2", 2, "order_paid", amount=3000, flaky=True)
        publish(sim, "c-2", 3, "order_shipped")
        mapping_enabled(sim, "fulfil", True)
        sim.advance(300)
        assert handlers.APPLIED["c-2"] == applied
        assert handlers.ORDERS["o-c-2"]["paid"] == paid
        assert drain(sim.sqs.get_queue("fulfilment-dlq.fifo")) == []


def test_a_standard_queue_on_the_fifo_topic_gets_no_order() -> None:
    # A FIFO topic also delivers to standard queues, which keep no order (best effort; the
    # simulation's reorder fault does what they may do).
    sim, _, _ = load_blueprint(NAME)
    standard = sim.sqs.create_queue("analytics")
    sim.sns.topic("orders.fifo").subscribe(standard, raw=True)
    sim.faults.reorder(1.0, resource="analytics")
    for seq in (1, 2, 3, 4):
        publish(sim, "c-1", seq)
    sim.run_until_idle()
    received = []
    for _ in range(4):
        [message] = standard.receive()
        received.append(json.loads(message.body)["seq"])
        standard.delete(message.receipt_handle)
    assert sorted(received) == [1, 2, 3, 4]
    assert received != [1, 2, 3, 4]


# ---------------------------------------------------------------------------- property under faults
customer_events = st.lists(
    st.tuples(st.sampled_from(["c-1", "c-2", "c-3"]), st.sampled_from(["ok", "ok", "flaky", "poison"])),
    min_size=1,
    max_size=10,
)


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    events=customer_events,
    plan=fault_mixes(
        ("crash_before", "crash_after", "visibility_expiry", "sns_delivery_failure"),
        queues=["fulfilment.fifo", "audit.fifo"],
        functions=["fulfil", "audit"],
    ),
)
def test_property_each_customer_is_applied_in_order_and_only_dead_letters_leave_gaps(
    sim: Simulation, events: list[tuple[str, str]], plan: Any
) -> None:
    # Interleaved customers, transient failures and poison pills, under crashes before and after
    # the handler, visibility running out while it runs, and failed SNS deliveries (retried): the
    # journal shows every FIFO queue's messages received and processed in publish order per group;
    # each customer's events are applied in order, each once; an event that was not applied is in
    # the DLQ (the only way to leave a gap), and every poison is there; the audit saw every event of
    # each customer in order. (An event can be applied *and* dead-lettered: a crash after the handler
    # ran, three times. The DLQ is not a list of events that were not processed.)
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.faults.add(plan)
    seqs: dict[str, list[tuple[int, str]]] = {}
    for customer, kind in events:
        seq = len(seqs.setdefault(customer, [])) + 1
        seqs[customer].append((seq, kind))
        extra: dict[str, Any] = {"amount": "x" if kind == "poison" else 100}
        if kind == "flaky":
            extra["flaky"] = True
        publish(sim, customer, seq, "order_paid", **extra)
        sim.advance(1)
    sim.advance(3600)
    assert_invariants(sim, settled=True)

    dead = {(b["customer"], b["seq"]) for b in map(json.loads, drain(sim.sqs.get_queue("fulfilment-dlq.fifo")))}
    for customer, sent in seqs.items():
        applied = handlers.APPLIED.get(customer, [])
        assert applied == sorted(applied), customer
        assert len(set(applied)) == len(applied), customer
        assert all((customer, seq) in dead for seq, _ in sent if seq not in applied), customer
        assert all(seq not in applied and (customer, seq) in dead for seq, kind in sent if kind == "poison"), customer
        assert ordered_unique(handlers.AUDIT.get(customer, [])) == [seq for seq, _ in sent], customer
