"""Hypothesis's setup hook: a strategy for :class:`eventbus.Simulation`, registered at import.

Hypothesis runs every function of the ``hypothesis`` entry-point group when it is imported
(https://hypothesis.readthedocs.io/en/latest/strategies.html#hypothesis-integration-via-setuptools-entry-points);
eventbus declares :func:`_hypothesis_setup_hook` there, so ``st.from_type(Simulation)`` (and
``@given(sim=...)`` with type inference) builds simulations whose seed Hypothesis draws: it is
reported with a failure, replayed from Hypothesis's database and shrunk toward 0, which puts the
simulation's one random generator under Hypothesis's control.
"""

from __future__ import annotations

__all__ = ("SEED_RANGE", "_hypothesis_setup_hook")

#: Seeds drawn for simulations: any non-negative 64-bit integer.
SEED_RANGE = (0, 2**64 - 1)


def _hypothesis_setup_hook() -> None:
    """Register ``Simulation(seed=<drawn>)`` as the strategy for :class:`eventbus.Simulation`."""
    from hypothesis import strategies as st

    from .._simulation import Simulation

    st.register_type_strategy(Simulation, st.builds(Simulation, seed=st.integers(*SEED_RANGE)))
