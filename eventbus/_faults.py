"""Fault injection: what AWS is allowed to do wrong, done on purpose (internal; see :mod:`eventbus.faults`).

A :class:`FaultPlan` is a value: a tuple of :class:`Fault` rules, each with a rate (the chance per
opportunity) or a script (``nth``: the opportunities it hits, counted from 1), optionally scoped to
one resource. ``sim.faults`` is the simulation's :class:`FaultInjector`: it carries out the rules
added to it, draws every decision from the simulation's seeded generator (so the same seed gives
the same faults) and journals every fault it injects as ``fault.injected`` (``detail["fault"]``
names it).

The services consult the injector at their decision points only when one exists
(``sim._faults is not None``), so a simulation without faults pays one attribute check there and
draws nothing from the generator.

Only what AWS itself may do is offered (semantics.md, "What AWS is allowed to do"): FIFO queues
deliver exactly once and in order, so a rule that asks for a duplicate, a reordering, a false-empty
poll or a lost delete on a ``.fifo`` queue is refused, and unscoped rules of those kinds skip FIFO
queues.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

import msgspec

from .errors import EventBusError, ServiceError

if TYPE_CHECKING:
    from ._simulation import Simulation

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

FaultKind = Literal[
    "duplicate_delivery",
    "reorder",
    "empty_receive",
    "lost_delete",
    "crash_before",
    "crash_after",
    "visibility_expiry",
    "target_delivery_failure",
    "sns_delivery_failure",
    "async_duplicate",
]

#: Every kind of fault, in the order the documentation lists them (derived from FaultKind).
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

#: Faults only standard queues commit: FIFO queues deliver exactly once, in order.
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
STANDARD_QUEUE_ONLY: frozenset[str] = frozenset({"duplicate_delivery", "reorder", "empty_receive", "lost_delete"})

#: Kinds whose ``delay`` means something: seconds until the second copy shows up.
_DELAYED = frozenset({"lost_delete", "async_duplicate"})

#: ``_delivery.Delivery`` kinds (journal prefixes) and the fault that fails their attempts.
_DELIVERY_FAULTS: dict[str, FaultKind] = {
    "events.target": "target_delivery_failure",
    "scheduler.target": "target_delivery_failure",
    "sns.delivery": "sns_delivery_failure",
}


class FaultPlanError(EventBusError, ValueError):
    """A fault plan that cannot be carried out: a bad rate or script, or a fault AWS never commits."""


class ServiceUnavailableError(ServiceError):
    """The error an injected delivery failure fails an attempt with: a temporary failure of the
    receiving service, which the sender's retry policy retries.

    AWS's common error ``ServiceUnavailable`` (HTTP 503): "The request has failed due to a temporary
    failure of the server."
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
    """

    default_code = "ServiceUnavailable"
    default_status = 503


class Fault(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One rule of a fault plan.

    Attributes:
        kind: which fault (see :data:`FAULT_KINDS` and :mod:`eventbus.faults`).
        rate: the chance, 0 to 1, that an opportunity in scope gets the fault. Drawn from the
            simulation's generator, once per opportunity.
        nth: a script instead of a rate: the opportunities in scope that get the fault, counted
            from 1 from when the rule was added (``(3,)``: the third; ``(1,)``: the next one).
        resource: the scope: an ARN or a name (queue, function, topic, rule, target, schedule);
            None for every resource the fault can happen to.
        delay: for ``lost_delete`` and ``async_duplicate``, seconds until the second copy shows up.

    Raises:
        FaultPlanError: an unknown kind, a rate outside 0..1, a script that is not positive integers,
            both a rate and a script, or a standard-queue-only fault scoped to a FIFO queue.
    """

    kind: FaultKind
    rate: float = 0.0
    nth: tuple[int, ...] = ()
    resource: str | None = None
    delay: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultPlanError(f"unknown fault kind {self.kind!r}; the kinds are {', '.join(FAULT_KINDS)}")
        rate = self.rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
            raise FaultPlanError(f"{self.kind}: rate must be a probability between 0 and 1, got {rate!r}")
        nth = self.nth
        if not isinstance(nth, tuple) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in nth):
            raise FaultPlanError(f"{self.kind}: nth must be a tuple of opportunity numbers counted from 1, got {nth!r}")
        if nth and rate:
            raise FaultPlanError(f"{self.kind}: give a rate or a script (nth), not both")
        if self.resource is not None and (not isinstance(self.resource, str) or not self.resource):
            raise FaultPlanError(f"{self.kind}: resource must be a non-empty ARN or name, got {self.resource!r}")
        delay = self.delay
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (math.isfinite(delay) and delay >= 0):
            raise FaultPlanError(f"{self.kind}: delay must be a finite number of seconds >= 0, got {delay!r}")
        if self.kind in STANDARD_QUEUE_ONLY and self.resource is not None and self.resource.endswith(".fifo"):
            raise FaultPlanError(
                f"{self.kind} cannot happen on the FIFO queue {self.resource!r}: FIFO queues deliver each "
                "message exactly once and in order, so AWS never duplicates, reorders, falsely empties or "
                "brings back a deleted message there "
                "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html); "
                "scope the fault to a standard queue"
            )

    @property
    def scripted(self) -> bool:
        """True when the fault hits chosen opportunities (``nth``) rather than at a rate."""
        return bool(self.nth)


class FaultPlan(msgspec.Struct, frozen=True):
    """Faults to inject, as a value: build one, combine with ``+``, and hand it to ``sim.faults.add``.

    Example::

        plan = FaultPlan((Fault(kind="duplicate_delivery", rate=0.2), Fault(kind="crash_after", nth=(3,), resource="pay")))
        sim.faults.add(plan)
    """

    faults: tuple[Fault, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.faults, tuple) or not all(isinstance(f, Fault) for f in self.faults):
            raise FaultPlanError(f"a FaultPlan holds a tuple of Fault, got {self.faults!r}")

    def __add__(self, other: FaultPlan | Fault) -> FaultPlan:
        if isinstance(other, Fault):
            return FaultPlan((*self.faults, other))
        if isinstance(other, FaultPlan):
            return FaultPlan(self.faults + other.faults)
        return NotImplemented

    def __len__(self) -> int:
        return len(self.faults)

    def __iter__(self) -> Iterator[Fault]:
        return iter(self.faults)

    def __bool__(self) -> bool:
        return bool(self.faults)

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of fault the plan holds."""
        return frozenset(fault.kind for fault in self.faults)


class FaultStatistics(msgspec.Struct, frozen=True):
    """How a rule of the plan fared so far.

    Attributes:
        fault: the rule.
        opportunities: the opportunities in its scope it was asked about.
        injected: how many of them got the fault.
    """

    fault: Fault
    opportunities: int
    injected: int


class _Queue(Protocol):
    """What the injector needs of an SQS queue (``eventbus.services.sqs.Queue``)."""

    @property
    def arn(self) -> str: ...

    @property
    def fifo(self) -> bool: ...

    def change_visibility(self, receipt_handle: str, visibility_timeout: int) -> None: ...


class _Message(Protocol):
    @property
    def message_id(self) -> str: ...

    @property
    def receipt_handle(self) -> str: ...


class _Rule:
    __slots__ = ("fault", "injected", "nth", "seen")

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.nth = frozenset(fault.nth)
        self.seen = 0
        self.injected = 0


_SEGMENTS = re.compile(r"[:/]")


def _as_nth(nth: int | Iterable[int]) -> tuple[int, ...]:
    if isinstance(nth, int):
        return (nth,)  # a bool is refused by Fault
    if isinstance(nth, (str, bytes)):
        raise FaultPlanError(f"nth must be an opportunity number or numbers, got {nth!r}")
    return tuple(sorted(set(nth)))


class FaultInjector:
    """The simulation's fault plan, carried out: ``sim.faults``.

    Add rules with :meth:`add` (a :class:`Fault` or a whole :class:`FaultPlan`) or the builder
    methods named after the kinds, each returning the rule it added::

        sim.faults.duplicate_delivery(0.2, resource="orders")     # 20% of orders' messages twice
        sim.faults.crash_after(nth=1, resource="pay")             # the next invocation of pay
        sim.faults.target_delivery_failure(nth=3, resource="audit")  # the 3rd delivery to audit

    Scripts (``nth``) count the opportunities in the rule's scope from when the rule was added.
    Every injected fault is journaled as ``fault.injected`` with ``detail["fault"]`` its kind.
    """

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        self._rng = sim.rng
        self._rules: list[_Rule] = []
        self._by_kind: dict[str, list[_Rule]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._ignored_deletes: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"eventbus.faults.FaultInjector({len(self._rules)} faults)"

    def __len__(self) -> int:
        return len(self._rules)

    def __bool__(self) -> bool:
        return bool(self._rules)

    # ------------------------------------------------------------- building
    def add(self, fault: Fault | FaultPlan) -> None:
        """Add one rule, or every rule of a plan (in order)."""
        if isinstance(fault, FaultPlan):
            for each in fault.faults:
                self.add(each)
            return
        if not isinstance(fault, Fault):
            raise FaultPlanError(f"sim.faults.add takes a Fault or a FaultPlan, got {fault!r}")
        rule = _Rule(fault)
        self._rules.append(rule)
        self._by_kind.setdefault(fault.kind, []).append(rule)

    def clear(self) -> None:
        """Remove every rule: from now on nothing is injected."""
        self._rules.clear()
        self._by_kind.clear()
        self._ignored_deletes.clear()

    @property
    def plan(self) -> FaultPlan:
        """The rules added so far, as a :class:`FaultPlan`."""
        return FaultPlan(tuple(rule.fault for rule in self._rules))

    def statistics(self) -> tuple[FaultStatistics, ...]:
        """Per rule, in the order added: opportunities in scope seen and faults injected."""
        return tuple(FaultStatistics(rule.fault, rule.seen, rule.injected) for rule in self._rules)

    def injected(self, kind: str | None = None) -> int:
        """How many faults (of ``kind``, or of every kind) were injected so far."""
        return sum(rule.injected for rule in self._rules if kind is None or rule.fault.kind == kind)

    def _build(self, kind: FaultKind, rate: float, nth: int | Iterable[int], resource: str | None, delay: float = 1.0) -> Fault:
        fault = Fault(kind=kind, rate=rate, nth=_as_nth(nth), resource=resource, delay=delay)
        self.add(fault)
        return fault

    def duplicate_delivery(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """A standard queue delivers a message twice: at its first receive, a second copy (same
        message id, its own receipt handle) is left visible, for another receive to get.

        Opportunity: each message's first receive from a standard queue (a message is duplicated
        at most once by this rule). "Standard queues ... deliver each message at least once, but
        occasionally more than one copy of a message is delivered."
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
        """
        return self._build("duplicate_delivery", rate, nth, resource)

    def reorder(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """A standard queue passes a message over: it goes behind the messages after it.

        Opportunity: each message a receive takes from a standard queue ("best-effort ordering").
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
        """
        return self._build("reorder", rate, nth, resource)

    def empty_receive(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """A short poll returns nothing although messages are available (it sampled servers that
        hold none of them).

        Opportunity: each short poll (WaitTimeSeconds 0) of a standard queue with visible messages.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
        """
        return self._build("empty_receive", rate, nth, resource)

    def lost_delete(
        self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None, delay: float = 1.0
    ) -> Fault:
        """DeleteMessage succeeds, but a copy on a server that missed it comes back ``delay``
        seconds later ("at-least-once ... you might receive the message again after deleting it").

        Opportunity: each successful delete on a standard queue.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
        """
        return self._build("lost_delete", rate, nth, resource, delay)

    def crash_before(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """A function invocation fails before its handler runs (the runtime exits first): nothing
        the handler would do happens, and the invoker retries as for any function error.

        Opportunity: each invocation of a function (synchronous, an asynchronous attempt, or an
        SQS batch). The error is ``Runtime.ExitError``.
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
        """
        return self._build("crash_before", rate, nth, resource)

    def crash_after(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """A function's handler runs to the end (its side effects happen), then the invocation
        fails as if the runtime crashed before answering: an SQS batch is not deleted and comes
        back, an asynchronous event is retried.

        Opportunity: each invocation of a function. The error is ``Runtime.ExitError``.
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
        """
        return self._build("crash_after", rate, nth, resource)

    def visibility_expiry(self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None) -> Fault:
        """The visibility timeout of a batch runs out while the function handling it still runs:
        the messages are visible again (another poller receives them) and, on a standard queue,
        the first handler's delete succeeds without deleting (its receipt handle is stale); on a
        FIFO queue that delete is refused ("The receipt handle has expired.").

        Opportunity: each batch an SQS event source mapping hands to its function; ``resource``
        may name the queue or the function.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
        """
        return self._build("visibility_expiry", rate, nth, resource)

    def target_delivery_failure(
        self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None
    ) -> Fault:
        """An attempt to deliver an event to an EventBridge rule's target (or a Scheduler target)
        fails with a temporary error; the target's retry policy then retries it, or dead-letters it.

        Opportunity: each attempt; ``resource`` may name the target or the rule (or schedule).
        https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
        """
        return self._build("target_delivery_failure", rate, nth, resource)

    def sns_delivery_failure(
        self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None
    ) -> Fault:
        """An attempt to deliver an SNS message to a subscription's endpoint fails with a temporary
        error; the delivery policy retries it (for days toward SQS and Lambda), then dead-letters it.

        Opportunity: each attempt; ``resource`` may name the endpoint, the subscription or the topic.
        https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
        """
        return self._build("sns_delivery_failure", rate, nth, resource)

    def async_duplicate(
        self, rate: float = 0.0, *, nth: int | Iterable[int] = (), resource: str | None = None, delay: float = 1.0
    ) -> Fault:
        """An asynchronous invocation's event is run a second time ``delay`` seconds later ("your
        function may receive the same event multiple times, even if no error occurs").

        Opportunity: each asynchronous invocation (Event) of a function.
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
        """
        return self._build("async_duplicate", rate, nth, resource, delay)

    # ---------------------------------------------------------------- scope
    def _scope_names(self, arn: str) -> frozenset[str]:
        """The ARN and the names a rule may scope it by (cached)."""
        names = self._names.get(arn)
        if names is None:
            found = {arn}
            parts = arn.split(":", 5)
            if len(parts) == 6 and parts[0] == "arn":
                resource = parts[5]
                found.add(resource)
                found.add(_SEGMENTS.split(resource)[-1])
                if parts[2] == "sns" and ":" in resource:  # a subscription: its topic scopes it too
                    found.add(resource.split(":", 1)[0])
                    found.add(arn.rsplit(":", 1)[0])
            names = self._names[arn] = frozenset(found)
        return names

    # ------------------------------------------------------------- deciding
    def _has(self, kind: FaultKind) -> bool:
        """Whether any rule of ``kind`` is in the plan."""
        return bool(self._by_kind.get(kind))

    def _draw(
        self,
        kind: FaultKind,
        arns: Sequence[str],
        resource: str,
        id: str,
        detail: dict[str, Any] | None = None,
        *,
        record: bool = True,
    ) -> Fault | None:
        """Ask every rule of ``kind`` about one opportunity; the first that hits is returned (and
        journaled as ``fault.injected`` unless ``record`` is False)."""
        rules = self._by_kind.get(kind)
        if not rules:
            return None
        hit: _Rule | None = None
        for rule in rules:
            fault = rule.fault
            scope = fault.resource
            if scope is not None and not any(scope in self._scope_names(arn) for arn in arns):
                continue
            rule.seen += 1
            if rule.nth:
                chosen = rule.seen in rule.nth
            elif fault.rate:
                chosen = self._rng.random() < fault.rate
            else:
                chosen = False
            if chosen and hit is None:
                hit = rule
        if hit is None:
            return None
        hit.injected += 1
        if record:
            self._sim.record("fault.injected", resource, id, {"fault": kind, **(detail or {})})
        return hit.fault

    # --------------------------------------------------------------- hooks
    def _crash(self, function_arn: str, request_id: str) -> Literal["before", "after"] | None:
        """Lambda: whether this invocation crashes before its handler runs, after it, or not at all."""
        if self._draw("crash_before", (function_arn,), function_arn, request_id) is not None:
            return "before"
        if self._draw("crash_after", (function_arn,), function_arn, request_id) is not None:
            return "after"
        return None

    def _delivery_error(self, kind: str, source: str, target: str, message_id: str, attempt: int) -> ServiceError | None:
        """``_delivery.Delivery``: the error this attempt fails with, or None to make it."""
        fault_kind = _DELIVERY_FAULTS.get(kind)
        if fault_kind is None:
            return None
        fault = self._draw(fault_kind, (target, source), target, message_id, {"source": source, "attempt": attempt})
        if fault is None:
            return None
        return ServiceUnavailableError("The request has failed due to a temporary failure of the server.")

    def _expire_during_handler(self, queue: _Queue, messages: Sequence[_Message], function_arn: str) -> None:
        """SQS event source mapping, as a batch goes to the function: maybe its visibility runs out
        while the handler runs (the messages become visible; on a standard queue the handler's
        receipt handles will no longer delete)."""
        if not messages or not self._by_kind.get("visibility_expiry"):
            return
        ids = [message.message_id for message in messages]
        fault = self._draw(
            "visibility_expiry", (queue.arn, function_arn), queue.arn, "", {"function": function_arn, "messages": ids}
        )
        if fault is None:
            return
        for message in messages:
            try:
                queue.change_visibility(message.receipt_handle, 0)
            except ServiceError:  # no longer in flight: nothing to expire
                continue
            if not queue.fifo:
                self._ignored_deletes[message.receipt_handle] = queue.arn

    def _ignores_delete(self, queue_arn: str, receipt_handle: str, message_id: str) -> bool:
        """SQS DeleteMessage: True when the handle went stale through an injected visibility expiry
        (the delete then succeeds without deleting, as AWS allows for an old handle)."""
        if not self._ignored_deletes or self._ignored_deletes.get(receipt_handle) != queue_arn:
            return False
        del self._ignored_deletes[receipt_handle]
        self._sim.record("fault.injected", queue_arn, message_id, {"fault": "visibility_expiry", "delete": "ignored"})
        return True
