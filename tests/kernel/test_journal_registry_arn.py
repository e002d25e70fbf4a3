"""Journal (JSONL round trip), the ARN registry and ARN parsing (design.md principles 3 and 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventbus import (
    Journal,
    JournalFormatError,
    ResourceNotFoundError,
    Simulation,
    ValidationError,
    parse_arn,
)


def test_journal_starts_with_the_simulation_settings() -> None:
    sim = Simulation(seed=5, start="2024-06-01T00:00:00Z")
    first = sim.journal[0]
    assert first.kind == "simulation.started"
    assert first.detail == {"seed": 5, "start": "2024-06-01T00:00:00Z", "account": "123456789012", "region": "us-east-1"}


def test_journal_dump_and_load_round_trip(tmp_path: Path) -> None:
    sim = Simulation()
    sim.record("sqs.sent", "arn:aws:sqs:us-east-1:123456789012:q", "m-1", {"body": "héllo", "n": 1.5})
    sim.advance(2)
    sim.record("sqs.deleted", "arn:aws:sqs:us-east-1:123456789012:q", "m-1")
    path = tmp_path / "journal.jsonl"
    sim.journal.dump(path)
    loaded = Journal.load(path)
    assert loaded == sim.journal
    assert [r.kind for r in loaded] == ["simulation.started", "sqs.sent", "sqs.deleted"]
    assert loaded[2].time == 2.0
    assert path.read_bytes() == loaded.dumps()


def test_journal_select_by_kind_prefix_resource_and_id() -> None:
    sim = Simulation()
    sim.record("sqs.sent", "q1", "a")
    sim.record("sqs.received", "q1", "a")
    sim.record("sns.published", "t1", "b")
    assert [r.kind for r in sim.journal.select("sqs.")] == ["sqs.sent", "sqs.received"]
    assert [r.kind for r in sim.journal.select(resource="t1")] == ["sns.published"]
    assert [r.kind for r in sim.journal.select(id="a")] == ["sqs.sent", "sqs.received"]


def test_journal_observers_see_records_as_they_are_appended() -> None:
    sim = Simulation()
    seen: list[str] = []
    stop = sim.journal.subscribe(lambda r: seen.append(r.kind))
    sim.record("a.one")
    stop()
    sim.record("a.two")
    assert seen == ["a.one"]


def test_a_malformed_journal_names_its_line() -> None:
    good = Simulation().journal.dumps()
    with pytest.raises(JournalFormatError, match="line 2"):
        Journal.loads(good + b"{not json}\n")


def test_registry_resolves_arns_and_refuses_unknown_ones_aws_style() -> None:
    sim = Simulation()
    arn = sim.arn("sqs", "orders")
    thing = object()
    sim.registry.register(arn, thing)
    assert sim.registry.resolve(arn) is thing
    assert arn in sim.registry
    with pytest.raises(ResourceNotFoundError) as info:
        sim.registry.resolve(sim.arn("sqs", "missing"))
    assert info.value.code == "ResourceNotFoundException"
    assert str(info.value) == "Resource arn:aws:sqs:us-east-1:123456789012:missing does not exist."
    with pytest.raises(ResourceNotFoundError):
        sim.registry.resolve(arn, kind=str)
    sim.registry.unregister(arn)
    assert sim.registry.get(arn) is None


@pytest.mark.parametrize(
    ("text", "service", "rtype", "name"),
    [
        ("arn:aws:sqs:us-east-1:123456789012:orders.fifo", "sqs", "", "orders.fifo"),
        ("arn:aws:events:us-east-1:123456789012:rule/bus/my-rule", "events", "rule", "bus/my-rule"),
        ("arn:aws:lambda:us-east-1:123456789012:function:fn:prod", "lambda", "function", "fn:prod"),
    ],
)
def test_arn_parsing(text: str, service: str, rtype: str, name: str) -> None:
    arn = parse_arn(text)
    assert (arn.service, arn.resource_type, arn.resource_name) == (service, rtype, name)
    assert str(arn) == text


@pytest.mark.parametrize("text", ["", "arn:aws:sqs", "not-an-arn:aws:sqs:r:a:q", "arn::sqs:r:a:q"])
def test_bad_arns_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="Invalid ARN"):
        parse_arn(text)
