"""Shared helpers of the blueprint tests (tests/patterns/): load a blueprint, run the command, compare.

Each blueprint lives in ``patterns/<name>/`` with ``topology.yaml`` (eventbus's format), an
equivalent ``template.yaml`` (AWS SAM), ``handlers.py`` and ``events.jsonl``. These helpers load
either file into a fresh :class:`~eventbus.Simulation`, hand back the handler module the loader
imported (its module-level stores are the blueprint's "tables"), run ``eventbus`` in-process, and
check that the two files build equivalent simulations.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.cli import main
from eventbus.faults import STANDARD_QUEUE_ONLY, Fault, FaultKind, FaultPlan
from eventbus.replay import ReplayResult, replay
from eventbus.report import build_story, render_text
from eventbus.topology import Topology, export, load

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "patterns"

#: Property tests: few examples (the folder must run in about 90 s on 2 cores), the same ones on
#: every run (derandomized, no example database); a failure prints the drawn simulation (its seed)
#: and fault plan. ``EVENTBUS_PATTERN_EXAMPLES=500`` runs more.
PROPERTY = settings(
    max_examples=int(os.environ.get("EVENTBUS_PATTERN_EXAMPLES", "50")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


#: Which resources a fault of each kind can be scoped to: queues or functions (the rest: unscoped).
_QUEUE_FAULTS = frozenset({*STANDARD_QUEUE_ONLY, "visibility_expiry"})
_FUNCTION_FAULTS = frozenset({"crash_before", "crash_after", "async_duplicate"})


def fault_mixes(
    kinds: Sequence[FaultKind],
    *,
    queues: Sequence[str] = (),
    functions: Sequence[str] = (),
    rates: Sequence[float] = (0.0, 0.1, 0.2, 0.3),
) -> st.SearchStrategy[FaultPlan]:
    """Fault plans with every kind in ``kinds`` at a rate drawn from ``rates`` (shrinking toward the
    first, no fault), each unscoped or scoped to one of the ``queues`` (queue faults) or
    ``functions`` (crashes, duplicate asynchronous invocations).

    ``eventbus.testing.strategies.fault_plans`` draws rates from a continuous range and leaves kinds
    out, so with the dozen examples a blueprint can afford most of its plans inject next to nothing;
    these plans fault often from the first examples on.
    """

    def scopes(kind: str) -> list[str]:
        if kind in _QUEUE_FAULTS:
            return [q for q in queues if not (kind in STANDARD_QUEUE_ONLY and q.endswith(".fifo"))]
        return list(functions) if kind in _FUNCTION_FAULTS else []

    @st.composite
    def plans(draw: st.DrawFn) -> FaultPlan:
        faults = []
        for kind in kinds:
            rate = draw(st.sampled_from(tuple(rates)), label=f"{kind} rate")
            if not rate:
                continue
            allowed = scopes(kind)
            resource = draw(st.none() | st.sampled_from(allowed), label=f"{kind} scope") if allowed else None
            faults.append(Fault(kind=kind, rate=rate, resource=resource))
        return FaultPlan(tuple(faults))

    return plans()


class Run:
    """What one in-process ``eventbus`` command did."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Run(code={self.code}, out={self.out[-600:]!r}, err={self.err[-600:]!r})"


def eventbus(*args: str) -> Run:
    """Run ``eventbus ARGS...`` in-process (paths relative to the repository root are fine)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def folder(name: str) -> Path:
    return PATTERNS / name


def load_blueprint(
    name: str, sim: Simulation | None = None, *, file: str = "topology.yaml", seed: int = 0
) -> tuple[Simulation, Topology, ModuleType]:
    """Load ``patterns/<name>/<file>`` into ``sim`` (or a new one); return it, the topology and the
    handler module the loader imported (a fresh module per load)."""
    sim = sim if sim is not None else Simulation(seed=seed)
    topology = load(folder(name) / file, sim)
    return sim, topology, topology.modules["handlers"]


def topology_document(name: str) -> dict[str, Any]:
    """``patterns/<name>/topology.yaml`` as plain data, to build variants of the blueprint from."""
    document: dict[str, Any] = yaml.safe_load((folder(name) / "topology.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def load_variant(
    name: str, edit: Callable[[dict[str, Any]], None], sim: Simulation | None = None, *, seed: int = 0
) -> tuple[Simulation, Topology, ModuleType]:
    """The blueprint's topology.yaml changed by ``edit`` (a function mutating the document), loaded."""
    document = topology_document(name)
    edit(document)
    sim = sim if sim is not None else Simulation(seed=seed)
    topology = load(document, sim, base_dir=folder(name))
    return sim, topology, topology.modules["handlers"]


# ------------------------------------------------------------------ equivalence of the two files
def assert_equivalent_files(name: str) -> None:
    """topology.yaml and template.yaml build the same simulation: the same resources (by ARN), the
    same exported CloudFormation (every setting), and the same replay of events.jsonl, line for line."""
    base = folder(name)
    sim_a, top_a, _ = load_blueprint(name, file="topology.yaml")
    sim_b, top_b, _ = load_blueprint(name, file="template.yaml")
    assert inventory(sim_a) == inventory(sim_b)
    assert top_a.warnings == top_b.warnings == []
    assert export(sim_a, base_dir=base) == export(sim_b, base_dir=base)
    # The two files create resources in different orders, so generated ids (subscription ARNs, event
    # source mapping UUIDs) differ; the story is the same.
    assert without_ids(replay_text(name, "topology.yaml")) == without_ids(replay_text(name, "template.yaml"))


def inventory(sim: Simulation) -> list[str]:
    """What a simulation holds, by ARN (generated ids masked): every registered resource, every
    rule, subscription and event source mapping."""
    arns = [*sim.registry, *(r.arn for bus in sim.events.buses.values() for r in bus.rules.values())]
    arns += [s.arn for s in sim.sns.list_subscriptions()]
    arns += [m.arn for m in sim.lambda_.mappings.values()]
    return sorted(without_uuids(arn) for arn in arns)


def replay_text(name: str, topology_file: str, *, seed: int = 0, until: float | None = None) -> str:
    """The replay report of ``events.jsonl`` against one of the blueprint's files."""
    kwargs: dict[str, Any] = {} if until is None else {"until": until}
    result = replay(folder(name) / "events.jsonl", topology=folder(name) / topology_file, seed=seed, **kwargs)
    return render_text(build_story(result.journal))


def replay_blueprint(name: str, *, file: str = "topology.yaml", **options: Any) -> tuple[ReplayResult, ModuleType]:
    """Replay ``events.jsonl`` as ``eventbus replay`` does (``eventbus.replay.replay``), through
    ``file``; return the result and the handler module (whose stores show what the workers did)."""
    loaded: list[Topology] = []

    def build(sim: Simulation) -> None:
        loaded.append(load(folder(name) / file, sim))

    result = replay(folder(name) / "events.jsonl", topology=build, **options)
    return result, loaded[0].modules["handlers"]


# ------------------------------------------------------------------ reading queues and journals
def drain(queue: Any) -> list[str]:
    """Every message body a queue holds now (received and deleted)."""
    bodies: list[str] = []
    while True:
        messages = queue.receive(max_messages=10)
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message.body)
            queue.delete(message.receipt_handle)


def drain_messages(queue: Any) -> list[Any]:
    """Every message a queue holds now (received and deleted), with its attributes."""
    out: list[Any] = []
    while True:
        messages = queue.receive(max_messages=10)
        if not messages:
            return out
        for message in messages:
            out.append(message)
            queue.delete(message.receipt_handle)


def records(sim: Simulation, kind: str, resource: str | None = None) -> list[Any]:
    """The journal records of ``kind`` (on ``resource``, an ARN suffix, when given)."""
    return [r for r in sim.journal if r.kind == kind and (resource is None or r.resource.endswith(resource))]


def kinds(sim: Simulation) -> set[str]:
    return {r.kind for r in sim.journal}


def lines_with(text: str, *fragments: str) -> list[str]:
    """The lines of ``text`` holding every fragment."""
    return [line for line in text.splitlines() if all(f in line for f in fragments)]


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


_IDS = re.compile(r"\b[0-9a-f]{8}\b")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_uuids(text: str) -> str:
    """``text`` with UUIDs masked (generated ids in ARNs)."""
    return _UUID.sub("<uuid>", text)


def without_ids(text: str) -> str:
    """``text`` with 8-hex-digit short ids masked (message, event and request ids)."""
    return _IDS.sub("<id>", text)


def ordered_unique(items: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
