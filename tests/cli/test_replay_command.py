"""``eventbus replay``: the per-line story, the final state, the summary, exit codes, --json,
--html, --keep-going, --fail-on, --until and determinism, on the bundled example and test data."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from eventbus import Journal
from eventbus.replay import replay

from .conftest import DATA, QUICKSTART, SHOP, Run

Eventbus = Callable[..., Run]


def test_the_bundled_quickstart_tells_each_lines_story(eventbus: Eventbus) -> None:
    # the README's first command
    run = eventbus("replay", str(QUICKSTART / "events.jsonl"))
    assert run.code == 0, run
    out = run.out
    assert "topology.yaml" in out.splitlines()[0]
    # an event matched by two rules: one target a queue consumed by a function, the other a function
    assert re.search(r"line 2 .*PutEvents OrderPlaced from com.example.shop to bus shop -> event \w+", out)
    assert "matched        2 rules on bus shop: new-orders, big-orders" in out
    # Lambda's asynchronous retries (1 and 2 minutes) and its dead-letter queue
    # https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    assert "Lambda will run function notify-sales again in 1 min (function error)" in out
    assert "Lambda will run function notify-sales again in 2 min (function error)" in out
    assert "dead-letter queue notify-dlq" in out
    # an SQS message redelivered after its visibility timeout, then moved to the DLQ after maxReceiveCount
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
    assert "+00:01:05.000  redelivery" in out
    assert "moved to queue orders-dlq after 3 receives (maxReceiveCount reached)" in out
    assert "no rule on bus shop matches this event" in out
    assert "summary: 5 input lines: 5 accepted, 0 failed, 0 skipped; 2 dead-lettered, 0 dropped" in out


def test_story_on_a_python_factory_topology(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "orders.jsonl"), "--topology", SHOP)
    assert run.code == 0, run
    out = run.out
    # EventBridge target retry with backoff, then the target's DLQ with its attributes' facts
    # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    assert "retry          attempt 1 to function notify by rule shop/big-orders failed (KeyError: 'email')" in out
    assert "gave up        delivery to function notify by rule shop/big-orders failed on attempt 3" in out
    assert "sent to dead-letter queue events-dlq instead of function notify (ERROR_FROM_TARGET, after 2 retries)" in out
    # a delayed SQS send: hidden until the delay ends
    assert "hidden until +00:00:35.000 (delay)" in out
    # SNS filter policy: one message accepted, one rejected
    # https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
    assert "to queue urgent by subscription alerts/" in out
    assert "filter policy rejects message" in out
    # every input line is accounted for (comment and blank lines are not inputs)
    assert "summary: 7 input lines: 7 accepted, 0 failed, 0 skipped; 2 dead-lettered, 0 dropped" in out
    # aligned: every record line starts with two spaces and a +HH:MM:SS.mmm time, labels padded to one width
    records = [line for line in out.splitlines() if re.match(r"  \+\d\d:\d\d:\d\d\.\d{3}  ", line)]
    assert len(records) > 30
    assert all(line[30:32] == "  " and line[32] != " " for line in records)


def test_final_state_counts_agree_with_the_queues_own_statistics() -> None:
    # the report reads the journal only; SQS's statistics() are the service's own counters
    result = replay(DATA / "orders.jsonl", topology=SHOP)
    from eventbus.report import build_story

    story = build_story(result.journal)
    for queue in result.sim.sqs.list_queues():
        stats = queue.statistics()
        state = story.queues[queue.arn]
        assert (state.visible, state.in_flight, state.delayed) == (stats.visible, stats.in_flight, stats.delayed), queue.name
        assert (state.sent, state.received, state.deleted, state.dead_lettered) == (
            stats.sent,
            stats.received,
            stats.deleted,
            stats.dead_lettered,
        ), queue.name


def test_fail_on_dlq_and_dropped_set_the_exit_code(eventbus: Eventbus) -> None:
    orders = str(DATA / "orders.jsonl")
    assert eventbus("replay", orders, "-t", SHOP).code == 0
    run = eventbus("replay", orders, "-t", SHOP, "--fail-on", "dlq")
    assert run.code == 1
    assert "--fail-on: 2 dead-lettered" in run.err
    assert eventbus("replay", orders, "-t", SHOP, "--fail-on", "dropped").code == 0
    dropped = eventbus("replay", str(DATA / "dropped.jsonl"), "-t", SHOP, "--fail-on", "dlq,dropped")
    assert dropped.code == 1
    assert "DROPPED        event" in dropped.out
    assert "lost: no retries left" in dropped.out
    assert eventbus("replay", str(DATA / "clean.jsonl"), "-t", SHOP, "--fail-on", "dlq,dropped,failed,errors").code == 0


def test_fail_on_rejects_unknown_conditions(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "clean.jsonl"), "-t", SHOP, "--fail-on", "dlq,oops")
    assert run.code == 2
    assert "expected a comma-separated list of dlq, dropped, failed, errors" in run.err


def test_a_line_aws_refuses_is_reported_as_failed_not_malformed(eventbus: Eventbus) -> None:
    # PutEvents refuses sources starting with "aws." per entry (NotAuthorizedForSourceException)
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
    run = eventbus("replay", str(DATA / "refused.jsonl"), "-t", SHOP)
    assert run.code == 0, run
    assert "line 1  +00:00:00.000  PutEvents OrderPlaced from aws.shop to bus shop  FAILED: NotAuthorizedForSourceException: Not authorized for the source." in run.out
    assert "summary: 2 input lines: 1 accepted, 1 failed, 0 skipped" in run.out
    assert eventbus("replay", str(DATA / "refused.jsonl"), "-t", SHOP, "--fail-on", "failed").code == 1


def test_bad_json_is_an_error_with_the_line_number(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "bad_json.jsonl"), "-t", SHOP)
    assert run.code == 2
    assert run.out == ""
    assert re.search(r"bad_json\.jsonl:3: not JSON: ", run.err), run.err


def test_keep_going_reports_and_skips_the_bad_line(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "bad_json.jsonl"), "-t", SHOP, "--keep-going")
    assert run.code == 0, run
    assert re.search(r"skipped .*bad_json\.jsonl:3: not JSON", run.err)
    assert "line 3  SKIPPED: not JSON" in run.out
    assert "summary: 4 input lines: 3 accepted, 0 failed, 1 skipped" in run.out
    assert "line 3: skipped: not JSON" in run.out
    assert eventbus("replay", str(DATA / "bad_json.jsonl"), "-t", SHOP, "--keep-going", "--fail-on", "failed").code == 1


def test_unknown_bus_is_an_error_naming_the_line_and_the_buses(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "unknown_bus.jsonl"), "-t", SHOP)
    assert run.code == 2
    assert "unknown_bus.jsonl:2: unknown bus 'shopp' (buses: default, shop)" in run.err
    kept = eventbus("replay", str(DATA / "unknown_bus.jsonl"), "-t", SHOP, "--keep-going")
    assert kept.code == 0
    assert "summary: 2 input lines: 1 accepted, 0 failed, 1 skipped" in kept.out


def test_unknown_queue_and_topic(tmp_path: Path, eventbus: Eventbus) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"queue": "nope", "body": "x"}\n')
    run = eventbus("replay", str(events), "-t", SHOP)
    assert run.code == 2
    assert "events.jsonl:1: unknown queue 'nope' (queues: events-dlq, orders, orders-dlq, urgent)" in run.err
    events.write_text('{"topic": "nope", "message": "x"}\n')
    run = eventbus("replay", str(events), "-t", SHOP)
    assert "events.jsonl:1: unknown topic 'nope' (topics: alerts)" in run.err


def test_time_going_backwards_is_an_error(tmp_path: Path, eventbus: Eventbus) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"queue": "orders", "body": "a", "at": 60}\n{"queue": "orders", "body": "b", "at": 30}\n')
    run = eventbus("replay", str(events), "-t", SHOP)
    assert run.code == 2
    assert "events.jsonl:2: time goes backwards: 'at' is +00:00:30.000, the previous line is at +00:01:00.000" in run.err


def test_missing_files(tmp_path: Path, eventbus: Eventbus) -> None:
    run = eventbus("replay", str(tmp_path / "nope.jsonl"))
    assert run.code == 2
    assert "nope.jsonl: no such file" in run.err
    events = tmp_path / "events.jsonl"
    events.write_text('{"queue": "q", "body": "b"}\n')
    run = eventbus("replay", str(events), "-t", str(tmp_path / "missing.py"))
    assert run.code == 2
    assert "missing.py: no such file" in run.err


def test_a_topology_factory_with_a_missing_module(tmp_path: Path, eventbus: Eventbus) -> None:
    (tmp_path / "topology.py").write_text("import no_such_handlers_module\n\ndef build(sim):\n    pass\n")
    (tmp_path / "events.jsonl").write_text('{"queue": "q", "body": "b"}\n')
    run = eventbus("replay", str(tmp_path / "events.jsonl"))
    assert run.code == 2
    assert "topology.py: No module named 'no_such_handlers_module'" in run.err


def test_json_prints_the_journal_and_it_loads_back(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "orders.jsonl"), "-t", SHOP, "--json")
    assert run.code == 0
    journal = Journal.loads(run.out)
    kinds = [record.kind for record in journal]
    assert kinds[0] == "simulation.started"
    assert kinds[-1] == "replay.settled"
    assert kinds.count("replay.input") == 7
    assert all(json.loads(line) for line in run.out.splitlines())
    assert "summary: 7 input lines" in run.err  # the summary goes to stderr


def test_html_writes_the_report(tmp_path: Path, eventbus: Eventbus) -> None:
    target = tmp_path / "report.html"
    run = eventbus("replay", str(QUICKSTART / "events.jsonl"), "--html", str(target))
    assert run.code == 0
    assert f"wrote {target}" in run.err
    text = target.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert 'id="line-4"' in text


def test_quiet_prints_only_the_summary(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "orders.jsonl"), "-t", SHOP, "--quiet")
    assert run.out.startswith("summary: 7 input lines")
    assert len(run.out.splitlines()) == 1


def test_same_seed_same_output_other_seed_other_ids(eventbus: Eventbus) -> None:
    # design.md principle 1: same seed and inputs, same journal byte for byte
    args = ("replay", str(DATA / "orders.jsonl"), "-t", SHOP)
    first, second = eventbus(*args), eventbus(*args)
    assert first.out == second.out
    assert eventbus(*args, "--json").out == eventbus(*args, "--json").out
    other = eventbus(*args, "--seed", "7")
    assert other.out != first.out
    # ids and retry jitter come from the seed; the story is the same
    assert len(other.out.splitlines()) == len(first.out.splitlines())


def test_until_bounds_the_settling(tmp_path: Path, eventbus: Eventbus) -> None:
    # the poison message needs 3 visibility timeouts of 30 s to reach the DLQ; 45 s is not enough
    run = eventbus("replay", str(DATA / "orders.jsonl"), "-t", SHOP, "--until", "0s")
    assert run.code == 0
    assert "final state at +00:05:02.000" in run.out
    events = tmp_path / "events.jsonl"
    events.write_text('{"queue": "orders", "body": {"total": -1}}\n')
    short = eventbus("replay", str(events), "-t", SHOP, "--until", "45s")
    assert "dead-lettered" not in short.out.split("final state")[0]
    assert "in flight" in short.out
    full = eventbus("replay", str(events), "-t", SHOP, "--until", "2m")
    assert "moved to queue orders-dlq after 3 receives" in full.out
    assert eventbus("replay", str(events), "-t", SHOP, "--until", "soon").code == 2


def test_default_topology_is_found_next_to_the_events(tmp_path: Path, eventbus: Eventbus) -> None:
    (tmp_path / "topology.py").write_text(
        "def build(sim):\n    sim.sqs.create_queue('jobs')\n"
    )
    (tmp_path / "events.jsonl").write_text('{"queue": "jobs", "body": "work"}\n')
    run = eventbus("replay", str(tmp_path / "events.jsonl"))
    assert run.code == 0, run
    assert "topology.py (python)" in run.out
    assert "SendMessage to queue jobs -> message" in run.out


def test_long_retry_cycles_are_shortened(tmp_path: Path, eventbus: Eventbus) -> None:
    # SNS retries deliveries to a failing function for days (the managed delivery policy)
    # https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
    (tmp_path / "topology.py").write_text(
        "def down(event):\n    raise RuntimeError('down')\n\n"
        "def build(sim):\n    sim.sns.create_topic('alerts').subscribe(down)\n"
    )
    (tmp_path / "events.jsonl").write_text('{"topic": "alerts", "message": "m"}\n')
    run = eventbus("replay", str(tmp_path / "events.jsonl"), "--until", "1h")
    assert run.code == 0
    assert re.search(r"the same 2 records repeated \d+ more times, from \+00:00:00\.000 to \+00:59:", run.out)
    assert len(run.out.splitlines()) < 40
    assert "still being retried when the replay stopped (1)" in run.out


@pytest.mark.parametrize("command", ["replay", "test-pattern", "graph", "export"])
def test_each_command_has_help(command: str, eventbus: Eventbus) -> None:
    run = eventbus(command, "--help")
    assert run.code == 0
    assert f"usage: eventbus {command}" in run.out
    assert "exit codes" in run.out


def test_no_command_prints_help_and_exits_2(eventbus: Eventbus) -> None:
    run = eventbus()
    assert run.code == 2
    assert "replay" in run.out


def test_version(eventbus: Eventbus) -> None:
    run = eventbus("--version")
    assert run.code == 0
    assert run.out.startswith("eventbus ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_for_long_inputs(tmp_path: Path) -> None:
    from eventbus.cli import main

    (tmp_path / "topology.py").write_text("def build(sim):\n    sim.sqs.create_queue('jobs')\n")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(f'{{"queue": "jobs", "body": "job {i}", "after": 1}}\n' for i in range(600)))
    out, err = io.StringIO(), _Terminal()
    assert main(["replay", str(events), "--quiet"], stdout=out, stderr=err) == 0
    drawn = err.getvalue()
    assert "\rreplaying [" in drawn
    assert "100%  600/600 lines" in drawn
    assert drawn.endswith("\r")  # the bar is wiped before the report
    assert out.getvalue().startswith("summary: 600 input lines: 600 accepted")
    quiet = _Terminal()
    short = tmp_path / "short.jsonl"
    short.write_text('{"queue": "jobs", "body": "x"}\n')
    assert main(["replay", str(short), "--quiet", "-t", str(tmp_path / "topology.py")], stdout=io.StringIO(), stderr=quiet) == 0
    assert quiet.getvalue() == ""


def test_a_topology_with_an_unknown_section_is_an_error_with_file_and_line(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "one_order.jsonl"), "-t", str(DATA / "unknown_section.yaml"))
    assert run.code == 2
    assert "unknown_section.yaml, line 3: unknown section 'widgets'" in run.err


def test_a_topology_with_a_missing_handler_module_is_an_error(eventbus: Eventbus) -> None:
    run = eventbus("replay", str(DATA / "one_order.jsonl"), "-t", str(DATA / "missing_handler.yaml"))
    assert run.code == 2
    assert "missing_handler.yaml, line 4, function 'worker'" in run.err
    assert "no_such_handlers_module" in run.err


def test_an_unsupported_template_resource_is_a_warning_never_silently_dropped(eventbus: Eventbus) -> None:
    # issue 9: unsupported resources are listed in a warning
    run = eventbus("replay", str(DATA / "one_order.jsonl"), "-t", str(DATA / "unsupported_type.yaml"), "--quiet")
    assert run.code == 0, run
    assert "warning:" in run.err
    assert "AWS::Widget::Spinner" in run.err
    assert run.out.startswith("summary: 1 input line: 1 accepted")


def test_a_factory_that_raises_is_reported_not_a_traceback(tmp_path: Path, eventbus: Eventbus) -> None:
    (tmp_path / "topology.py").write_text("def build(sim):\n    raise RuntimeError('half built')\n")
    (tmp_path / "events.jsonl").write_text('{"queue": "q", "body": "b"}\n')
    run = eventbus("replay", str(tmp_path / "events.jsonl"))
    assert run.code == 2
    assert "topology.py: build(sim) raised RuntimeError: half built" in run.err
    # an AWS error while building keeps AWS's message
    (tmp_path / "topology.py").write_text("def build(sim):\n    sim.sqs.create_queue('bad name!')\n")
    run = eventbus("replay", str(tmp_path / "events.jsonl"))
    assert run.code == 2
    assert "topology.py: build(sim): " in run.err
    assert "Can only include alphanumeric characters, hyphens, or underscores" in run.err


def test_an_empty_input_file(tmp_path: Path, eventbus: Eventbus) -> None:
    (tmp_path / "topology.py").write_text("def build(sim):\n    sim.sqs.create_queue('q')\n")
    (tmp_path / "events.jsonl").write_text("# nothing yet\n")
    run = eventbus("replay", str(tmp_path / "events.jsonl"))
    assert run.code == 0, run
    assert "summary: 0 input lines: 0 accepted, 0 failed, 0 skipped" in run.out
