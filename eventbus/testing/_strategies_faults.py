"""Fault plans for Hypothesis: which faults, at what rates, on which resources (see :mod:`eventbus.faults`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._faults import _DELAYED, FAULT_KINDS, STANDARD_QUEUE_ONLY, Fault, FaultKind, FaultPlan

__all__ = ("fault_plans",)


def fault_plans(
    *,
    kinds: Iterable[FaultKind] | None = None,
    max_rate: float = 0.3,
    resources: Sequence[str] | None = None,
    max_faults: int | None = None,
) -> st.SearchStrategy[FaultPlan]:
    """Fault plans with rates drawn by Hypothesis: each kind at most once, each rate in
    ``[0, max_rate]`` (shrinking toward 0, no fault), each rule unscoped or scoped to one of
    ``resources``.

    Only plans AWS could carry out are drawn: a standard-queue-only fault (duplicates, reordering,
    empty short polls, lost deletes) is never scoped to a ``.fifo`` resource. Apply a drawn plan with
    ``sim.faults.add(plan)``; a failing example prints the plan.

    Args:
        kinds: the kinds to choose from (default: all of :data:`eventbus.faults.FAULT_KINDS`).
        max_rate: the highest rate drawn, from 0 to 1.
        resources: ARNs or names rules may be scoped to (None: every rule is unscoped).
        max_faults: the most rules in a plan (default: one per kind).
    """
    chosen: tuple[FaultKind, ...] = FAULT_KINDS if kinds is None else tuple(kinds)
    unknown = [kind for kind in chosen if kind not in FAULT_KINDS]
    if unknown:
        raise InvalidArgument(f"unknown fault kinds {unknown!r}; the kinds are {', '.join(FAULT_KINDS)}")
    if len(set(chosen)) != len(chosen):
        raise InvalidArgument(f"kinds must not repeat, got {list(chosen)!r}")
    if isinstance(max_rate, bool) or not isinstance(max_rate, (int, float)) or not (math.isfinite(max_rate) and 0 <= max_rate <= 1):
        raise InvalidArgument(f"max_rate must be a probability from 0 to 1, got {max_rate!r}")
    scopes: tuple[str, ...] = ()
    if resources is not None:
        if isinstance(resources, str) or not all(isinstance(r, str) and r for r in resources):
            raise InvalidArgument(f"resources must be a sequence of non-empty ARNs or names, got {resources!r}")
        scopes = tuple(resources)
    if max_faults is not None and (isinstance(max_faults, bool) or not isinstance(max_faults, int) or max_faults < 0):
        raise InvalidArgument(f"max_faults must be an int >= 0, got {max_faults!r}")
    size = len(chosen) if max_faults is None else min(max_faults, len(chosen))

    @st.composite
    def faults(draw: st.DrawFn, kind: FaultKind) -> Fault:
        rate = draw(st.floats(0.0, float(max_rate), allow_nan=False), label=f"{kind} rate")
        allowed = [r for r in scopes if not (kind in STANDARD_QUEUE_ONLY and r.endswith(".fifo"))]
        resource = draw(st.none() | st.sampled_from(allowed)) if allowed else None
        delay = float(draw(st.integers(0, 30))) if kind in _DELAYED else 1.0
        return Fault(kind=kind, rate=rate, resource=resource, delay=delay)

    @st.composite
    def plans(draw: st.DrawFn) -> FaultPlan:
        if not chosen or not size:
            return FaultPlan()
        picked = draw(st.lists(st.sampled_from(chosen), unique=True, max_size=size), label="fault kinds")
        return FaultPlan(tuple(draw(faults(kind)) for kind in picked))

    return plans()
