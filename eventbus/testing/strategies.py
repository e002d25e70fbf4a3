"""Hypothesis strategies for EventBridge events and patterns and SQS messages.

Needs Hypothesis, a test extra (``pip install eventbus[test]``); importing :mod:`eventbus` never
imports it. Strategies are plural nouns returning ``SearchStrategy`` and check their arguments
when called, as Hypothesis's own do::

    from hypothesis import given
    from eventbus.testing.strategies import events_matching, events_not_matching

    PATTERN = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}

    @given(events_matching(PATTERN))
    def test_big_orders_are_routed(event): ...

* :func:`events`: EventBridge envelopes with varied JSON ``detail``.
* :func:`event_patterns`: valid event patterns using every operator.
* :func:`events_matching` / :func:`events_not_matching`: events constructed (not filtered) to
  match, or to fail, a given pattern.
* :func:`sqs_messages`: SendMessage requests within SQS's limits.
* :func:`filter_policies` / :func:`sns_messages_matching`: SNS subscription filter policies, and
  Publish requests constructed to match one (attribute or body scope).
* :func:`fault_plans`: :class:`eventbus.faults.FaultPlan` values with rates drawn by Hypothesis.

Installing eventbus also registers, through Hypothesis's ``hypothesis`` entry point, a strategy
for :class:`eventbus.Simulation`: ``st.from_type(Simulation)`` gives simulations whose seed
Hypothesis chooses and shrinks.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised in a subprocess without hypothesis
    raise ImportError(
        "eventbus.testing.strategies needs Hypothesis, a test extra: pip install eventbus[test]"
    ) from error

from ._strategies_build import events_matching, events_not_matching
from ._strategies_events import events
from ._strategies_faults import fault_plans
from ._strategies_patterns import event_patterns
from ._strategies_sns import filter_policies, sns_messages_matching
from ._strategies_sqs import sqs_messages

__all__ = (
    "event_patterns",
    "events",
    "events_matching",
    "events_not_matching",
    "fault_plans",
    "filter_policies",
    "sns_messages_matching",
    "sqs_messages",
)
