"""Scheduled rules firing on the virtual clock.

Pages: "Creating a rule that runs on a schedule"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html),
"Rate expressions" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html:
"A rate expression starts when you create the scheduled event rule, and then it runs on a defined
schedule"), "Cron expressions" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html,
UTC), and the scheduled event's shape
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html: source
"aws.events", detail-type "Scheduled Event", resources [rule ARN], detail {}).
"""

from __future__ import annotations

import json

from eventbus import Simulation

from ._fakes import RecordingEndpoint


def fire_times(queue: RecordingEndpoint) -> list[str]:
    return [json.loads(body)["time"] for body in queue.bodies]


def test_rate_fires_every_period_counted_from_creation() -> None:
    sim = Simulation(start="2024-03-10T08:00:00Z")
    sim.advance(30)  # created at 08:00:30: fires at 08:05:30, 08:10:30, ...
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("tick", schedule="rate(5 minutes)").target(queue)
    sim.advance(16 * 60)
    assert fire_times(queue) == ["2024-03-10T08:05:30Z", "2024-03-10T08:10:30Z", "2024-03-10T08:15:30Z"]
    assert queue.attempt_times == [330.0, 630.0, 930.0]


def test_scheduled_event_shape() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    rule = sim.events.default_bus.rule("hourly", schedule="rate(1 hour)")
    rule.target(queue)
    sim.advance(3600)
    event = json.loads(queue.bodies[0])
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [rule.arn]
    assert event["detail"] == {}
    assert event["time"] == "2024-01-01T01:00:00Z"
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


def test_cron_last_day_of_month_across_month_ends_and_a_leap_year() -> None:
    # eb-cron-expressions.html: L in day-of-month is the last day of the month; times are UTC.
    sim = Simulation(start="2024-01-15T00:00:00Z")
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("month-end", schedule="cron(0 12 L * ? *)").target(queue)
    sim.advance_to("2024-05-01T00:00:00Z")
    assert fire_times(queue) == [
        "2024-01-31T12:00:00Z",
        "2024-02-29T12:00:00Z",
        "2024-03-31T12:00:00Z",
        "2024-04-30T12:00:00Z",
    ]
    # exactly at those instants on the virtual clock
    assert [sim.iso(t) for t in queue.attempt_times] == fire_times(queue)


def test_cron_every_fifteen_minutes_across_midnight_at_a_month_end() -> None:
    sim = Simulation(start="2024-06-30T23:20:00Z")
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("quarter", schedule="cron(0/15 * * * ? *)").target(queue)
    sim.advance(3600)
    assert fire_times(queue) == [
        "2024-06-30T23:30:00Z",
        "2024-06-30T23:45:00Z",
        "2024-07-01T00:00:00Z",
        "2024-07-01T00:15:00Z",
    ]


def test_disabling_pauses_and_enabling_resumes_on_the_same_grid() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    rule = sim.events.default_bus.rule("tick", schedule="rate(5 minutes)")
    rule.target(queue)
    sim.advance(7 * 60)
    rule.disable()
    sim.advance(10 * 60)
    rule.enable()
    sim.advance(9 * 60)
    assert queue.attempt_times == [300.0, 1200.0, 1500.0]


def test_putting_the_rule_again_keeps_its_schedule_unless_it_changes() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    bus = sim.events.default_bus
    bus.rule("tick", schedule="rate(10 minutes)").target(queue)
    sim.advance(4 * 60)
    bus.put_rule("tick", schedule_expression="rate(10 minutes)", description="same schedule")
    sim.advance(7 * 60)  # still fires at 10 minutes after creation
    assert queue.attempt_times == [600.0]
    bus.put_rule("tick", schedule_expression="rate(3 minutes)")  # at 11:00: restarts from now
    sim.advance(7 * 60)
    assert queue.attempt_times == [600.0, 840.0, 1020.0]


def test_deleting_a_scheduled_rule_stops_it() -> None:
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    rule = sim.events.default_bus.rule("tick", schedule="rate(1 minute)")
    rule.target(queue)
    sim.advance(150)
    rule.remove_targets([next(iter(rule.targets))])
    rule.delete()
    sim.advance(600)
    assert queue.attempt_times == [60.0, 120.0]
    assert sim.pending == 0


def test_a_rule_with_a_pattern_and_a_schedule_does_both() -> None:
    # API_PutRule: "A rule can have both an EventPattern and a ScheduleExpression".
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("both", pattern={"source": ["s"]}, schedule="rate(1 hour)").target(queue)
    sim.events.default_bus.put(source="s", detail_type="t", detail={})
    sim.advance(3600)
    assert [json.loads(body)["source"] for body in queue.bodies] == ["s", "aws.events"]


def test_schedules_are_journaled() -> None:
    sim = Simulation()
    rule = sim.events.default_bus.rule("tick", schedule="rate(1 minute)")
    sim.advance(180)
    assert [r.time for r in sim.journal.select("events.scheduled", resource=rule.arn)] == [60.0, 120.0, 180.0]
