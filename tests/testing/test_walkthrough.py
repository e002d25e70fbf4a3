"""The README walkthrough (notes/README-testing.md, issue 10), claim by claim.

The code is read from the walkthrough itself (fenced blocks whose first line is ``# <file name>``),
written to a directory, and run: the property test catches the double charge and names the seed,
the seed replays the run (in Python and through ``eventbus replay``), the dumped journal is checked
offline, and the idempotent handler passes. Duplicate delivery is what SQS standard queues may do:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html;
the fix is Powertools' idempotency:
https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, example, settings

from eventbus import Journal, Simulation
from eventbus.cli import main
from eventbus.testing.invariants import InvariantViolation, assert_invariants, format_life

ROOT = Path(__file__).resolve().parents[2]
_FILES = (
    "payments.py",
    "test_payments.py",
    "test_payments_stateful.py",
    "conftest.py",
    "replay_topology.py",
    "events.jsonl",
    "payments.py (fixed)",
)


def _walkthrough() -> str:
    """The walkthrough's text: notes/README-testing.md, or README.md once the lead merged it."""
    for candidate in (ROOT / "notes" / "README-testing.md", ROOT / "README.md"):
        if candidate.exists():
            text = candidate.read_text(encoding="utf-8")
            if "# payments.py (fixed)" in text:
                return text
    pytest.fail("the testing walkthrough is in neither notes/README-testing.md nor README.md")


def _blocks(text: str) -> dict[str, str]:
    """Fenced code blocks by the file name on their first line (``# payments.py``)."""
    found: dict[str, str] = {}
    for body in re.findall(r"^```[a-z]*\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL):
        first, _, rest = body.partition("\n")
        name = first[2:].strip() if first.startswith("# ") else ""
        if name in _FILES:
            found[name] = rest if name.endswith(".py") or name.endswith("(fixed)") else body
    return found


BLOCKS = _blocks(_walkthrough())


def _write(directory: Path, *, fixed: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "payments.py").write_text(BLOCKS["payments.py (fixed)" if fixed else "payments.py"])
    for name in ("test_payments.py", "test_payments_stateful.py", "conftest.py", "replay_topology.py", "events.jsonl"):
        (directory / name).write_text(BLOCKS[name])
    return directory


#: A plugin for the runs that need not show shrunk examples: the walkthrough's profile without
#: shrinking and with fewer examples, to keep this file's runtime small.
_FAST_PLUGIN = """
from hypothesis import Phase, settings

settings.register_profile(
    "walkthrough-fast",
    derandomize=True,
    database=None,
    max_examples=40,
    stateful_step_count=20,
    phases=[Phase.explicit, Phase.generate],
)
"""


def _pytest(directory: Path, *files: str, fast: bool = False) -> subprocess.CompletedProcess[str]:
    options = ["-p", "walkthrough_fast", "--hypothesis-profile=walkthrough-fast"] if fast else []
    if fast:
        (directory / "walkthrough_fast.py").write_text(_FAST_PLUGIN)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *options, *files],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("plain"), fixed=False)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("fixed"), fixed=True)


@pytest.fixture(scope="module")
def failure(plain: Path) -> tuple[str, int, int]:
    """The property test's output on the plain handler (the walkthrough's own profile, shrinking
    included), and the seed and order count it names."""
    result = _pytest(plain, "test_payments.py")
    assert result.returncode == 1, result.stdout + result.stderr
    seed = re.search(r"sim=Simulation\(seed=(\d+)\),", result.stdout)
    orders = re.search(r"^E\s+orders=(\d+),", result.stdout, flags=re.MULTILINE)
    assert seed is not None, result.stdout
    assert orders is not None, result.stdout
    return result.stdout, int(seed.group(1)), int(orders.group(1))


def _import(directory: Path) -> Iterator[ModuleType]:
    """The walkthrough's test module (and its ``payments``) imported from ``directory``."""
    sys.path.insert(0, str(directory))
    try:
        spec = importlib.util.spec_from_file_location("test_payments", directory / "test_payments.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(directory))
        sys.modules.pop("payments", None)
        sys.modules.pop("test_payments", None)


@pytest.fixture
def plain_module(plain: Path) -> Iterator[ModuleType]:
    yield from _import(plain)


@pytest.fixture
def fixed_module(fixed: Path) -> Iterator[ModuleType]:
    yield from _import(fixed)


def _double(charges: list[dict[str, Any]]) -> dict[int, int]:
    counts = Counter(charge["order"] for charge in charges)
    return {order: n for order, n in counts.items() if n > 1}


def test_the_walkthrough_code_is_what_the_tests_run() -> None:
    assert set(BLOCKS) == set(_FILES)


def test_the_property_test_catches_the_double_charge_and_names_the_seed(failure: tuple[str, int, int]) -> None:
    output, seed, orders = failure
    assert "InvariantViolation: effects exactly once: the effect for" in output
    assert "happened 2 times" in output
    assert "fault.injected               payments             fault=duplicate_delivery" in output
    assert "Failing test case: test_each_order_is_charged_once(" in output
    assert (seed, orders) == (1, 2)  # what the walkthrough shows, with its derandomized profile
    shown = _walkthrough()
    printed = shown[shown.index("$ pytest test_payments.py\n") :].split("```")[0].splitlines()[1:]
    assert len(printed) > 10
    for line in printed:  # every line the walkthrough shows is in the real output
        assert line.removeprefix("E").strip() in output, line


def test_the_seed_replays_the_same_run(failure: tuple[str, int, int], plain_module: ModuleType) -> None:
    _, seed, orders = failure
    runs = []
    for _ in range(2):
        sim = Simulation(seed=seed)
        charges = plain_module.run(sim, orders)
        assert _double(charges) == {1: 2}
        runs.append(sim.journal.dumps())
    assert runs[0] == runs[1]


def test_eventbus_replay_with_the_seed_is_the_same_run(failure: tuple[str, int, int], plain: Path, plain_module: ModuleType) -> None:
    """`eventbus replay events.jsonl --topology replay_topology.py --seed N`: the test's run, ids and all."""
    _, seed, orders = failure
    assert len([line for line in BLOCKS["events.jsonl"].splitlines() if line.startswith("{")]) == orders
    sim = Simulation(seed=seed)
    plain_module.run(sim, orders)
    out, err = io.StringIO(), io.StringIO()
    args = ["replay", str(plain / "events.jsonl"), "--topology", str(plain / "replay_topology.py"), "--seed", str(seed), "--until", "5m"]
    assert main([*args, "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    replayed = Journal.loads(out.getvalue())

    def services(journal: Any) -> list[tuple[str, str, str]]:
        return [(r.kind, r.resource, r.id) for r in journal if r.kind.startswith(("sqs.", "lambda.", "fault."))]

    assert services(replayed) == services(sim.journal)
    text = io.StringIO()
    assert main(args, stdout=text, stderr=io.StringIO()) == 0
    report = text.getvalue()
    [copy] = [r.id for r in replayed.select("fault.injected")]
    assert f'injected       fault.injected: queue payments id {copy[:8]} {{"fault": "duplicate_delivery"}}' in report
    assert f"received       message {copy[:8]} from queue payments (receive #2: a redelivery)" in report
    shown = _walkthrough()
    command = f"$ eventbus replay events.jsonl --topology replay_topology.py --seed {seed} --until 5m\n"
    printed = shown[shown.index(command) + len(command) :].split("```")[0].splitlines()
    assert len(printed) > 5
    for line in printed:  # every line the walkthrough shows is in the real report
        assert line in report, line


def test_a_dumped_journal_is_checked_offline(failure: tuple[str, int, int], plain_module: ModuleType, tmp_path: Path) -> None:
    _, seed, orders = failure
    sim = Simulation(seed=seed)
    charges = plain_module.run(sim, orders)
    sim.journal.dump(tmp_path / "failure.jsonl")
    loaded = Journal.load(tmp_path / "failure.jsonl")
    [twice] = {c["message_id"] for c in charges if c["order"] == 1}
    life = format_life(loaded, twice)
    assert "fault.injected" in life
    assert "count=2" in life
    assert_invariants(loaded, settled=True)


@pytest.fixture(scope="module")
def fixed_run(fixed: Path) -> subprocess.CompletedProcess[str]:
    return _pytest(fixed, "test_payments.py", "test_payments_stateful.py", fast=True)


def test_the_state_machine_catches_the_plain_handler_and_passes_the_fixed_one(
    plain: Path, fixed_run: subprocess.CompletedProcess[str]
) -> None:
    result = _pytest(plain, "test_payments_stateful.py", fast=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED test_payments_stateful.py::TestPayments::runTest" in result.stdout
    assert "effects exactly once: the effect for" in result.stdout
    assert re.search(r"state\.start\(.*seed=[\d_]+", result.stdout)
    assert "Draw 1 (fault plan): FaultPlan(faults=(" in result.stdout
    assert fixed_run.returncode == 0, fixed_run.stdout + fixed_run.stderr
    assert "2 passed" in fixed_run.stdout


def test_an_explicit_example_keeps_the_failing_seed(failure: tuple[str, int, int], plain_module: ModuleType) -> None:
    _, seed, orders = failure
    assert f"@example(sim=Simulation(seed={seed}), orders={orders})" in _walkthrough()
    pinned = settings(phases=[Phase.explicit], database=None)(
        example(sim=Simulation(seed=seed), orders=orders)(plain_module.test_each_order_is_charged_once)
    )
    with pytest.raises(InvariantViolation, match="happened 2 times"):
        pinned()


def test_the_idempotent_handler_passes(
    failure: tuple[str, int, int], fixed_run: subprocess.CompletedProcess[str], fixed_module: ModuleType
) -> None:
    assert fixed_run.returncode == 0, fixed_run.stdout + fixed_run.stderr
    _, seed, orders = failure
    sim = Simulation(seed=seed)
    charges = fixed_module.run(sim, orders)
    assert sorted(c["order"] for c in charges) == list(range(orders))
    assert sim.faults.injected("duplicate_delivery") == 1  # the copy still arrived
    assert len(sim.journal.select("lambda.esm.batch")) == orders + 1
