"""eventbus.faults (issue 10): each fault happens, at about its rate, the same way for the same seed,
and only where AWS allows it (semantics.md, "What AWS is allowed to do").

AWS pages the faults model:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html (duplicates, order),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html (empty short polls),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html (back after delete),
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html,
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (a failed batch comes back),
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html (async duplicates),
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html (FIFO: none).
"""

from __future__ import annotations

import importlib
import json
import math
from collections import Counter
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from eventbus import Simulation
from eventbus.faults import (
    FAULT_KINDS,
    STANDARD_QUEUE_ONLY,
    Fault,
    FaultPlan,
    FaultPlanError,
    ServiceUnavailableError,
)
from eventbus.services.sqs import Queue, SendEntry, SqsFaults
from eventbus.testing.strategies import fault_plans


def _within(count: int, n: int, rate: float) -> bool:
    """``count`` successes of ``n`` draws is within four standard deviations of ``rate``."""
    sd = math.sqrt(n * rate * (1 - rate))
    return abs(count - n * rate) <= 4 * sd + 1


def _injected(sim: Simulation, fault: str) -> list[Any]:
    return [r for r in sim.journal.select("fault.injected") if r.detail.get("fault") == fault]


def _drain(sim: Simulation, queue: Queue, rounds: int = 200) -> list[str]:
    """Receive and delete until the queue stays empty; the bodies in the order received."""
    bodies: list[str] = []
    for _ in range(rounds):
        for message in queue.receive(10):
            bodies.append(message.body)
            queue.delete(message.receipt_handle)
        sim.advance(1)
    return bodies


def _worker(sim: Simulation, queue: Queue, name: str = "worker", **mapping: Any) -> Counter[str]:
    """A function behind an event source mapping on ``queue``; counts the bodies it handled."""
    handled: Counter[str] = Counter()

    def handle(event: dict[str, Any], context: Any) -> None:
        for record in event["Records"]:
            handled[record["body"]] += 1

    function = sim.lambda_.function(name, handle, timeout=10)
    sim.lambda_.event_source_mapping(queue, function, **mapping)
    return handled


# ----------------------------------------------------------------- off by default
def test_no_plan_means_no_injector_and_an_empty_plan_draws_nothing() -> None:
    """Off by default: a simulation that never touches sim.faults has none; an empty plan changes
    nothing, not even the generator's draws (same journal, byte for byte)."""
    journals = []
    for touch in (False, True):
        sim = Simulation(seed=3)
        if touch:
            assert len(sim.faults) == 0
            assert not sim.faults
        else:
            assert sim._faults is None
        queue = sim.sqs.create_queue("q")
        _worker(sim, queue)
        for i in range(30):
            queue.send(f"m{i}")
        sim.advance(60)
        journals.append(sim.journal.dumps())
    assert journals[0] == journals[1]


# ------------------------------------------------------------------ SQS faults
def test_duplicate_delivery_at_about_its_rate_each_message_at_most_twice() -> None:
    """Standard queues deliver at least once: about 25% of the messages come twice, never more."""
    sim = Simulation(seed=1)
    sim.faults.duplicate_delivery(0.25)
    queue = sim.sqs.create_queue("q", visibility_timeout=5)
    queue.send_batch([f"m{i}" for i in range(10)])
    for start in range(10, 400, 10):
        queue.send_batch([f"m{i}" for i in range(start, start + 10)])
    seen = Counter(_drain(sim, queue))
    assert set(seen) == {f"m{i}" for i in range(400)}
    assert max(seen.values()) == 2
    twice = sum(1 for n in seen.values() if n == 2)
    assert _within(twice, 400, 0.25), twice
    assert len(_injected(sim, "duplicate_delivery")) == twice
    [stats] = sim.faults.statistics()
    assert (stats.opportunities, stats.injected) == (400, twice)


@pytest.mark.parametrize("via", ["plan", "SqsFaults"])
def test_duplicates_are_independent_per_message_not_copies_of_copies(via: str) -> None:
    """The bug this fixes: copies were themselves duplicated in the same receive rounds, so with a
    rate of 0.3 one message came 5 or 7 times. Now each message is decided once (at its first
    receive): delivered once or twice, with about 30% twice."""
    sim = Simulation(seed=1)
    if via == "plan":
        sim.faults.duplicate_delivery(0.3)
        queue = sim.sqs.create_queue("q")
    else:
        queue = sim.sqs.create_queue("q", faults=SqsFaults(duplicate_rate=0.3))
    handled = _worker(sim, queue, batch_size=10)
    for i in range(300):
        queue.send(f"m{i}")
    sim.advance(600)
    assert set(handled) == {f"m{i}" for i in range(300)}
    assert set(handled.values()) <= {1, 2}
    assert _within(sum(1 for n in handled.values() if n == 2), 300, 0.3)


def test_reorder_at_about_its_rate() -> None:
    """Best-effort ordering: a passed-over message goes behind the later ones; nothing is lost."""
    sim = Simulation(seed=5)
    sim.faults.reorder(0.2)
    queue = sim.sqs.create_queue("q")
    for i in range(300):
        queue.send(f"m{i}")
    bodies = []
    while True:
        got = queue.receive(1)
        if not got:
            break
        bodies.append(got[0].body)
        queue.delete(got[0].receipt_handle)
    assert sorted(bodies) == sorted(f"m{i}" for i in range(300))
    assert bodies != [f"m{i}" for i in range(300)]
    [stats] = sim.faults.statistics()
    assert _within(stats.injected, stats.opportunities, 0.2)
    assert len(_injected(sim, "reorder")) == stats.injected


def test_empty_short_polls_at_about_their_rate_and_never_on_long_polls() -> None:
    sim = Simulation(seed=2)
    sim.faults.empty_receive(0.5)
    queue = sim.sqs.create_queue("q", visibility_timeout=0)
    queue.send("x")
    empty = sum(1 for _ in range(400) if not queue.receive(1))
    assert _within(empty, 400, 0.5)
    assert len(_injected(sim, "empty_receive")) == empty
    assert all(queue.receive(1, wait_time_seconds=1) for _ in range(50))


def test_lost_deletes_come_back_after_the_delay() -> None:
    """'You might receive the message again after deleting it' (DeleteMessage): the delete succeeds,
    a copy is visible again `delay` seconds later, with the same message id."""
    sim = Simulation(seed=4)
    sim.faults.lost_delete(0.2, delay=5)
    queue = sim.sqs.create_queue("q")
    for i in range(300):
        queue.send(f"m{i}")
    first: list[str] = []
    while got := queue.receive(10):
        for message in got:
            first.append(message.message_id)
            queue.delete(message.receipt_handle)
    assert len(first) == 300
    assert queue.receive(10) == []
    sim.advance(4.9)
    assert queue.statistics().visible == 0
    sim.advance(0.1)
    back = queue.statistics().visible
    assert _within(back, 300, 0.2)
    returned = {r.id for r in _injected(sim, "lost_delete")}
    assert len(returned) == back
    assert returned <= set(first)
    assert _drain(sim, queue, rounds=5)


# ---------------------------------------------------------------- Lambda faults
def test_crash_before_means_the_handler_never_runs() -> None:
    sim = Simulation(seed=6)
    ran: list[int] = []
    fn = sim.lambda_.function("f", lambda event, context: ran.append(event["n"]))
    sim.faults.crash_before(0.3, resource="f")
    results = [fn.invoke({"n": i}) for i in range(400)]
    failed = [r for r in results if not r.ok]
    assert _within(len(failed), 400, 0.3)
    assert len(ran) == 400 - len(failed)
    assert {r.error_type for r in failed} == {"Runtime.ExitError"}
    assert "Runtime exited with error" in failed[0].error_message
    assert len(_injected(sim, "crash_before")) == len(failed)


def test_crash_after_means_the_handler_ran_then_the_invocation_failed() -> None:
    sim = Simulation(seed=6)
    ran: list[int] = []

    def record(event: dict[str, Any], context: Any) -> str:
        ran.append(event["n"])
        return "ok"

    fn = sim.lambda_.function("f", record)
    sim.faults.crash_after(0.3)
    results = [fn.invoke({"n": i}) for i in range(400)]
    failed = [r for r in results if not r.ok]
    assert len(ran) == 400
    assert _within(len(failed), 400, 0.3)
    assert {r.error_type for r in failed} == {"Runtime.ExitError"}


def test_crash_after_on_an_sqs_batch_leaves_it_to_come_back() -> None:
    """Script: the next invocation of the worker crashes after its side effects: the batch is not
    deleted, becomes visible after the visibility timeout and is handled again."""
    sim = Simulation(seed=7)
    queue = sim.sqs.create_queue("orders", visibility_timeout=30)
    handled = _worker(sim, queue, batch_size=10)
    sim.faults.crash_after(nth=1, resource="worker")
    queue.send_batch([f"m{i}" for i in range(3)])
    sim.advance(1)
    assert handled == Counter({"m0": 1, "m1": 1, "m2": 1})
    assert queue.statistics().in_flight == 3
    assert len(sim.journal.select("lambda.esm.batch_failed")) == 1
    sim.advance(60)
    assert handled == Counter({"m0": 2, "m1": 2, "m2": 2})
    assert queue.statistics().in_flight == queue.statistics().visible == 0
    assert [s.injected for s in sim.faults.statistics()] == [1]


def test_async_duplicates_run_the_event_again() -> None:
    sim = Simulation(seed=8)
    ran: Counter[int] = Counter()
    fn = sim.lambda_.function("f", lambda event, context: ran.update([event["n"]]))
    sim.faults.async_duplicate(0.3, delay=2)
    request_ids = [fn.invoke_event({"n": i}) for i in range(300)]
    sim.advance(1)
    assert sum(ran.values()) == 300
    sim.advance(2)
    twice = [n for n, count in ran.items() if count == 2]
    assert _within(len(twice), 300, 0.3)
    assert {r.id for r in _injected(sim, "async_duplicate")} <= set(request_ids)


def test_visibility_expiry_on_a_standard_queue_a_second_poller_gets_it_and_the_first_delete_is_a_no_op() -> None:
    """The batch's visibility runs out while the handler runs: another poller receives the message,
    and the first handler's delete (stale handle) succeeds without deleting."""
    sim = Simulation(seed=9)
    queue = sim.sqs.create_queue("orders", visibility_timeout=30)
    handled = _worker(sim, queue, batch_size=1)
    sim.faults.visibility_expiry(nth=1, resource="orders")
    queue.send("m0")
    sim.advance(5)
    assert handled == Counter({"m0": 2})
    [expired, ignored] = _injected(sim, "visibility_expiry")
    assert expired.detail["messages"] == [ignored.id]
    assert ignored.detail["delete"] == "ignored"
    assert [r.kind for r in sim.journal.select(id=ignored.id) if r.kind.startswith("sqs.")] == [
        "sqs.sent",
        "sqs.received",
        "sqs.visibility_changed",
        "sqs.received",
        "sqs.deleted",
    ]
    assert queue.statistics().deleted == 1


def test_visibility_expiry_on_a_fifo_queue_refuses_the_stale_delete_and_keeps_order() -> None:
    """On FIFO queues the first handler's delete is refused ('The receipt handle has expired.'):
    the batch is handled again, in order."""
    sim = Simulation(seed=9)
    queue = sim.sqs.create_queue("orders.fifo", content_based_deduplication=True)
    order: list[str] = []

    def handle(event: dict[str, Any], context: Any) -> None:
        order.extend(record["body"] for record in event["Records"])

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("worker", handle), batch_size=10)
    sim.faults.visibility_expiry(nth=1, resource="worker")
    queue.send_batch([SendEntry(body=f"m{i}", group_id="g") for i in range(3)])
    sim.advance(5)
    assert order == ["m0", "m1", "m2", "m0", "m1", "m2"]
    assert len(sim.journal.select("lambda.esm.delete_failed")) == 3
    assert queue.statistics().deleted == 3


# ------------------------------------------------------------ delivery faults
def test_the_third_delivery_to_a_target_fails_and_is_retried() -> None:
    """Script: 'fail the 3rd delivery to X'; the target's retry policy tries it again."""
    sim = Simulation(seed=10)
    audit = sim.sqs.create_queue("audit")
    bus = sim.events.bus("shop")
    bus.rule("all", pattern={"source": ["shop"]}).target(audit)
    sim.faults.target_delivery_failure(nth=3, resource="audit")
    ids = [bus.put(source="shop", detail_type="Order", detail={"n": i}) for i in range(4)]
    sim.run_until_idle()
    [failed] = sim.journal.select("events.target.retrying")
    assert failed.id == ids[2]
    assert failed.detail["error_code"] == "ServiceUnavailable"
    assert audit.statistics().sent == 3
    sim.advance(60)
    assert audit.statistics().sent == 4
    [injected] = _injected(sim, "target_delivery_failure")
    assert (injected.id, injected.resource) == (ids[2], audit.arn)


def test_target_delivery_failures_at_about_their_rate_without_retries_go_to_the_dlq() -> None:
    sim = Simulation(seed=11)
    dlq = sim.sqs.create_queue("dlq")
    target = sim.sqs.create_queue("target")
    bus = sim.events.bus("shop")
    bus.rule("all", pattern={"source": ["shop"]}).target(target, max_retries=0, dead_letter=dlq)
    sim.faults.target_delivery_failure(0.25, resource="all")  # scoped by the rule's name
    for i in range(400):
        bus.put(source="shop", detail_type="Order", detail={"n": i})
    sim.run_until_idle()
    lettered = dlq.statistics().sent
    assert _within(lettered, 400, 0.25)
    assert target.statistics().sent + lettered == 400


def test_sns_delivery_failures_are_retried_by_the_delivery_policy() -> None:
    """SNS to SQS: failed attempts are retried (3 immediate retries first), so every message arrives."""
    sim = Simulation(seed=12)
    topic = sim.sns.create_topic("news")
    queue = sim.sqs.create_queue("inbox")
    topic.subscribe(queue, raw=True)
    sim.faults.sns_delivery_failure(0.3, resource="news")
    for i in range(300):
        topic.publish(f"m{i}")
    sim.advance(60)
    assert queue.statistics().sent == 300
    [stats] = sim.faults.statistics()
    assert _within(stats.injected, stats.opportunities, 0.3)
    assert stats.opportunities == 300 + stats.injected
    assert len(sim.journal.select("sns.delivery.retrying")) == stats.injected


def test_the_delivery_error_is_a_temporary_aws_error() -> None:
    error = ServiceUnavailableError("The request has failed due to a temporary failure of the server.")
    assert (error.code, error.status, error.retryable) == ("ServiceUnavailable", 503, True)


# ------------------------------------------------------------ only what AWS does
@pytest.mark.parametrize("kind", sorted(STANDARD_QUEUE_ONLY))
def test_fifo_queues_refuse_duplicate_reorder_empty_and_lost_delete(kind: str) -> None:
    with pytest.raises(FaultPlanError, match="FIFO queues deliver each message exactly once and in order"):
        Fault(kind=kind, rate=0.5, resource="orders.fifo")  # type: ignore[arg-type]
    sim = Simulation()
    with pytest.raises(FaultPlanError, match=r"cannot happen on the FIFO queue 'arn:aws:sqs:us-east-1:123456789012:o\.fifo'"):
        getattr(sim.faults, kind)(0.5, resource=sim.arn("sqs", "o.fifo"))
    assert len(sim.faults) == 0


def test_unscoped_queue_faults_leave_fifo_queues_alone() -> None:
    sim = Simulation(seed=13)
    for kind in STANDARD_QUEUE_ONLY:
        sim.faults.add(Fault(kind=kind, rate=1.0))  # type: ignore[arg-type]
    queue = sim.sqs.create_queue("o.fifo", content_based_deduplication=True)
    for start in (0, 10):
        queue.send_batch([SendEntry(body=f"m{i}", group_id="g") for i in range(start, start + 10)])
    bodies = []
    while got := queue.receive(10):
        bodies += [m.body for m in got]
        queue.delete_batch([m.receipt_handle for m in got])
    sim.advance(10)
    assert bodies == [f"m{i}" for i in range(20)]
    assert queue.receive(10) == []
    assert sim.faults.injected() == 0


def test_faults_that_fifo_queues_may_have_are_allowed_there() -> None:
    Fault(kind="visibility_expiry", rate=0.5, resource="orders.fifo")
    Fault(kind="sns_delivery_failure", rate=0.5, resource="news.fifo")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "explode", "rate": 0.5}, "unknown fault kind 'explode'"),
        ({"kind": "reorder", "rate": 1.5}, "rate must be a probability between 0 and 1"),
        ({"kind": "reorder", "rate": True}, "rate must be a probability"),
        ({"kind": "reorder", "nth": (0,)}, "counted from 1"),
        ({"kind": "reorder", "rate": 0.1, "nth": (2,)}, "not both"),
        ({"kind": "reorder", "resource": ""}, "non-empty ARN or name"),
        ({"kind": "lost_delete", "delay": -1}, "finite number of seconds"),
    ],
)
def test_bad_rules_are_refused(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(FaultPlanError, match=message):
        Fault(**arguments)


def test_every_kind_has_a_builder_named_after_it() -> None:
    sim = Simulation()
    for kind in FAULT_KINDS:
        fault = getattr(sim.faults, kind)(nth=[2, 1])
        assert (fault.kind, fault.nth) == (kind, (1, 2))
    assert [f.kind for f in sim.faults.plan] == list(FAULT_KINDS)
    sim.faults.clear()
    assert not sim.faults


# ----------------------------------------------------------------- scope, plans
def test_scope_by_name_or_arn_touches_only_that_resource() -> None:
    sim = Simulation(seed=14)
    a = sim.sqs.create_queue("a")
    b = sim.sqs.create_queue("b")
    sim.faults.duplicate_delivery(1.0, resource="a")
    sim.faults.duplicate_delivery(1.0, resource=b.arn)
    sim.faults.empty_receive(1.0, resource="c")
    for queue in (a, b):
        queue.send("x")
        assert len(queue.receive(1)) == 1
        assert queue.statistics().visible == 1  # the copy
    assert [(s.opportunities, s.injected) for s in sim.faults.statistics()] == [(1, 1), (1, 1), (0, 0)]


def test_plans_combine_and_apply_in_order() -> None:
    plan = FaultPlan((Fault(kind="reorder", rate=0.1),)) + Fault(kind="crash_after", nth=(3,), resource="pay")
    plan = plan + FaultPlan((Fault(kind="lost_delete", rate=0.2),))
    assert len(plan) == 3
    assert plan.kinds == {"reorder", "crash_after", "lost_delete"}
    sim = Simulation()
    sim.faults.add(plan)
    assert sim.faults.plan == plan
    with pytest.raises(FaultPlanError, match="holds a tuple of Fault"):
        FaultPlan(("reorder",))  # type: ignore[arg-type]
    with pytest.raises(FaultPlanError, match="takes a Fault or a FaultPlan"):
        sim.faults.add("reorder")  # type: ignore[arg-type]


def _faulty_run(seed: int) -> bytes:
    sim = Simulation(seed=seed)
    sim.faults.add(
        FaultPlan(
            (
                Fault(kind="duplicate_delivery", rate=0.2),
                Fault(kind="reorder", rate=0.1),
                Fault(kind="lost_delete", rate=0.1),
                Fault(kind="crash_after", rate=0.2),
                Fault(kind="visibility_expiry", rate=0.1),
                Fault(kind="target_delivery_failure", rate=0.2),
            )
        )
    )
    queue = sim.sqs.create_queue("orders", visibility_timeout=20)
    _worker(sim, queue, batch_size=5)
    bus = sim.events.bus("shop")
    bus.rule("all", pattern={"source": ["shop"]}).target(queue)
    for i in range(40):
        bus.put(source="shop", detail_type="Order", detail={"n": i})
        queue.send(json.dumps({"n": i}))
        sim.advance(1)
    sim.advance(600)
    assert sim.faults.injected() > 0
    return sim.journal.dumps()


def test_the_same_seed_gives_the_same_faults_byte_for_byte() -> None:
    assert _faulty_run(21) == _faulty_run(21)
    assert _faulty_run(21) != _faulty_run(22)


# ------------------------------------------------------------------ fault_plans()
@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(plan=fault_plans(resources=["orders", "orders.fifo", "pay"], max_rate=0.5))
def test_fault_plans_draw_only_plans_aws_could_carry_out(plan: FaultPlan) -> None:
    kinds = [fault.kind for fault in plan]
    assert len(kinds) == len(set(kinds))
    for fault in plan:
        assert 0 <= fault.rate <= 0.5
        assert fault.resource in (None, "orders", "orders.fifo", "pay")
        assert not (fault.kind in STANDARD_QUEUE_ONLY and fault.resource == "orders.fifo")
    Simulation().faults.add(plan)


def test_fault_plans_honour_kinds_and_max_faults() -> None:
    @settings(max_examples=30, derandomize=True, database=None)
    @given(plan=fault_plans(kinds=["reorder", "crash_after"], max_faults=1))
    def check(plan: FaultPlan) -> None:
        assert len(plan) <= 1
        assert plan.kinds <= {"reorder", "crash_after"}

    check()
    assert find(fault_plans(), lambda plan: len(plan) == len(FAULT_KINDS)).kinds == set(FAULT_KINDS)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kinds": ["explode"]}, "unknown fault kinds"),
        ({"kinds": ["reorder", "reorder"]}, "must not repeat"),
        ({"max_rate": 2}, "max_rate must be a probability"),
        ({"resources": "orders"}, "resources must be a sequence"),
        ({"max_faults": -1}, "max_faults must be an int"),
    ],
)
def test_fault_plans_check_their_arguments_when_called(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        fault_plans(**arguments)


@pytest.mark.parametrize("name", ["eventbus.faults", "eventbus.testing.invariants", "eventbus.testing.stateful"])
def test_public_modules_export_a_tuple_of_their_names_under_their_public_path(name: str) -> None:
    """anyio's house rule (style.md): a tuple __all__; reprs and tracebacks say the public module."""
    module = importlib.import_module(name)
    assert isinstance(module.__all__, tuple)
    assert len(set(module.__all__)) == len(module.__all__)
    for attr in module.__all__:
        value = getattr(module, attr)
        if isinstance(value, type):
            assert value.__module__ == name
