"""The public modules of the command and its reports: each ``__all__`` a tuple of existing names
(the house rule of tests/test_public_api.py, for the modules this issue adds)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "name", ["eventbus.cli", "eventbus.replay", "eventbus.report", "eventbus.report.text", "eventbus.report.html"]
)
def test_all_is_a_tuple_of_existing_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert isinstance(exported, tuple)
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr} is in __all__ but missing"


def test_reprs_name_the_public_module() -> None:
    from eventbus.replay import replay

    result = replay(['{"bus": "default", "Source": "s", "DetailType": "d", "Detail": {}}'])
    assert repr(result).startswith("eventbus.replay.ReplayResult(")
