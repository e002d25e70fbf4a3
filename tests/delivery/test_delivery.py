"""The shared retry machine (design.md: one delivery policy object shared by all services)."""

from __future__ import annotations

import random

import pytest

from eventbus import Outcome, ResourceNotFoundError, Simulation
from eventbus.services._delivery import (
    SNS_MANAGED,
    AgeLimitedRetry,
    Inbound,
    PhasedRetry,
    callable_endpoint,
    deliver,
)


def _flaky(failures: int) -> tuple[list[float], object]:
    calls: list[float] = []

    def target(payload: object) -> str:
        calls.append(len(calls))
        if len(calls) <= failures:
            raise ConnectionError("downstream unavailable")
        return "ok"

    return calls, target


def test_a_flaky_target_is_retried_until_it_succeeds() -> None:
    sim = Simulation()
    calls, fn = _flaky(3)
    endpoint = callable_endpoint(sim, fn)  # type: ignore[arg-type]
    done: list[Outcome] = []
    deliver(
        sim, kind="test.delivery", source="rule", target=endpoint.arn, message=Inbound(body="{}"),
        message_id="m1", policy=AgeLimitedRetry(base=1.0, jitter=False), on_success=done.append,
    )
    sim.advance(3600)
    assert len(calls) == 4
    assert done == [Outcome(True, "ok")]
    retries = sim.journal.select("test.delivery.retrying")
    assert [r.detail["retry_in"] for r in retries] == [1.0, 2.0, 4.0]
    assert [r.time for r in retries] == [0.0, 1.0, 3.0]
    delivered = sim.journal.select("test.delivery.delivered")
    assert delivered[0].detail["attempts"] == 4
    assert delivered[0].time == 7.0


def test_retry_attempts_exhausted_reports_maximum_retry_attempts() -> None:
    sim = Simulation()
    calls, fn = _flaky(100)
    endpoint = callable_endpoint(sim, fn)  # type: ignore[arg-type]
    exhausted: list[tuple[str, int, str]] = []
    deliver(
        sim, kind="t", source="s", target=endpoint.arn, message=Inbound(body="{}"), message_id="m",
        policy=AgeLimitedRetry(max_retries=2, jitter=False),
        on_exhausted=lambda reason, outcome, n: exhausted.append((reason, n, outcome.error_type)),
    )
    sim.advance(3600)
    assert exhausted == [("MaximumRetryAttempts", 3, "ConnectionError")]
    assert len(calls) == 3


def test_event_age_exhausted_reports_maximum_event_age() -> None:
    sim = Simulation()
    _, fn = _flaky(1000)
    endpoint = callable_endpoint(sim, fn)  # type: ignore[arg-type]
    exhausted: list[tuple[str, float]] = []
    deliver(
        sim, kind="t", source="s", target=endpoint.arn, message=Inbound(body="{}"), message_id="m",
        policy=AgeLimitedRetry(max_age=60, base=10, jitter=False),
        on_exhausted=lambda reason, outcome, n: exhausted.append((reason, sim.time)),
    )
    sim.advance(3600)
    # delays 10, 20 (t=30), then 40 would pass 60 s of age: given up at t=30
    assert exhausted == [("MaximumEventAgeInSeconds", 30.0)]


def test_a_missing_target_is_not_retried() -> None:
    sim = Simulation()
    exhausted: list[tuple[str, int]] = []
    deliver(
        sim, kind="t", source="s", target=sim.arn("sqs", "gone"), message=Inbound(body="x"), message_id="m",
        policy=AgeLimitedRetry(), on_exhausted=lambda reason, outcome, n: exhausted.append((reason, n)),
    )
    sim.advance(10)
    assert exhausted == [("NotRetryable", 1)]
    failed = sim.journal.select("t.failed")[0]
    assert failed.detail["error_code"] == "ResourceNotFoundException"
    assert isinstance(ResourceNotFoundError("x"), LookupError)


def test_async_callable_endpoints_answer_when_they_finish() -> None:
    sim = Simulation()
    seen: list[object] = []

    async def slow(event: object) -> None:
        await sim.sleep(5)
        seen.append(event)

    endpoint = callable_endpoint(sim, slow)
    assert callable_endpoint(sim, slow) is endpoint  # one endpoint per function
    done: list[float] = []
    deliver(
        sim, kind="t", source="s", target=endpoint.arn, message=Inbound(body="{}", event={"a": 1}), message_id="m",
        policy=AgeLimitedRetry(), on_success=lambda o: done.append(sim.time),
    )
    sim.advance(10)
    assert seen == [{"a": 1}]
    assert done == [5.0]
    assert endpoint.arn == "arn:aws:python:us-east-1:123456789012:callable:test_async_callable_endpoints_answer_when_they_finish.slow"


def test_jitter_comes_from_the_simulation_generator_and_stays_within_bounds() -> None:
    policy = AgeLimitedRetry(base=2.0, cap=100.0)
    a = [policy.next_delay(i, 0.0, random.Random(5)) for i in range(10)]
    b = [policy.next_delay(i, 0.0, random.Random(5)) for i in range(10)]
    assert a == b
    for i, d in enumerate(a):
        full = min(100.0, 2.0 * 2**i)
        assert isinstance(d, float)
        assert full / 2 <= d <= full


def test_sns_managed_policy_has_aws_phases() -> None:
    # https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
    rng = random.Random(0)
    delays = [SNS_MANAGED.next_delay(i, 0.0, rng) for i in range(20)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3:5] == [1.0, 1.0]
    backoff = delays[5:15]
    assert backoff[0] == pytest.approx(1.0)
    assert backoff[-1] == pytest.approx(20.0)
    assert backoff == sorted(backoff)
    assert delays[15:] == [20.0] * 5
    assert SNS_MANAGED.total_retries == 100_015
    assert SNS_MANAGED.next_delay(100_015, 0.0, rng) == "MaximumRetryAttempts"


def test_phased_retry_respects_max_age() -> None:
    policy = PhasedRetry(((3, 20.0, 20.0, "linear"),), max_age=50)
    rng = random.Random(0)
    assert policy.next_delay(0, 0.0, rng) == 20.0
    assert policy.next_delay(1, 40.0, rng) == "MaximumEventAgeInSeconds"
