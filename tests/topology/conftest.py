"""Fixtures of the topology tests: a fresh simulation per test, on virtual time."""

from __future__ import annotations

import pytest

from eventbus import Simulation


@pytest.fixture
def sim() -> Simulation:
    return Simulation(seed=7)
