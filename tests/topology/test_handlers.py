"""Handler modules are imported fresh per load from the topology's directory (eventbus/topology/_handlers.py).

Two blueprints whose folders each hold a ``handlers.py`` get their own module, each simulation starts
with clean module state, and ``sys.path`` and ``sys.modules`` are as they were after the load. The
Lambda Python runtime imports the ``Handler`` module once per execution environment
(https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html); a load is one such environment.
"""

from __future__ import annotations

import sys

from eventbus import Simulation
from eventbus.topology import load

from ._helpers import DATA


def test_same_module_name_in_two_folders_gives_two_modules() -> None:
    blue = load(DATA / "blue" / "topology.yaml", Simulation())
    green = load(DATA / "green" / "topology.yaml", Simulation())
    assert blue.modules["handlers"].COLOUR == "blue"
    assert green.modules["handlers"].COLOUR == "green"
    assert blue.sim is not None
    assert green.sim is not None
    assert blue.sim.lambda_.get_function("colour").invoke({}).payload == "blue"
    assert green.sim.lambda_.get_function("colour").invoke({}).payload == "green"


def test_each_load_starts_with_clean_module_state() -> None:
    first = load(DATA / "blue" / "topology.yaml", Simulation())
    assert first.sim is not None
    first.sim.lambda_.get_function("colour").invoke({"n": 1})
    second = load(DATA / "blue" / "topology.yaml", Simulation())
    assert first.modules["handlers"].seen == [{"n": 1}]
    assert second.modules["handlers"].seen == []


def test_sys_path_and_sys_modules_are_restored() -> None:
    path_before = list(sys.path)
    load(DATA / "shop.yaml", Simulation())
    assert sys.path == path_before
    assert "shop" not in sys.modules
    assert "shop.handlers" not in sys.modules


def test_an_already_imported_module_of_the_same_name_is_hidden_then_restored() -> None:
    sys.path.insert(0, str(DATA / "green"))
    try:
        import handlers  # type: ignore[import-not-found]

        assert handlers.COLOUR == "green"
        blue = load(DATA / "blue" / "topology.yaml", Simulation())
        assert blue.modules["handlers"].COLOUR == "blue"
        assert sys.modules["handlers"] is handlers
    finally:
        sys.path.remove(str(DATA / "green"))
        sys.modules.pop("handlers", None)


def test_functions_of_one_load_share_their_module() -> None:
    topology = load(
        {"functions": {"a": {"handler": "shop.handlers:audit"}, "b": {"handler": "shop.handlers:report"}}},
        Simulation(),
        base_dir=DATA,
    )
    assert topology.sim is not None
    topology.sim.lambda_.get_function("a").invoke({"x": 1})
    topology.sim.lambda_.get_function("b").invoke({"y": 2})
    module = topology.modules["shop.handlers"]
    assert (module.audited, module.reports) == ([{"x": 1}], [{"y": 2}])
