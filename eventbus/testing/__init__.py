"""Tools for testing code against the simulation: the pytest plugin (``sim`` fixture), and more.

The pytest plugin is registered through the ``pytest11`` entry point, so installing eventbus makes
the ``sim`` fixture available in every test suite; ``--eventbus-seed N`` fixes the seed.
"""

from __future__ import annotations

from ._seeds import seed_for_test

__all__ = ("seed_for_test",)
