"""The story model: what each input line caused, read from the journal alone (no service state)."""

from __future__ import annotations

from pathlib import Path

from eventbus import Journal, Simulation
from eventbus.replay import replay
from eventbus.report import build_story, render_text
from eventbus.report.text import compress

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"


def _story(tmp_path: Path, topology: str, events: str):  # type: ignore[no-untyped-def]
    (tmp_path / "topology.py").write_text(topology)
    (tmp_path / "events.jsonl").write_text(events)
    return build_story(replay(tmp_path / "events.jsonl").journal)


def test_an_event_delivered_to_a_queue_owns_the_message_it_became(tmp_path: Path) -> None:
    story = _story(
        tmp_path,
        "def build(sim):\n    q = sim.sqs.create_queue('q')\n    sim.events.create_bus('b').rule('r', pattern={'source': ['s']}).target(q)\n",
        '{"bus": "b", "Source": "s", "DetailType": "d", "Detail": {}}\n',
    )
    [line] = story.lines
    assert line.root is not None
    assert line.root.kind == "event"
    [message] = line.root.children
    assert message.kind == "message"
    assert message.line is line
    assert [r.kind for r in line.records] == ["events.put", "events.matched", "sqs.sent", "events.target.delivered"]


def test_a_dead_lettered_event_owns_the_letter_and_the_handlers_errors(tmp_path: Path) -> None:
    # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    story = _story(
        tmp_path,
        "def boom(event):\n    raise ValueError('no')\n\n"
        "def build(sim):\n    dlq = sim.sqs.create_queue('dlq')\n"
        "    sim.events.create_bus('b').rule('r', pattern={'source': ['s']}).target(boom, max_retries=1, dead_letter=dlq)\n",
        '{"bus": "b", "Source": "s", "DetailType": "d", "Detail": {}}\n',
    )
    [line] = story.lines
    kinds = [r.kind for r in line.records]
    assert kinds.count("handler.raised") == 2
    assert kinds[-2:] == ["sqs.sent", "events.dead_lettered"]
    [letter] = story.dead_letters
    assert letter.thread is not None
    assert letter.thread.parent is line.root
    assert letter.cause is not None
    assert letter.cause.kind == "events.dead_lettered"
    assert letter.failure is not None
    assert letter.failure.detail["error_message"] == "no"
    assert story.queues[letter.dlq].is_dlq


def test_an_event_source_mapping_batch_belongs_to_each_of_its_messages(tmp_path: Path) -> None:
    # https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
    story = _story(
        tmp_path,
        "def work(event, context):\n    pass\n\n"
        "def build(sim):\n    q = sim.sqs.create_queue('q')\n"
        "    sim.lambda_.event_source_mapping(q, sim.lambda_.function('w', work), batch_size=10, maximum_batching_window=5)\n",
        '{"queue": "q", "body": "a"}\n{"queue": "q", "body": "b"}\n',
    )
    first, second = story.lines
    for line in (first, second):
        kinds = [r.kind for r in line.records]
        assert {"lambda.esm.batch", "lambda.invoked", "lambda.succeeded"} <= set(kinds), kinds
        assert kinds[-1] == "sqs.deleted"
    batch = next(r for r in first.records if r.kind == "lambda.esm.batch")
    assert batch in second.records  # one batch of the two messages


def test_fifo_duplicate_send_points_at_the_first_line(tmp_path: Path) -> None:
    # FIFO deduplication within 5 minutes
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
    story = _story(
        tmp_path,
        "def build(sim):\n    sim.sqs.create_queue('q.fifo', content_based_deduplication=True)\n",
        '{"queue": "q.fifo", "body": "same", "group_id": "g"}\n{"queue": "q.fifo", "body": "same", "group_id": "g", "after": 10}\n',
    )
    first, second = story.lines
    assert second.duplicate_of == first.line
    assert [r.kind for r in second.records] == ["sqs.duplicate_suppressed"]
    assert "(a duplicate of line 1's message)" in render_text(story)


def test_background_work_is_not_charged_to_any_line(tmp_path: Path) -> None:
    # a schedule fires on its own: it belongs to no input line
    story = _story(
        tmp_path,
        "def build(sim):\n    q = sim.sqs.create_queue('q')\n"
        "    sim.scheduler.create_schedule('tick', 'rate(1 minute)', target=q.arn, role_arn='arn:aws:iam::123456789012:role/r')\n",
        '{"queue": "q", "body": "mine", "after": 30}\n',
    )
    [line] = story.lines
    assert [r.kind for r in line.records] == ["sqs.sent"]
    assert any(t.root_kind == "scheduler.fired" for t in story.background)
    assert "not caused by an input line" in render_text(story)


def test_a_journal_without_replay_records_still_reads() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("q")
    queue.send("hello")
    [message] = queue.receive()
    queue.delete(message.receipt_handle)
    story = build_story(Journal.loads(sim.journal.dumps()))
    assert story.lines == []
    [thread] = story.background
    assert [r.kind for r in thread.records] == ["sqs.sent", "sqs.received", "sqs.deleted"]
    assert story.queues[queue.arn].deleted == 1
    assert story.queues[queue.arn].depth == 0


def test_compress_keeps_two_cycles_and_the_last() -> None:
    sim = Simulation()
    for attempt in range(1, 21):
        sim.record("handler.raised", "arn:aws:python:us-east-1:123456789012:callable:f", "", {"error_type": "E"})
        sim.record("sns.delivery.retrying", "arn:aws:python:us-east-1:123456789012:callable:f", "m", {"attempt": attempt, "retry_in": 20})
    records = list(sim.journal)[1:]
    shown = list(compress(records))
    assert len(shown) == 4 + 1 + 2
    repeat = shown[4]
    assert getattr(repeat, "cycles", None) == 17
    assert shown[-1] is records[-1]
    # short runs are left alone
    assert list(compress(records[:8])) == records[:8]


def test_quickstart_story_accounts_for_every_line() -> None:
    story = build_story(replay(QUICKSTART / "events.jsonl").journal)
    assert [line.line for line in story.lines] == [1, 2, 3, 4, 5]
    assert all(line.status == "accepted" for line in story.lines)
    assert len(story.dead_lettered) == 2  # one SQS redrive, one Lambda DLQ
    assert {story.line_of(letter.thread) for letter in story.dead_letters} == {3, 4}
    assert story.settled is not None
