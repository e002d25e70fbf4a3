"""eventbus.testing.stateful (issue 10): ArchitectureMachine drives a topology under drawn faults and
checks the invariants after every step.

The worked example is a small order pipeline: a queue with a function worker and a dead-letter
queue, and a bus whose rule feeds the same queue. The worker is idempotent (Powertools semantics,
keyed on the SQS message id), so under at-least-once delivery (duplicates, crashes after side
effects, visibility running out during the handler, failed target deliveries:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html,
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html) every message has its effect once. The
same machine with a plain worker is caught double-charging, and the failure shows the seed and the
fault plan.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from eventbus import Simulation
from eventbus.faults import FaultKind
from eventbus.testing.idempotency import idempotency_store, idempotent
from eventbus.testing.invariants import (
    InvariantViolation,
    assert_effects_exactly_once,
    assert_no_message_lost,
)
from eventbus.testing.stateful import ArchitectureMachine

_FAST = settings(
    max_examples=8,
    stateful_step_count=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class OrderPipeline(ArchitectureMachine):
    """The worked example: queue + function worker + DLQ; bus + rule + the same queue."""

    fault_kinds: ClassVar[tuple[FaultKind, ...]] = (
        "duplicate_delivery",
        "crash_after",
        "visibility_expiry",
        "target_delivery_failure",
        "lost_delete",
    )
    max_fault_rate = 0.3
    settle_seconds = 3600.0
    idempotent_worker = True

    def build(self, sim: Simulation) -> None:
        self.effects: list[str] = []  # one entry per side effect: the SQS message id it came from

        def charge(record: dict[str, Any], context: Any) -> None:
            self.effects.append(record["messageId"])

        if self.idempotent_worker:
            charge = idempotent(idempotency_store(sim), event_key_jmespath="messageId")(charge)

        def worker(event: dict[str, Any], context: Any) -> None:
            for record in event["Records"]:
                charge(record, context)

        dlq = sim.sqs.create_queue("orders-dlq")
        orders = sim.sqs.create_queue("orders", visibility_timeout=30, dead_letter=dlq, max_receive_count=3)
        sim.lambda_.event_source_mapping(orders, sim.lambda_.function("worker", worker, timeout=10), batch_size=5)
        shop = sim.events.bus("shop")
        shop.rule("placed", pattern={"source": ["shop"], "detail-type": ["OrderPlaced"]}).target(orders)

    def check(self) -> None:
        assert_effects_exactly_once(self.effects, journal=self.sim, message_id=str)

    def check_settled(self) -> None:
        super().check_settled()
        assert_no_message_lost(self.sim or [], allow_queued=False)  # consumed or dead-lettered, all of them


class NonIdempotentPipeline(OrderPipeline):
    """The same pipeline with a plain worker: duplicates charge twice."""

    fault_kinds: ClassVar[tuple[FaultKind, ...]] = ("duplicate_delivery",)
    max_fault_rate = 1.0
    idempotent_worker = False


TestOrderPipeline = OrderPipeline.TestCase
TestOrderPipeline.settings = settings(_FAST, max_examples=25, stateful_step_count=20)


def test_the_machine_drives_sends_puts_time_and_faults() -> None:
    """One run by hand: the entry points are found, the steps act, the invariants hold."""
    machine = OrderPipeline()
    try:
        machine.sim = Simulation(seed=5)
        machine.build(machine.sim)
        assert machine._entry_points(machine.sim) == (["orders"], ["shop"], [])
        machine.sim.faults.duplicate_delivery(0.5)
        orders = machine.sim.sqs.get_queue("orders")
        for i in range(10):
            orders.send(json.dumps({"order": i}))
            machine.sim.events.bus("shop").put(source="shop", detail_type="OrderPlaced", detail={"order": i})
            machine.advance_a_little(1.0)
            machine.invariants_hold()
        machine.advance_a_lot(60.0)
        assert len(set(machine.effects)) == 20
        assert machine.sim.faults.injected("duplicate_delivery") > 0
    finally:
        machine.teardown()


def test_a_non_idempotent_worker_is_caught_with_its_seed_and_fault_plan() -> None:
    with pytest.raises(InvariantViolation, match=r"effects exactly once: the effect for '.+' happened 2 times") as caught:
        run_state_machine_as_test(
            NonIdempotentPipeline,
            settings=settings(_FAST, max_examples=30, phases=(Phase.explicit, Phase.generate)),
        )
    steps = "\n".join(getattr(caught.value, "__notes__", []))
    assert re.search(r"state\.start\(.*seed=[\d_]+", steps), steps
    assert "eventbus seed " in steps
    assert "Draw 1 (fault plan): FaultPlan(faults=(Fault(kind='duplicate_delivery'" in steps
    assert "life of " in str(caught.value)


def test_a_topology_file_works_in_place_of_build(tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text(
        textwrap.dedent(
            """
            def work(event, context):
                return None
            """
        )
    )
    (tmp_path / "topology.yaml").write_text(
        textwrap.dedent(
            """
            queues:
              jobs: {visibility_timeout: 30, dead_letter: jobs-dlq, max_receive_count: 2}
              jobs-dlq: {}
              ordered.fifo: {content_based_deduplication: true}
            topics:
              news:
                subscriptions:
                  - {queue: jobs, raw: true}
            functions:
              worker: {handler: "handlers:work", sqs: [{queue: jobs, batch_size: 5}, {queue: ordered.fifo, batch_size: 3}]}
            """
        )
    )

    class FromFile(ArchitectureMachine):
        topology = str(tmp_path / "topology.yaml")
        fault_kinds: ClassVar[tuple[FaultKind, ...]] = ("crash_before", "sns_delivery_failure", "visibility_expiry")
        settle_seconds = 3600.0

    machine = FromFile()
    machine.start(seed=1, data=_NoDraws())
    assert machine.sim is not None
    assert (machine._queues, machine._buses, machine._topics) == (["jobs", "ordered.fifo"], [], ["news"])
    machine.teardown()
    run_state_machine_as_test(FromFile, settings=settings(_FAST, max_examples=5))


def test_a_machine_without_a_topology_says_what_to_do() -> None:
    with pytest.raises(NotImplementedError, match="override build"):
        ArchitectureMachine().build(Simulation())


class _NoDraws:
    """Stands in for Hypothesis's data object when a test starts a machine by hand (no fault plan)."""

    def draw(self, strategy: Any, label: str | None = None) -> Any:
        from eventbus.faults import FaultPlan

        return FaultPlan()
