"""Delivery to targets: retries with backoff, retry limits, dead-letter queues, dropped events, and
buses as targets.

Pages: "Event retry policy and using dead-letter queues"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html: 185 retries or 24 hours
by default, "exponential back off and jitter"; errors such as a missing target are not retried),
"Using dead-letter queues to process undelivered events"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html: the attributes RULE_ARN,
TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS) and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html (a bus as a target).
"""

from __future__ import annotations

import json
from typing import Any

from eventbus import ServiceError, Simulation
from eventbus.services.sqs import Queue

from ._fakes import RecordingEndpoint


def letters(dlq: Queue) -> list[tuple[str, dict[str, str]]]:
    """Every message in a (real, simulated SQS) dead-letter queue: body and message attributes."""
    out = []
    while batch := dlq.receive(10, wait_time_seconds=0):
        for message in batch:
            attributes = {name: str(value.string_value) for name, value in message.message_attributes.items()}
            assert all(value.data_type == "String" for value in message.message_attributes.values())
            out.append((message.body, attributes))
            dlq.delete(message.receipt_handle)
    return out


def setup(**target: Any) -> tuple[Simulation, RecordingEndpoint, Queue, str]:
    sim = Simulation(seed=3)
    queue = RecordingEndpoint(sim, "orders", failures=target.pop("failures", 0), error=target.pop("error", None))
    dlq = sim.sqs.create_queue("orders-dlq")
    rule = sim.events.default_bus.rule("orders", pattern={"source": ["shop"]})
    rule.target(queue, dead_letter=dlq, **target)
    sim.events.default_bus.put(source="shop", detail_type="OrderPlaced", detail={"id": 7})
    return sim, queue, dlq, rule.arn


def test_a_flaky_target_is_retried_with_backoff_until_it_succeeds() -> None:
    sim, queue, dlq, _ = setup(failures=3)
    sim.advance(3600)
    assert len(queue.messages) == 1
    assert letters(dlq) == []
    gaps = [later - earlier for earlier, later in zip(queue.attempt_times, queue.attempt_times[1:], strict=False)]
    # Exponential backoff with full jitter in the upper half: retry k waits between 2^k/2 and 2^k seconds.
    assert len(gaps) == 3
    for k, gap in enumerate(gaps):
        assert 2**k / 2 <= gap <= 2**k
    retrying = sim.journal.select("events.target.retrying")
    assert [r.detail["attempt"] for r in retrying] == [1, 2, 3]
    delivered = sim.journal.select("events.target.delivered")
    assert delivered[0].detail["attempts"] == 4
    assert delivered[0].time == queue.attempt_times[-1]


def test_jitter_comes_from_the_seed() -> None:
    def times(seed: int) -> list[float]:
        sim = Simulation(seed=seed)
        queue = RecordingEndpoint(sim, "q", failures=5)
        sim.events.default_bus.rule("r", pattern={"source": ["s"]}).target(queue)
        sim.events.default_bus.put(source="s", detail_type="t", detail={})
        sim.advance(3600)
        return queue.attempt_times

    assert times(1) == times(1)
    assert times(1) != times(2)


def test_retries_exhausted_go_to_the_dlq_with_aws_attributes() -> None:
    sim, queue, dlq, rule_arn = setup(failures=-1, max_retries=2)
    sim.advance(3600)
    assert len(queue.attempt_times) == 3
    [(body, attributes)] = letters(dlq)
    assert json.loads(body)["detail"] == {"id": 7}  # the event as it was to be delivered
    assert attributes == {
        "RULE_ARN": rule_arn,
        "TARGET_ARN": queue.arn,
        "ERROR_CODE": "ERROR_FROM_TARGET",
        "ERROR_MESSAGE": "target unavailable",
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        "RETRY_ATTEMPTS": "2",
    }
    [record] = sim.journal.select("events.dead_lettered")
    assert record.resource == dlq.arn
    assert record.detail["exhausted"] == "MaximumRetryAttempts"


def test_event_age_exceeded_goes_to_the_dlq() -> None:
    sim, queue, dlq, _ = setup(failures=-1, max_event_age=60)
    sim.advance(3600)
    [(_, attributes)] = letters(dlq)
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert int(attributes["RETRY_ATTEMPTS"]) == len(queue.attempt_times) - 1
    assert queue.attempt_times[-1] <= 60
    assert sim.journal.select("events.dead_lettered")[0].time <= 60


def test_the_transformed_payload_is_what_goes_to_the_dlq() -> None:
    sim, _, dlq, _ = setup(failures=-1, max_retries=0, input_path="$.detail")
    sim.run_until_idle()
    [(body, attributes)] = letters(dlq)
    assert json.loads(body) == {"id": 7}
    assert attributes["RETRY_ATTEMPTS"] == "0"


def test_a_missing_target_is_not_retried() -> None:
    # rule-dlq.html: "a target resource that no longer exists": no retries, straight to the DLQ.
    sim = Simulation()
    dlq = sim.sqs.create_queue("dlq")
    missing = sim.arn("sqs", "gone")
    rule = sim.events.default_bus.rule("r", pattern={"source": ["s"]})
    rule.target(missing, dead_letter=dlq)
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.run_until_idle()
    assert sim.journal.select("events.target.retrying") == []
    [(_, attributes)] = letters(dlq)
    assert attributes["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes  # no retry limit ended this delivery


def test_an_error_that_cannot_succeed_skips_retries() -> None:
    denied = ServiceError("Access denied", code="AccessDeniedException", status=400, retryable=False)
    sim, queue, dlq, _ = setup(failures=-1, error=denied)
    sim.advance(3600)
    assert len(queue.attempt_times) == 1
    [(_, attributes)] = letters(dlq)
    assert attributes["ERROR_MESSAGE"] == "Access denied"
    assert attributes["ERROR_CODE"] == "SDK_CLIENT_ERROR"


def test_without_a_dlq_the_event_is_dropped_and_journaled() -> None:
    # eb-rule-dlq.html: "If an event isn't delivered after all retry attempts are exhausted, the event is dropped".
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q", failures=-1)
    sim.events.default_bus.rule("r", pattern={"source": ["s"]}).target(queue, max_retries=1)
    event_id = sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.advance(60)
    [dropped] = sim.journal.select("events.dropped")
    assert dropped.id == event_id
    assert dropped.resource == queue.arn
    assert dropped.detail["reason"] == "MaximumRetryAttempts"


def test_a_dlq_that_does_not_exist_drops_the_event() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q", failures=-1)
    rule = sim.events.default_bus.rule("r", pattern={"source": ["s"]})
    rule.target(queue, max_retries=0, dead_letter=sim.arn("sqs", "no-dlq"))
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.run_until_idle()
    assert [r.detail["reason"] for r in sim.journal.select("events.dropped")] == ["DeadLetterDeliveryFailed"]


def test_a_callable_that_raises_is_a_failed_delivery() -> None:
    sim = Simulation()
    calls: list[float] = []

    def handler(event: dict[str, Any]) -> None:
        calls.append(sim.time)
        if len(calls) < 2:
            raise RuntimeError("boom")

    sim.events.default_bus.on({"source": ["s"]})(handler)
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.advance(10)
    assert len(calls) == 2
    assert [r.detail["error_message"] for r in sim.journal.select("handler.raised")] == ["boom"]


def test_an_async_callable_target_runs_on_the_virtual_clock() -> None:
    sim = Simulation()
    done: list[float] = []

    async def handler(event: dict[str, Any]) -> None:
        await sim.sleep(5)
        done.append(sim.time)

    sim.events.default_bus.on({"source": ["s"]})(handler)
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.advance(10)
    assert done == [5.0]
    assert sim.journal.select("events.target.delivered")[0].time == 5.0


def test_fifo_queue_targets_get_the_message_group_id() -> None:
    # API_SqsParameters: MessageGroupId "to use as the target" for a FIFO queue.
    sim = Simulation()
    fifo = RecordingEndpoint(sim, "orders.fifo")
    sim.events.default_bus.rule("r", pattern={"source": ["s"]}).target(fifo, message_group_id="g-1")
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.run_until_idle()
    assert fifo.messages[0].group_id == "g-1"
    assert fifo.messages[0].source_arn.endswith(":rule/r")


def test_a_bus_as_a_target_takes_the_event_in_again() -> None:
    # eb-bus-to-bus.html: a rule on one bus can send events to another bus.
    sim = Simulation()
    audit = sim.events.bus("audit")
    queue = RecordingEndpoint(sim, "q")
    audit.rule("all", pattern={"source": ["shop"]}).target(queue)
    sim.events.default_bus.rule("forward", pattern={"source": ["shop"]}).target(audit)
    event_id = sim.events.default_bus.put(source="shop", detail_type="t", detail={"n": 1})
    sim.run_until_idle()
    event = json.loads(queue.bodies[0])
    assert event["id"] == event_id
    assert event["detail"] == {"n": 1}
    assert [r.resource for r in sim.journal.select("events.put")] == [sim.events.default_bus.arn, audit.arn]
    assert [r.resource for r in sim.journal.select("events.matched")] == [sim.events.default_bus.arn, audit.arn]


def test_a_bus_refuses_a_payload_that_is_not_an_event() -> None:
    sim = Simulation()
    audit = sim.events.bus("audit")
    sim.events.default_bus.rule("forward", pattern={"source": ["shop"]}).target(audit, input_path="$.detail")
    sim.events.default_bus.put(source="shop", detail_type="t", detail={"n": 1})
    sim.run_until_idle()
    assert sim.journal.select("events.target.retrying") == []
    assert sim.journal.select("events.target.failed")[0].detail["exhausted"] == "NotRetryable"


def test_every_matching_rule_and_target_receives_the_event() -> None:
    sim = Simulation()
    queues = [RecordingEndpoint(sim, f"q{i}") for i in range(4)]
    bus = sim.events.default_bus
    bus.rule("a", pattern={"source": ["s"]}).target(queues[0])
    bus.rule("a").target(queues[1])
    bus.rule("b", pattern={"detail": {"n": [1]}}).target(queues[2])
    bus.rule("c", pattern={"detail": {"n": [2]}}).target(queues[3])
    bus.put(source="s", detail_type="t", detail={"n": 1})
    sim.run_until_idle()
    assert [len(q.messages) for q in queues] == [1, 1, 1, 0]
