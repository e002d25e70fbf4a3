"""eventbus.services.events: its __all__ is a tuple of names that exist (anyio's house rule), and
``sim.events`` is one service per simulation."""

from __future__ import annotations

import eventbus.services.events as events
from eventbus import Simulation


def test_all_is_a_tuple_of_existing_sorted_names() -> None:
    assert isinstance(events.__all__, tuple)
    assert list(events.__all__) == sorted(events.__all__)
    for name in events.__all__:
        assert hasattr(events, name), name


def test_sim_events_is_created_once() -> None:
    sim = Simulation()
    assert sim.events is sim.events
    assert isinstance(sim.events, events.EventsService)
    assert sim.events.default_bus is sim.events.bus("default")
    assert sim.events.bus("orders") is sim.events.bus("orders")
    assert sim.events.bus(sim.events.bus("orders").arn) is sim.events.bus("orders")
    assert repr(sim.events.bus("orders")) == "eventbus.events.EventBus('orders', rules=0)"
