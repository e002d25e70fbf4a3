"""Fault injection: make the simulation do, on purpose, what AWS is allowed to do wrong.

``sim.faults`` is the simulation's fault plan. It is off by default; each rule added to it has a
rate (the chance per opportunity) or a script (``nth``: "the 3rd delivery to X", "the next
invocation of F"), optionally scoped to a resource by ARN or name. Every decision is drawn from the
simulation's seeded generator, so the same seed gives the same faults, and every injected fault is
journaled as ``fault.injected`` (``detail["fault"]`` names it)::

    sim = Simulation(seed=7)
    sim.faults.duplicate_delivery(0.2)                  # standard queues deliver some messages twice
    sim.faults.crash_after(nth=1, resource="pay")       # pay's next invocation: handler runs, then fails
    sim.faults.target_delivery_failure(nth=3, resource="audit")   # the 3rd delivery to audit fails

    plan = FaultPlan((Fault(kind="lost_delete", rate=0.1, resource="orders"),))
    sim.faults.add(plan)                                # a whole plan (fault_plans() draws them)

=========================== ============================================================= =====================
kind                        opportunity (and what happens)                                 where
=========================== ============================================================= =====================
``duplicate_delivery``      a message's first receive: a second copy stays visible         standard SQS
``reorder``                 a message a receive takes: it goes behind the later ones       standard SQS
``empty_receive``           a short poll with messages available: it returns nothing       standard SQS
``lost_delete``             a successful DeleteMessage: the message comes back ``delay``   standard SQS
                            seconds later
``crash_before``            an invocation: it fails (``Runtime.ExitError``), the handler   Lambda
                            never runs
``crash_after``             an invocation: the handler runs, then it fails                 Lambda
``visibility_expiry``       a batch handed to a function: its visibility runs out while    SQS event source
                            the handler runs; another poller gets it; the first delete is  mappings
                            a no-op (standard) or refused (FIFO)
``target_delivery_failure`` an attempt to deliver to a rule's (or a schedule's) target:    EventBridge,
                            it fails with ``ServiceUnavailable``, the retry policy acts    Scheduler
``sns_delivery_failure``    an attempt to deliver to a subscription: it fails, and is      SNS
                            retried as the delivery policy says
``async_duplicate``         an asynchronous invocation: the event runs again ``delay``     Lambda
                            seconds later
=========================== ============================================================= =====================

Only what AWS itself may do (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): FIFO queues never
duplicate, reorder, falsely empty or lose a delete, so a rule scoped to a ``.fifo`` queue asking for
one of those raises :class:`FaultPlanError`, and unscoped rules of those kinds leave FIFO queues alone.

The older per-queue knobs stay: :class:`eventbus.services.sqs.SqsFaults` (``create_queue(...,
faults=)``, journaled ``sqs.fault``) and :class:`eventbus.services.lambda_.LambdaFaults`
(``sim.lambda_.faults``, journaled ``lambda.fault``) work beside the plan and draw from the same
generator; the plan is the one to use for new tests (it is simulation-wide, scoped, scriptable,
and what :func:`eventbus.testing.strategies.fault_plans` generates).
"""

from __future__ import annotations

from ._faults import (
    FAULT_KINDS,
    STANDARD_QUEUE_ONLY,
    Fault,
    FaultInjector,
    FaultKind,
    FaultPlan,
    FaultPlanError,
    FaultStatistics,
    ServiceUnavailableError,
)

__all__ = (
    "FAULT_KINDS",
    "STANDARD_QUEUE_ONLY",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "FaultPlanError",
    "FaultStatistics",
    "ServiceUnavailableError",
)

# Public classes report the public module (reprs, tracebacks and pickles name it).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
