"""``eventbus replay JOURNAL.jsonl``: a dumped replay journal runs again, the same run byte for byte
(issue 10: "Determinism: eventbus replay of a dumped journal reproduces the same run")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from eventbus import Journal
from eventbus.replay import InputError, is_replay_journal, replay, replay_journal

from .conftest import DATA, QUICKSTART, SHOP, Run

Eventbus = Callable[..., Run]


def _dump(eventbus: Eventbus, tmp_path: Path, *args: str) -> Path:
    run = eventbus("replay", *args, "--json")
    assert run.code in (0, 1), run
    path = tmp_path / "journal.jsonl"
    path.write_text(run.out)
    return path


def test_a_dumped_journal_replays_to_the_same_journal(eventbus: Eventbus, tmp_path: Path) -> None:
    journal = _dump(eventbus, tmp_path, str(QUICKSTART / "events.jsonl"), "--seed", "5")
    assert is_replay_journal(journal)
    run = eventbus("replay", str(journal), "--json")
    assert run.code == 0, run
    assert run.out == journal.read_text()  # byte for byte
    assert "the same run again, journal identical byte for byte" in run.err
    story = eventbus("replay", str(journal))
    assert "summary: 5 input lines: 5 accepted" in story.out


def test_the_journal_keeps_what_a_rerun_needs(eventbus: Eventbus, tmp_path: Path) -> None:
    journal = Journal.load(_dump(eventbus, tmp_path, str(DATA / "orders.jsonl"), "--topology", SHOP, "--until", "2h"))
    settings = journal.select("replay.started")[0].detail
    assert settings["topology"] == SHOP
    assert settings["until"] == 7200.0
    lines = (DATA / "orders.jsonl").read_text().splitlines()
    for record in journal.select("replay.input"):
        assert record.detail["text"] == lines[record.detail["line"] - 1]


def test_skipped_lines_and_faults_replay_too(tmp_path: Path) -> None:
    topology = tmp_path / "faulty.py"
    topology.write_text(
        "def build(sim):\n"
        "    sim.faults.duplicate_delivery(0.5)\n"
        "    sim.sqs.create_queue('orders', visibility_timeout=5)\n"
    )
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"queue": "orders", "body": "a"}\n'
        "not json\n"
        "\n"
        '{"after": 3, "queue": "orders", "body": "b"}\n'
    )
    first = replay(events, topology=str(topology), seed=9, keep_going=True, until=60)
    dumped = tmp_path / "journal.jsonl"
    first.journal.dump(dumped)
    again = replay_journal(dumped)
    assert again.identical, again.describe_difference()
    assert again.result.journal.dumps() == dumped.read_bytes()
    assert [r.detail["line"] for r in again.result.journal.select("replay.skipped")] == [2]


def test_a_journal_that_differs_is_reported_with_the_first_difference(eventbus: Eventbus, tmp_path: Path) -> None:
    journal = _dump(eventbus, tmp_path, str(QUICKSTART / "events.jsonl"))
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    tampered = next(r for r in records if r["kind"] == "sqs.sent")
    tampered["id"] = "00000000-0000-4000-8000-000000000000"
    journal.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))
    run = eventbus("replay", str(journal), "--quiet")
    assert run.code == 1
    assert f"the run differs from the journal at record {tampered['seq']}: the journal has sqs.sent" in run.err


def test_a_journal_not_written_by_a_replay_is_refused(tmp_path: Path) -> None:
    from eventbus import Simulation

    sim = Simulation()
    sim.advance(1)
    path = tmp_path / "plain.jsonl"
    sim.journal.dump(path)
    with pytest.raises(InputError, match="not a journal written by eventbus replay"):
        replay_journal(path)
