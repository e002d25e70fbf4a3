"""The ``eventbus`` command.

::

    eventbus replay EVENTS.jsonl [--topology FILE] [--seed N] [--json] [--html FILE]
                                 [--keep-going] [--fail-on dlq,dropped,failed] [--until DURATION] [--quiet]
    eventbus test-pattern PATTERN EVENT [--explain]
    eventbus graph TOPOLOGY [-o FILE]
    eventbus export TOPOLOGY [-o FILE]

Exit codes:

* 0: done (replay), the event matches (test-pattern);
* 1: ``--fail-on`` found something (replay), the event does not match (test-pattern);
* 2: bad usage or bad input: a malformed input line (its file and line number are printed), an
  unknown bus, queue or topic, a topology that cannot be loaded, an invalid pattern (AWS's message).

The replay input format is described in :mod:`eventbus._replay_input` and in the README.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import msgspec

from . import __version__
from ._replay_input import InputError, parse_duration
from ._replay_run import DEFAULT_UNTIL, ReplayResult, is_replay_journal, replay
from ._replay_topology import TopologyLoadError, default_topology, load_topology
from ._simulation import Simulation
from .errors import EventBusError

__all__ = ("EXIT_FAILED_CHECK", "EXIT_OK", "EXIT_USAGE", "main")

EXIT_OK = 0
#: ``--fail-on`` found what it looks for; test-pattern: no match.
EXIT_FAILED_CHECK = 1
#: Bad usage, a malformed input line, an unknown resource, a topology or pattern that cannot be used.
EXIT_USAGE = 2

_FAIL_ON = ("dlq", "dropped", "failed", "errors")
#: A progress bar is drawn for inputs of at least this many lines (when stderr is a terminal).
_PROGRESS_MIN_LINES = 500

_EPILOG = """exit codes: 0 done / match; 1 --fail-on triggered / no match; 2 bad usage, malformed input,
unknown resource, unloadable topology, invalid pattern."""


class _Exit(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (exit 2) rather than ``sys.exit`` from deep inside."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise _Exit(EXIT_USAGE, f"{self.prog}: error: {message}")


def _fail_on(text: str) -> frozenset[str]:
    wanted = {item.strip() for item in text.split(",") if item.strip()}
    unknown = sorted(wanted - set(_FAIL_ON))
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(_FAIL_ON)}; got {text!r}")
    return frozenset(wanted)


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eventbus`` command."""
    parser = _Parser(
        prog="eventbus",
        description="A deterministic simulator of AWS EventBridge, SNS, SQS and Lambda on virtual time.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"eventbus {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    rp = commands.add_parser(
        "replay",
        help="run a file of events and messages through a topology and tell what happened to each",
        description=(
            "Run EVENTS (JSON Lines: one EventBridge event, SQS send or SNS publish per line, optionally "
            'timed with "at" or "after") through a topology on virtual time, and print, per line, the '
            "rules matched, the deliveries, retries, redeliveries and dead letters it caused; then the "
            "final state of every queue and a summary accounting for every line."
        ),
        epilog=_EPILOG,
    )
    rp.add_argument("events", metavar="EVENTS.jsonl", help="the inputs, one JSON object per line")
    rp.add_argument(
        "-t",
        "--topology",
        metavar="FILE",
        help="eventbus YAML/JSON, SAM/CloudFormation template, a Python file with build(sim), or module:build "
        "(default: topology.yaml, template.yaml ... next to the events)",
    )
    rp.add_argument("--seed", type=int, default=0, metavar="N", help="the simulation's seed (default 0): same seed, same output")
    rp.add_argument("--json", action="store_true", help="print the journal as JSON Lines on stdout instead of the report")
    rp.add_argument("--html", metavar="FILE", help="also write the HTML timeline report to FILE")
    rp.add_argument("--keep-going", action="store_true", help="report and skip malformed lines instead of stopping")
    rp.add_argument(
        "--fail-on",
        type=_fail_on,
        default=frozenset(),
        metavar="LIST",
        help="exit 1 if any of: dlq (something was dead-lettered), dropped (something was lost), "
        "failed (a line was refused or skipped), errors (a handler raised); e.g. --fail-on dlq,dropped",
    )
    rp.add_argument(
        "--until",
        type=_duration,
        default=DEFAULT_UNTIL,
        metavar="DURATION",
        help="virtual time to keep running after the last line, for retries and redeliveries (default 1d; e.g. 90s, 2h)",
    )
    rp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    rp.add_argument(
        "-p",
        "--parameter",
        type=_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter override (SAM/CloudFormation), repeatable",
    )
    rp.set_defaults(run=_replay)

    tp = commands.add_parser(
        "test-pattern",
        help="test an EventBridge event pattern against an event",
        description="Test an EventBridge event pattern against an event; each argument is a file or inline JSON.",
        epilog="exit codes: 0 match; 1 no match; 2 invalid pattern (AWS's message) or bad input.",
    )
    tp.add_argument("pattern", metavar="PATTERN", help="the event pattern: a file, or inline JSON")
    tp.add_argument("event", metavar="EVENT", help="the event: a file, or inline JSON")
    tp.add_argument("--explain", action="store_true", help="show why each field matched or not")
    tp.set_defaults(run=_test_pattern)

    gp = commands.add_parser(
        "graph",
        help="draw a topology as a Mermaid flowchart",
        description="Print a topology as a Mermaid flowchart: buses, rules, queues, topics, functions, schedules and how they connect.",
        epilog=_EPILOG,
    )
    gp.add_argument("topology", metavar="TOPOLOGY", help="the topology file or module:build factory")
    gp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    gp.add_argument("-p", "--parameter", type=_parameter, action="append", default=[], metavar="NAME=VALUE")
    gp.set_defaults(run=_graph)

    ep = commands.add_parser(
        "export",
        help="write a topology as a CloudFormation template",
        description="Write a topology as a CloudFormation template (YAML), to deploy what was tested offline.",
        epilog=_EPILOG,
    )
    ep.add_argument("topology", metavar="TOPOLOGY", help="the topology file or module:build factory")
    ep.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    ep.add_argument("-p", "--parameter", type=_parameter, action="append", default=[], metavar="NAME=VALUE")
    ep.set_defaults(run=_export)
    return parser


class _Streams:
    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err


# ------------------------------------------------------------------- replay
class _Progress:
    """A carriage-return progress bar on a terminal, redrawn each 1% (no clock involved)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        filled = percent * 30 // 100
        self.stream.write(f"\rreplaying [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%  {done}/{total} lines")
        self.stream.flush()

    def close(self) -> None:
        if self.shown >= 0:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


def _count_lines(path: str) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def _replay(args: argparse.Namespace, io: _Streams) -> int:
    events = args.events
    if not os.path.isfile(events):
        raise _Exit(EXIT_USAGE, f"eventbus replay: {events}: no such file")
    topology = args.topology
    if topology is None:
        found = default_topology(events)
        if found is not None:
            topology = str(found)
    progress: _Progress | None = None
    if io.err.isatty() and _count_lines(events) >= _PROGRESS_MIN_LINES:
        progress = _Progress(io.err)
    # The replay's objects (journal records, the story) live until the end of the command, and it
    # makes almost no garbage cycles: the cyclic collector's repeated full scans of a growing heap
    # cost about a quarter of a 100,000-event replay (benchmarks/README.md), for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if is_replay_journal(events):
            return _replay_journal(args, io, events)
        return _replay_and_report(args, io, events, topology, progress)
    finally:
        if collecting:
            gc.enable()


def _replay_and_report(
    args: argparse.Namespace, io: _Streams, events: str, topology: str | None, progress: _Progress | None
) -> int:

    try:
        result = replay(
            events,
            topology=topology,
            parameters=dict(args.parameter) or None,
            seed=args.seed,
            until=args.until,
            keep_going=args.keep_going,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    return _report(args, io, events, topology, result)


def _replay_journal(args: argparse.Namespace, io: _Streams, journal_path: str) -> int:
    """``eventbus replay JOURNAL.jsonl``: run a dumped replay journal again and check it is the same run."""
    from .replay import replay_journal

    again = replay_journal(journal_path, topology=args.topology)
    settings = next(r for r in again.original if r.kind == "replay.started")
    args.seed = again.result.sim.seed
    status = _report(args, io, journal_path, settings.detail.get("topology"), again.result)
    if again.identical:
        io.err.write(f"eventbus replay: {journal_path}: the same run again, journal identical byte for byte ({len(again.original)} records)\n")
        return status
    io.err.write(f"eventbus replay: {journal_path}: the run differs from the journal at {again.describe_difference()}\n")
    return EXIT_FAILED_CHECK


def _report(
    args: argparse.Namespace, io: _Streams, events: str, topology: str | None, result: ReplayResult
) -> int:
    from .report import build_story, write_html, write_text

    if result.topology is not None:
        for warning in result.topology.warnings:
            io.err.write(f"eventbus replay: warning: {warning}\n")
    for error in result.skipped:
        io.err.write(f"eventbus replay: skipped {error}\n")
    story = build_story(result.journal)
    header = _header(args, topology, result)
    if args.json:
        io.out.write(result.journal.dumps().decode())
        if not args.quiet:
            from .report import render_text

            io.err.write(render_text(story, quiet=True))
    else:
        write_text(story, io.out, header=None if args.quiet else header, quiet=args.quiet)
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            write_html(story, f, title=f"eventbus replay: {Path(events).name}", subtitle=header)
        if not args.quiet:
            io.err.write(f"eventbus replay: wrote {args.html}\n")
    return _verdict(args.fail_on, story, io.err)


def _header(args: argparse.Namespace, topology: str | None, result: ReplayResult) -> str:
    kind = f" ({result.topology.kind})" if result.topology is not None and result.topology.kind else ""
    where = f"topology {topology}{kind}" if topology else "no topology"
    lines = [f"eventbus replay {args.events}: {where}, seed {args.seed}"]
    if result.topology is not None:
        lines += [f"warning: {warning}" for warning in result.topology.warnings]
    return "\n".join(lines)


def _verdict(fail_on: frozenset[str], story: Any, err: TextIO) -> int:
    reasons = []
    if "dlq" in fail_on and story.dead_lettered:
        reasons.append(f"{len(story.dead_lettered)} dead-lettered")
    if "dropped" in fail_on and story.dropped:
        reasons.append(f"{len(story.dropped)} dropped")
    if "failed" in fail_on:
        bad = story.count("failed") + story.count("skipped")
        if bad:
            reasons.append(f"{bad} line{'s' if bad != 1 else ''} failed or skipped")
    if "errors" in fail_on and story.handler_errors:
        reasons.append(f"{len(story.handler_errors)} handler errors")
    if reasons:
        err.write(f"eventbus replay: --fail-on: {', '.join(reasons)}\n")
        return EXIT_FAILED_CHECK
    return EXIT_OK


# ------------------------------------------------------------- test-pattern
def _json_argument(text: str, what: str) -> str:
    """The JSON text of an argument that is a file path or inline JSON."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return text
    if os.path.isfile(text):
        try:
            return Path(text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _Exit(EXIT_USAGE, f"eventbus test-pattern: {text}: cannot read the {what}: {exc}") from None
    raise _Exit(EXIT_USAGE, f"eventbus test-pattern: the {what} {text!r} is neither a file nor inline JSON")


def _test_pattern(args: argparse.Namespace, io: _Streams) -> int:
    from .matching import EventPattern

    pattern_text = _json_argument(args.pattern, "pattern")
    event_text = _json_argument(args.event, "event")
    try:
        event = msgspec.json.decode(event_text)
    except msgspec.DecodeError as exc:
        raise _Exit(EXIT_USAGE, f"eventbus test-pattern: the event is not JSON: {exc}") from None
    if not isinstance(event, dict):
        raise _Exit(EXIT_USAGE, "eventbus test-pattern: the event must be a JSON object")
    try:
        pattern = EventPattern(pattern_text)
    except (EventBusError, ValueError) as exc:
        # InvalidEventPatternException: AWS's message, as EventBridge words it
        raise _Exit(EXIT_USAGE, str(exc)) from None
    if args.explain:
        explanation = pattern.explain(event)
        io.out.write(f"{explanation}\n")
        return EXIT_OK if explanation.matched else EXIT_FAILED_CHECK
    matched = pattern.matches(event)
    io.out.write("match\n" if matched else "no match\n")
    return EXIT_OK if matched else EXIT_FAILED_CHECK


# ------------------------------------------------------------ graph, export
def _load_for(args: argparse.Namespace, command: str) -> Simulation:
    if not (os.path.exists(args.topology) or ":" in args.topology):
        raise _Exit(EXIT_USAGE, f"eventbus {command}: {args.topology}: no such file")
    sim = Simulation()
    load_topology(args.topology, sim, parameters=dict(args.parameter) or None)
    return sim


def _write(args: argparse.Namespace, io: _Streams, text: str) -> None:
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        io.out.write(text)


def _graph(args: argparse.Namespace, io: _Streams) -> int:
    from .report import mermaid

    sim = _load_for(args, "graph")
    _write(args, io, mermaid(sim))
    return EXIT_OK


def _export(args: argparse.Namespace, io: _Streams) -> int:
    import importlib

    export_yaml = getattr(importlib.import_module("eventbus.topology"), "export_yaml", None)
    if export_yaml is None:
        raise _Exit(EXIT_USAGE, "eventbus export: needs eventbus.topology.export_yaml, which this installation does not have")
    sim = _load_for(args, "export")
    text = str(export_yaml(sim))
    _write(args, io, text if text.endswith("\n") else text + "\n")
    return EXIT_OK


# --------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the ``eventbus`` command; returns its exit code (the console script exits with it).

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        stdout: where the output goes (default: ``sys.stdout``).
        stderr: where errors and progress go (default: ``sys.stderr``).
    """
    io = _Streams(stdout or sys.stdout, stderr or sys.stderr)
    parser = build_parser()
    args: argparse.Namespace | None = None
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.out, io.err  # argparse's own help and usage text
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit:  # --help, --version
            return int(exit.code or 0) if isinstance(exit.code, int) or exit.code is None else EXIT_USAGE
        run: Callable[[argparse.Namespace, _Streams], int] | None = getattr(args, "run", None)
        if run is None:
            parser.print_help(io.out)
            return EXIT_USAGE
        return run(args, io)
    except _Exit as stop:
        if stop.message:
            io.err.write(stop.message + "\n")
        return stop.code
    except (InputError, TopologyLoadError) as error:
        io.err.write(f"eventbus {getattr(args, 'command', None) or ''}: {error}\n")
        return EXIT_USAGE
    except EventBusError as error:
        # a topology the loader refuses (TopologyError: file and line), or an AWS error while building it
        io.err.write(f"eventbus {getattr(args, 'command', None) or ''}: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    finally:
        sys.stdout, sys.stderr = saved

