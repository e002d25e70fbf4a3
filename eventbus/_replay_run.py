"""The replay engine: a file of inputs run through a topology on virtual time.

``replay(...)`` builds a :class:`~eventbus.Simulation`, loads the topology into it, validates every
input line (:mod:`eventbus._replay_input`), then for each line in order advances the virtual clock
to the line's time (running everything due on the way), makes the call (PutEvents, SendMessage,
Publish) and runs what that makes due at once. After the last line it keeps running every timer
(retries, visibility timeouts, delays, schedules) until nothing is left or the next one lies beyond
the horizon (``until`` seconds after the last line).

The engine journals what it does, so that a report can be built from the journal alone, and so that
a dumped journal can be run again (:func:`replay_journal`): the seed is in ``simulation.started``, the
settings in ``replay.started`` and every input line's text in ``replay.input`` / ``replay.skipped``.

* ``replay.started`` (time 0, first after ``simulation.started``): ``detail``: ``input`` (the name of
  the input file), ``topology`` (as given, or None), ``until``, ``keep_going``, ``parameters``;
* ``replay.skipped`` (time 0): a line skipped with ``keep_going``; ``detail``: ``line``, ``error``,
  ``text`` (the line as written);
* ``replay.input``: a line's call was made; ``resource``: the bus, queue or topic ARN; ``id``: the
  event or message id AWS returned ('' when refused); ``detail``: ``line``, ``text`` (the line as
  written), ``input`` (``event``, ``sqs``, ``sns``), ``status`` (``accepted`` or ``failed``) and, when failed, ``error_code`` and
  ``error_message`` (AWS's); the call's own records (``events.put``, ``sqs.sent`` ...) precede it;
* ``replay.settled``: the run ended; ``detail``: ``reason`` (``idle``: no timer left; ``horizon``:
  the next timer is beyond the horizon), ``horizon``, ``pending_timers``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ._journal import Journal
from ._replay_input import InputError, InputLine, describe_request, parse_inputs
from ._replay_topology import LoadedTopology, default_topology, load_topology
from ._simulation import Simulation
from .errors import EventBusError, ServiceError

__all__ = ("DEFAULT_UNTIL", "JournalReplay", "ReplayResult", "replay", "replay_journal")

#: Virtual seconds a replay keeps running after its last input, by default: EventBridge's default
#: maximum event age (24 hours), so that every default retry schedule plays out.
DEFAULT_UNTIL = 86400.0


class ReplayResult:
    """What a replay did.

    Attributes:
        sim: the simulation, in its final state.
        topology: the topology loaded (None when the replay ran without one).
        inputs: the lines run, in order.
        skipped: the lines skipped (``keep_going``), with their errors.
        horizon: the virtual time the run was allowed to reach.
        stopped_by: ``"idle"`` (no timer left) or ``"horizon"`` (the next timer lies beyond it).
        pending_timers: timers still scheduled when the run stopped.
    """

    def __init__(
        self,
        sim: Simulation,
        topology: LoadedTopology | None,
        inputs: list[InputLine],
        skipped: list[InputError],
        horizon: float,
        stopped_by: str,
        pending_timers: int,
    ) -> None:
        self.sim = sim
        self.topology = topology
        self.inputs = inputs
        self.skipped = skipped
        self.horizon = horizon
        self.stopped_by = stopped_by
        self.pending_timers = pending_timers

    @property
    def journal(self) -> Journal:
        """The simulation's journal (the replay's own ``replay.*`` records included)."""
        return self.sim.journal

    def __repr__(self) -> str:
        return f"eventbus.replay.ReplayResult(inputs={len(self.inputs)}, skipped={len(self.skipped)}, stopped_by={self.stopped_by!r})"


class _Target:
    """An input's resolved destination."""

    __slots__ = ("arn", "obj")

    def __init__(self, arn: str, obj: Any) -> None:
        self.arn = arn
        self.obj = obj


def _names(items: Iterable[str]) -> str:
    names = sorted(items)
    return ", ".join(names) if names else "none"


def _resolve(sim: Simulation, item: InputLine, path: str) -> _Target:
    """The bus, queue or topic an input names; InputError when the topology has no such thing."""
    if item.kind == "event":
        buses = sim.events.buses
        name = item.target
        try:
            bus = sim.events.get_bus(name)
        except EventBusError:
            raise InputError(path, item.line, f"unknown bus {name!r} (buses: {_names(buses)})") from None
        return _Target(bus.arn, bus)
    if item.kind == "sqs":
        try:
            queue = sim.sqs.get_queue(str(item.target))
        except EventBusError:
            known = [q.name for q in sim.sqs.list_queues()]
            raise InputError(path, item.line, f"unknown queue {item.target!r} (queues: {_names(known)})") from None
        return _Target(queue.arn, queue)
    sns = _sns(sim, path, item)
    try:
        topic = sns.topic(str(item.target))
    except EventBusError:
        known = [t.name for t in sns.list_topics()]
        raise InputError(path, item.line, f"unknown topic {item.target!r} (topics: {_names(known)})") from None
    return _Target(topic.arn, topic)


def _sns(sim: Simulation, path: str, item: InputLine) -> Any:
    try:
        return sim.sns
    except ImportError:
        raise InputError(path, item.line, "SNS is not available in this version of eventbus") from None


def _resolve_time(sim: Simulation, item: InputLine, previous: float, path: str) -> float:
    if item.after is not None:
        return previous + item.after
    if item.at is None:
        return previous
    if isinstance(item.at, str):
        text = item.at.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(path, item.line, f"'at': {item.at!r} is not an ISO-8601 instant such as '2024-01-01T00:05:00Z'") from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=sim.start.tzinfo)
        when = (instant - sim.start).total_seconds()
        if when < 0:
            raise InputError(path, item.line, f"'at': {item.at} is before the simulation's start ({sim.iso(0)})")
    else:
        when = float(item.at)
    if when < previous:
        raise InputError(
            path, item.line, f"time goes backwards: 'at' is {_clock(when)}, the previous line is at {_clock(previous)}"
        )
    return when


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"+{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _inject(sim: Simulation, events: Any, item: InputLine, target: _Target, text: str) -> None:
    """Make the input's call and journal ``replay.input`` (``events``: the EventBridge service, or None)."""
    detail: dict[str, Any] = {"line": item.line, "text": text, "input": item.kind, **describe_request(item)}
    request = item.request
    message_id = ""
    try:
        if item.kind == "event":
            result = events.put_events([{**request, "EventBusName": target.obj.name}]).entries[0]
            if result.event_id is None:
                detail.update(status="failed", error_code=result.error_code, error_message=result.error_message)
            else:
                message_id = result.event_id
        elif item.kind == "sqs":
            sent = target.obj.send(
                request["body"],
                attributes=request.get("attributes"),
                group_id=request.get("group_id"),
                deduplication_id=request.get("deduplication_id"),
                delay_seconds=request.get("delay_seconds"),
            )
            message_id = sent.message_id
        else:
            message_id = _publish(target.obj, request)
    except ServiceError as error:
        detail.update(status="failed", error_code=error.code, error_message=error.message)
    detail.setdefault("status", "accepted")
    sim.record("replay.input", target.arn, message_id, detail)


def _publish(topic: Any, request: dict[str, Any]) -> str:
    result = topic.publish(
        request["message"],
        subject=request.get("subject"),
        attributes=request.get("attributes"),
        group_id=request.get("group_id"),
        deduplication_id=request.get("deduplication_id"),
        structure=request.get("message_structure"),
    )
    return str(result.message_id)


def replay(
    events: str | os.PathLike[str] | Iterable[str | bytes],
    *,
    topology: str | os.PathLike[str] | Callable[[Simulation], object] | None = None,
    seed: int = 0,
    until: float = DEFAULT_UNTIL,
    keep_going: bool = False,
    parameters: dict[str, str] | None = None,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    topology_label: str | None = None,
) -> ReplayResult:
    """Replay a file of inputs through a topology on virtual time.

    Args:
        events: the input file (see :mod:`eventbus._replay_input` for its line format), or its lines.
        topology: the topology: a file, a ``module:build`` factory or a callable taking the
            simulation; by default the one next to the events file (``topology.yaml``,
            ``template.yaml``, ``topology.py`` ...); None with lines and no default: an empty simulation.
        seed: the simulation's seed: the same seed and inputs give the same journal, byte for byte.
        until: virtual seconds to keep running after the last input (retries, redeliveries).
        keep_going: skip bad lines (journaled ``replay.skipped``) instead of raising.
        parameters: template parameter overrides (SAM/CloudFormation topologies).
        name: the name the input is called by in error messages (default: the path as given).
        progress: called with (lines done, lines in all) after each input.
        topology_label: how ``replay.started`` names the topology (default: as given).

    Raises:
        InputError: a bad line (not JSON, an unknown bus, queue or topic, a bad field), unless
            ``keep_going``.
        TopologyLoadError: the topology cannot be loaded (and what :mod:`eventbus.topology` raises).
    """
    if isinstance(events, (str, os.PathLike)):
        path = Path(events)
        label = name or os.fspath(events)
        try:
            lines: Iterable[str | bytes] = path.read_bytes().splitlines()
        except OSError as exc:
            raise InputError(label, 0, f"cannot read: {exc.strerror or exc}") from None
        if topology is None:
            topology = default_topology(path)
    else:
        label = name or "<input>"
        lines = events
    lines = list(lines)
    texts = [line.decode("utf-8", "replace") if isinstance(line, (bytes, bytearray)) else line for line in lines]
    sim = Simulation(seed=seed)
    sim.record(
        "replay.started",
        "",
        "",
        {
            "input": label,
            "topology": topology_label if topology_label is not None else _topology_text(topology),
            "until": float(until),
            "keep_going": keep_going,
            "parameters": dict(parameters or {}),
        },
    )
    loaded = load_topology(topology, sim, parameters=parameters) if topology is not None else None
    inputs, skipped = parse_inputs(lines, label, keep_going=keep_going)

    targets: list[_Target] = []
    times: list[float] = []
    kept: list[InputLine] = []
    previous = 0.0
    resolved: dict[tuple[str, str | None], _Target] = {}
    for item in inputs:
        try:
            key = (item.kind, item.target)
            target = resolved.get(key) or resolved.setdefault(key, _resolve(sim, item, label))
            when = _resolve_time(sim, item, previous, label)
        except InputError as error:
            if not keep_going:
                raise
            skipped.append(error)
            continue
        previous = when
        kept.append(item)
        targets.append(target)
        times.append(when)
    skipped.sort(key=lambda bad: bad.line)
    for bad in skipped:
        text = texts[bad.line - 1] if 0 < bad.line <= len(texts) else ""
        sim.record("replay.skipped", "", "", {"line": bad.line, "error": bad.reason, "text": text})

    total = len(kept)
    events_service = sim.events if any(item.kind == "event" for item in kept) else None
    for done, (item, target, when) in enumerate(zip(kept, targets, times, strict=True), 1):
        if when > sim.time:
            sim.advance(when - sim.time)
        _inject(sim, events_service, item, target, texts[item.line - 1])
        sim.run_until_idle()
        if progress is not None:
            progress(done, total)

    horizon = sim.time + until

    def settled() -> bool:
        deadline = sim.next_deadline()
        return deadline is None or deadline > horizon

    sim.run_until(settled, timeout=until)
    deadline = sim.next_deadline()
    stopped_by = "idle" if deadline is None else "horizon"
    pending = sim.pending
    sim.record("replay.settled", "", "", {"reason": stopped_by, "horizon": horizon, "pending_timers": pending})
    return ReplayResult(sim, loaded, kept, skipped, horizon, stopped_by, pending)


def _topology_text(topology: object) -> str | None:
    """How ``replay.started`` records the topology: a path or ``module:build`` as given."""
    if topology is None:
        return None
    if isinstance(topology, (str, os.PathLike)):
        return os.fspath(topology)
    module, qualname = getattr(topology, "__module__", None), getattr(topology, "__qualname__", None)
    return f"{module}:{qualname}" if module and qualname and "<" not in qualname else None


class JournalReplay:
    """A dumped replay journal run again, and how the new journal compares with it.

    Attributes:
        result: the new run.
        original: the journal it was run from.
        first_difference: the ``seq`` of the first record that differs (None: identical, byte for byte).
    """

    def __init__(self, result: ReplayResult, original: Journal, first_difference: int | None) -> None:
        self.result = result
        self.original = original
        self.first_difference = first_difference

    @property
    def identical(self) -> bool:
        return self.first_difference is None

    def describe_difference(self) -> str:
        """Where the new run departs from the journal, for an error message ('' when identical)."""
        n = self.first_difference
        if n is None:
            return ""
        old = self.original[n] if n < len(self.original) else None
        new = self.result.journal[n] if n < len(self.result.journal) else None
        return f"record {n}: the journal has {_short(old)}, the new run {_short(new)}"


def _short(record: Any) -> str:
    if record is None:
        return "nothing (it ended)"
    return f"{record.kind} {record.resource or '-'} {record.id or ''} at +{record.time:g}s".replace("  ", " ")


def is_replay_journal(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a journal dumped by a replay (rather than an input file)."""
    try:
        with open(path, "rb") as f:
            first = f.readline()
    except OSError:
        return False
    return first.startswith(b'{"seq":0,') and b'"kind":"simulation.started"' in first


def replay_journal(
    journal: Journal | str | os.PathLike[str],
    *,
    topology: str | os.PathLike[str] | Callable[[Simulation], object] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> JournalReplay:
    """Run a dumped replay journal again and compare: the same seed, settings and input lines.

    The seed comes from the journal's ``simulation.started`` record, the topology, horizon and
    options from ``replay.started``, and the input lines (with their line numbers) from
    ``replay.input`` and ``replay.skipped``. A topology recorded as a relative path is looked up
    from the current directory, then from ``base_dir`` (the journal's folder when it is a path).

    Raises:
        InputError: the journal was not written by a replay (no ``replay.started`` record).
    """
    if not isinstance(journal, Journal):
        base_dir = base_dir if base_dir is not None else Path(journal).parent
        label = os.fspath(journal)
        journal = Journal.load(journal)
    else:
        label = "<journal>"
    started = next((r for r in journal if r.kind == "simulation.started"), None)
    settings = next((r for r in journal if r.kind == "replay.started"), None)
    if started is None or settings is None:
        raise InputError(label, 0, "not a journal written by eventbus replay (no replay.started record)")
    by_line: dict[int, str] = {}
    for record in journal:
        if record.kind in ("replay.input", "replay.skipped") and "text" in record.detail:
            by_line[int(record.detail["line"])] = str(record.detail["text"])
    lines = [by_line.get(n, "") for n in range(1, max(by_line, default=0) + 1)]
    recorded = settings.detail.get("topology")
    chosen = topology if topology is not None else recorded
    if isinstance(chosen, str) and not os.path.exists(chosen) and base_dir is not None:
        candidate = Path(base_dir) / chosen
        if candidate.exists():
            chosen = str(candidate)
    result = replay(
        lines,
        topology=chosen,
        seed=int(started.detail["seed"]),
        until=float(settings.detail["until"]),
        keep_going=bool(settings.detail["keep_going"]),
        parameters=dict(settings.detail.get("parameters") or {}) or None,
        name=str(settings.detail["input"]),
        topology_label=recorded,
    )
    new = result.journal
    first = None
    for n in range(max(len(new), len(journal))):
        a = journal[n] if n < len(journal) else None
        b = new[n] if n < len(new) else None
        if a != b:
            first = n
            break
    return JournalReplay(result, journal, first)
