"""patterns/queue-worker: SQS -> function -> a store, with a DLQ, partial batch failures and redrive.

Pages: "Handling errors for an SQS event source in Lambda" and "Implementing partial batch
responses" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html), "Using
dead-letter queues in Amazon SQS" and redrive
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html),
"Configuring a queue to use with Lambda" (visibility timeout versus function timeout,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
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
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.faults import FaultKind
from eventbus.testing.invariants import assert_invariants
from eventbus.topology import TopologyError

NAME = "queue-worker"
EVENTS = "patterns/queue-worker/events.jsonl"


def order(order_id: str, *, currency: str = "USD", qty: Any = 1, unit_cents: int = 500) -> str:
    body: dict[str, Any] = {"order_id": order_id, "items": [{"sku": "tea", "qty": qty, "unit_cents": unit_cents}]}
    if currency != "USD":
        body["currency"] = currency
    return json.dumps(body)


def send_together(sim: Simulation, bodies: list[str]) -> dict[str, str]:
    """Send ``bodies`` with a 5 s delay, so that they become visible together and one poller takes
    them in one batch; returns message id -> order id."""
    queue = sim.sqs.get_queue("orders")
    ids = {}
    for body in bodies:
        ids[queue.send(body, delay_seconds=5).message_id] = json.loads(body)["order_id"]
    return ids


def dlq_orders(sim: Simulation) -> list[str]:
    return sorted(json.loads(body)["order_id"] for body in drain(sim.sqs.get_queue("orders-dlq")))


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert "topology patterns/queue-worker/topology.yaml (eventbus)" in run.out
    assert lines_with(run.out, "batch", "function save-orders gets a batch of 4 messages")
    assert len(lines_with(run.out, "partial", "the function reported 1 failed message")) == 6
    assert len(lines_with(run.out, "dead-lettered", "moved to queue orders-dlq after 3 receives")) == 2
    assert "summary: 6 input lines: 6 accepted, 0 failed, 0 skipped; 2 dead-lettered, 0 dropped, 0 handler errors" in run.out


def test_replay_fails_ci_on_dead_letters() -> None:
    run = eventbus("replay", EVENTS, "--fail-on", "dlq", "--quiet")
    assert run.code == 1, run


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


# ---------------------------------------------------------------------------- partial batch responses
def test_partial_batch_response_deletes_the_good_messages_of_the_batch() -> None:
    # ReportBatchItemFailures: "Lambda retries only the failed messages", the rest are deleted.
    sim, _, handlers = load_blueprint(NAME)
    ids = send_together(sim, [order("o-1"), order("o-2"), order("o-3", currency="EUR"), order("o-4")])
    sim.advance(600)
    [batch] = [r for r in records(sim, "lambda.esm.batch") if len(r.detail["messages"]) == 4]
    assert set(batch.detail["messages"]) == set(ids)
    assert sorted(handlers.STORE) == ["o-1", "o-2", "o-4"]
    assert sorted(order_id for order_id, _ in handlers.WRITES) == ["o-1", "o-2", "o-4"]  # each written once
    assert dlq_orders(sim) == ["o-3"]


def test_without_partial_batch_responses_good_orders_share_the_bad_ones_fate() -> None:
    # Without ReportBatchItemFailures an exception fails the whole batch: every message of it comes
    # back after the visibility timeout, the good ones are processed again, and after maxReceiveCount
    # receives they all go to the dead-letter queue, good orders included.
    def all_or_nothing(document: dict[str, Any]) -> None:
        function = document["functions"]["save-orders"]
        function["handler"] = "handlers:save_orders_all_or_nothing"
        function["sqs"]["report_batch_item_failures"] = False

    sim, _, handlers = load_variant(NAME, all_or_nothing)
    ids = send_together(sim, [order("o-1"), order("o-2"), order("o-3", currency="EUR"), order("o-4")])
    sim.advance(600)
    assert dlq_orders(sim) == ["o-1", "o-2", "o-3", "o-4"]
    batches = [[ids[m] for m in batch.detail["messages"]] for batch in records(sim, "lambda.esm.batch")]
    assert len(batches) == 3
    assert all(sorted(b) == ["o-1", "o-2", "o-3", "o-4"] for b in batches)
    # Each receive, the orders before the bad one (best-effort order) are saved again, then it raises.
    assert [o for o, _ in handlers.WRITES] == [o for b in batches for o in b[: b.index("o-3")]]
    assert max([o for o, _ in handlers.WRITES].count(o) for o in ("o-1", "o-2", "o-4")) >= 2


def test_reported_failures_without_function_response_types_are_deleted() -> None:
    # A handler that returns batchItemFailures on a mapping without ReportBatchItemFailures: Lambda
    # ignores the response, the invocation succeeded, so the whole batch is deleted: the failed order
    # is lost without a trace in the dead-letter queue.
    def no_response_types(document: dict[str, Any]) -> None:
        document["functions"]["save-orders"]["sqs"]["report_batch_item_failures"] = False

    sim, _, handlers = load_variant(NAME, no_response_types)
    ids = send_together(sim, [order("o-1"), order("o-3", currency="EUR")])
    sim.advance(600)
    assert sorted(handlers.STORE) == ["o-1"]
    assert dlq_orders(sim) == []
    deleted = {r.id for r in records(sim, "sqs.deleted", ":orders")}
    assert deleted == set(ids)  # o-3 deleted as if processed


def test_a_duplicate_delivery_writes_twice_but_the_upsert_keeps_one_row() -> None:
    # Standard queues deliver at least once: the same message can reach the function twice.
    sim, _, handlers = load_blueprint(NAME)
    sim.faults.duplicate_delivery(nth=1, resource="orders")
    [message_id] = send_together(sim, [order("o-1", qty=3)])
    sim.advance(600)
    writes = handlers.WRITES
    assert writes == [("o-1", message_id), ("o-1", message_id)]
    assert handlers.STORE == {"o-1": {"order_id": "o-1", "currency": "USD", "total_cents": 1500}}


def test_visibility_timeout_shorter_than_the_function_timeout_is_refused() -> None:
    # Lambda refuses the mapping: a batch would become visible again while still being processed.
    def short_visibility(document: dict[str, Any]) -> None:
        document["queues"]["orders"]["visibility_timeout"] = 5

    with pytest.raises(TopologyError, match="Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds"):
        load_variant(NAME, short_visibility)


# ---------------------------------------------------------------------------- redrive
def test_redrive_after_the_fix_saves_the_orders_and_the_still_bad_one_returns() -> None:
    sim, _, handlers = load_blueprint(NAME)
    send_together(sim, [order("o-1"), order("o-3", currency="EUR"), order("o-5", qty="two")])
    sim.advance(600)
    assert sorted(handlers.STORE) == ["o-1"]
    assert sim.sqs.get_queue("orders-dlq").statistics().visible == 2

    handlers.deploy_fix()
    sim.sqs.start_message_move_task("orders-dlq")  # back to the source queue (DeadLetterQueueSourceArn)
    sim.advance(600)
    assert sorted(handlers.STORE) == ["o-1", "o-3"]
    assert handlers.STORE["o-3"] == {"order_id": "o-3", "currency": "EUR", "total_cents": 500}
    [moved] = [r for r in records(sim, "sqs.move_task_completed")]
    assert moved.detail == {"moved": 2}
    # o-5 cannot be fixed by a deployment: it had three fresh receives and is back in the DLQ.
    assert dlq_orders(sim) == ["o-5"]


def test_redrive_before_the_fix_only_dead_letters_them_again() -> None:
    sim, _, handlers = load_blueprint(NAME)
    send_together(sim, [order("o-3", currency="EUR")])
    sim.advance(600)
    sim.sqs.start_message_move_task("orders-dlq")
    sim.advance(600)
    assert handlers.STORE == {}
    assert len(records(sim, "sqs.dead_lettered", ":orders")) == 2  # the same message, twice
    assert dlq_orders(sim) == ["o-3"]


# ---------------------------------------------------------------------------- property under faults
orders_strategy = st.lists(st.sampled_from(["ok", "eur", "bad"]), min_size=1, max_size=8)
QUEUE_FAULTS: tuple[FaultKind, ...] = ("duplicate_delivery", "empty_receive", "lost_delete", "visibility_expiry", "crash_before", "crash_after")


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    kinds=orders_strategy,
    plan=fault_mixes(QUEUE_FAULTS, queues=["orders"], functions=["save-orders"]),
)
def test_property_every_order_is_saved_or_dead_lettered_and_redrive_recovers(
    sim: Simulation, kinds: list[str], plan: Any
) -> None:
    # Under what AWS may do (duplicates, lost deletes, empty polls, visibility running out while the
    # handler runs, crashes before or after the handler), nothing is lost: each valid order is saved
    # or dead-lettered, each bad one dead-lettered and never saved. After the fix and a redrive
    # (faults over), every valid order is saved with its total, and only the bad ones remain.
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.faults.add(plan)
    bodies = {
        f"o-{i}": order(f"o-{i}", currency="EUR" if kind == "eur" else "USD", qty="two" if kind == "bad" else i + 1)
        for i, kind in enumerate(kinds)
    }
    ids = send_together(sim, list(bodies.values()))
    sim.advance(3600)
    assert_invariants(sim, settled=True)
    dead = {ids[r.id] for r in records(sim, "sqs.dead_lettered", ":orders")}
    for i, kind in enumerate(kinds):
        order_id = f"o-{i}"
        if kind == "ok":
            assert order_id in handlers.STORE or order_id in dead, order_id
        else:
            assert order_id in dead, order_id
            assert order_id not in handlers.STORE, order_id

    handlers.deploy_fix()
    sim.faults.clear()
    sim.sqs.start_message_move_task("orders-dlq")
    sim.advance(3600)
    assert_invariants(sim, settled=True)
    valid = {f"o-{i}": i + 1 for i, kind in enumerate(kinds) if kind != "bad"}
    assert {k: row["total_cents"] for k, row in handlers.STORE.items()} == {k: qty * 500 for k, qty in valid.items()}
    assert set(dlq_orders(sim)) == {f"o-{i}" for i, kind in enumerate(kinds) if kind == "bad"}
