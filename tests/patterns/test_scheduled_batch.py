"""patterns/scheduled-batch: rate and cron rules and a Scheduler schedule run batch functions whose
results go to a queue through Lambda's on-success destination.

Pages: "Creating an Amazon EventBridge rule that runs on a schedule" and schedule expressions
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html), EventBridge
Scheduler schedule types, time zones and flexible time windows
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html),
context attributes (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html),
"Lambda asynchronous invocation" and destinations
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from blueprints import (
    PROPERTY,
    assert_equivalent_files,
    drain,
    eventbus,
    fault_mixes,
    load_blueprint,
    records,
    replay_blueprint,
)
from hypothesis import given
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.testing.invariants import assert_invariants

NAME = "scheduled-batch"
EVENTS = "patterns/scheduled-batch/events.jsonl"
HOUR = 3600.0


def record_usage(sim: Simulation, customer: str, units: int) -> None:
    [entry] = sim.events.put_events(
        [{"Source": "com.example.metering", "DetailType": "UsageRecorded", "Detail": json.dumps({"customer": customer, "units": units})}]
    ).entries
    assert entry.ok


def at(sim: Simulation, hh_mm_ss: str) -> None:
    """Advance to a time of day on the simulation's first day."""
    h, m, s = (int(x) for x in hh_mm_ss.split(":"))
    sim.advance_to(h * 3600 + m * 60 + s)


def hourly(handlers: Any) -> dict[str, dict[str, int]]:
    return {start: report["units"] for (kind, start), report in sorted(handlers.REPORTS.items()) if kind == "hourly"}


# ---------------------------------------------------------------------------- the command
def test_replay_tells_the_story() -> None:
    # The replay narrates what each input line caused; the schedules' own runs are counted under
    # "not caused by an input line" (eventbus.report narrates input lines only).
    run = eventbus("replay", EVENTS)
    assert run.code == 0, run
    assert "not caused by an input line (29)" in run.out
    assert "      26 x events.scheduled on rule hourly-rollup" in run.out
    assert "       2 x events.scheduled on rule nightly-report" in run.out
    assert "       1 x scheduler.fired on schedule weekday-digest" in run.out
    assert "summary: 4 input lines: 4 accepted, 0 failed, 0 skipped; 0 dead-lettered, 0 dropped, 0 handler errors" in run.out


def test_sam_template_is_equivalent() -> None:
    assert_equivalent_files(NAME)


def test_the_reports_of_the_replay() -> None:
    result, handlers = replay_blueprint(NAME)
    [fired] = records(result.sim, "scheduler.fired")
    assert result.sim.iso(fired.time) == "2024-01-01T08:01:43Z"  # 09:01:43 in Paris
    windows = hourly(handlers)
    assert list(windows)[:4] == ["2023-12-31T23:55:00Z", "2024-01-01T00:55:00Z", "2024-01-01T01:55:00Z", "2024-01-01T02:55:00Z"]
    assert list(windows.values())[:4] == [{"acme": 5, "globex": 2}, {"acme": 3}, {"acme": 1}, {}]
    assert handlers.REPORTS[("daily", "2024-01-01T00:00:00Z")]["units"] == {"acme": 9, "globex": 2}
    assert handlers.REPORTS[("digest", "2023-12-31T08:00:00Z")]["end"] == "2024-01-01T08:00:00Z"


# ---------------------------------------------------------------------------- windows from the scheduled time
def test_windows_tile_time_whatever_the_rate_rules_phase() -> None:
    # A rate rule fires every period from when it was created; the rollup's windows end a grace
    # period before each scheduled time, so consecutive windows meet exactly, whatever the phase.
    sim = Simulation(seed=1, start="2024-01-01T00:17:23Z")
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.advance(5 * HOUR)
    reports = [r for (kind, _), r in sorted(handlers.REPORTS.items()) if kind == "hourly"]
    assert len(reports) == 5
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(reports))


def test_a_retried_run_still_covers_its_own_window() -> None:
    # The 01:00 run crashes; Lambda runs it again a minute later. Usage recorded at 01:00:30 happened
    # after the window's end (00:55) and belongs to the next window; the retried run, whose window
    # comes from the scheduled event's time, leaves it there.
    sim, _, handlers = load_blueprint(NAME)
    sim.faults.crash_before(nth=1, resource="rollup")
    at(sim, "00:30:00")
    record_usage(sim, "acme", 5)
    at(sim, "01:00:30")
    record_usage(sim, "acme", 7)
    sim.advance(2 * HOUR)
    assert [r.time for r in records(sim, "lambda.invoked", ":function:rollup")][:2] == [HOUR, HOUR + 60]
    assert list(hourly(handlers).values())[:2] == [{"acme": 5}, {"acme": 7}]


def test_a_window_taken_from_the_clock_double_counts_after_a_retry() -> None:
    # The same runs with the window computed from the time the function runs (what datetime.now()
    # gives in AWS): the 01:00 run crashes and its retry at 01:01 reports 23:56-00:56, a minute
    # late, while the 02:00 run reports 00:55-01:55; the usage at 00:55:30 is counted twice.
    sim, _, handlers = load_blueprint(NAME)

    def rollup_by_clock(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        end = sim.now.replace(tzinfo=None) - handlers.GRACE
        report: dict[str, Any] = handlers.report("hourly", end - timedelta(hours=1), end)
        return report

    clock = sim.lambda_.function("rollup-by-clock", rollup_by_clock)
    clock.set_event_invoke_config(on_success=sim.sqs.get_queue("reports").arn)
    rule = sim.events.get_bus("default").get_rule("hourly-rollup")
    rule.put_targets([{"Id": "rollup", "Arn": clock.arn}])
    sim.faults.crash_before(nth=1, resource="rollup-by-clock")
    at(sim, "00:55:30")
    record_usage(sim, "acme", 5)
    sim.advance(2 * HOUR)
    windows = hourly(handlers)
    assert list(windows)[:2] == ["2023-12-31T23:56:00Z", "2024-01-01T00:55:00Z"]
    assert list(windows.values())[:2] == [{"acme": 5}, {"acme": 5}]


def test_without_a_grace_period_a_retried_usage_record_misses_its_window() -> None:
    # Usage at 00:59:30 whose recording crashes is recorded at 01:00:30 (Lambda's retry), after the
    # 01:00 rollup ran. Windows that end at the scheduled time lose it: 00:00-01:00 was reported
    # without it and 01:00-02:00 does not contain it. With the 5-minute grace it is in 00:55-01:55.
    for grace, expected in ((timedelta(0), [{}, {}]), (timedelta(minutes=5), [{}, {"acme": 4}])):
        sim, _, handlers = load_blueprint(NAME)
        setattr(handlers, "GRACE", grace)  # noqa: B010 (the module's constant, for this load)
        sim.faults.crash_before(nth=1, resource="record-usage")
        at(sim, "00:59:30")
        record_usage(sim, "acme", 4)
        sim.advance(2 * HOUR)
        assert [r.time for r in records(sim, "lambda.succeeded", ":function:record-usage")] == [HOUR + 30]
        assert list(hourly(handlers).values())[:2] == expected


def test_the_flexible_window_runs_late_but_reports_its_scheduled_time() -> None:
    # FlexibleTimeWindow: Scheduler invokes the target at some moment within 15 minutes after the
    # scheduled time; <aws.scheduler.scheduled-time> in the input still says 09:00 Paris (08:00 UTC).
    sim, _, handlers = load_blueprint(NAME)
    sim.advance(10 * HOUR)
    [fired] = records(sim, "scheduler.fired")
    assert fired.detail["scheduled_time"] == "2024-01-01T08:00:00Z"
    assert 8 * HOUR <= fired.time < 8 * HOUR + 15 * 60
    assert handlers.REPORTS[("digest", "2023-12-31T08:00:00Z")]["end"] == "2024-01-01T08:00:00Z"


def test_scheduler_cron_follows_paris_time_across_daylight_saving_rules_stay_in_utc() -> None:
    # Scheduler evaluates cron(0 9 ? * MON-FRI *) in Europe/Paris: 08:00 UTC in winter, 07:00 UTC
    # after the clocks change on 2024-03-31. A rule's cron is always UTC: 00:05 UTC every night.
    sim = Simulation(seed=2, start="2024-03-28T00:00:00Z")  # a Thursday
    sim, _, _ = load_blueprint(NAME, sim)
    sim.advance(6 * 24 * HOUR)
    scheduled = [r.detail["scheduled_time"] for r in records(sim, "scheduler.fired")]
    assert scheduled == ["2024-03-28T08:00:00Z", "2024-03-29T08:00:00Z", "2024-04-01T07:00:00Z", "2024-04-02T07:00:00Z"]
    nightly = [sim.iso(r.time) for r in records(sim, "events.scheduled", "rule/nightly-report")]
    assert nightly[:4] == ["2024-03-28T00:05:00Z", "2024-03-29T00:05:00Z", "2024-03-30T00:05:00Z", "2024-03-31T00:05:00Z"]


# ---------------------------------------------------------------------------- at least once
def test_a_duplicate_run_reports_its_window_once() -> None:
    # Lambda may run an asynchronous invocation twice: the window is reported twice, and the
    # consumer, keyed by (kind, window start), stores it once.
    sim, _, handlers = load_blueprint(NAME)
    sim.faults.async_duplicate(nth=1, resource="rollup")
    at(sim, "00:30:00")
    record_usage(sim, "acme", 5)
    sim.advance(HOUR + 120)
    assert [r for r in handlers.RECEIVED if r[0] == "hourly"] == [("hourly", "2023-12-31T23:55:00Z")] * 2
    assert hourly(handlers) == {"2023-12-31T23:55:00Z": {"acme": 5}}


def test_a_run_that_keeps_failing_leaves_its_scheduled_event_in_missed_runs() -> None:
    # After the first attempt and Lambda's two retries the on-failure destination gets a record
    # whose requestPayload is the scheduled event: the window can be run again from it.
    sim, _, handlers = load_blueprint(NAME)
    sim.faults.crash_before(nth=(1, 2, 3), resource="rollup")
    sim.advance(HOUR + 600)
    [body] = drain(sim.sqs.get_queue("missed-runs"))
    record = json.loads(body)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"]["time"] == "2024-01-01T01:00:00Z"
    assert record["requestPayload"]["detail-type"] == "Scheduled Event"
    assert hourly(handlers) == {}


# ---------------------------------------------------------------------------- property under faults
usage_strategy = st.lists(st.tuples(st.integers(0, 5 * 3600), st.sampled_from(["acme", "globex"]), st.integers(1, 9)), min_size=1, max_size=10)


@PROPERTY
@given(
    sim=st.from_type(Simulation),
    usage=usage_strategy,
    plan=fault_mixes(("crash_before", "crash_after", "async_duplicate"), functions=["rollup", "record-usage"]),
)
def test_property_each_usage_is_counted_in_exactly_one_window(sim: Simulation, usage: list[tuple[int, str, int]], plan: Any) -> None:
    # Under crashes (Lambda retries after 1 and 2 minutes, then the on-failure destination) and
    # duplicate invocations of the rollup and of the usage recorder: every hour of the day is
    # reported (once in REPORTS) or its scheduled event is in missed-runs; the reports' totals are the usage
    # recorded in their windows, late recordings included; and reported plus missed hours add up to
    # all the usage recorded.
    sim, _, handlers = load_blueprint(NAME, sim)
    sim.faults.add(plan)
    for offset, customer, units in sorted(usage):
        sim.advance_to(offset)
        record_usage(sim, customer, units)
    sim.advance_to(6 * HOUR + 600)
    assert_invariants(sim)

    missed = {json.loads(body)["requestPayload"]["time"] for body in drain(sim.sqs.get_queue("missed-runs"))}
    start = datetime(2024, 1, 1, tzinfo=UTC)
    counted: dict[str, int] = {}
    for hour in range(1, 7):
        scheduled = (start + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
        window_end = start + timedelta(hours=hour) - timedelta(minutes=5)
        window_start = (window_end - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        report = handlers.REPORTS.get(("hourly", window_start))
        truth = handlers.totals(window_end.replace(tzinfo=None) - timedelta(hours=1), window_end.replace(tzinfo=None))
        if report is None:
            assert scheduled in missed, scheduled
        else:  # (a duplicate invocation may report a window whose other copy ended in missed-runs)
            assert report["units"] == truth, scheduled
        for customer, units in truth.items():
            counted[customer] = counted.get(customer, 0) + units
    recorded: dict[str, int] = {}
    for when, customer, units in handlers.USAGE.values():
        if handlers.parse(when) < datetime(2024, 1, 1, 5, 55):
            recorded[customer] = recorded.get(customer, 0) + units
    assert counted == recorded
