"""Delivery policies, redrive policies and topic access policies: their JSON, validation and effect.

Retries ("Amazon SNS message delivery retries",
https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html): SQS and Lambda
endpoints follow SNS's managed policy (3 immediate retries, 2 one second apart, 10 backing off from
1 to 20 seconds, 100,000 twenty seconds apart: 100,015 attempts over about 23 days); SMTP, SMS and
mobile push follow the customer-managed one (2 retries 10 seconds apart, 10 backing off from 10 to
600 seconds, 38 ten minutes apart: 50 attempts over 6 hours); HTTP/S endpoints follow a delivery
policy, by default 3 retries 20 seconds apart, which a topic (``http.defaultHealthyRetryPolicy``) or
a subscription (``healthyRetryPolicy``) may change: ``numRetries`` (0-100) retries in four phases,
``numNoDelayRetries`` immediately, ``numMinDelayRetries`` ``minDelayTarget`` apart, the rest
backing off from ``minDelayTarget`` to ``maxDelayTarget`` (at most 3,600 s) with ``backoffFunction``
(linear, arithmetic, geometric, exponential), then ``numMaxDelayRetries`` ``maxDelayTarget`` apart;
the whole schedule may not take more than 3,600 seconds.

A subscription's ``RedrivePolicy`` (``{"deadLetterTargetArn": "<SQS queue ARN>"}``) names the
dead-letter queue that receives messages whose retries ran out, or that failed with a client-side
error (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from ..arn import parse_arn
from ..errors import ValidationError
from ._delivery import SNS_MANAGED, PhasedRetry
from ._sns_errors import InvalidParameterError

__all__ = (
    "BACKOFF_FUNCTIONS",
    "DEFAULT_HEALTHY_RETRY",
    "DEFAULT_HTTP_POLICY",
    "SMTP_MANAGED",
    "SNS_MANAGED",
    "default_topic_policy",
    "effective_subscription_policy",
    "effective_topic_policy",
    "jackson_error",
    "parse_json_attribute",
    "parse_redrive_policy",
    "parse_subscription_delivery_policy",
    "parse_topic_delivery_policy",
    "retry_policy",
)

BACKOFF_FUNCTIONS: Final = ("linear", "arithmetic", "geometric", "exponential")
#: HTTP/S endpoints without a delivery policy: 3 retries 20 seconds apart.
DEFAULT_HEALTHY_RETRY: Final[dict[str, Any]] = {
    "minDelayTarget": 20,
    "maxDelayTarget": 20,
    "numRetries": 3,
    "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0,
    "numMinDelayRetries": 0,
    "backoffFunction": "linear",
}
#: A topic's EffectiveDeliveryPolicy without a DeliveryPolicy (AWS-validated snapshot).
DEFAULT_HTTP_POLICY: Final[dict[str, Any]] = {
    "http": {
        "defaultHealthyRetryPolicy": DEFAULT_HEALTHY_RETRY,
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}
#: SMTP (email, email-json), SMS and mobile push: 50 attempts over 6 hours.
SMTP_MANAGED: Final = PhasedRetry(((2, 10.0, 10.0, "linear"), (10, 10.0, 600.0, "exponential"), (38, 600.0, 600.0, "linear")))
_MAX_TOTAL_RETRY_SECONDS: Final = 3600
_SOURCE: Final = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
_WORD: Final = re.compile(r"[A-Za-z0-9_$+\-.]+")


# -------------------------------------------------------------- JSON errors
def jackson_error(text: str) -> str:
    """The reason Jackson (SNS's JSON parser) gives for text that is not JSON, as SNS reports it.

    Two cases are reproduced as recorded against AWS: a bare word where a value belongs
    (``Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null',
    'true' or 'false')``) and an object key that is not a string (``Unexpected character ('i' (code
    105)): was expecting double-quote to start field name``), each followed by the line and column.
    Other syntax errors get a shorter text of the same form (not confirmed).
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        position = error.pos
    else:  # pragma: no cover - only called for text that does not parse
        return ""
    index = position
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    if index >= len(text):
        reason = "Unexpected end-of-input"
        column_at = len(text)
    else:
        char = text[index]
        before = text[:index].rstrip()
        if char not in '"}' and before.endswith(("{", ",")) and _inside_object(text[:index]):
            reason = f"Unexpected character ('{char}' (code {ord(char)})): was expecting double-quote to start field name"
            column_at = index
        else:
            word = _WORD.match(text, index)
            if word is not None and word.group() not in ("true", "false", "null") and not word.group()[0].isdigit() and word.group()[0] != "-":
                reason = (
                    f"Unrecognized token '{word.group()}': was expecting (JSON String, Number, Array, Object or token "
                    "'null', 'true' or 'false')"
                )
                column_at = word.end()
            else:
                reason = f"Unexpected character ('{char}' (code {ord(char)}))"
                column_at = index
    line = text.count("\n", 0, column_at) + 1
    column = column_at - (text.rfind("\n", 0, column_at) + 1) + 1
    return f"{reason}\n at {_SOURCE}line: {line}, column: {column}]"


def _inside_object(prefix: str) -> bool:
    depth: list[str] = []
    in_string = escaped = False
    for char in prefix:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth.append(char)
        elif char in "}]" and depth:
            depth.pop()
    return bool(depth) and depth[-1] == "{"


def parse_json_attribute(value: str, name: str, prefix: str) -> Any:
    """Decode a JSON-valued attribute; ``<prefix><name>: failed to parse JSON. <reason>`` when it is not JSON."""
    try:
        return json.loads(value)
    except ValueError:
        raise InvalidParameterError(f"{prefix}{name}: failed to parse JSON. {jackson_error(value)}") from None


# -------------------------------------------------------- delivery policies
def _check_healthy(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    """Validate a ``healthyRetryPolicy`` and return it with every field filled in."""

    def fail(reason: str) -> InvalidParameterError:
        return InvalidParameterError(f"{prefix}DeliveryPolicy: {where}.{reason}")

    if not isinstance(policy, Mapping):
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: {where} must be an object")
    out = dict(DEFAULT_HEALTHY_RETRY)
    for field in ("minDelayTarget", "maxDelayTarget", "numRetries"):
        if field not in policy:
            raise fail(f"{field} is required")  # (wording not confirmed)
    for field in ("minDelayTarget", "maxDelayTarget", "numRetries", "numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries"):
        if field in policy:
            value = policy[field]
            if isinstance(value, bool) or not isinstance(value, int):
                raise fail(f"{field} must be an integer")
            out[field] = value
    if "backoffFunction" in policy:
        backoff = policy["backoffFunction"]
        if backoff not in BACKOFF_FUNCTIONS:
            raise fail(f"backoffFunction must be one of: {', '.join(BACKOFF_FUNCTIONS)}")
        out["backoffFunction"] = backoff
    if out["minDelayTarget"] < 1:
        raise fail("minDelayTarget must be greater than or equal to 1")  # AWS's text
    if out["maxDelayTarget"] > _MAX_TOTAL_RETRY_SECONDS:
        raise fail(f"maxDelayTarget must be less than or equal to {_MAX_TOTAL_RETRY_SECONDS}")
    if out["maxDelayTarget"] < out["minDelayTarget"]:
        raise fail("maxDelayTarget must be greater than or equal to minDelayTarget")
    if not 0 <= out["numRetries"] <= 100:
        raise fail("numRetries must be between 0 and 100")
    for field in ("numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries"):
        if out[field] < 0:
            raise fail(f"{field} must be greater than or equal to 0")
    if out["numNoDelayRetries"] + out["numMinDelayRetries"] + out["numMaxDelayRetries"] > out["numRetries"]:
        raise fail("numRetries must be greater than or equal to the sum of the other retry counts")
    schedule = retry_policy(out)
    total = 0.0
    for retry in range(schedule.total_retries):
        delay = schedule.next_delay(retry, 0.0, None)
        total += delay if isinstance(delay, float) else 0.0
    if total > _MAX_TOTAL_RETRY_SECONDS:
        raise InvalidParameterError(
            f"{prefix}DeliveryPolicy: {where} total retry time must be less than or equal to {_MAX_TOTAL_RETRY_SECONDS} seconds"
        )
    return out


def _check_throttle(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    if not isinstance(policy, Mapping) or "maxReceivesPerSecond" not in policy:
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: {where}.maxReceivesPerSecond is required")
    value = policy["maxReceivesPerSecond"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: {where}.maxReceivesPerSecond must be greater than or equal to 1")
    return {"maxReceivesPerSecond": value}


def _check_request(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    if not isinstance(policy, Mapping) or not isinstance(policy.get("headerContentType"), str):
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: {where}.headerContentType is required")
    return {"headerContentType": policy["headerContentType"]}


def parse_subscription_delivery_policy(value: str, prefix: str) -> dict[str, Any]:
    """A subscription's ``DeliveryPolicy``, validated, in the form GetSubscriptionAttributes returns.

    AWS returns it with every top-level member present (``null`` when not set) and the retry policy
    filled in with defaults (AWS-validated snapshot).
    """
    document = parse_json_attribute(value, "DeliveryPolicy", prefix)
    if not isinstance(document, Mapping):
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: must be a JSON object")
    healthy = document.get("healthyRetryPolicy")
    throttle = document.get("throttlePolicy")
    request = document.get("requestPolicy")
    return {
        "healthyRetryPolicy": None if healthy is None else _check_healthy(healthy, "healthyRetryPolicy", prefix),
        "sicklyRetryPolicy": document.get("sicklyRetryPolicy"),
        "throttlePolicy": None if throttle is None else _check_throttle(throttle, "throttlePolicy", prefix),
        "requestPolicy": None if request is None else _check_request(request, "requestPolicy", prefix),
        "guaranteed": bool(document.get("guaranteed", False)),
    }


def parse_topic_delivery_policy(value: str, prefix: str) -> dict[str, Any]:
    """A topic's ``DeliveryPolicy`` (``{"http": {...}}``), validated; kept as given."""
    document = parse_json_attribute(value, "DeliveryPolicy", prefix)
    if not isinstance(document, Mapping):
        raise InvalidParameterError(f"{prefix}DeliveryPolicy: must be a JSON object")
    http = document.get("http")
    if http is not None:
        if not isinstance(http, Mapping):
            raise InvalidParameterError(f"{prefix}DeliveryPolicy: http must be an object")
        if http.get("defaultHealthyRetryPolicy") is not None:
            _check_healthy(http["defaultHealthyRetryPolicy"], "http.defaultHealthyRetryPolicy", prefix)
        if http.get("defaultThrottlePolicy") is not None:
            _check_throttle(http["defaultThrottlePolicy"], "http.defaultThrottlePolicy", prefix)
        if http.get("defaultRequestPolicy") is not None:
            _check_request(http["defaultRequestPolicy"], "http.defaultRequestPolicy", prefix)
    return dict(document)


def effective_topic_policy(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """A topic's ``EffectiveDeliveryPolicy``: its DeliveryPolicy over the system defaults."""
    http = dict(DEFAULT_HTTP_POLICY["http"])
    given = (policy or {}).get("http") or {}
    if given.get("defaultHealthyRetryPolicy") is not None:
        http["defaultHealthyRetryPolicy"] = {**DEFAULT_HEALTHY_RETRY, **given["defaultHealthyRetryPolicy"]}
    if "disableSubscriptionOverrides" in given:
        http["disableSubscriptionOverrides"] = bool(given["disableSubscriptionOverrides"])
    if given.get("defaultThrottlePolicy") is not None:
        http["defaultThrottlePolicy"] = dict(given["defaultThrottlePolicy"])
    if given.get("defaultRequestPolicy") is not None:
        http["defaultRequestPolicy"] = dict(given["defaultRequestPolicy"])
    return {"http": http}


def effective_subscription_policy(subscription: Mapping[str, Any] | None, topic: Mapping[str, Any] | None) -> dict[str, Any]:
    """An HTTP/S subscription's ``EffectiveDeliveryPolicy``: its own, else the topic's defaults."""
    http = effective_topic_policy(topic)["http"]
    own = subscription or {}
    override = not http["disableSubscriptionOverrides"]
    healthy = own.get("healthyRetryPolicy") if override else None
    request = own.get("requestPolicy") if override else None
    throttle = own.get("throttlePolicy") if override else None
    return {
        "healthyRetryPolicy": healthy if healthy is not None else dict(http["defaultHealthyRetryPolicy"]),
        "sicklyRetryPolicy": own.get("sicklyRetryPolicy"),
        "throttlePolicy": throttle if throttle is not None else http.get("defaultThrottlePolicy"),
        "requestPolicy": request if request is not None else dict(http["defaultRequestPolicy"]),
        "guaranteed": bool(own.get("guaranteed", False)),
    }


def retry_policy(healthy: Mapping[str, Any]) -> PhasedRetry:
    """The retry schedule of a (complete) ``healthyRetryPolicy``, in its four phases."""
    low = float(healthy["minDelayTarget"])
    high = float(healthy["maxDelayTarget"])
    no_delay = int(healthy["numNoDelayRetries"])
    at_min = int(healthy["numMinDelayRetries"])
    at_max = int(healthy["numMaxDelayRetries"])
    backoff = int(healthy["numRetries"]) - no_delay - at_min - at_max
    return PhasedRetry(
        (
            (no_delay, 0.0, 0.0, "linear"),
            (at_min, low, low, "linear"),
            (max(backoff, 0), low, high, str(healthy["backoffFunction"])),
            (at_max, high, high, "linear"),
        )
    )


# --------------------------------------------------------- redrive policies
def parse_redrive_policy(value: str, prefix: str, *, fifo_subscription: bool) -> dict[str, str]:
    """A subscription's ``RedrivePolicy``: ``{"deadLetterTargetArn": "<SQS queue ARN>"}``.

    Raises:
        InvalidParameterError: not JSON (``RedrivePolicy: failed to parse JSON. ...``), a target that
            is not an ARN (``RedrivePolicy: deadLetterTargetArn is an invalid arn``), or a standard
            queue for a FIFO queue's subscription to a FIFO topic (``RedrivePolicy: must use a FIFO
            queue as DLQ for a FIFO Subscription to a FIFO Topic.``); all AWS-validated.
    """
    document = parse_json_attribute(value, "RedrivePolicy", prefix)
    target = document.get("deadLetterTargetArn") if isinstance(document, Mapping) else None
    if not isinstance(target, str):
        raise InvalidParameterError(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    try:
        arn = parse_arn(target)
    except ValidationError:
        raise InvalidParameterError(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn") from None
    if fifo_subscription and (arn.service != "sqs" or not arn.resource.endswith(".fifo")):
        raise InvalidParameterError(f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
    return {"deadLetterTargetArn": target}


# ----------------------------------------------------------- access policy
def default_topic_policy(topic_arn: str, account_id: str) -> dict[str, Any]:
    """The access policy a new topic gets (AWS-validated snapshot)."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "SNS:GetTopicAttributes",
                    "SNS:SetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:RemovePermission",
                    "SNS:DeleteTopic",
                    "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:Publish",
                ],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
            }
        ],
    }
