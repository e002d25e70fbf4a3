"""patterns/retry-storm: a failing downstream, EventBridge target retries with backoff, maximum event
age, a dead-letter queue, and recovery.

Pages: "Event retry policy and using dead-letter queues"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html), RetryPolicy
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html), "Timeouts,
retries, and backoff with jitter" (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

from blueprints import (
    PROPERTY,
    assert_equivalent_files,
    drain,
    drain_messages,
    eventbus,
    folder,
    lines_with,
    load_blueprint,
    load_variant,
    records,
    without_ids,
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.replay import replay
from eventbus.report import build_story, render_text
from eventbus.testing.invariants import assert_invariants
from eventbus.topology import load

NAME = "retry-storm"
EVENTS = "patterns/retry-storm/events.jsonl"
OUTAGE_TOPOLOGY = "patterns/retry-storm/outage.py"


def _outage_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("retry_storm_outage", folder(NAME) / "outage.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OUTAGE = _outage_module()
START, END = OUTAGE.OUTAGE_START, OUTAGE.OUTAGE_END


def capture(sim: Simulation, payment_id: str, amount: int = 100) -> str:
    return put(sim, "com.example.payments", "PaymentCaptured", {"payment_id": payment_id, "amount": amount})


def price(sim: Simulation, sku: str, version: int, value: int) -> str:
    return put(sim, "com.example.pricing", "PriceChanged", {"sku": sku, "version": version, "price": value})


def put(sim: Simulation, source: str, detail_type: str, detail: dict[str, Any]) -> str:
    [entry] = sim.events.put_events(
        [{"EventBusName": "payments", "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    ).entries
    assert entry.ok
    sim.run_until_idle()
    return str(entry.event_id)


def attempts(sim: Simulation, event_id: str) -> list[float]:
    """When delivery of ``event_id`` was attempted: its failed attempts, then a successful one."""
    failed = [r.time for r in sim.journal if r.id == event_id and r.kind == "fault.injected"]
    delivered = [r.time for r in sim.journal if r.id == event_id and r.kind == "events.target.delivered"]
    return failed + delivered


# ---------------------------------------------------------------------------- the command
def test_replay_without_the_outage_delivers_everything_at_once() -> None:
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert len(lines_with(run.out, "delivered", "to queue ledger-inbox by rule")) == 6
    assert "summary: 6 input lines: 6 accepted, 0 failed, 0 skipped; 0 dead-lettered, 0 dropped, 0 handler errors" in run.out


def test_replay_with_the_outage_tells_the_story() -> None:
    run = eventbus("replay", EVENTS, "--topology", OUTAGE_TOPOLOGY)
    assert run.code == 0, run
    assert "topology patterns/retry-storm/outage.py (python)" in run.out
    assert lines_with(run.out, "gave up", "by rule payments/settle failed on attempt 11", "the event is too old to retry")
    assert lines_with(run.out, "dead-lettered", "sent to dead-letter queue settle-dlq instead of queue ledger-inbox")
    assert lines_with(run.out, "DROPPED", "for queue ledger-inbox lost: the event is too old to retry", "no dead-letter queue")
    assert lines_with(run.out, "+00:21:22.216  delivered      to queue ledger-inbox by rule payments/settle on attempt 10")
    assert "summary: 6 input lines: 6 accepted, 0 failed, 0 skipped; 1 dead-lettered, 1 dropped, 0 handler errors" in run.out
    assert eventbus("replay", EVENTS, "--topology", OUTAGE_TOPOLOGY, "--fail-on", "dlq,dropped", "--quiet").code == 1


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


def test_the_outage_plays_the_same_on_the_sam_template() -> None:
    def on_template(sim: Simulation) -> None:
        load(folder(NAME) / "template.yaml", sim)
        OUTAGE.schedule_outage(sim)

    texts = [
        without_ids(render_text(build_story(replay(folder(NAME) / "events.jsonl", topology=topology).journal)))
        for topology in (folder(NAME) / "outage.py", on_template)
    ]
    assert texts[0] == texts[1]


# ---------------------------------------------------------------------------- backoff, jitter, bounded attempts
def outage_sim(seed: int = 0, start: float = START, end: float = END) -> tuple[Simulation, Any]:
    sim, _, handlers = load_blueprint(NAME, seed=seed)
    OUTAGE.schedule_outage(sim, start, end)
    sim.advance(start)
    return sim, handlers


def test_retries_back_off_exponentially_with_jitter() -> None:
    # Each retry waits about twice as long as the one before, with random jitter: the wait before
    # retry k is between 2^k / 2 and 2^k seconds (capped at 10 minutes in the simulation; AWS
    # does not publish its intervals).
    sim, _ = outage_sim()
    event_id = capture(sim, "pay-1")
    sim.advance(3600)
    waits = [r.detail["retry_in"] for r in sim.journal if r.id == event_id and r.kind == "events.target.retrying"]
    assert len(waits) >= 8
    for k, wait in enumerate(waits):
        assert min(600.0, 2.0**k) / 2 <= wait <= min(600.0, 2.0**k), (k, wait)


def test_events_that_failed_together_retry_apart() -> None:
    # Ten payments fail at the same instant; thanks to the jitter their later retries do not hit the
    # recovering downstream together.
    sim, _ = outage_sim()
    ids = [capture(sim, f"pay-{i}") for i in range(10)]
    sim.advance(300)
    sixth = [attempts(sim, event_id)[5] for event_id in ids]
    assert len(set(sixth)) == 10
    assert max(sixth) - min(sixth) > 5.0  # spread over seconds, where without jitter they would coincide


def test_backoff_bounds_the_attempts_during_an_outage() -> None:
    # A 20-minute outage costs each event about a dozen attempts, not one per second.
    sim, _ = outage_sim()
    event_id = capture(sim, "pay-1")
    sim.advance(3600)
    assert len(attempts(sim, event_id)) <= 12


def test_after_recovery_each_event_waits_for_its_next_retry() -> None:
    # When the downstream comes back nothing is pushed to it: each waiting event is delivered at its
    # next scheduled retry, up to one backoff interval (here at most 10 minutes) later.
    sim, handlers = outage_sim()
    sim.advance_to(END - 300)
    ids = [capture(sim, f"pay-{i}") for i in range(5)]
    sim.advance(3600)
    delivered = [attempts(sim, event_id)[-1] for event_id in ids]
    assert all(END < when <= END + 600 for when in delivered)
    assert sorted(handlers.LEDGER) == [f"pay-{i}" for i in range(5)]


# ---------------------------------------------------------------------------- age, attempts, DLQ, drop
def test_maximum_event_age_sends_the_event_to_the_dlq_with_the_reason() -> None:
    sim, handlers = outage_sim()
    event_id = capture(sim, "pay-2", 800)
    sim.advance(3600)
    [message] = drain_messages(sim.sqs.get_queue("settle-dlq"))
    attributes = {name: value.string_value for name, value in message.message_attributes.items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert attributes["RULE_ARN"].endswith(":rule/payments/settle")
    assert attributes["TARGET_ARN"].endswith(":ledger-inbox")
    assert int(attributes["RETRY_ATTEMPTS"]) == len(attempts(sim, event_id)) - 1  # the retries made
    assert json.loads(message.body) == {"payment_id": "pay-2", "amount": 800}  # what the target would have got
    [dead] = records(sim, "events.dead_lettered")
    assert dead.id == event_id
    assert dead.time - START < 900  # given up when the next retry would pass the maximum age
    assert handlers.LEDGER == {}


def test_maximum_retry_attempts_gives_up_sooner() -> None:
    def three_retries(document: dict[str, Any]) -> None:
        document["buses"]["payments"]["rules"]["settle"]["targets"][0]["retry"] = {"attempts": 3}

    sim, _, _ = load_variant(NAME, three_retries)
    OUTAGE.schedule_outage(sim)
    sim.advance(START)
    event_id = capture(sim, "pay-2")
    sim.advance(3600)
    assert len(attempts(sim, event_id)) == 4
    [message] = drain_messages(sim.sqs.get_queue("settle-dlq"))
    assert message.message_attributes["EXHAUSTED_RETRY_CONDITION"].string_value == "MaximumRetryAttempts"
    assert records(sim, "events.dead_lettered")[0].time - START < 10


def test_without_a_dlq_an_expired_event_is_dropped() -> None:
    # The prices rule has no DLQ: a price update older than 5 minutes is dropped, deliberately (a
    # stale price is worth nothing). The newer price, sent late in the outage, is delivered after it.
    sim, handlers = outage_sim()
    sim.advance_to(180)
    old = price(sim, "tea", 2, 450)
    sim.advance_to(END - 60)
    price(sim, "tea", 3, 470)
    sim.advance(3600)
    [dropped] = records(sim, "events.dropped")
    assert dropped.id == old
    assert handlers.PRICES == {"tea": (3, 470)}


def test_dead_lettered_payments_are_put_back_after_the_outage() -> None:
    # Recovery: the DLQ holds each payment as the target would have received it; put it on the bus
    # again once the ledger is back, and it is posted (once: the ledger upserts by payment id).
    sim, handlers = outage_sim()
    capture(sim, "pay-2", 800)
    sim.advance(3600)
    assert handlers.LEDGER == {}
    for body in drain(sim.sqs.get_queue("settle-dlq")):
        put(sim, "com.example.payments", "PaymentCaptured", json.loads(body))
    sim.advance(60)
    assert handlers.LEDGER == {"pay-2": 800}


# ---------------------------------------------------------------------------- property under outages
@PROPERTY
@given(
    sim=st.from_type(Simulation),
    outage=st.tuples(st.integers(0, 600), st.sampled_from([0, 120, 600, 1200, 3600]), st.sampled_from([0.5, 1.0])),
    events=st.lists(st.tuples(st.integers(0, 2400), st.sampled_from(["payment", "price"])), min_size=1, max_size=10),
)
def test_property_every_payment_is_posted_or_dead_lettered_within_its_age(
    sim: Simulation, outage: tuple[int, int, float], events: list[tuple[int, str]]
) -> None:
    # A brown-out (half the deliveries fail) or a black-out of any length: every payment is posted
    # exactly where it should be, within 15 minutes of its capture, or is in settle-dlq, never both;
    # every price update is delivered within 5 minutes or dropped; the ledger's price for the SKU
    # is the newest delivered; no event is attempted more than a dozen times; nothing is unaccounted.
    start, length, rate = outage
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.call_at(start, lambda: sim.faults.target_delivery_failure(rate, resource="ledger-inbox"))
    sim.call_at(start + length, sim.faults.clear)
    put_at: dict[str, tuple[float, str, int]] = {}
    for i, (when, kind) in enumerate(sorted(events)):
        sim.advance_to(when)
        event_id = capture(sim, f"pay-{i}", i + 1) if kind == "payment" else price(sim, "tea", i, 100 + i)
        put_at[event_id] = (sim.time, kind, i)
    sim.advance(4000)
    assert_invariants(sim, settled=True)

    dead = {json.loads(body)["payment_id"] for body in drain(sim.sqs.get_queue("settle-dlq"))}
    dropped = {r.id for r in records(sim, "events.dropped")}
    delivered = {r.id: r.time for r in records(sim, "events.target.delivered")}
    newest: int | None = None
    for event_id, (put_time, kind, i) in put_at.items():
        assert len(attempts(sim, event_id)) <= 12
        if kind == "payment":
            assert (f"pay-{i}" in handlers.LEDGER) != (f"pay-{i}" in dead)
            if f"pay-{i}" in handlers.LEDGER:
                assert handlers.LEDGER[f"pay-{i}"] == i + 1
                assert delivered[event_id] - put_time <= 900
        else:
            assert (event_id in delivered) != (event_id in dropped)
            if event_id in delivered:
                assert delivered[event_id] - put_time <= 300
                newest = i if newest is None else max(newest, i)
    if newest is not None:
        assert handlers.PRICES["tea"][0] == newest
