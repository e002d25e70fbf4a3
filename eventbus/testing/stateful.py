"""Stateful property tests of an architecture: :class:`ArchitectureMachine`, a Hypothesis
``RuleBasedStateMachine`` that sends, puts, publishes and advances virtual time against your
topology under a drawn fault plan, and checks the journal invariants after every step.

Needs Hypothesis (``pip install eventbus[test]``)::

    from eventbus.testing.stateful import ArchitectureMachine

    class Orders(ArchitectureMachine):
        topology = "topology.yaml"          # or: def build(self, sim): ...
        fault_kinds = ("duplicate_delivery", "crash_after", "visibility_expiry")

    TestOrders = Orders.TestCase            # collected by pytest / unittest

https://hypothesis.readthedocs.io/en/latest/stateful.html
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without hypothesis
    raise ImportError("eventbus.testing.stateful needs Hypothesis, a test extra: pip install eventbus[test]") from error

from ._stateful import ArchitectureMachine

__all__ = ("ArchitectureMachine",)

# Public classes report the public module (reprs, tracebacks and pickles name it).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
