"""Property: for random rule sets and events, the targets that receive an event are exactly those of
the enabled rules whose patterns match it, judged by EventPattern alone.

This checks that the bus's one PatternSet, the rule states and the delivery path agree with the
single-pattern engine ("Amazon EventBridge event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html). No faults.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventbus import Simulation
from eventbus.matching import EventPattern

SOURCES = ["shop", "shop.eu", "billing", "ops"]
TYPES = ["OrderPlaced", "OrderShipped", "Refund"]
WORDS = ["red", "green", "blue", "gold"]


def _leaf_conditions() -> st.SearchStrategy[dict[str, Any]]:
    strings = st.sampled_from(WORDS)
    numbers = st.integers(min_value=-5, max_value=5)
    return st.one_of(
        st.fixed_dictionaries({"color": st.lists(strings, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"color": st.lists(st.builds(lambda p: {"prefix": p}, st.sampled_from(["r", "g", "b"])), min_size=1, max_size=2)}),
        st.fixed_dictionaries({"color": st.lists(st.builds(lambda w: {"anything-but": w}, strings), min_size=1, max_size=1)}),
        st.fixed_dictionaries({"n": st.lists(numbers, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"n": st.builds(lambda low, high: [{"numeric": [">=", low, "<", low + high]}], numbers, st.integers(1, 6))}),
        st.fixed_dictionaries({"tags": st.lists(strings, min_size=1, max_size=2)}),
        st.fixed_dictionaries({"n": st.just([{"exists": False}])}),
        st.fixed_dictionaries({"color": st.just([{"exists": True}])}),
    )


@st.composite
def patterns(draw: st.DrawFn) -> dict[str, Any]:
    pattern: dict[str, Any] = {}
    if draw(st.booleans()):
        pattern["source"] = draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        pattern["detail-type"] = [{"prefix": draw(st.sampled_from(["Order", "Ref", "X"]))}]
    detail: dict[str, Any] = {}
    for conditions in draw(st.lists(_leaf_conditions(), min_size=0, max_size=2)):
        detail.update(conditions)
    if detail or not pattern:
        pattern["detail"] = detail or {"color": [{"exists": True}]}
    return pattern


@st.composite
def details(draw: st.DrawFn) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if draw(st.booleans()):
        detail["color"] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        detail["n"] = draw(st.integers(min_value=-6, max_value=6))
    if draw(st.booleans()):
        detail["tags"] = draw(st.lists(st.sampled_from(WORDS), max_size=3))
    return detail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(st.tuples(patterns(), st.booleans()), min_size=1, max_size=8),
    events=st.lists(
        st.tuples(st.sampled_from(SOURCES), st.sampled_from(TYPES), details()), min_size=1, max_size=6
    ),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_targets_receive_exactly_the_events_their_rules_match(
    rules: list[tuple[dict[str, Any], bool]], events: list[tuple[str, str, dict[str, Any]]], seed: int
) -> None:
    sim = Simulation(seed=seed)
    bus = sim.events.bus("prop")
    received: dict[str, list[str]] = {}
    for index, (pattern, enabled) in enumerate(rules):
        name = f"rule-{index}"
        received[name] = []
        rule = bus.rule(name, pattern=pattern)
        rule.target(lambda event, name=name: received[name].append(event["id"]), id="t")
        if not enabled:
            rule.disable()
    sent: list[dict[str, Any]] = []
    for source, detail_type, detail in events:
        event_id = bus.put(source=source, detail_type=detail_type, detail=detail)
        sent.append({"id": event_id, "source": source, "detail-type": detail_type, "detail": detail})
    sim.run_until_idle()

    for index, (pattern, enabled) in enumerate(rules):
        compiled = EventPattern(json.dumps(pattern))
        expected = [event["id"] for event in sent if enabled and compiled.matches(event)]
        assert received[f"rule-{index}"] == expected, (pattern, enabled)
