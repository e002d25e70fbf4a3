"""patterns/idempotent-consumer: duplicate deliveries and the idempotency utility.

Pages: "Amazon SQS at-least-once delivery"
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html),
"Making retries safe with idempotent APIs" (Lambda: https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html),
Powertools for AWS Lambda (Python), Idempotency
(https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from blueprints import (
    PROPERTY,
    assert_equivalent_files,
    drain,
    eventbus,
    fault_mixes,
    folder,
    lines_with,
    load_blueprint,
    load_variant,
    records,
    replay_blueprint,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from eventbus import Simulation
from eventbus.faults import FaultKind
from eventbus.testing.invariants import InvariantViolation, assert_effects_exactly_once, assert_invariants
from eventbus.testing.stateful import ArchitectureMachine
from eventbus.topology import load

NAME = "idempotent-consumer"
EVENTS = "patterns/idempotent-consumer/events.jsonl"
REPLAYED = [("p-1", 100), ("p-2", 250), ("p-3", 75)]


def send(sim: Simulation, payment_id: str, amount: int = 10) -> str:
    body = json.dumps({"payment_id": payment_id, "amount": amount, "email": f"{payment_id}@example.com"})
    return sim.sqs.get_queue("payments").send(body).message_id


def with_handler(handler: str) -> Any:
    def edit(document: dict[str, Any]) -> None:
        document["functions"]["pay"]["handler"] = f"handlers:{handler}"

    return edit


def replay_with(handler: str) -> Any:
    """The replay's inputs, sent as eventbus replay sends them, to a variant of the consumer."""
    sim, _, handlers = load_variant(NAME, with_handler(handler))
    for line in (json.loads(x) for x in (folder(NAME) / "events.jsonl").read_text(encoding="utf-8").splitlines()):
        sim.advance(line.get("after", 0))
        sim.sqs.get_queue("payments").send(json.dumps(line["body"], separators=(",", ":")))
        sim.run_until_idle()
    sim.advance(600)
    return sim, handlers


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert len(lines_with(run.out, "returned", "function pay returned")) == 5
    assert lines_with(run.out, "partial", "the function reported 1 failed message")
    assert lines_with(run.out, "received", "(receive #2: a redelivery)")
    assert "3 x idempotency.in_progress on simulation" in run.out
    assert "summary: 4 input lines: 4 accepted, 0 failed, 0 skipped; 0 dead-lettered, 0 dropped, 0 handler errors" in run.out


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


# ---------------------------------------------------------------------------- what the utility does
def test_a_payment_sent_twice_is_charged_once() -> None:
    # Line 3 repeats line 2 (a producer retry); line 4's receipt fails once, so its message comes
    # back. Each payment is charged once: the second arrival finds the COMPLETED record and gets the
    # saved response without charging.
    result, handlers = replay_blueprint(NAME)
    assert handlers.LEDGER == REPLAYED
    assert sorted(handlers.RECEIPTS) == ["p-1", "p-2", "p-3"]
    returned_stored = records(result.sim, "idempotency.returned_stored")
    assert [r.time for r in returned_stored] == [12.0, 52.0]


def test_without_idempotency_every_copy_charges() -> None:
    _, handlers = replay_with("pay_without_idempotency")
    assert handlers.LEDGER == [("p-1", 100), ("p-2", 250), ("p-2", 250), ("p-3", 75), ("p-3", 75)]


def test_a_receipt_inside_the_idempotent_function_charges_again_on_retry() -> None:
    # Powertools deletes the record when the decorated function raises, so that the event can be
    # retried; the charge it made before the receipt failed is not undone.
    _, handlers = replay_with("pay_receipt_inside")
    assert handlers.LEDGER == [("p-1", 100), ("p-2", 250), ("p-3", 75), ("p-3", 75)]


def test_keying_on_the_message_id_misses_the_producers_retry() -> None:
    # The producer's second send of p-2 is a new message with a new id: charged again. (The retried
    # p-3 keeps its message id and is charged once.)
    _, handlers = replay_with("pay_keyed_by_message_id")
    assert handlers.LEDGER == [("p-1", 100), ("p-2", 250), ("p-2", 250), ("p-3", 75)]


def test_idempotency_records_expire() -> None:
    # expires_after_seconds=86400: a duplicate within a day is answered from the record; one that
    # arrives after it expired (a late redrive, a producer resending the next day) charges again.
    sim, _, handlers = load_blueprint(NAME)
    send(sim, "p-1")
    sim.advance(23 * 3600)
    send(sim, "p-1")
    sim.advance(2 * 3600)
    send(sim, "p-1")
    sim.advance(60)
    assert handlers.LEDGER == [("p-1", 10), ("p-1", 10)]


def test_a_duplicate_sqs_delivery_is_charged_once() -> None:
    # The queue itself delivers a message twice (the duplicate_delivery fault: what standard queues may do).
    sim, _, handlers = load_blueprint(NAME)
    sim.faults.duplicate_delivery(nth=1, resource="payments")
    message_id = send(sim, "p-1")
    sim.advance(600)
    batches = [r for r in records(sim, "lambda.esm.batch") if message_id in r.detail["messages"]]
    assert len(batches) == 2
    assert handlers.LEDGER == [("p-1", 10)]


# ---------------------------------------------------------------------------- property under duplicate delivery
payments_strategy = st.lists(st.integers(0, 5), min_size=1, max_size=10)  # payment numbers; repeats = producer retries
CONSUMER_FAULTS: tuple[FaultKind, ...] = ("duplicate_delivery", "lost_delete", "empty_receive", "visibility_expiry", "crash_before", "crash_after")


def run_payments(sim: Simulation, handler: str, payments: list[int]) -> Any:
    sim, _, handlers = load_variant(NAME, with_handler(handler), sim)
    for number in payments:
        send(sim, f"p-{number}", amount=10 * (number + 1))
        sim.run_until_idle()
    sim.advance(3600)
    return sim, handlers


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    payments=payments_strategy,
    plan=fault_mixes(CONSUMER_FAULTS, queues=["payments"], functions=["pay"], rates=(0.1, 0.2, 0.3)),
)
def test_property_each_payment_is_charged_exactly_once_under_duplicate_delivery(sim: Simulation, payments: list[int], plan: Any) -> None:
    # SQS duplicates, lost deletes, visibility running out while the handler runs, crashes before
    # and after the handler, producer retries: each payment is charged exactly once with its
    # amount, or never charged and its messages are in the DLQ; every charged payment got its receipt.
    sim.faults.add(plan)
    sim, handlers = run_payments(sim, "pay", payments)
    assert_invariants(sim, settled=True)
    dead = {json.loads(body)["payment_id"] for body in drain(sim.sqs.get_queue("payments-dlq"))}
    charged = [payment for payment, _ in handlers.LEDGER]
    assert_effects_exactly_once(charged, expected=sorted({f"p-{n}" for n in payments} - dead))
    assert all(amount == 10 * (int(p[2:]) + 1) for p, amount in handlers.LEDGER)
    assert set(handlers.RECEIPTS) | dead >= set(charged)


def test_the_property_catches_the_consumer_without_idempotency() -> None:
    # The same property, the consumer without @idempotent, duplicates at 30%: among the first seeds
    # one double-charges, and the failure names the payment and shows its message's life.
    def charges(seed: int) -> list[str]:
        sim = Simulation(seed=seed)
        sim.faults.duplicate_delivery(0.3, resource="payments")
        _, handlers = run_payments(sim, "pay_without_idempotency", [0, 1, 2, 3])
        return [p for p, _ in handlers.LEDGER]

    seed = next(seed for seed in range(20) if len(charges(seed)) > 4)
    with pytest.raises(InvariantViolation, match="happened 2 times"):
        assert_effects_exactly_once(charges(seed), expected=["p-0", "p-1", "p-2", "p-3"])


# ---------------------------------------------------------------------------- stateful: ArchitectureMachine
class PaymentsMachine(ArchitectureMachine):
    """The blueprint's topology.yaml driven step by step (sends of payments, some repeated, and
    advances of time) under a drawn fault plan: the journal invariants after every step, and the
    ledger's: never a payment charged twice; once settled, every payment sent charged once or its
    messages dead-lettered."""

    fault_kinds: ClassVar[tuple[FaultKind, ...]] = ("duplicate_delivery", "lost_delete", "visibility_expiry", "crash_after")
    max_fault_rate = 0.3
    settle_seconds = 3600.0
    queues: ClassVar[tuple[str, ...]] = ("payments",)

    def build(self, sim: Simulation) -> None:
        self.handlers = load(folder(NAME) / "topology.yaml", sim).modules["handlers"]
        self.sent: set[str] = set()

    def message_strategy(self, queue: str, fifo: bool) -> st.SearchStrategy[dict[str, Any]]:
        return st.integers(0, 4).map(self._payment)

    def _payment(self, number: int) -> dict[str, Any]:
        self.sent.add(f"p-{number}")
        return {"MessageBody": json.dumps({"payment_id": f"p-{number}", "amount": 10, "email": "e@example.com"})}

    def check(self) -> None:
        charged = [payment for payment, _ in self.handlers.LEDGER]
        assert len(charged) == len(set(charged)), charged

    def check_settled(self) -> None:
        super().check_settled()
        assert self.sim is not None
        dead = {json.loads(body)["payment_id"] for body in drain(self.sim.sqs.get_queue("payments-dlq"))}
        assert_effects_exactly_once([p for p, _ in self.handlers.LEDGER], expected=sorted(self.sent - dead))


TestPaymentsMachine = PaymentsMachine.TestCase
TestPaymentsMachine.settings = settings(
    max_examples=10,
    stateful_step_count=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class PlainPaymentsMachine(PaymentsMachine):
    """The same machine over the consumer without @idempotent."""

    def build(self, sim: Simulation) -> None:
        self.handlers = load_variant(NAME, with_handler("pay_without_idempotency"), sim)[2]
        self.sent = set()


def test_the_machine_catches_the_consumer_without_idempotency() -> None:
    # Found without shrinking (kept fast): a payment charged twice, after a duplicate or a crash.
    quick = settings(TestPaymentsMachine.settings, phases=[Phase.generate], report_multiple_bugs=False)
    with pytest.raises(AssertionError, match="p-"):
        run_state_machine_as_test(PlainPaymentsMachine, settings=quick)
