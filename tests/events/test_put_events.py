"""PutEvents: validation, per-entry results, limits and the event envelope.

Pages: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html. Error texts are
those AWS returned in LocalStack's AWS-validated snapshots (test_events.snapshot.json).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from eventbus import Simulation, ValidationError
from eventbus.services._events_envelope import entry_size

from ._fakes import RecordingEndpoint


def entry(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Source": "com.shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"id": 1})}
    base.update(overrides)
    return base


def test_envelope_has_aws_fields_in_aws_order() -> None:
    # eb-events-structure.html: version, id, detail-type, source, account, time, region, resources, detail.
    sim = Simulation(start="2024-05-01T12:00:00Z", account_id="111122223333", region="eu-west-1")
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("all", pattern={"source": ["com.shop"]}).target(queue)
    result = sim.events.put_events([entry(Resources=["arn:aws:s3:::b"])])
    sim.run_until_idle()
    event = json.loads(queue.bodies[0])
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert event["version"] == "0"
    assert event["id"] == result.entries[0].event_id
    assert event["account"] == "111122223333"
    assert event["region"] == "eu-west-1"
    assert event["time"] == "2024-05-01T12:00:00Z"
    assert event["resources"] == ["arn:aws:s3:::b"]
    assert event["detail"] == {"id": 1}


def test_entry_time_sets_the_event_time() -> None:
    # API_PutEventsRequestEntry: "If no time stamp is provided, the time stamp of the PutEvents call is used."
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("all", pattern={"source": ["com.shop"]}).target(queue)
    sim.advance(90)
    sim.events.put_events([entry(), entry(Time=datetime(2020, 2, 29, 23, 59, 58, 700000, tzinfo=UTC))])
    sim.run_until_idle()
    times = [json.loads(body)["time"] for body in queue.bodies]
    assert times == ["2024-01-01T00:01:30Z", "2020-02-29T23:59:58Z"]


def test_event_ids_come_from_the_seeded_generator() -> None:
    def ids(seed: int) -> list[str | None]:
        sim = Simulation(seed=seed)
        return sim.events.put_events([entry(), entry()]).event_ids

    assert ids(7) == ids(7)
    assert ids(7) != ids(8)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("Source", "Parameter Source is not valid. Reason: Source is a required argument."),
        ("DetailType", "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
        ("Detail", "Parameter Detail is not valid. Reason: Detail is a required argument."),
    ],
)
def test_missing_required_field_fails_the_entry_only(missing: str, message: str) -> None:
    # AWS-validated snapshot test_put_events_without_source / _detail / _detail_type.
    sim = Simulation()
    bad = entry()
    del bad[missing]
    result = sim.events.api.call("PutEvents", {"Entries": [entry(), bad]})
    assert result["FailedEntryCount"] == 1
    assert "EventId" in result["Entries"][0]
    assert result["Entries"][1] == {"ErrorCode": "InvalidArgument", "ErrorMessage": message}


@pytest.mark.parametrize("detail", ['"a string"', "[1, 2]", "{not json", json.dumps(json.dumps({"a": 1}))])
def test_detail_that_is_not_a_json_object_is_malformed(detail: str) -> None:
    # AWS-validated snapshot test_put_event_malformed_detail[STRING, ARRAY, MALFORMED_JSON, SERIALIZED_STRING].
    result = Simulation().events.api.call("PutEvents", {"Entries": [entry(Detail=detail)]})
    assert result == {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}],
    }


def test_detail_nested_too_deeply_to_parse_is_malformed_not_an_internal_failure() -> None:
    # A Detail nested thousands of levels deep used to raise RecursionError out of PutEvents (an
    # InternalFailure through boto3). EventBridge's JSON parser refuses such input; the entry fails
    # like any unparsable Detail (API_PutEventsResultEntry: MalformedDetail).
    detail = '{"a":' * 5000 + "1" + "}" * 5000
    result = Simulation().events.api.call("PutEvents", {"Entries": [entry(Detail=detail), entry()]})
    assert result["FailedEntryCount"] == 1
    assert result["Entries"][0] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert "EventId" in result["Entries"][1]


def test_aws_sources_are_reserved() -> None:
    # API_PutEventsResultEntry: NotAuthorizedForSourceException; "Not authorized for the source".
    result = Simulation().events.put_events([entry(Source="aws.ec2")])
    assert result.entries[0].error_code == "NotAuthorizedForSourceException"
    assert result.entries[0].error_message == "Not authorized for the source."


def test_more_than_ten_entries_fail_the_request() -> None:
    # AWS-validated snapshot test_put_events_exceed_limit_ten_entries.
    with pytest.raises(ValidationError) as caught:
        Simulation().events.put_events([entry(EventBusName="default")] * 11)
    text = str(caught.value)
    assert text.startswith("1 validation error detected: Value '[PutEventsRequestEntry(time=null, source=com.shop, ")
    assert text.endswith("]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
    assert text.count("PutEventsRequestEntry(") == 11
    assert caught.value.code == "ValidationException"


def test_entries_over_256_kb_fail_the_request() -> None:
    # AWS-validated snapshot test_put_event_with_too_big_detail.
    big = json.dumps({"blob": "x" * (256 * 1024)})
    with pytest.raises(ValidationError, match=r"^Total size of the entries in the request is over the limit\.$"):
        Simulation().events.put_events([entry(Detail=big)])


def test_entry_size_is_computed_as_the_user_guide_says() -> None:
    # eb-putevent-size.html: Time counts 14 bytes; UTF-8 bytes of Source, DetailType, Detail, Resources.
    e = {"Time": "2024-01-01T00:00:00Z", "Source": "é", "DetailType": "ab", "Detail": "{}", "Resources": ["r1", "r22"]}
    assert entry_size(e) == 14 + 2 + 2 + 2 + 2 + 3
    limit = {"Source": "s", "DetailType": "d", "Detail": json.dumps({"x": "y" * (256 * 1024 - 11)})}
    assert entry_size(limit) == 256 * 1024
    Simulation().events.put_events([limit])  # exactly at the limit: accepted
    with pytest.raises(ValidationError):
        Simulation().events.put_events([dict(limit, Source="ss")])


def test_nonexistent_bus_accepts_the_entry_and_drops_the_event() -> None:
    # AWS-validated snapshot test_put_events_nonexistent_event_bus: both entries get an EventId.
    sim = Simulation()
    result = sim.events.put_events([entry(), entry(EventBusName="nope")])
    assert result.failed_entry_count == 0
    assert all(result.event_ids)
    dropped = sim.journal.select("events.dropped")
    assert [r.detail["reason"] for r in dropped] == ["EventBusNotFound"]


def test_bus_by_name_or_arn() -> None:
    # API_PutEventsRequestEntry: EventBusName is "the name or ARN of the event bus".
    sim = Simulation()
    bus = sim.events.bus("orders")
    queue = RecordingEndpoint(sim, "q")
    bus.rule("all", pattern={"source": ["com.shop"]}).target(queue)
    sim.events.put_events([entry(EventBusName="orders"), entry(EventBusName=bus.arn)])
    sim.run_until_idle()
    assert len(queue.messages) == 2


def test_delivery_happens_when_the_simulation_runs() -> None:
    # PutEvents returns before targets are invoked: EventBridge delivers asynchronously.
    sim = Simulation()
    queue = RecordingEndpoint(sim, "q")
    sim.events.default_bus.rule("all", pattern={"source": ["com.shop"]}).target(queue)
    sim.events.put_events([entry()])
    assert queue.messages == []
    sim.run_until_idle()
    assert len(queue.messages) == 1


def test_native_put_returns_the_id_or_raises_the_entry_error() -> None:
    sim = Simulation()
    bus = sim.events.bus("orders")
    event_id = bus.put(source="com.shop", detail_type="OrderPlaced", detail={"id": 1})
    assert len(event_id) == 36
    with pytest.raises(ValidationError) as caught:
        bus.put(source="com.shop", detail_type="OrderPlaced", detail="[1]")
    assert caught.value.code == "MalformedDetail"
    assert str(caught.value) == "Detail is malformed."


def test_detail_is_copied_at_put_time() -> None:
    sim = Simulation()
    received: list[Any] = []
    bus = sim.events.default_bus
    bus.on({"source": ["com.shop"]})(received.append)
    detail = {"items": [1]}
    bus.put(source="com.shop", detail_type="t", detail=detail)
    detail["items"].append(2)
    sim.run_until_idle()
    assert received[0]["detail"] == {"items": [1]}


def test_journal_records_put_and_matched() -> None:
    sim = Simulation()
    bus = sim.events.default_bus
    bus.on({"source": ["com.shop"]}, name="shop")(lambda event: None)
    bus.on({"source": ["other"]}, name="other")(lambda event: None)
    event_id = bus.put(source="com.shop", detail_type="t", detail={})
    sim.run_until_idle()
    assert [r.id for r in sim.journal.select("events.put")] == [event_id]
    assert [r.detail["rules"] for r in sim.journal.select("events.matched")] == [["shop"]]


def test_a_python_detail_that_is_not_json_is_malformed_detail() -> None:
    # Detail must be a JSON object (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html);
    # from Python a mapping may hold what JSON cannot: refused per entry, not a traceback.
    import datetime

    from eventbus import Simulation, ValidationError

    sim = Simulation()
    bus = sim.events.bus("shop")
    deep: dict[str, object] = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    for detail in ({"when": datetime.datetime(2024, 1, 1)}, {"blob": object()}, deep):
        with pytest.raises(ValidationError, match=r"^Detail is malformed\.$") as refused:
            bus.put(source="shop", detail_type="t", detail=detail)
        assert refused.value.code == "MalformedDetail"
    assert bus.put(source="shop", detail_type="t", detail={"ok": [1, 2.5, None, True]})
