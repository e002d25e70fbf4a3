"""What a schedule delivers to its target, its retries, and its dead-letter queue.

Pages: templated targets (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html),
the Target's Input (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Target.html), context
attributes (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html),
the retry policy (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html) and the
dead-letter queue (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html).
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from eventbus import ServiceError, Simulation, ValidationError

from ._fakes import RecordingEndpoint

DAY = 86400.0
ONCE = "at(2024-01-01T00:10:00)"  # ten minutes after the simulations below start


@pytest.fixture
def sim() -> Simulation:
    return Simulation(42, start="2024-01-01T00:00:00Z")


def journal(sim: Simulation, kind: str) -> list[Any]:
    return [record for record in sim.journal if record.kind == kind]


# ------------------------------------------------------------- payloads
def test_callable_target_receives_the_input_decoded(sim: Simulation) -> None:
    # API_Target.html: Input is "the text, or well-formed JSON, passed to the target"; a function receives
    # it as its event.
    received: list[Any] = []
    sim.scheduler.create_schedule("job", ONCE, target=received.append, input='{"job": "report", "n": 1}')
    sim.advance(DAY)
    assert received == [{"job": "report", "n": 1}]


def test_callable_target_receives_plain_text_as_given(sim: Simulation) -> None:
    received: list[Any] = []
    sim.scheduler.create_schedule("job", ONCE, target=received.append, input="time to run")
    sim.advance(DAY)
    assert received == ["time to run"]


def test_without_input_the_target_gets_a_default_notification(sim: Simulation) -> None:
    # API_Target.html: "If you do not specify anything for this field, EventBridge Scheduler delivers a
    # default notification to the target." (its content is undocumented; an empty object is assumed)
    received: list[Any] = []
    sim.scheduler.create_schedule("job", ONCE, target=received.append)
    sim.advance(DAY)
    assert received == [{}]


def test_queue_target_receives_the_input_text_as_the_message_body(sim: Simulation) -> None:
    # managing-targets-templated.html: an SQS queue target is SendMessage with the input as the body.
    queue = RecordingEndpoint(sim, "jobs")
    sim.scheduler.create_schedule("job", ONCE, target=queue, input='{"a":  1}')
    sim.advance(DAY)
    assert queue.bodies == ['{"a":  1}']
    assert queue.messages[0].source_arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/job"


def test_fifo_queue_target_gets_the_message_group_id(sim: Simulation) -> None:
    # API_Target.html: SqsParameters "Contains the message group ID to use when the target is a FIFO queue."
    queue = RecordingEndpoint(sim, "jobs.fifo")
    sim.scheduler.create_schedule("job", ONCE, target=queue.arn, input="x", message_group_id="nightly")
    sim.advance(DAY)
    assert queue.messages[0].group_id == "nightly"


def test_event_bus_target_gets_a_put_events_entry_from_eventbridge_parameters(sim: Simulation) -> None:
    # API_Target.html: EventBridgeParameters is "The templated target type for the EventBridge PutEvents
    # API operation" (DetailType and Source); the input is the event's detail.
    bus = RecordingEndpoint(sim, "event-bus/orders", service="events")
    sim.scheduler.create_schedule(
        "tick", ONCE, target=bus, input='{"run": 3}', detail_type="Nightly Run", source="com.example.jobs"
    )
    sim.advance(DAY)
    event = json.loads(bus.bodies[0])
    assert event["source"] == "com.example.jobs"
    assert event["detail-type"] == "Nightly Run"
    assert event["detail"] == {"run": 3}
    assert event["resources"] == ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/tick"]
    assert event["time"] == "2024-01-01T00:10:00Z"
    assert (event["account"], event["region"], event["version"]) == ("123456789012", "us-east-1", "0")
    assert bus.messages[0].event == event


def test_event_bus_target_without_eventbridge_parameters_is_not_retried(sim: Simulation) -> None:
    bus = RecordingEndpoint(sim, "event-bus/orders", service="events")
    sim.scheduler.create_schedule("tick", ONCE, target=bus, input="{}")
    sim.advance(DAY)
    assert bus.messages == []
    (failed,) = journal(sim, "scheduler.target.failed")
    assert failed.detail["exhausted"] == "NotRetryable"
    assert journal(sim, "scheduler.dropped")[0].detail["reason"] == "NotRetryable"


def test_event_bus_target_input_must_be_json(sim: Simulation) -> None:
    # API_Target.html: "If you are configuring a templated Lambda, AWS Step Functions, or Amazon
    # EventBridge target, the input must be a well-formed JSON."
    bus = RecordingEndpoint(sim, "event-bus/orders", service="events")
    with pytest.raises(ValidationError):
        sim.scheduler.create_schedule("tick", ONCE, target=bus, input="not json", detail_type="d", source="s")
    queue = RecordingEndpoint(sim, "jobs")
    sim.scheduler.create_schedule("plain", ONCE, target=queue, input="not json")  # SQS takes any text


# ---------------------------------------------------- context attributes
def test_context_attributes_are_replaced_in_the_input(sim: Simulation) -> None:
    # managing-schedule-context-attributes.html: the four keywords are replaced "when your schedule
    # invokes the target"; scheduled-time looks like 2022-03-22T18:59:43Z, execution-id like d32c5kddcf5bb8c3.
    queue = RecordingEndpoint(sim, "jobs")
    sim.scheduler.create_schedule(
        "ctx",
        "rate(1 hour)",
        target=queue,
        input=(
            '{"arn": "<aws.scheduler.schedule-arn>", "time": "<aws.scheduler.scheduled-time>", '
            '"id": "<aws.scheduler.execution-id>", "attempt": <aws.scheduler.attempt-number>}'
        ),
    )
    sim.advance(3600)
    first, second = (json.loads(body) for body in queue.bodies)
    assert first["arn"] == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/ctx"
    assert (first["time"], second["time"]) == ("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z")
    assert re.fullmatch("[0-9a-f]{16}", first["id"])
    assert first["id"] != second["id"]
    assert first["attempt"] == second["attempt"] == 1
    fired = journal(sim, "scheduler.fired")
    assert [record.id for record in fired] == [first["id"], second["id"]]


def test_attempt_number_counts_retries_and_execution_id_stays(sim: Simulation) -> None:
    queue = RecordingEndpoint(sim, "jobs", failures=2)
    sim.scheduler.create_schedule(
        "ctx", ONCE, target=queue, input="<aws.scheduler.execution-id> #<aws.scheduler.attempt-number>"
    )
    sim.advance(DAY)
    (body,) = queue.bodies
    execution_id = journal(sim, "scheduler.fired")[0].id
    assert body == f"{execution_id} #3"


# --------------------------------------------------------------- retries
def test_flaky_callable_is_retried_with_backoff_until_it_succeeds(sim: Simulation) -> None:
    # API_RetryPolicy.html: "Retry attempts with exponential backoff continue until either the maximum
    # number of attempts is made or until the duration of the MaximumEventAgeInSeconds is reached."
    calls: list[tuple[float, Any]] = []

    def flaky(payload: Any) -> str:
        calls.append((sim.time, payload))
        if len(calls) < 4:
            raise ConnectionError("not yet")
        return "ok"

    sim.scheduler.create_schedule("job", ONCE, target=flaky, input='{"attempt": <aws.scheduler.attempt-number>}')
    sim.advance(DAY)
    assert [payload for _, payload in calls] == [{"attempt": 1}, {"attempt": 2}, {"attempt": 3}, {"attempt": 4}]
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(calls)]
    assert all(gap > 0 for gap in gaps)
    assert len(journal(sim, "scheduler.target.retrying")) == 3
    (delivered,) = journal(sim, "scheduler.target.delivered")
    assert delivered.detail["attempts"] == 4
    assert journal(sim, "scheduler.dead_lettered") == []
    assert journal(sim, "scheduler.dropped") == []


def test_async_callable_target_is_awaited(sim: Simulation) -> None:
    done: list[float] = []

    async def slow(payload: Any) -> None:
        await sim.sleep(5)
        done.append(sim.time)

    sim.scheduler.create_schedule("job", ONCE, target=slow)
    sim.advance(DAY)
    assert done == [605.0]
    assert journal(sim, "scheduler.target.delivered")[0].time == 605.0


def test_retries_exhausted_go_to_the_dead_letter_queue_with_schedulers_attributes(sim: Simulation) -> None:
    # configuring-schedule-dlq.html: after the retries, the invocation goes to the DLQ.
    target = RecordingEndpoint(sim, "jobs", failures=-1)
    dlq = RecordingEndpoint(sim, "jobs-dlq")
    schedule = sim.scheduler.create_schedule(
        "job", ONCE, target=target, input='{"job": 1}', max_retries=2, dead_letter=dlq
    )
    sim.advance(DAY)
    assert len(target.attempt_times) == 3
    (letter,) = dlq.messages
    assert letter.body == '{"job": 1}'
    execution_id = journal(sim, "scheduler.fired")[0].id
    assert {name: value["StringValue"] for name, value in letter.attributes.items()} == {
        "ERROR_CODE": "ConnectionError",
        "ERROR_MESSAGE": "target unavailable",
        "EXECUTION_ID": execution_id,
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        "IS_PAYLOAD_TRUNCATED": "false",
        "RETRY_ATTEMPTS": "2",
        "SCHEDULED_TIME": "2024-01-01T00:10:00Z",
        "SCHEDULE_ARN": schedule.arn,
        "TARGET_ARN": target.arn,
    }
    assert all(value["DataType"] == "String" for value in letter.attributes.values())
    (dead,) = journal(sim, "scheduler.dead_lettered")
    assert (dead.resource, dead.id) == (dlq.arn, execution_id)


def test_max_retries_zero_dead_letters_after_one_attempt(sim: Simulation) -> None:
    target = RecordingEndpoint(sim, "jobs", failures=-1)
    dlq = RecordingEndpoint(sim, "jobs-dlq")
    sim.scheduler.create_schedule("job", ONCE, target=target, retry_policy={"MaximumRetryAttempts": 0}, dead_letter=dlq.arn)
    sim.advance(DAY)
    assert len(target.attempt_times) == 1
    assert dlq.attribute(0, "RETRY_ATTEMPTS") == "0"
    assert dlq.attribute(0, "EXHAUSTED_RETRY_CONDITION") == "MaximumRetryAttempts"


def test_event_age_exceeded_goes_to_the_dead_letter_queue(sim: Simulation) -> None:
    # API_RetryPolicy.html: MaximumEventAgeInSeconds is "The maximum amount of time, in seconds, to
    # continue to make retry attempts."
    target = RecordingEndpoint(sim, "jobs", failures=-1)
    dlq = RecordingEndpoint(sim, "jobs-dlq")
    sim.scheduler.create_schedule("job", ONCE, target=target, max_event_age=60, dead_letter=dlq)
    sim.advance(DAY)
    assert target.attempt_times[-1] - target.attempt_times[0] <= 60
    assert len(target.attempt_times) > 1
    assert dlq.attribute(0, "EXHAUSTED_RETRY_CONDITION") == "MaximumEventAgeInSeconds"
    assert dlq.attribute(0, "RETRY_ATTEMPTS") == str(len(target.attempt_times) - 1)


def test_the_error_code_of_a_service_error_is_kept(sim: Simulation) -> None:
    error = ServiceError("Rate exceeded", code="ThrottlingException", status=400)
    target = RecordingEndpoint(sim, "jobs", failures=-1, error=error)
    dlq = RecordingEndpoint(sim, "jobs-dlq")
    sim.scheduler.create_schedule("job", ONCE, target=target, max_retries=1, dead_letter=dlq)
    sim.advance(DAY)
    assert (dlq.attribute(0, "ERROR_CODE"), dlq.attribute(0, "ERROR_MESSAGE")) == ("ThrottlingException", "Rate exceeded")


def test_a_missing_target_is_not_retried(sim: Simulation) -> None:
    # A target that does not exist cannot succeed: no retries, straight to the DLQ (no retry condition).
    dlq = RecordingEndpoint(sim, "jobs-dlq")
    missing = sim.arn("sqs", "gone")
    sim.scheduler.create_schedule("job", ONCE, target=missing, dead_letter=dlq)
    sim.advance(DAY)
    assert journal(sim, "scheduler.target.retrying") == []
    assert dlq.attribute(0, "ERROR_CODE") == "ResourceNotFoundException"
    assert dlq.attribute(0, "ERROR_MESSAGE") == f"Resource {missing} does not exist."
    assert dlq.attribute(0, "RETRY_ATTEMPTS") == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in dlq.messages[0].attributes


def test_without_a_dead_letter_queue_the_invocation_is_dropped(sim: Simulation) -> None:
    target = RecordingEndpoint(sim, "jobs", failures=-1)
    sim.scheduler.create_schedule("job", ONCE, target=target, max_retries=1)
    sim.advance(DAY)
    (dropped,) = journal(sim, "scheduler.dropped")
    assert dropped.resource == target.arn
    assert dropped.detail["reason"] == "MaximumRetryAttempts"
    assert dropped.detail["retry_attempts"] == 1


def test_a_dead_letter_queue_that_does_not_exist_drops_the_invocation(sim: Simulation) -> None:
    target = RecordingEndpoint(sim, "jobs", failures=-1)
    sim.scheduler.create_schedule("job", ONCE, target=target, max_retries=0, dead_letter=sim.arn("sqs", "nowhere"))
    sim.advance(DAY)
    (dropped,) = journal(sim, "scheduler.dropped")
    assert dropped.detail["reason"] == "DeadLetterDeliveryFailed"


def test_retries_continue_after_the_schedule_is_deleted(sim: Simulation) -> None:
    # An invocation already under way finishes its retries (a later update cannot change it).
    target = RecordingEndpoint(sim, "jobs", failures=2)
    sim.scheduler.create_schedule("job", ONCE, target=target, action_after_completion="DELETE")
    sim.advance(DAY)
    assert len(target.messages) == 1
    assert [r.kind for r in sim.journal if r.kind.startswith("scheduler.")][-2:] == [
        "scheduler.target.retrying",
        "scheduler.target.delivered",
    ]


def test_event_bus_target_feeds_the_buses_rules(sim: Simulation) -> None:
    # managing-targets-templated.html: the EventBridge PutEvents templated target; the event then goes
    # through the bus's rules like any other.
    matched: list[Any] = []
    bus = sim.events.bus("default")
    bus.on({"source": ["com.example.jobs"], "detail-type": ["Tick"]})(matched.append)
    sim.scheduler.create_schedule(
        "tick", "rate(1 hour)", target=bus, input='{"n": 1}', detail_type="Tick", source="com.example.jobs"
    )
    sim.advance(3600)
    assert [event["time"] for event in matched] == ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"]
    assert matched[0]["detail"] == {"n": 1}
    assert matched[0]["resources"] == ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/tick"]
