"""Delivery between services: the contract every target honours, and the one retry machine.

Services never import each other (design.md principle 3). A rule target, a subscription endpoint or
a dead-letter queue is an ARN; at delivery time the sender resolves it through the simulation's
registry to an :class:`Endpoint` and hands it an :class:`Inbound` message. The endpoint answers
through a callback with an :class:`~eventbus.Outcome`: a queue accepts at once, a plain Python
callable answers when it returns or raises, and so on.

:class:`Delivery` is the one retry machine shared by EventBridge targets, SNS subscriptions,
Lambda asynchronous invocation and EventBridge Scheduler: it tries, and on failure asks its
:class:`RetryPolicy` for the next delay; when the policy gives up (attempts or age exhausted) or the
error cannot succeed, it calls ``on_exhausted`` with the reason, so the service can dead-letter or
drop the message as AWS would. Every step is journaled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeGuard, runtime_checkable

import msgspec

from .._simulation import Outcome, Simulation
from ..errors import ServiceError

__all__ = (
    "SNS_MANAGED",
    "AgeLimitedRetry",
    "CallableEndpoint",
    "Delivery",
    "Endpoint",
    "ExhaustedReason",
    "Inbound",
    "PhasedRetry",
    "RetryPolicy",
    "callable_endpoint",
    "deliver",
    "is_endpoint",
    "resolve_endpoint",
)

ExhaustedReason = Literal["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "NotRetryable"]


class Inbound(msgspec.Struct, frozen=True, kw_only=True):
    """A message one service hands another.

    Attributes:
        body: the message text as the receiver stores or passes it on (an SQS body, an SNS message,
            the JSON of an EventBridge event).
        attributes: message attributes, SQS-shaped: ``{name: {"DataType": ..., "StringValue": ...}}``
            (or ``"BinaryValue"``).
        group_id: MessageGroupId for FIFO receivers.
        deduplication_id: MessageDeduplicationId for FIFO receivers.
        source_arn: the ARN of the sender (a topic, a rule, a queue).
        event: the structured payload for receivers that take one (a function's event), else None.
        system_attributes: e.g. ``{"AWSTraceHeader": ...}``.
    """

    body: str
    attributes: Mapping[str, Mapping[str, Any]] = msgspec.field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    source_arn: str = ""
    event: Any = None
    system_attributes: Mapping[str, str] = msgspec.field(default_factory=dict)


@runtime_checkable
class Endpoint(Protocol):
    """What a service resource must offer to receive deliveries from another service."""

    @property
    def arn(self) -> str: ...

    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        """Take ``message``; call ``on_done`` with the outcome, now or later.

        A failed outcome whose error is a :class:`~eventbus.ServiceError` with ``retryable=False``
        is not retried.
        """
        ...


_ENDPOINT_TYPES: dict[type, bool] = {}


def is_endpoint(resource: object) -> TypeGuard[Endpoint]:
    """Whether ``resource`` can receive deliveries (``isinstance(resource, Endpoint)``), decided once per type.

    ``isinstance`` against a runtime-checkable protocol inspects the class's attributes on every
    call (tens of microseconds); deliveries ask it for every attempt, so the answer is cached by type.
    """
    kind = type(resource)
    known = _ENDPOINT_TYPES.get(kind)
    if known is None:
        known = _ENDPOINT_TYPES[kind] = isinstance(resource, Endpoint)
    return known


def resolve_endpoint(sim: Simulation, arn: str) -> Endpoint:
    """The endpoint registered at ``arn``.

    Raises:
        ResourceNotFoundError: when nothing that can receive deliveries is registered there.
    """
    resource = sim.registry.get(arn)
    if resource is None or not is_endpoint(resource):
        from ..errors import ResourceNotFoundError

        raise ResourceNotFoundError(f"Resource {arn} does not exist.")
    return resource


class RetryPolicy(Protocol):
    """Decides when a failed delivery is tried again."""

    def next_delay(self, retries_done: int, age: float, rng: Any) -> float | ExhaustedReason:
        """Seconds until retry number ``retries_done + 1``, or why there is none.

        Args:
            retries_done: retries already made (0 after the first attempt failed).
            age: seconds since the message was first offered.
            rng: the simulation's random generator, for jitter.
        """
        ...


class AgeLimitedRetry(msgspec.Struct, frozen=True):
    """Exponential backoff with jitter, bounded by a retry count and a maximum age.

    This is the shape of EventBridge's target RetryPolicy (MaximumRetryAttempts 0..185, default 185;
    MaximumEventAgeInSeconds 60..86,400, default 86,400; "exponential back off and jitter",
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html) and of Lambda
    asynchronous invocation (MaximumRetryAttempts 0..2, MaximumEventAgeInSeconds 60..21,600). AWS
    does not publish its exact intervals: ``base`` and ``cap`` set ours, and ``delays`` (when given)
    fixes the first ones exactly (Lambda waits about one minute, then two).
    """

    max_retries: int = 185
    max_age: float = 86400.0
    base: float = 1.0
    cap: float = 600.0
    jitter: bool = True
    delays: tuple[float, ...] = ()

    def next_delay(self, retries_done: int, age: float, rng: Any) -> float | ExhaustedReason:
        if retries_done >= self.max_retries:
            return "MaximumRetryAttempts"
        if retries_done < len(self.delays):
            delay = self.delays[retries_done]
        else:
            delay = min(self.cap, self.base * math.pow(2.0, retries_done))
            if self.jitter:
                delay = delay / 2 + rng.random() * delay / 2
        if age + delay > self.max_age:
            return "MaximumEventAgeInSeconds"
        return delay


class PhasedRetry(msgspec.Struct, frozen=True):
    """Retries in phases, as SNS delivery policies describe them.

    Each phase is ``(count, first_delay, last_delay, backoff)``: ``count`` retries whose delays go
    from ``first_delay`` to ``last_delay`` (``backoff`` "linear", "arithmetic", "geometric" or
    "exponential"; equal delays make it constant). SNS to SQS and Lambda: 3 immediate, 2 at 1 s,
    10 backing off from 1 s to 20 s, 100,000 at 20 s
    (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
    """

    phases: tuple[tuple[int, float, float, str], ...]
    max_age: float = math.inf

    @property
    def total_retries(self) -> int:
        return sum(p[0] for p in self.phases)

    def next_delay(self, retries_done: int, age: float, rng: Any) -> float | ExhaustedReason:
        n = retries_done
        for count, first, last, backoff in self.phases:
            if n < count:
                delay = _phase_delay(n, count, first, last, backoff)
                if age + delay > self.max_age:
                    return "MaximumEventAgeInSeconds"
                return delay
            n -= count
        return "MaximumRetryAttempts"


def _phase_delay(i: int, count: int, first: float, last: float, backoff: str) -> float:
    if count <= 1 or first == last:
        return first
    frac = i / (count - 1)
    if backoff in ("linear", "arithmetic"):
        return first + (last - first) * frac if backoff == "linear" else first + (last - first) * frac * frac
    if backoff == "geometric":
        return first * math.pow(max(last, 1e-9) / max(first, 1e-9), frac)
    # exponential: the delay grows fastest at the end
    return first + (last - first) * (math.expm1(frac * 3) / math.expm1(3))


#: SNS's managed policy for SQS and Lambda endpoints (100,015 attempts, about 23 days).
SNS_MANAGED = PhasedRetry(((3, 0.0, 0.0, "linear"), (2, 1.0, 1.0, "linear"), (10, 1.0, 20.0, "exponential"), (100_000, 20.0, 20.0, "linear")))


class Delivery:
    """One message on its way to one endpoint, with retries on the simulation's clock.

    Args:
        sim: the simulation.
        kind: the journal prefix, e.g. ``"events.target"`` or ``"sns.delivery"``.
        source: the ARN that delivers (a rule, a subscription).
        target: the ARN delivered to.
        message_id: the id the journal records carry.
        attempt: makes one attempt; calls its callback with the outcome.
        policy: when to retry.
        on_success: called with the final outcome once an attempt succeeds.
        on_exhausted: called with (reason, last outcome, attempts made) when it gives up.
    """

    __slots__ = (
        "attempt",
        "attempts",
        "first_at",
        "kind",
        "message_id",
        "on_exhausted",
        "on_success",
        "policy",
        "sim",
        "source",
        "target",
    )

    def __init__(
        self,
        sim: Simulation,
        *,
        kind: str,
        source: str,
        target: str,
        message_id: str,
        attempt: Callable[[Callable[[Outcome], None]], None],
        policy: RetryPolicy,
        on_success: Callable[[Outcome], None] | None = None,
        on_exhausted: Callable[[ExhaustedReason, Outcome, int], None] | None = None,
    ) -> None:
        self.sim = sim
        self.kind = kind
        self.source = source
        self.target = target
        self.message_id = message_id
        self.attempt = attempt
        self.policy = policy
        self.on_success = on_success
        self.on_exhausted = on_exhausted
        self.attempts = 0
        self.first_at = sim.time

    def start(self) -> None:
        """Make the first attempt now."""
        self._try()

    def _try(self) -> None:
        self.attempts += 1
        plan = self.sim._faults
        if plan is not None:  # an injected delivery failure (eventbus.faults) fails this attempt
            error = plan._delivery_error(self.kind, self.source, self.target, self.message_id, self.attempts)
            if error is not None:
                self._done(Outcome(False, None, error))
                return
        try:
            self.attempt(self._done)
        except ServiceError as exc:  # an endpoint that refuses outright (e.g. it no longer exists)
            self._done(Outcome(False, None, exc))

    def _done(self, outcome: Outcome) -> None:
        sim = self.sim
        if outcome.ok:
            sim.record(f"{self.kind}.delivered", self.target, self.message_id, {"source": self.source, "attempts": self.attempts})
            if self.on_success is not None:
                self.on_success(outcome)
            return
        error = outcome.error
        retryable = getattr(error, "retryable", True)
        detail: dict[str, Any] = {
            "source": self.source,
            "attempt": self.attempts,
            "error_code": getattr(error, "code", outcome.error_type),
            "error_message": outcome.error_message,
        }
        reason: float | ExhaustedReason
        if not retryable:
            reason = "NotRetryable"
        else:
            reason = self.policy.next_delay(self.attempts - 1, sim.time - self.first_at, sim.rng)
        if isinstance(reason, str):
            detail["exhausted"] = reason
            sim.record(f"{self.kind}.failed", self.target, self.message_id, detail)
            if self.on_exhausted is not None:
                self.on_exhausted(reason, outcome, self.attempts)
            return
        detail["retry_in"] = reason
        sim.record(f"{self.kind}.retrying", self.target, self.message_id, detail)
        sim.call_later(reason, self._try)


def deliver(
    sim: Simulation,
    *,
    kind: str,
    source: str,
    target: str,
    message: Inbound,
    message_id: str,
    policy: RetryPolicy,
    on_success: Callable[[Outcome], None] | None = None,
    on_exhausted: Callable[[ExhaustedReason, Outcome, int], None] | None = None,
) -> Delivery:
    """Deliver ``message`` to the endpoint at ``target`` with retries; returns the started delivery.

    The endpoint is resolved at each attempt, so a target created or deleted meanwhile is seen as
    AWS would see it; a missing target is a failure that cannot succeed and is not retried.
    """

    def attempt(on_done: Callable[[Outcome], None]) -> None:
        endpoint = sim.registry.get(target)
        if endpoint is None or not is_endpoint(endpoint):
            from ..errors import ResourceNotFoundError

            on_done(Outcome(False, None, ResourceNotFoundError(f"Resource {target} does not exist.", retryable=False)))
            return
        endpoint.accept(message, on_done)

    delivery = Delivery(
        sim,
        kind=kind,
        source=source,
        target=target,
        message_id=message_id,
        attempt=attempt,
        policy=policy,
        on_success=on_success,
        on_exhausted=on_exhausted,
    )
    delivery.start()
    return delivery


class CallableEndpoint:
    """A plain Python callable (sync or async) as a delivery endpoint.

    It receives the structured payload (``message.event``) when there is one, else the body. Its
    return is success; its exception is a failed delivery, retried by the sender's policy.
    """

    __slots__ = ("_arn", "_sim", "function")

    def __init__(self, sim: Simulation, function: Callable[..., Any], arn: str) -> None:
        self._sim = sim
        self.function = function
        self._arn = arn

    @property
    def arn(self) -> str:
        return self._arn

    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        payload = message.event if message.event is not None else message.body
        self._sim.invoke(self.function, payload, on_done=on_done, resource=self._arn)

    def __repr__(self) -> str:
        return f"eventbus.CallableEndpoint({getattr(self.function, '__qualname__', self.function)!r})"


def callable_endpoint(sim: Simulation, function: Callable[..., Any]) -> CallableEndpoint:
    """Register ``function`` as an endpoint (once per function) and return it.

    Its ARN is a Lambda-style ARN in a pseudo-service, ``arn:aws:python:<region>:<account>:callable:<name>``,
    so that journals and reports name it readably.
    """
    known: dict[Any, CallableEndpoint] = sim.service("python.callables", lambda _: {})
    existing = known.get(function)
    if existing is not None:
        return existing
    base = getattr(function, "__qualname__", type(function).__name__).replace("<locals>.", "").replace("<", "").replace(">", "")
    arn = sim.arn("python", f"callable:{base}")
    n = 1
    while arn in sim.registry:
        n += 1
        arn = sim.arn("python", f"callable:{base}-{n}")
    endpoint = CallableEndpoint(sim, function, arn)
    sim.registry.register(arn, endpoint)
    known[function] = endpoint
    return endpoint
