"""eventbus.testing.invariants (issue 10): each invariant catches a deliberately broken handler or
topology, passes on a correct one, reads only the journal, and names the message with its life.

AWS behaviour the broken cases rely on:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html (undeleted messages come back),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-queue-parameters.html (retention),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html (duplicates),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html (group order),
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html (retries, dead letters).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from eventbus import Journal, Simulation
from eventbus.services.sqs import SendEntry
from eventbus.testing.idempotency import idempotency_store, idempotent
from eventbus.testing.invariants import (
    InvariantViolation,
    assert_at_least_once,
    assert_dead_letters_accounted,
    assert_effects_exactly_once,
    assert_fifo_order,
    assert_invariants,
    assert_no_message_lost,
    format_life,
    life,
)


def _orders(sim: Simulation, *, idempotent_worker: bool) -> list[tuple[int, str]]:
    """queue + function worker + DLQ, and bus + rule + the same queue; returns the charges log."""
    charges: list[tuple[int, str]] = []

    def charge(record: dict[str, Any], context: Any) -> None:
        charges.append((json.loads(record["body"])["order"], record["messageId"]))

    if idempotent_worker:
        charge = idempotent(idempotency_store(sim), event_key_jmespath="messageId")(charge)

    def worker(event: dict[str, Any], context: Any) -> None:
        for record in event["Records"]:
            charge(record, context)

    dlq = sim.sqs.create_queue("orders-dlq")
    orders = sim.sqs.create_queue("orders", visibility_timeout=30, dead_letter=dlq, max_receive_count=3)
    sim.lambda_.event_source_mapping(orders, sim.lambda_.function("worker", worker, timeout=10), batch_size=5)
    sim.events.bus("shop").rule("placed", pattern={"detail-type": ["OrderPlaced"]}).target(orders, input_path="$.detail")
    return charges


def _run_orders(sim: Simulation, n: int = 30) -> None:
    bus = sim.events.bus("shop")
    orders = sim.sqs.get_queue("orders")
    for i in range(n):
        if i % 2:
            bus.put(source="shop", detail_type="OrderPlaced", detail={"order": i})
        else:
            orders.send(json.dumps({"order": i}))
        sim.advance(1)
    sim.advance(3600)


# ----------------------------------------------------------------- correct runs
def test_a_correct_architecture_keeps_every_invariant_under_faults() -> None:
    sim = Simulation(seed=31)
    sim.faults.duplicate_delivery(0.3)
    sim.faults.crash_after(0.1)
    sim.faults.visibility_expiry(0.1)
    sim.faults.target_delivery_failure(0.3)
    charges = _orders(sim, idempotent_worker=True)
    _run_orders(sim)
    assert sim.faults.injected() > 5
    assert_invariants(sim, settled=True)
    assert_no_message_lost(sim, allow_queued=False, allow_expired=False)
    assert_at_least_once(sim, allow_pending=False, allow_dropped=False)
    assert_effects_exactly_once(charges, key=lambda c: c[1])
    assert_dead_letters_accounted(sim)


def test_invariants_read_a_dumped_journal_as_well_as_a_live_one(tmp_path: Any) -> None:
    sim = Simulation(seed=32)
    _orders(sim, idempotent_worker=True)
    _run_orders(sim, n=6)
    sim.journal.dump(tmp_path / "journal.jsonl")
    loaded = Journal.load(tmp_path / "journal.jsonl")
    assert_invariants(loaded, settled=True)
    assert_invariants(list(loaded), settled=True)


def test_an_empty_simulation_keeps_every_invariant() -> None:
    assert_invariants(Simulation(), settled=True)


# ------------------------------------------------------------- no message lost
def test_a_handler_that_forgets_to_delete_leaves_messages_queued_then_expired() -> None:
    """The consumer receives but never deletes: messages stay (then expire after the retention period)."""
    sim = Simulation(seed=33)
    queue = sim.sqs.create_queue("jobs", visibility_timeout=10, retention_period=60)
    sent = queue.send("job-1").message_id
    queue.receive(1)  # ... and forgets to delete
    assert_no_message_lost(sim)  # still queued is allowed by default
    with pytest.raises(InvariantViolation, match=f"message {sent} .*is still in jobs: never consumed nor dead-lettered") as stuck:
        assert_no_message_lost(sim, allow_queued=False)
    assert stuck.value.message_id == sent
    assert [r.kind for r in stuck.value.life] == ["sqs.sent", "sqs.received"]
    sim.advance(120)
    assert_no_message_lost(sim)  # expiry is accounted for by default, as the brief lists it
    with pytest.raises(InvariantViolation, match=r"expired \(the retention period of jobs passed\) without being consumed") as expired:
        assert_no_message_lost(sim, allow_expired=False)
    assert [r.kind for r in expired.value.life][-2:] == ["sqs.visibility_expired", "sqs.retention_expired"]


def test_a_queue_deleted_with_messages_inside_loses_them() -> None:
    sim = Simulation(seed=34)
    queue = sim.sqs.create_queue("tmp")
    ids = [queue.send(f"m{i}").message_id for i in range(3)]
    sim.sqs.delete_queue(queue)
    with pytest.raises(InvariantViolation, match="was in tmp when that queue was deleted") as lost:
        assert_no_message_lost(sim)
    assert lost.value.message_id in ids
    assert "and 2 more" in str(lost.value)


def test_consumed_and_dead_lettered_messages_are_not_lost() -> None:
    sim = Simulation(seed=35)
    dlq = sim.sqs.create_queue("dlq")
    queue = sim.sqs.create_queue("q", dead_letter=dlq, max_receive_count=1, visibility_timeout=1)
    queue.send("ok")
    queue.send("poison")
    for message in queue.receive(10):
        if message.body == "ok":
            queue.delete(message.receipt_handle)
    sim.advance(2)
    assert queue.receive(10) == []  # the poison message moved to the DLQ on this receive
    assert dlq.statistics().visible == 1
    assert_no_message_lost(sim, allow_queued=False, allow_expired=False)
    assert_dead_letters_accounted(sim)


# ------------------------------------------------------- effects exactly once
def test_a_non_idempotent_handler_under_duplicate_delivery_charges_twice() -> None:
    sim = Simulation(seed=36)
    sim.faults.duplicate_delivery(0.5)
    charges = _orders(sim, idempotent_worker=False)
    _run_orders(sim, n=10)
    assert_invariants(sim, settled=True)  # the queue kept its promises: at least once
    with pytest.raises(InvariantViolation, match=r"effects exactly once: the effect for '.+' happened 2 times") as twice:
        assert_effects_exactly_once(charges, key=lambda c: c[1], journal=sim, message_id=lambda c: c[1])
    text = str(twice.value)
    assert f"life of {twice.value.message_id}:" in text
    assert "fault.injected" in text
    assert "duplicate_delivery" in text
    assert re.search(r"\+\d+\.\d{3}s\s+2024-01-01 00:00:\d\d\.\d{3}\s+sqs\.sent", text)


def test_the_idempotent_handler_charges_each_message_once_under_the_same_faults() -> None:
    sim = Simulation(seed=36)
    sim.faults.duplicate_delivery(0.5)
    charges = _orders(sim, idempotent_worker=True)
    _run_orders(sim, n=10)
    assert_effects_exactly_once(charges, key=lambda c: c[1], expected=[c[1] for c in charges])


def test_expected_effects_that_never_happened_are_named() -> None:
    assert_effects_exactly_once(["a", "b"], expected=["a", "b"])
    with pytest.raises(InvariantViolation, match="the effect for 'c' never happened"):
        assert_effects_exactly_once(["a", "b"], expected=["a", "c"])
    with pytest.raises(InvariantViolation, match="the effect for 'a' happened 3 times"):
        assert_effects_exactly_once(["a", "a", "a"])


# ------------------------------------------------------------------ FIFO order
def _fifo(sim: Simulation, n: int = 3) -> list[str]:
    queue = sim.sqs.create_queue("orders.fifo", content_based_deduplication=True)
    return [r.message_id for r in queue.send_batch([SendEntry(body=f"m{i}", group_id="g") for i in range(n)]).successful]


def test_a_fifo_consumer_that_skips_a_failed_message_processes_out_of_order() -> None:
    """Broken: the first message fails and is left for a retry, while the later ones are processed."""
    sim = Simulation(seed=37)
    ids = _fifo(sim)
    queue = sim.sqs.get_queue("orders.fifo")
    first, *rest = queue.receive(10)
    queue.change_visibility(first.receipt_handle, 0)  # "retry it later" ...
    for message in rest:
        queue.delete(message.receipt_handle)  # ... and carry on with the next ones
    with pytest.raises(InvariantViolation, match=f"message {ids[1]} of group g in orders.fifo was processed .* before {ids[0]}") as broken:
        assert_fifo_order(sim)
    text = str(broken.value)
    assert f"life of {ids[1]}:" in text
    assert f"life of {ids[0]}:" in text


def test_a_correct_fifo_consumer_keeps_order_even_when_it_retries() -> None:
    sim = Simulation(seed=37)
    _fifo(sim)
    queue = sim.sqs.get_queue("orders.fifo")
    queue.receive(10)  # fails them all: they come back after the visibility timeout, in order
    sim.advance(31)
    for message in queue.receive(10):
        queue.delete(message.receipt_handle)
    assert_fifo_order(sim)


def test_a_handler_log_out_of_order_is_caught() -> None:
    sim = Simulation(seed=38)
    ids = _fifo(sim)
    assert_fifo_order(sim, processed=[ids[0], ids[1], ids[0], ids[2]])  # a retry repeats one
    with pytest.raises(InvariantViolation, match=f"message {ids[1]} .* was first processed after {ids[2]}"):
        assert_fifo_order(sim, processed=[{"id": i} for i in (ids[0], ids[2], ids[1])], message_id=lambda item: item["id"])


def test_a_fifo_worker_behind_lambda_keeps_order_under_visibility_expiry() -> None:
    sim = Simulation(seed=39)
    sim.faults.visibility_expiry(0.5)
    ids = _fifo(sim, n=10)
    handled: list[str] = []

    def worker(event: dict[str, Any], context: Any) -> None:
        handled.extend(record["messageId"] for record in event["Records"])

    sim.lambda_.event_source_mapping(sim.sqs.get_queue("orders.fifo"), sim.lambda_.function("w", worker), batch_size=2)
    sim.advance(300)
    assert sim.faults.injected("visibility_expiry")
    assert set(handled) == set(ids)
    assert_fifo_order(sim, processed=handled)
    assert_invariants(sim, settled=True)


# ----------------------------------------------------------- at-least-once
def test_a_target_that_always_fails_without_a_dlq_is_dropped_with_a_reason() -> None:
    sim = Simulation(seed=40)

    def broken(event: Any) -> None:
        raise RuntimeError("downstream is down")

    bus = sim.events.bus("shop")
    bus.rule("all", pattern={"source": ["shop"]}).target(broken, max_retries=2)
    event_id = bus.put(source="shop", detail_type="x", detail={})
    sim.run_until_idle()
    with pytest.raises(InvariantViolation, match=rf"event {event_id} to target \S*broken of rule all is still pending \(attempt 1 failed: downstream is down\)"):
        assert_at_least_once(sim, allow_pending=False)
    sim.advance(3600)
    assert_at_least_once(sim, allow_pending=False)  # dropped with a reason: allowed by default
    with pytest.raises(InvariantViolation, match=rf"event {event_id} .* was dropped \(MaximumRetryAttempts\)") as dropped:
        assert_at_least_once(sim, allow_dropped=False)
    assert [r.kind for r in dropped.value.life].count("events.target.retrying") == 2


def test_async_invocations_are_followed_to_their_end() -> None:
    sim = Simulation(seed=41)
    fn = sim.lambda_.function("f", lambda event, context: None)
    request = fn.invoke_event({})
    with pytest.raises(InvariantViolation, match=f"asynchronous invocation {request} of f is still pending"):
        assert_at_least_once(sim, allow_pending=False)
    sim.advance(1)
    assert_at_least_once(sim, allow_pending=False, allow_dropped=False)


def test_a_discarded_async_event_counts_as_dead_lettered_only_when_its_dlq_got_it() -> None:
    """Lambda discards an event after its retries; with a DLQ it is dead-lettered, without it is dropped."""
    sim = Simulation(seed=43)
    dlq = sim.sqs.create_queue("fn-dlq")

    def broken(event: Any, context: Any) -> None:
        raise RuntimeError("nope")

    with_dlq = sim.lambda_.function("with-dlq", broken, dead_letter=dlq.arn)
    without = sim.lambda_.function("without", broken)
    for function in (with_dlq, without):
        function.set_event_invoke_config(max_retries=0)
    kept = with_dlq.invoke_event({})
    lost = without.invoke_event({})
    sim.advance(10)
    assert dlq.statistics().sent == 1
    with pytest.raises(InvariantViolation, match=f"asynchronous invocation {lost} of without was dropped \\(RetriesExhausted\\)") as dropped:
        assert_at_least_once(sim, allow_dropped=False)
    assert kept not in str(dropped.value)
    assert_dead_letters_accounted(sim)


# -------------------------------------------------------- dead-letter accounting
def test_a_dead_letter_queue_that_is_gone_loses_the_letters() -> None:
    """Broken topology: the target's DLQ was deleted; the failed event cannot be dead-lettered."""
    sim = Simulation(seed=42)
    dlq = sim.sqs.create_queue("events-dlq")

    def broken(event: Any) -> None:
        raise RuntimeError("nope")

    bus = sim.events.bus("shop")
    bus.rule("all", pattern={"source": ["shop"]}).target(broken, max_retries=0, dead_letter=dlq)
    kept = bus.put(source="shop", detail_type="x", detail={})
    sim.run_until_idle()
    assert_dead_letters_accounted(sim)
    [letter] = [r for r in sim.journal.select("sqs.sent") if r.resource == dlq.arn]
    assert any(r.kind == "events.dead_lettered" for r in life(sim, kept))
    sim.sqs.delete_queue(dlq)
    lost = bus.put(source="shop", detail_type="x", detail={})
    sim.run_until_idle()
    with pytest.raises(InvariantViolation, match=f"{lost} should have been dead-lettered, but the dead-letter queue refused it: Resource {dlq.arn} does not exist"):
        assert_dead_letters_accounted(sim)
    assert re.search(r"sqs\.sent\s+events-dlq\s+bytes=", format_life(sim, letter.id))
    with pytest.raises(InvariantViolation, match=f"message {letter.id} .*was in events-dlq when that queue was deleted"):
        assert_no_message_lost(sim)  # and the letter it held went with it


def test_format_life_names_a_message_no_record_mentions() -> None:
    assert "no journal record names 'nope'" in format_life(Simulation(), "nope")
