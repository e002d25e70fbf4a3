"""Invariants over a journal: the properties an event-driven architecture should keep under AWS's
delivery semantics, checked from the journal alone (a live simulation or a dumped journal).

::

    from eventbus.testing.invariants import assert_invariants, assert_effects_exactly_once

    sim.advance(3600)
    assert_invariants(sim, settled=True)          # nothing lost, every delivery ended, FIFO order, DLQs
    assert_effects_exactly_once(charges, key=lambda c: c["order_id"])

* :func:`assert_no_message_lost`: each SQS message sent is deleted, dead-lettered, expired by the
  retention period, or still queued.
* :func:`assert_at_least_once`: each event a rule matched reached each target (or was dead-lettered,
  or dropped with a reason); the same for SNS subscriptions, schedules and asynchronous invocations.
* :func:`assert_fifo_order`: FIFO messages received and processed in send order per message group.
* :func:`assert_effects_exactly_once`: your handler's side effects, once per key.
* :func:`assert_dead_letters_accounted`: every dead-lettered message is in its dead-letter queue.

Each failure raises :class:`InvariantViolation` (an ``AssertionError``) naming the message and
showing its life: the journal records about it, with virtual times.
"""

from __future__ import annotations

from ._invariants import (
    assert_at_least_once,
    assert_dead_letters_accounted,
    assert_effects_exactly_once,
    assert_fifo_order,
    assert_invariants,
    assert_no_message_lost,
)
from ._invariants_life import InvariantViolation, format_life, life

__all__ = (
    "InvariantViolation",
    "assert_at_least_once",
    "assert_dead_letters_accounted",
    "assert_effects_exactly_once",
    "assert_fifo_order",
    "assert_invariants",
    "assert_no_message_lost",
    "format_life",
    "life",
)

# Public classes report the public module (reprs, tracebacks and pickles name it).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
