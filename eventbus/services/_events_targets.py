"""Rule targets: their PutTargets validation, and delivery with retries and a dead-letter queue.

A target is anything registered in the simulation under its ARN as an
:class:`~eventbus.services._delivery.Endpoint` (an SQS queue, an SNS topic, another event bus, a
function) or a plain Python callable (registered through
:func:`~eventbus.services._delivery.callable_endpoint`).

Delivery follows "Event retry policy and using dead-letter queues"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html) and
"Using dead-letter queues to process undelivered events"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html): a failed delivery is
retried with exponential backoff and jitter until ``MaximumRetryAttempts`` (0..185, default 185) or
``MaximumEventAgeInSeconds`` (60..86,400, default 86,400) runs out; errors that cannot succeed (a
target that no longer exists, a missing permission) are not retried. Then the event goes to the
target's ``DeadLetterConfig`` queue with the message attributes ``RULE_ARN``, ``TARGET_ARN``,
``ERROR_CODE``, ``ERROR_MESSAGE``, ``EXHAUSTED_RETRY_CONDITION`` (``MaximumRetryAttempts`` or
``MaximumEventAgeInSeconds``, only when a retry limit ended the delivery) and ``RETRY_ATTEMPTS`` (the
retries made), or, without one, is dropped (journaled ``events.dropped``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import msgspec

from .._simulation import Outcome, Simulation
from .._transform_json import to_json
from ..arn import parse_arn
from ..errors import ResourceNotFoundError, ServiceError, ValidationError
from ..transform import TargetInput
from ._delivery import AgeLimitedRetry, ExhaustedReason, Inbound, deliver, is_endpoint
from ._events_common import check_length, check_name, raise_violations

if TYPE_CHECKING:
    from ._events_bus import Rule

__all__ = ("RuleTarget", "dispatch", "parse_targets", "whole_event_json")

#: Target fields that configure delivery itself; any other field of a ``Target`` (ECS, Kinesis,
#: HTTP parameters ...) is kept as given and returned by ListTargetsByRule.
_HANDLED: Final = frozenset(
    {"Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "SqsParameters", "DeadLetterConfig", "RetryPolicy"}
)
_decode = msgspec.json.decode
_THROTTLING: Final = frozenset({"ThrottlingException", "Throttling", "RequestThrottled", "TooManyRequestsException"})


class RuleTarget:
    """One target of a rule, validated as PutTargets validates it.

    Attributes:
        id: the target's ``Id``, unique within its rule.
        arn: the ARN delivered to.
        input: how the payload is derived from the event (:class:`eventbus.transform.TargetInput`).
        retry: the retry policy deliveries follow.
        retry_policy: the ``RetryPolicy`` as given, or None (AWS's defaults apply).
        dead_letter_arn: the ``DeadLetterConfig`` queue ARN, or None.
        message_group_id: ``SqsParameters.MessageGroupId`` for a FIFO queue target, or None.
        role_arn: the ``RoleArn`` as given (not checked: the simulation has no IAM).
    """

    __slots__ = ("arn", "dead_letter_arn", "extra", "id", "input", "message_group_id", "retry", "retry_policy", "role_arn")

    def __init__(
        self,
        *,
        id: str,
        arn: str,
        input: TargetInput,
        retry_policy: Mapping[str, int] | None = None,
        dead_letter_arn: str | None = None,
        message_group_id: str | None = None,
        role_arn: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.arn = arn
        self.input = input
        self.retry_policy = dict(retry_policy) if retry_policy is not None else None
        policy = self.retry_policy or {}
        self.retry = AgeLimitedRetry(
            max_retries=int(policy.get("MaximumRetryAttempts", 185)),
            max_age=float(policy.get("MaximumEventAgeInSeconds", 86400)),
        )
        self.dead_letter_arn = dead_letter_arn
        self.message_group_id = message_group_id
        self.role_arn = role_arn
        self.extra = dict(extra or {})

    def to_aws(self) -> dict[str, Any]:
        """The ``Target`` shape, as ListTargetsByRule returns it."""
        out: dict[str, Any] = {"Id": self.id, "Arn": self.arn}
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        out.update(self.input.to_aws())
        out.update(self.extra)
        if self.message_group_id is not None:
            out["SqsParameters"] = {"MessageGroupId": self.message_group_id}
        if self.dead_letter_arn is not None:
            out["DeadLetterConfig"] = {"Arn": self.dead_letter_arn}
        if self.retry_policy is not None:
            out["RetryPolicy"] = dict(self.retry_policy)
        return out

    def __repr__(self) -> str:
        return f"eventbus.events.RuleTarget(id={self.id!r}, arn={self.arn!r})"


def _range(value: Any, location: str, low: int, high: int) -> list[tuple[str, str, str]]:
    if not isinstance(value, int) or isinstance(value, bool):
        return [(str(value), location, "Member must be an integer")]
    if value < low:
        return [(str(value), location, f"Member must have value greater than or equal to {low}")]
    if value > high:
        return [(str(value), location, f"Member must have value less than or equal to {high}")]
    return []


def parse_targets(targets: Sequence[Mapping[str, Any]]) -> list[RuleTarget]:
    """Validate PutTargets' ``Targets`` as AWS does and build the targets.

    Checks (request-level ``ValidationException``, as AWS answers): the request model's constraints
    (``Id`` 1..64 characters of ``[\\.\\-_A-Za-z0-9]+``, ``Arn`` 1..1600, ``RetryPolicy`` ranges,
    ``MessageGroupId`` at most 100, ``Input`` and ``InputTransformer`` limits), an ``Arn`` that is not
    an ARN (``Parameter <arn> is not valid. Reason: Provided Arn is not in correct format.``), a FIFO
    queue target without ``SqsParameters`` (``Parameter(s) SqsParameters must be specified for target:
    <id>.``), and each target's input (see :class:`eventbus.transform.TargetInput`).

    Raises:
        ValidationError: the first problem found, with AWS's message.
    """
    violations: list[tuple[str, str, str]] = []
    if len(targets) > 100:
        violations.append((f"[{len(targets)} targets]", "targets", "Member must have length less than or equal to 100"))
    for index, target in enumerate(targets, start=1):
        member = f"targets.{index}.member"
        violations += check_name(str(target.get("Id", "")), f"{member}.id", max_length=64)
        arn = str(target.get("Arn", ""))
        if not arn:
            violations.append((arn, f"{member}.arn", "Member must have length greater than or equal to 1"))
        violations += check_length(arn, f"{member}.arn", max_length=1600)
        policy = target.get("RetryPolicy")
        if policy:
            if "MaximumRetryAttempts" in policy:
                violations += _range(policy["MaximumRetryAttempts"], f"{member}.retryPolicy.maximumRetryAttempts", 0, 185)
            if "MaximumEventAgeInSeconds" in policy:
                violations += _range(
                    policy["MaximumEventAgeInSeconds"], f"{member}.retryPolicy.maximumEventAgeInSeconds", 60, 86400
                )
        sqs = target.get("SqsParameters") or {}
        violations += check_length(sqs.get("MessageGroupId"), f"{member}.sqsParameters.messageGroupId", max_length=100)
    raise_violations(violations)

    parsed: list[RuleTarget] = []
    for index, target in enumerate(targets, start=1):
        target_id = str(target["Id"])
        arn = str(target["Arn"])
        try:
            resource = parse_arn(arn)
        except ValidationError:
            raise ValidationError(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.") from None
        sqs = target.get("SqsParameters")
        if resource.service == "sqs" and resource.resource.endswith(".fifo") and not sqs:
            raise ValidationError(f"Parameter(s) SqsParameters must be specified for target: {target_id}.")
        target_input = TargetInput(
            target_id,
            input=target.get("Input"),
            input_path=target.get("InputPath"),
            input_transformer=target.get("InputTransformer"),
            member=f"targets.{index}.member",
        )
        dead_letter = target.get("DeadLetterConfig") or {}
        parsed.append(
            RuleTarget(
                id=target_id,
                arn=arn,
                input=target_input,
                retry_policy=target.get("RetryPolicy") or None,
                dead_letter_arn=dead_letter.get("Arn"),
                message_group_id=(sqs or {}).get("MessageGroupId"),
                role_arn=target.get("RoleArn"),
                extra={key: value for key, value in target.items() if key not in _HANDLED},
            )
        )
    return parsed


# ---------------------------------------------------------------- delivery
def _dead_letter_code(error: BaseException | None) -> str:
    """The DLQ ``ERROR_CODE`` for a failure (codes from https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html)."""
    if isinstance(error, ResourceNotFoundError):
        return "NO_RESOURCE"
    code = getattr(error, "code", None)
    if code in _THROTTLING:
        return "THROTTLING"
    if isinstance(error, ServiceError):
        return "SDK_CLIENT_ERROR"
    return "ERROR_FROM_TARGET"


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def dispatch(
    sim: Simulation,
    rule: Rule,
    target: RuleTarget,
    event: Mapping[str, Any],
    *,
    ingestion_time: str,
    event_json: Callable[[], str],
) -> None:
    """Deliver ``event`` to one target of ``rule``, with its retry policy and dead-letter queue.

    Args:
        sim: the simulation.
        rule: the matching rule.
        target: the target.
        event: the event as matched.
        ingestion_time: when EventBridge received the event (for ``<aws.events.event.ingestion-time>``).
        event_json: the event as compact JSON (computed once per event, shared by its targets).
    """
    event_id = str(event.get("id", ""))
    if target.input.kind == "event":
        payload: str | None = event_json()
    else:
        payload = target.input.payload(event, rule_arn=rule.arn, rule_name=rule.name, ingestion_time=ingestion_time)
    if payload is None:
        # An InputPath that names nothing in the event: AWS does not document what it sends.
        sim.record("events.dropped", target.arn, event_id, {"rule": rule.arn, "reason": "InputPathMatchedNothing"})
        return
    try:
        structured: Any = _decode(payload)
    except msgspec.DecodeError:
        structured = None
    message = Inbound(body=payload, group_id=target.message_group_id, source_arn=rule.arn, event=structured)

    def exhausted(reason: ExhaustedReason, outcome: Outcome, attempts: int) -> None:
        _dead_letter(sim, rule, target, message, event_id, reason, outcome, attempts)

    deliver(
        sim,
        kind="events.target",
        source=rule.arn,
        target=target.arn,
        message=message,
        message_id=event_id,
        policy=target.retry,
        on_exhausted=exhausted,
    )


def _dead_letter(
    sim: Simulation,
    rule: Rule,
    target: RuleTarget,
    message: Inbound,
    event_id: str,
    reason: ExhaustedReason,
    outcome: Outcome,
    attempts: int,
) -> None:
    error = outcome.error
    code = _dead_letter_code(error)
    text = outcome.error_message or outcome.error_type
    if target.dead_letter_arn is None:
        sim.record(
            "events.dropped",
            target.arn,
            event_id,
            {"rule": rule.arn, "reason": reason, "error_code": code, "error_message": text},
        )
        return
    attributes: dict[str, dict[str, str]] = {
        "RULE_ARN": _string(rule.arn),
        "TARGET_ARN": _string(target.arn),
        "ERROR_CODE": _string(code),
        "ERROR_MESSAGE": _string(text),
    }
    if reason != "NotRetryable":
        attributes["EXHAUSTED_RETRY_CONDITION"] = _string(reason)
    attributes["RETRY_ATTEMPTS"] = _string(str(attempts - 1))
    letter = Inbound(body=message.body, attributes=attributes, source_arn=rule.arn, event=message.event)
    detail = {"rule": rule.arn, "target": target.arn, "error_code": code, "retry_attempts": attempts - 1}
    if reason != "NotRetryable":
        detail["exhausted"] = reason
    dlq = target.dead_letter_arn
    endpoint = sim.registry.get(dlq)

    def sent(result: Outcome) -> None:
        if result.ok:
            sim.record("events.dead_lettered", dlq, event_id, detail)
        else:
            failed = dict(detail, reason="DeadLetterDeliveryFailed", dlq_error=result.error_message)
            sim.record("events.dropped", target.arn, event_id, failed)

    if endpoint is None or not is_endpoint(endpoint):
        sent(Outcome(False, None, ResourceNotFoundError(f"Resource {dlq} does not exist.")))
        return
    try:
        endpoint.accept(letter, sent)
    except ServiceError as exc:
        sent(Outcome(False, None, exc))


def whole_event_json(event: Mapping[str, Any]) -> Callable[[], str]:
    """A memo of ``event`` as compact JSON, computed on first use."""
    cache: list[str] = []

    def get() -> str:
        if not cache:
            cache.append(to_json(event))
        return cache[0]

    return get
