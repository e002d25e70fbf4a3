"""Archives and replays: round trips, replay-name, state transitions, retention, validation.

Pages: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html and
API_CreateArchive / API_DescribeReplay / API_CancelReplay. Error texts are those AWS returned in
LocalStack's AWS-validated snapshots (test_archive_and_replay.snapshot.json).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from eventbus import ConflictError, ResourceExistsError, ResourceNotFoundError, Simulation, ValidationError

from ._fakes import RecordingEndpoint
from ._shapes import assert_output_shape

START = datetime(2024, 1, 1, tzinfo=UTC)


def call(sim: Simulation, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    result = sim.events.api.call(operation, params)
    assert_output_shape(operation, result)
    return result


def shop(sim: Simulation) -> tuple[RecordingEndpoint, RecordingEndpoint]:
    """A bus "shop" with two rules, each to its own queue, and an archive of all its events."""
    bus = sim.events.bus("shop")
    orders, audit = RecordingEndpoint(sim, "orders"), RecordingEndpoint(sim, "audit")
    bus.rule("orders", pattern={"detail-type": ["OrderPlaced"]}).target(orders)
    bus.rule("audit", pattern={"source": ["shop"]}).target(audit)
    bus.archive("everything")
    return orders, audit


def put_three_minutes_of_orders(sim: Simulation) -> list[str]:
    ids = []
    for minute in range(3):
        ids.append(sim.events.bus("shop").put(source="shop", detail_type="OrderPlaced", detail={"n": minute}))
        sim.advance(60)
    return ids


def test_archive_and_replay_round_trip() -> None:
    sim = Simulation()
    orders, audit = shop(sim)
    ids = put_three_minutes_of_orders(sim)
    archive = sim.events.archives["everything"]
    assert archive.event_count == 3
    assert [r.id for r in sim.journal.select("events.archived")] == ids

    replay = sim.events.start_replay("again", archive=archive, start=START, end=sim.now)
    assert replay.state == "STARTING"
    sim.advance(600)
    assert replay.state == "COMPLETED"
    replayed = [json.loads(body) for body in orders.bodies[3:]]
    assert [event["id"] for event in replayed] == ids
    assert all(event["replay-name"] == "again" for event in replayed)
    assert list(replayed[0]) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "replay-name", "resources", "detail",
    ]
    assert len(audit.messages) == 6  # every rule of the bus, without FilterArns
    assert archive.event_count == 3  # replayed events are not archived again
    assert [r.id for r in sim.journal.select("events.replayed")] == ids


def test_replay_states_move_on_the_virtual_clock_one_minute_bucket_at_a_time() -> None:
    sim = Simulation()
    orders, _ = shop(sim)
    put_three_minutes_of_orders(sim)
    sim.events.replay_startup = 30.0
    sim.events.replay_bucket_interval = 10.0
    started = sim.time
    replay = sim.events.start_replay("r", archive="everything", start=START, end=sim.now)
    states = [(r.time - started, r.detail["state"]) for r in sim.journal.select("events.replay")]
    assert states == [(0.0, "STARTING")]
    sim.advance(30)
    assert replay.state == "RUNNING"
    assert len(orders.messages) == 4  # the first minute of event time
    sim.advance(10)
    assert len(orders.messages) == 5
    sim.advance(20)
    assert replay.state == "COMPLETED"
    states = [(r.time - started, r.detail["state"]) for r in sim.journal.select("events.replay")]
    assert states == [(0.0, "STARTING"), (30.0, "RUNNING"), (50.0, "COMPLETED")]
    described = call(sim, "DescribeReplay", {"ReplayName": "r"})
    assert described["State"] == "COMPLETED"
    assert described["ReplayStartTime"] == datetime.fromtimestamp(sim.epoch(started), UTC)
    assert described["ReplayEndTime"] == datetime.fromtimestamp(sim.epoch(started + 50), UTC)
    assert described["EventLastReplayedTime"] == datetime(2024, 1, 1, 0, 2, tzinfo=UTC)


def test_replay_to_chosen_rules_only() -> None:
    # API_ReplayDestination.FilterArns: "A list of ARNs for rules to replay events to."
    sim = Simulation()
    orders, audit = shop(sim)
    put_three_minutes_of_orders(sim)
    rule_arn = sim.events.bus("shop").rules["audit"].arn
    call(
        sim,
        "StartReplay",
        {
            "ReplayName": "audit-only",
            "EventSourceArn": sim.events.archives["everything"].arn,
            "EventStartTime": START,
            "EventEndTime": sim.now,
            "Destination": {"Arn": sim.events.bus("shop").arn, "FilterArns": [rule_arn]},
        },
    )
    sim.advance(600)
    assert len(orders.messages) == 3
    assert len(audit.messages) == 6


def test_replay_window_selects_by_event_time() -> None:
    sim = Simulation()
    orders, _ = shop(sim)
    ids = put_three_minutes_of_orders(sim)
    sim.events.start_replay("middle", archive="everything", start="2024-01-01T00:01:00Z", end="2024-01-01T00:02:00Z")
    sim.advance(600)
    assert [json.loads(body)["id"] for body in orders.bodies[3:]] == [ids[1]]


def test_cancel_replay() -> None:
    # AWS-validated snapshot test_start_list_describe_canceled_replay: CancelReplay answers CANCELLING.
    sim = Simulation()
    orders, _ = shop(sim)
    put_three_minutes_of_orders(sim)
    sim.events.start_replay("r", archive="everything", start=START, end=sim.now)
    assert call(sim, "CancelReplay", {"ReplayName": "r"})["State"] == "CANCELLING"
    assert call(sim, "DescribeReplay", {"ReplayName": "r"})["State"] == "CANCELLING"
    sim.advance(600)
    replay = sim.events.replays["r"]
    assert replay.state == "CANCELLED"
    assert len(orders.messages) == 3  # nothing was replayed
    with pytest.raises(ConflictError, match=r"^Replay r is not in a valid state for this operation\.$") as caught:
        call(sim, "CancelReplay", {"ReplayName": "r"})
    assert caught.value.code == "IllegalStatusException"


def test_a_replay_whose_bus_is_deleted_fails() -> None:
    sim = Simulation()
    shop(sim)
    put_three_minutes_of_orders(sim)
    replay = sim.events.start_replay("r", archive="everything", start=START, end=sim.now)
    for rule in list(sim.events.bus("shop").rules.values()):
        rule.targets.clear()
    sim.events.delete_bus("shop")
    sim.advance(600)
    assert replay.state == "FAILED"
    assert replay.state_reason == "Event bus shop does not exist."


def test_start_replay_errors() -> None:
    sim = Simulation()
    shop(sim)
    sim.events.bus("other")
    archive_arn = sim.events.archives["everything"].arn
    base = {
        "ReplayName": "r",
        "EventSourceArn": archive_arn,
        "EventStartTime": START,
        "EventEndTime": datetime(2024, 1, 2, tzinfo=UTC),
        "Destination": {"Arn": sim.events.bus("shop").arn},
    }
    with pytest.raises(ValidationError, match=r"^Parameter EventSourceArn is not valid\. Reason: Archive nope does not exist\.$"):
        call(sim, "StartReplay", dict(base, EventSourceArn=archive_arn.replace("everything", "nope")))
    with pytest.raises(ResourceNotFoundError, match=r"^Event bus ghost does not exist\.$"):
        call(sim, "StartReplay", dict(base, Destination={"Arn": sim.arn("events", "event-bus/ghost")}))
    with pytest.raises(ValidationError, match=r"^Parameter Destination\.Arn is not valid\. Reason: Cross event bus replay is not permitted\.$"):
        call(sim, "StartReplay", dict(base, Destination={"Arn": sim.events.bus("other").arn}))
    with pytest.raises(ValidationError, match=r"^Parameter EventEndTime is not valid\. Reason: EventStartTime must be before EventEndTime\.$"):
        call(sim, "StartReplay", dict(base, EventEndTime=START))
    call(sim, "StartReplay", base)
    with pytest.raises(ResourceExistsError, match=r"^Replay r already exists\.$"):
        call(sim, "StartReplay", base)
    with pytest.raises(ResourceNotFoundError, match=r"^Replay nope does not exist\.$"):
        call(sim, "DescribeReplay", {"ReplayName": "nope"})


def test_archive_api_round_trip() -> None:
    # AWS-validated snapshot test_create_list_describe_update_delete_archive.
    sim = Simulation()
    bus_arn = sim.events.bus("shop").arn
    pattern = json.dumps({"source": ["shop"]})
    created = call(
        sim,
        "CreateArchive",
        {"ArchiveName": "a", "EventSourceArn": bus_arn, "EventPattern": pattern, "RetentionDays": 1, "Description": "d"},
    )
    assert created["ArchiveArn"] == "arn:aws:events:us-east-1:123456789012:archive/a"
    assert created["State"] == "ENABLED"
    listed = call(sim, "ListArchives", {"NamePrefix": "a"})["Archives"]
    assert listed == [
        {
            "ArchiveName": "a",
            "EventSourceArn": bus_arn,
            "State": "ENABLED",
            "RetentionDays": 1,
            "SizeBytes": 0,
            "EventCount": 0,
            "CreationTime": created["CreationTime"],
        }
    ]
    described = call(sim, "DescribeArchive", {"ArchiveName": "a"})
    assert described["EventPattern"] == pattern
    assert described["Description"] == "d"
    call(sim, "UpdateArchive", {"ArchiveName": "a", "RetentionDays": 3})
    assert call(sim, "DescribeArchive", {"ArchiveName": "a"})["RetentionDays"] == 3
    assert call(sim, "ListArchives", {"EventSourceArn": bus_arn})["Archives"][0]["ArchiveName"] == "a"
    call(sim, "DeleteArchive", {"ArchiveName": "a"})
    assert call(sim, "ListArchives", {})["Archives"] == []
    assert "Events-Archive-a" not in sim.events.bus("shop").rules


def test_archive_errors() -> None:
    sim = Simulation()
    bus_arn = sim.events.default_bus.arn
    call(sim, "CreateArchive", {"ArchiveName": "a", "EventSourceArn": bus_arn})
    with pytest.raises(ResourceExistsError, match=r"^Archive a already exists\.$"):
        call(sim, "CreateArchive", {"ArchiveName": "a", "EventSourceArn": bus_arn})
    with pytest.raises(ResourceNotFoundError, match=r"^Event bus ghost does not exist\.$"):
        call(sim, "CreateArchive", {"ArchiveName": "b", "EventSourceArn": sim.arn("events", "event-bus/ghost")})
    with pytest.raises(ResourceNotFoundError, match=r"^Archive nope does not exist\.$"):
        call(sim, "DescribeArchive", {"ArchiveName": "nope"})
    with pytest.raises(ResourceNotFoundError, match=r"^Archive nope does not exist\.$"):
        call(sim, "DeleteArchive", {"ArchiveName": "nope"})
    with pytest.raises(ResourceNotFoundError, match=r"^Event bus ghost does not exist\.$"):
        call(sim, "ListArchives", {"EventSourceArn": sim.arn("events", "event-bus/ghost")})
    with pytest.raises(ValidationError, match="At most one filter is allowed for ListArchives"):
        call(sim, "ListArchives", {"NamePrefix": "a", "State": "ENABLED"})


def test_archive_pattern_selects_events() -> None:
    sim = Simulation()
    bus = sim.events.default_bus
    archive = bus.archive("orders-only", pattern={"detail-type": ["OrderPlaced"]})
    bus.put(source="shop", detail_type="OrderPlaced", detail={})
    bus.put(source="shop", detail_type="Other", detail={})
    sim.run_until_idle()
    assert [event["detail-type"] for event in archive.events] == ["OrderPlaced"]
    assert archive.size_bytes > 0


def test_retention_expires_events_on_the_virtual_clock() -> None:
    # API_CreateArchive.RetentionDays: "The number of days to retain events for. ... 0 ... indefinitely".
    sim = Simulation()
    bus = sim.events.default_bus
    kept, short = bus.archive("forever"), bus.archive("two-days", retention_days=2)
    bus.put(source="s", detail_type="t", detail={})
    sim.advance(86400)
    bus.put(source="s", detail_type="t", detail={})
    sim.advance(86400 - 1)
    assert short.event_count == 2
    sim.advance(1)
    assert short.event_count == 1
    sim.advance(86400)
    assert short.event_count == 0
    assert kept.event_count == 2
    assert [r.detail["events"] for r in sim.journal.select("events.archive.expired")] == [1, 1]
