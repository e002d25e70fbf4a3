"""The pytest plugin: a fresh :class:`~eventbus.Simulation` per test, its seed printed on failure.

Fixtures:
    aws: the ``sim`` fixture's simulation with every boto3 client served by it
        (:func:`eventbus.mock_aws`) for the duration of the test.
    sim: a new Simulation. Its seed is ``--eventbus-seed`` when given, else derived from the test's
        node id (stable across runs and machines, different between tests). When the test fails,
        the report shows the seed, the command line that reruns the test with it, and the last
        records of the simulation's journal.

Markers:
    eventbus(seed=N, start="...", account_id="...", region="..."): settings for the ``sim`` fixture.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from .._simulation import Simulation
from ._seeds import seed_for_test

__all__ = ("seed_for_test",)

_SIMS = pytest.StashKey[list[Simulation]]()
_JOURNAL_TAIL = 20


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eventbus")
    group.addoption(
        "--eventbus-seed",
        type=int,
        default=None,
        help="seed every eventbus `sim` fixture with this number (default: derived from each test's id)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "eventbus(seed=None, start=None, account_id=None, region=None): settings for the eventbus `sim` fixture",
    )


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> Simulation:
    """A fresh simulation on virtual time, seeded per test (see ``--eventbus-seed``)."""
    marker = request.node.get_closest_marker("eventbus")
    settings: dict[str, Any] = dict(marker.kwargs) if marker else {}
    seed = settings.pop("seed", None)
    if seed is None:
        seed = request.config.getoption("--eventbus-seed")
    if seed is None:
        seed = seed_for_test(request.node.nodeid)
    simulation = Simulation(seed, **{k: v for k, v in settings.items() if v is not None})
    request.node.stash.setdefault(_SIMS, []).append(simulation)
    return simulation


@pytest.fixture
def aws(sim: Simulation) -> Iterator[Simulation]:
    """The ``sim`` fixture's simulation, serving every boto3 client (``eventbus.mock_aws``) during the test."""
    from ..aws import mock_aws

    with mock_aws(sim):
        yield sim


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    sims = item.stash.get(_SIMS, [])
    if report.failed and sims:
        lines = []
        for simulation in sims:
            lines.append(
                f"seed {simulation.seed}  (rerun: pytest {item.nodeid!r} --eventbus-seed {simulation.seed})"
            )
            lines.append(f"virtual time at failure: {simulation.iso()}  (+{simulation.time:g} s)")
            tail = simulation.journal[-_JOURNAL_TAIL:]
            lines.append(f"last {len(tail)} of {len(simulation.journal)} journal records:")
            for record in tail:
                lines.append(
                    f"  +{record.time:<10g} {record.kind:<28} {record.resource or '-'} {record.id or ''} {record.detail or ''}".rstrip()
                )
        report.sections.append(("eventbus", "\n".join(lines)))
    return report
