"""A schedule's target: its request checks, the payload it receives, delivery with retries, and the DLQ.

EventBridge Scheduler invokes a templated target with the ``Input`` text as given
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html): an SQS
queue receives it as the message body (with ``SqsParameters.MessageGroupId`` for a FIFO queue), an
SNS topic as the message, a function (or a plain Python callable) as its event, and an event bus a
PutEvents entry whose ``Detail`` is the input and whose ``Source`` and ``DetailType`` come from
``EventBridgeParameters``. The keywords ``<aws.scheduler.schedule-arn>``,
``<aws.scheduler.scheduled-time>``, ``<aws.scheduler.execution-id>`` and
``<aws.scheduler.attempt-number>`` in the input are replaced at each attempt
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).

A failed invocation is retried with exponential backoff until ``RetryPolicy.MaximumRetryAttempts``
(0..185, default 185) or ``MaximumEventAgeInSeconds`` (60..86,400, default 86,400) runs out
(https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html); a target that does
not exist is not retried. Then the invocation goes to the ``DeadLetterConfig`` queue with Scheduler's
message attributes (``ERROR_CODE``, ``ERROR_MESSAGE``, ``EXECUTION_ID``, ``EXHAUSTED_RETRY_CONDITION``,
``IS_PAYLOAD_TRUNCATED``, ``RETRY_ATTEMPTS``, ``SCHEDULED_TIME``, ``SCHEDULE_ARN``, ``TARGET_ARN``;
https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html) or, without
one, is dropped (journaled ``scheduler.dropped``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec

from .._simulation import Outcome, Simulation
from .._transform_json import to_json
from ..arn import parse_arn
from ..errors import ResourceNotFoundError, ServiceError, ValidationError
from ._delivery import AgeLimitedRetry, Delivery, ExhaustedReason, Inbound, is_endpoint
from ._scheduler_common import (
    DEFAULT_MAX_EVENT_AGE,
    DEFAULT_MAX_RETRIES,
    Violations,
    check_length,
    check_pattern,
    check_range,
    check_required,
)

__all__ = ("DEFAULT_INPUT", "ScheduleTarget", "check_target", "invoke", "parse_target", "render_input")

#: What a target receives when the schedule has no ``Input``. AWS says only that Scheduler "delivers a
#: default notification to the target" (API_Target.html); an empty JSON object is assumed.
DEFAULT_INPUT: Final = "{}"

_ROLE_ARN: Final = r"arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+"
_DLQ_ARN: Final = r"arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+"
_SOURCE: Final = r"(?=[/\.\-_A-Za-z0-9]+)((?!aws\.).*)|(\$(\.[\w_-]+(\[(\d+|\*)\])*)*)"
#: Target members handled here; the others (EcsParameters, KinesisParameters ...) are kept as given.
_HANDLED: Final = frozenset(
    {"Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig", "SqsParameters", "EventBridgeParameters"}
)
#: Templated targets whose ``Input`` "must be a well-formed JSON" (API_Target.html).
_JSON_INPUT_SERVICES: Final = frozenset({"lambda", "states", "events"})
_decode = msgspec.json.decode


class ScheduleTarget(msgspec.Struct, frozen=True, kw_only=True):
    """A schedule's ``Target``, validated.

    Attributes:
        arn: the ARN invoked.
        role_arn: the execution role (kept, not checked: the simulation has no IAM).
        input: the ``Input`` text, or None (a default notification is sent).
        max_retries: ``RetryPolicy.MaximumRetryAttempts`` (default 185).
        max_event_age: ``RetryPolicy.MaximumEventAgeInSeconds`` (default 86,400).
        dead_letter_arn: the ``DeadLetterConfig`` queue ARN, or None.
        message_group_id: ``SqsParameters.MessageGroupId`` for a FIFO queue, or None.
        detail_type: ``EventBridgeParameters.DetailType`` for an event bus, or None.
        source: ``EventBridgeParameters.Source`` for an event bus, or None.
        extra: the other target members, as given.
    """

    arn: str
    role_arn: str
    input: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    max_event_age: int = DEFAULT_MAX_EVENT_AGE
    dead_letter_arn: str | None = None
    message_group_id: str | None = None
    detail_type: str | None = None
    source: str | None = None
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @property
    def retry(self) -> AgeLimitedRetry:
        """The retry policy deliveries follow."""
        return AgeLimitedRetry(max_retries=self.max_retries, max_age=float(self.max_event_age))

    def to_aws(self) -> dict[str, Any]:
        """The ``Target`` shape GetSchedule returns (the retry policy with its defaults filled in)."""
        out: dict[str, Any] = {"Arn": self.arn, "RoleArn": self.role_arn}
        if self.dead_letter_arn is not None:
            out["DeadLetterConfig"] = {"Arn": self.dead_letter_arn}
        out["RetryPolicy"] = {"MaximumEventAgeInSeconds": self.max_event_age, "MaximumRetryAttempts": self.max_retries}
        if self.input is not None:
            out["Input"] = self.input
        if self.message_group_id is not None:
            out["SqsParameters"] = {"MessageGroupId": self.message_group_id}
        if self.detail_type is not None and self.source is not None:
            out["EventBridgeParameters"] = {"DetailType": self.detail_type, "Source": self.source}
        out.update(self.extra)
        return out


def check_target(target: Mapping[str, Any] | None, location: str = "target") -> Violations:
    """The request-model violations of a ``Target``: required members, lengths, patterns, ranges."""
    if target is None:
        return check_required(None, location)
    violations: Violations = []
    arn = target.get("Arn")
    violations += check_required(arn, f"{location}.arn") + check_length(arn, f"{location}.arn", low=1, high=1600)
    role = target.get("RoleArn")
    violations += check_required(role, f"{location}.roleArn")
    violations += check_length(role, f"{location}.roleArn", low=1, high=1600)
    violations += check_pattern(role, f"{location}.roleArn", _ROLE_ARN)
    dead_letter = target.get("DeadLetterConfig")
    if dead_letter is not None:
        dlq = dead_letter.get("Arn")
        violations += check_length(dlq, f"{location}.deadLetterConfig.arn", low=1, high=1600)
        violations += check_pattern(dlq, f"{location}.deadLetterConfig.arn", _DLQ_ARN)
    policy = target.get("RetryPolicy")
    if policy is not None:
        where = f"{location}.retryPolicy"
        violations += check_range(policy.get("MaximumEventAgeInSeconds"), f"{where}.maximumEventAgeInSeconds", 60, 86400)
        violations += check_range(policy.get("MaximumRetryAttempts"), f"{where}.maximumRetryAttempts", 0, 185)
    violations += check_length(target.get("Input"), f"{location}.input", low=1)
    sqs = target.get("SqsParameters")
    if sqs is not None:
        violations += check_length(sqs.get("MessageGroupId"), f"{location}.sqsParameters.messageGroupId", low=1, high=128)
    bridge = target.get("EventBridgeParameters")
    if bridge is not None:
        where = f"{location}.eventBridgeParameters"
        detail_type, source = bridge.get("DetailType"), bridge.get("Source")
        violations += check_required(detail_type, f"{where}.detailType")
        violations += check_length(detail_type, f"{where}.detailType", low=1, high=128)
        violations += check_required(source, f"{where}.source")
        violations += check_length(source, f"{where}.source", low=1, high=256)
        violations += check_pattern(source, f"{where}.source", _SOURCE)
    return violations


def parse_target(target: Mapping[str, Any]) -> ScheduleTarget:
    """Build a :class:`ScheduleTarget` from a ``Target`` that passed :func:`check_target`.

    Raises:
        ValidationError: an ``Input`` that is not well-formed JSON for a Lambda, Step Functions or
            EventBridge templated target (AWS's wording for this is not confirmed).
    """
    arn = str(target["Arn"])
    text = target.get("Input")
    if text is not None and _service_of(arn) in _JSON_INPUT_SERVICES:
        try:
            _decode(text)
        except msgspec.DecodeError:
            raise ValidationError(f"Invalid target input for {arn}: the input must be well-formed JSON.") from None
    policy = target.get("RetryPolicy") or {}
    dead_letter = target.get("DeadLetterConfig") or {}
    sqs = target.get("SqsParameters") or {}
    bridge = target.get("EventBridgeParameters") or {}
    return ScheduleTarget(
        arn=arn,
        role_arn=str(target["RoleArn"]),
        input=None if text is None else str(text),
        max_retries=int(policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)),
        max_event_age=int(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_EVENT_AGE)),
        dead_letter_arn=dead_letter.get("Arn"),
        message_group_id=sqs.get("MessageGroupId"),
        detail_type=bridge.get("DetailType"),
        source=bridge.get("Source"),
        extra={key: value for key, value in target.items() if key not in _HANDLED},
    )


def _service_of(arn: str) -> str:
    try:
        return parse_arn(arn).service
    except ValidationError:
        return ""


# ---------------------------------------------------------------- payload
def render_input(text: str, *, schedule_arn: str, scheduled_time: str, execution_id: str, attempt: int) -> str:
    """``text`` with the context-attribute keywords replaced by their values for this attempt."""
    if "<aws.scheduler." not in text:
        return text
    return (
        text.replace("<aws.scheduler.schedule-arn>", schedule_arn)
        .replace("<aws.scheduler.scheduled-time>", scheduled_time)
        .replace("<aws.scheduler.execution-id>", execution_id)
        .replace("<aws.scheduler.attempt-number>", str(attempt))
    )


def _message(sim: Simulation, target: ScheduleTarget, payload: str, schedule_arn: str) -> Inbound:
    """The message handed to the target's endpoint for one attempt.

    Raises:
        ValidationError: (not retryable) an event bus target without ``EventBridgeParameters`` or with
            an input that is not a JSON object.
    """
    arn = parse_arn(target.arn) if target.arn.startswith("arn:") else None
    if arn is not None and arn.service == "events" and arn.resource.startswith("event-bus/"):
        if target.detail_type is None or target.source is None:
            raise ValidationError("EventBridgeParameters are required for an event bus target.", retryable=False)
        try:
            detail = _decode(payload)
        except msgspec.DecodeError:
            detail = None
        if not isinstance(detail, dict):
            raise ValidationError("Detail is malformed.", retryable=False)
        # A PutEvents entry: EventBridge stamps id, account, region and time; Resources name the schedule.
        event = {
            "version": "0",
            "id": sim.new_uuid(),
            "detail-type": target.detail_type,
            "source": target.source,
            "account": sim.account_id,
            "time": sim.iso(),
            "region": sim.region,
            "resources": [schedule_arn],
            "detail": detail,
        }
        return Inbound(body=to_json(event), source_arn=schedule_arn, event=event)
    if arn is not None and arn.service == "sqs":
        return Inbound(body=payload, group_id=target.message_group_id, source_arn=schedule_arn)
    try:
        structured: Any = _decode(payload)
    except msgspec.DecodeError:
        structured = None
    return Inbound(body=payload, source_arn=schedule_arn, event=structured)


# --------------------------------------------------------------- delivery
def invoke(
    sim: Simulation,
    target: ScheduleTarget,
    *,
    schedule_arn: str,
    scheduled_time: str,
    execution_id: str,
) -> Delivery:
    """Invoke ``target`` once for the schedule's occurrence at ``scheduled_time``, with retries and DLQ.

    Returns the started delivery. Journal kinds: ``scheduler.target.delivered`` / ``.retrying`` /
    ``.failed`` (from the delivery), then ``scheduler.dead_lettered`` or ``scheduler.dropped``.
    """
    last_payload: list[str] = []
    holder: list[Delivery] = []

    def attempt(on_done: Callable[[Outcome], None]) -> None:
        number = holder[0].attempts
        payload = render_input(
            target.input if target.input is not None else DEFAULT_INPUT,
            schedule_arn=schedule_arn,
            scheduled_time=scheduled_time,
            execution_id=execution_id,
            attempt=number,
        )
        last_payload[:] = [payload]
        endpoint = sim.registry.get(target.arn)
        if not is_endpoint(endpoint):
            on_done(Outcome(False, None, ResourceNotFoundError(f"Resource {target.arn} does not exist.", retryable=False)))
            return
        try:
            message = _message(sim, target, payload, schedule_arn)
        except ValidationError as exc:
            on_done(Outcome(False, None, exc))
            return
        endpoint.accept(message, on_done)

    def exhausted(reason: ExhaustedReason, outcome: Outcome, attempts: int) -> None:
        payload = last_payload[0] if last_payload else (target.input or DEFAULT_INPUT)
        _dead_letter(
            sim,
            target,
            payload,
            schedule_arn=schedule_arn,
            scheduled_time=scheduled_time,
            execution_id=execution_id,
            reason=reason,
            outcome=outcome,
            attempts=attempts,
        )

    delivery = Delivery(
        sim,
        kind="scheduler.target",
        source=schedule_arn,
        target=target.arn,
        message_id=execution_id,
        attempt=attempt,
        policy=target.retry,
        on_exhausted=exhausted,
    )
    holder.append(delivery)
    delivery.start()
    return delivery


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def _dead_letter(
    sim: Simulation,
    target: ScheduleTarget,
    payload: str,
    *,
    schedule_arn: str,
    scheduled_time: str,
    execution_id: str,
    reason: ExhaustedReason,
    outcome: Outcome,
    attempts: int,
) -> None:
    error = outcome.error
    code = str(getattr(error, "code", None) or outcome.error_type)
    text = outcome.error_message or outcome.error_type
    detail: dict[str, Any] = {
        "schedule": schedule_arn,
        "target": target.arn,
        "scheduled_time": scheduled_time,
        "error_code": code,
        "error_message": text,
        "retry_attempts": attempts - 1,
    }
    if reason != "NotRetryable":
        detail["exhausted"] = reason
    dlq = target.dead_letter_arn
    if dlq is None:
        sim.record("scheduler.dropped", target.arn, execution_id, dict(detail, reason=reason))
        return
    attributes: dict[str, dict[str, str]] = {
        "ERROR_CODE": _string(code),
        "ERROR_MESSAGE": _string(text),
        "EXECUTION_ID": _string(execution_id),
    }
    if reason != "NotRetryable":
        attributes["EXHAUSTED_RETRY_CONDITION"] = _string(reason)
    attributes["IS_PAYLOAD_TRUNCATED"] = _string("false")
    attributes["RETRY_ATTEMPTS"] = _string(str(attempts - 1))
    attributes["SCHEDULED_TIME"] = _string(scheduled_time)
    attributes["SCHEDULE_ARN"] = _string(schedule_arn)
    attributes["TARGET_ARN"] = _string(target.arn)
    letter = Inbound(body=payload, attributes=attributes, source_arn=schedule_arn)

    def sent(result: Outcome) -> None:
        if result.ok:
            sim.record("scheduler.dead_lettered", dlq, execution_id, detail)
        else:
            failed = dict(detail, reason="DeadLetterDeliveryFailed", dlq_error=result.error_message)
            sim.record("scheduler.dropped", target.arn, execution_id, failed)

    endpoint = sim.registry.get(dlq)
    if not is_endpoint(endpoint):
        sent(Outcome(False, None, ResourceNotFoundError(f"Resource {dlq} does not exist.")))
        return
    try:
        endpoint.accept(letter, sent)
    except ServiceError as exc:
        sent(Outcome(False, None, exc))
