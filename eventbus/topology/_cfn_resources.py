"""CloudFormation resource types: their properties turned into native API calls, and their return values.

Each handler reads a resource's resolved ``Properties`` (unknown properties are errors, as CloudFormation
refuses them; properties that exist in AWS but mean nothing in a simulation are noted), makes the
calls through :class:`~eventbus.topology._build.Builder` and returns what ``Ref`` and ``Fn::GetAtt``
give for the type. Return values follow each type's page of the "AWS resource and property types
reference" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html):

========================================  ==========================  ==============================
type                                      Ref                         Fn::GetAtt
========================================  ==========================  ==============================
AWS::SQS::Queue                           queue URL                   Arn, QueueName, QueueUrl
AWS::SNS::Topic                           topic ARN                   TopicArn, TopicName
AWS::SNS::Subscription                    subscription ARN            Arn
AWS::Events::EventBus                     bus name                    Arn, Name
AWS::Events::Rule                         rule name (``bus|rule``     Arn
                                          on a custom bus)
AWS::Events::Archive                      archive name                Arn, ArchiveName
AWS::Scheduler::ScheduleGroup             group name                  Arn, CreationDate, State ...
AWS::Scheduler::Schedule                  schedule name               Arn
AWS::Lambda::Function                     function name               Arn
AWS::Lambda::EventSourceMapping           mapping UUID                Id, EventSourceMappingArn
========================================  ==========================  ==============================
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._build import Builder
from ._errors import TopologyError
from ._yaml import Marked

__all__ = ("HANDLERS", "NOTED_TYPES", "OPERATIONS", "Made", "Resource", "placeholder")


@dataclass
class Made:
    """What creating a resource gave: its ``Ref`` value, its attributes, and whether it is simulated.

    Attributes:
        ref: what ``Ref`` returns.
        attrs: what ``Fn::GetAtt`` returns, by attribute.
        arn: what ``Topology.resources`` holds (default: ``ref``).
        simulated: False for placeholders of resources the simulation does not model.
        guess: for placeholders, a value for any attribute not in ``attrs``.
    """

    ref: Any
    attrs: dict[str, Any] = field(default_factory=dict)
    arn: str | None = None
    simulated: bool = True
    guess: Callable[[str], Any] | None = None

    def attribute(self, name: str) -> Any:
        value = self.attrs.get(name)
        if value is None and self.guess is not None:
            return self.guess(name)
        return value


class Resource:
    """One template resource being created: its resolved properties and typed access to them."""

    def __init__(
        self,
        *,
        logical_id: str,
        type: str,
        properties: Mapping[str, Any],
        raw: Mapping[str, Any],
        line: int | None,
        stack_name: str,
        builder: Builder,
        base_dir: Path,
        metadata: Mapping[str, Any],
    ) -> None:
        self.logical_id = logical_id
        self.type = type
        self.props = dict(properties)
        self.raw = raw
        self.line = line
        self.stack_name = stack_name
        self.builder = builder
        self.sim = builder.sim
        self.base_dir = base_dir
        self.metadata = metadata
        self.label = f"{logical_id} ({type})"

    # ------------------------------------------------------------ errors
    def line_of(self, key: str | None) -> int | None:
        if key is not None and isinstance(self.raw, Marked) and key in self.raw:
            return self.raw.line_for(key)
        return self.line

    def error(self, reason: str, key: str | None = None) -> TopologyError:
        return self.builder.error(reason, line=self.line_of(key), resource=self.label)

    def check(
        self,
        handled: Iterable[str],
        noted: Mapping[str, str] | Iterable[str] = (),
        silent: Iterable[str] = (),
    ) -> None:
        """Refuse unknown properties; note those that have no effect in the simulation."""
        handled_set = set(handled)
        noted_map = dict(noted) if isinstance(noted, Mapping) else {name: "" for name in noted}
        known = handled_set | set(noted_map) | set(silent)
        for key in self.props:
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(f"unknown property '{key}'{hint}", key)
            if key in noted_map:
                why = noted_map[key] or "not modelled by the simulation"
                self.builder.notes.append(f"{self.label}: property {key} has no effect ({why})")

    # -------------------------------------------------------- properties
    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.props.get(key)
        if value is None:
            if required:
                raise self.error(f"property {key} is required", key)
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise self.error(f"property {key} must be text, got {json.dumps(value, default=repr)[:80]}", key)

    def integer(self, key: str, value: Any = None, *, where: str | None = None) -> int | None:
        value = self.props.get(key) if value is None else value
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.error(f"property {where or key} must be a number, got {value}", key)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.error(f"property {where or key} must be a number, got {value!r}", key) from None
        if number != int(number):
            raise self.error(f"property {where or key} must be a whole number, got {value!r}", key)
        return int(number)

    def flag(self, key: str, value: Any = None) -> bool | None:
        value = self.props.get(key) if value is None else value
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.error(f"property {key} must be true or false, got {value!r}", key)

    def json_text(self, key: str) -> str | None:
        """A property CloudFormation takes as a JSON object or as JSON text."""
        value = self.props.get(key)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, separators=(",", ":"))

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.props.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f"property {key} must be a mapping", key)
        return dict(value)

    def items(self, key: str) -> list[Any]:
        value = self.props.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"property {key} must be a list", key)
        return value

    def tags(self, key: str = "Tags") -> dict[str, str]:
        """``Tags`` as ``[{Key, Value}]`` (most types) or a mapping (SAM)."""
        value = self.props.get(key)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return {str(k): str(v) for k, v in value.items()}
        if isinstance(value, list) and all(isinstance(item, Mapping) and "Key" in item for item in value):
            return {str(item["Key"]): str(item.get("Value", "")) for item in value}
        raise self.error("Tags must be a list of {Key, Value}", key)

    def name(self, key: str, limit: int, suffix: str = "") -> str:
        """The resource's name property, or the name CloudFormation would generate (without its
        random suffix): ``<stack>-<LogicalId>``, shortened to ``limit`` with ``suffix`` kept."""
        given = self.text(key)
        if given:
            return given
        base = f"{self.stack_name}-{self.logical_id}"
        return base[: limit - len(suffix)] + suffix

    def arn(self, service: str, resource: str) -> str:
        return self.sim.arn(service, resource)


# ------------------------------------------------------------------ placeholders
#: Types accepted with no effect, and why (a note, not a warning).
NOTED_TYPES: dict[str, str] = {
    "AWS::IAM::Role": "the simulation has no IAM",
    "AWS::IAM::Policy": "the simulation has no IAM",
    "AWS::IAM::ManagedPolicy": "the simulation has no IAM",
    "AWS::SQS::QueuePolicy": "queue policies are not enforced",
    "AWS::SQS::QueueInlinePolicy": "queue policies are not enforced",
    "AWS::SNS::TopicPolicy": "topic policies are not enforced",
    "AWS::SNS::TopicInlinePolicy": "topic policies are not enforced",
    "AWS::Lambda::Permission": "invoke permissions are not enforced",
    "AWS::Events::EventBusPolicy": "bus policies are not enforced",
}


def placeholder(r: Resource) -> Made:
    """Return values for a resource the simulation does not create (IAM roles, unsupported types)."""
    parts = r.type.split("::")
    service = parts[1].lower() if len(parts) > 2 else "unknown"
    kind = parts[-1].lower()
    physical = r.name("RoleName" if r.type == "AWS::IAM::Role" else "Name", 64)
    account, region = r.sim.account_id, r.sim.region
    if service == "iam":
        arn = f"arn:aws:iam::{account}:{kind}/{physical}"
    else:
        arn = f"arn:aws:{service}:{region}:{account}:{kind}/{physical}"
    attrs: dict[str, Any] = {"Arn": arn}
    if r.type == "AWS::IAM::Role":
        attrs["RoleId"] = "AROA" + "".join(ch for ch in physical.upper() if ch.isalnum())[:17].ljust(17, "X")
    return Made(
        ref=arn if r.type == "AWS::IAM::ManagedPolicy" else physical,
        attrs=attrs,
        simulated=False,
        guess=lambda attribute: f"{physical}.{attribute}",
    )


# ------------------------------------------------------------------ SQS
_SQS_INTS = (
    "VisibilityTimeout",
    "DelaySeconds",
    "MessageRetentionPeriod",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "KmsDataKeyReusePeriodSeconds",
)
_SQS_BOOLS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_SQS_TEXTS = ("DeduplicationScope", "FifoThroughputLimit", "KmsMasterKeyId")


def sqs_queue(r: Resource) -> Made:
    """AWS::SQS::Queue (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html)."""
    r.check(
        (*_SQS_INTS, *_SQS_BOOLS, *_SQS_TEXTS, "QueueName", "RedrivePolicy", "RedriveAllowPolicy", "Tags")
    )
    fifo = r.flag("FifoQueue")
    name = r.name("QueueName", 80, ".fifo" if fifo else "")
    attributes: dict[str, str] = {}
    for key in _SQS_INTS:
        number = r.integer(key)
        if number is not None:
            attributes[key] = str(number)
    for key in _SQS_BOOLS:
        flag = r.flag(key)
        if flag is not None:
            attributes[key] = "true" if flag else "false"
    for key in _SQS_TEXTS:
        text = r.text(key)
        if text is not None:
            attributes[key] = text
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        policy = r.json_text(key)
        if policy is not None:
            attributes[key] = policy
    queue = r.builder.create_queue(name, attributes, r.tags())
    return Made(
        ref=queue.url, attrs={"Arn": queue.arn, "QueueName": queue.name, "QueueUrl": queue.url}, arn=queue.arn
    )


# ------------------------------------------------------------------ SNS
def sns_topic(r: Resource) -> Made:
    """AWS::SNS::Topic, with its inline ``Subscription`` list
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html)."""
    r.check(
        (
            "TopicName",
            "FifoTopic",
            "ContentBasedDeduplication",
            "DisplayName",
            "KmsMasterKeyId",
            "SignatureVersion",
            "TracingConfig",
            "ArchivePolicy",
            "FifoThroughputScope",
            "DataProtectionPolicy",
            "Subscription",
            "Tags",
        ),
        {"DeliveryStatusLogging": "no delivery logs"},
    )
    fifo = r.flag("FifoTopic")
    name = r.name("TopicName", 256, ".fifo" if fifo else "")
    attributes: dict[str, str] = {}
    for key in ("FifoTopic", "ContentBasedDeduplication"):
        flag = r.flag(key)
        if flag is not None:
            attributes[key] = "true" if flag else "false"
    for key in ("DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "FifoThroughputScope"):
        text = r.text(key)
        if text is not None:
            attributes[key] = text
    archive = r.json_text("ArchivePolicy")
    if archive is not None:
        attributes["ArchivePolicy"] = archive
    topic = r.builder.create_topic(
        name, attributes, r.tags(), data_protection_policy=r.json_text("DataProtectionPolicy")
    )
    for index, inline in enumerate(r.items("Subscription")):
        if not isinstance(inline, Mapping) or not inline.get("Endpoint") or not inline.get("Protocol"):
            raise r.error(f"Subscription[{index}] needs an Endpoint and a Protocol", "Subscription")
        r.builder.subscribe(
            topic.arn, str(inline["Endpoint"]), protocol=str(inline["Protocol"]), attributes={}
        )
    return Made(ref=topic.arn, attrs={"TopicArn": topic.arn, "TopicName": topic.name}, arn=topic.arn)


def sns_subscription(r: Resource) -> Made:
    """AWS::SNS::Subscription (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html)."""
    r.check(
        (
            "TopicArn",
            "Protocol",
            "Endpoint",
            "FilterPolicy",
            "FilterPolicyScope",
            "RawMessageDelivery",
            "RedrivePolicy",
            "DeliveryPolicy",
            "SubscriptionRoleArn",
            "ReplayPolicy",
            "Region",
        )
    )
    topic_arn = r.text("TopicArn", required=True)
    protocol = r.text("Protocol", required=True)
    endpoint = r.text("Endpoint", required=True)
    assert topic_arn is not None
    assert protocol is not None
    assert endpoint is not None
    region = r.text("Region")
    if region is not None and region != r.sim.region:
        r.builder.warnings.append(
            f"{r.label}: Region {region} differs from the simulation's ({r.sim.region}); subscribed anyway"
        )
    attributes: dict[str, str] = {}
    for key in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"):
        text = r.json_text(key)
        if text is not None:
            attributes[key] = text
    for key in ("FilterPolicyScope", "SubscriptionRoleArn"):
        value = r.text(key)
        if value is not None:
            attributes[key] = value
    raw = r.flag("RawMessageDelivery")
    if raw is not None:
        attributes["RawMessageDelivery"] = "true" if raw else "false"
    subscription = r.builder.subscribe(topic_arn, endpoint, protocol=protocol, attributes=attributes)
    return Made(ref=subscription.arn, attrs={"Arn": subscription.arn}, arn=subscription.arn)


# ------------------------------------------------------------------ EventBridge
def events_bus(r: Resource) -> Made:
    """AWS::Events::EventBus (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-eventbus.html)."""
    r.check(
        ("Name", "Description", "Tags"),
        {
            "EventSourceName": "partner event sources do not exist in the simulation; the bus is an ordinary one",
            "Policy": "bus policies are not enforced",
            "DeadLetterConfig": "not modelled",
            "KmsKeyIdentifier": "nothing is encrypted",
            "LogConfig": "no logs",
        },
    )
    name = r.text("Name", required=True)
    assert name is not None
    if name == "default":
        raise r.error("the default event bus exists in every account and cannot be created", "Name")
    bus = r.builder.create_bus(name, description=r.text("Description"), tags=r.tags())
    return Made(
        ref=bus.name, attrs={"Arn": bus.arn, "Name": bus.name, "Policy": bus.policy or ""}, arn=bus.arn
    )


def _target(r: Resource, target: Any, index: int) -> dict[str, Any]:
    where = f"Targets[{index}]"
    if not isinstance(target, Mapping):
        raise r.error(f"{where} must be a mapping", "Targets")
    out = dict(target)
    for key in ("Id", "Arn"):
        if not isinstance(out.get(key), str) or not out[key]:
            raise r.error(f"{where}.{key} is required", "Targets")
    if "Input" in out and not isinstance(out["Input"], str):
        out["Input"] = json.dumps(out["Input"], separators=(",", ":"))
    policy = out.get("RetryPolicy")
    if isinstance(policy, Mapping):
        out["RetryPolicy"] = {
            key: r.integer("Targets", value, where=f"{where}.RetryPolicy.{key}")
            for key, value in policy.items()
        }
    return out


def events_rule(r: Resource) -> Made:
    """AWS::Events::Rule (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html)."""
    r.check(
        (
            "Name",
            "EventBusName",
            "EventPattern",
            "ScheduleExpression",
            "State",
            "Description",
            "RoleArn",
            "Targets",
            "Tags",
        )
    )
    name = r.name("Name", 64)
    pattern = r.props.get("EventPattern")
    if pattern is not None and not isinstance(pattern, str | Mapping):
        raise r.error("EventPattern must be a JSON object", "EventPattern")
    targets = [_target(r, target, index) for index, target in enumerate(r.items("Targets"))]
    rule = r.builder.put_rule(
        r.text("EventBusName"),
        name,
        pattern=pattern,
        schedule=r.text("ScheduleExpression"),
        state=r.text("State"),
        description=r.text("Description"),
        role_arn=r.text("RoleArn"),
        targets=targets,
        tags=r.tags(),
    )
    bus_name = rule.bus.name
    ref = name if bus_name == "default" else f"{bus_name}|{name}"
    return Made(ref=ref, attrs={"Arn": rule.arn}, arn=rule.arn)


def events_archive(r: Resource) -> Made:
    """AWS::Events::Archive (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-archive.html)."""
    r.check(
        ("ArchiveName", "SourceArn", "EventPattern", "RetentionDays", "Description"),
        {"KmsKeyIdentifier": "nothing is encrypted"},
    )
    name = r.name("ArchiveName", 48)
    source = r.text("SourceArn", required=True)
    assert source is not None
    archive = r.builder.create_archive(
        name,
        source,
        pattern=r.props.get("EventPattern"),
        retention_days=r.integer("RetentionDays") or 0,
        description=r.text("Description"),
    )
    return Made(ref=name, attrs={"Arn": archive.arn, "ArchiveName": name}, arn=archive.arn)


# ------------------------------------------------------------------ Scheduler
def schedule_group(r: Resource) -> Made:
    """AWS::Scheduler::ScheduleGroup (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-scheduler-schedulegroup.html)."""
    r.check(("Name", "Tags"))
    name = r.name("Name", 64)
    group = r.sim.scheduler.create_schedule_group(name, tags=r.tags() or None)
    created = r.sim.iso()
    attrs = {"Arn": group.arn, "CreationDate": created, "LastModificationDate": created, "State": "ACTIVE"}
    return Made(ref=name, attrs=attrs, arn=group.arn)


def schedule(r: Resource) -> Made:
    """AWS::Scheduler::Schedule (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-scheduler-schedule.html)."""
    r.check(
        (
            "Name",
            "GroupName",
            "ScheduleExpression",
            "ScheduleExpressionTimezone",
            "FlexibleTimeWindow",
            "Target",
            "StartDate",
            "EndDate",
            "State",
            "Description",
            "KmsKeyArn",
        )
    )
    name = r.name("Name", 64)
    window = r.mapping("FlexibleTimeWindow")
    if not window:
        raise r.error("property FlexibleTimeWindow is required", "FlexibleTimeWindow")
    if "MaximumWindowInMinutes" in window:
        window["MaximumWindowInMinutes"] = r.integer(
            "FlexibleTimeWindow",
            window["MaximumWindowInMinutes"],
            where="FlexibleTimeWindow.MaximumWindowInMinutes",
        )
    target = r.mapping("Target")
    if not target:
        raise r.error("property Target is required", "Target")
    if isinstance(target.get("RetryPolicy"), Mapping):
        target["RetryPolicy"] = {
            key: r.integer("Target", value, where=f"Target.RetryPolicy.{key}")
            for key, value in target["RetryPolicy"].items()
        }
    if "Input" in target and not isinstance(target["Input"], str):
        target["Input"] = json.dumps(target["Input"], separators=(",", ":"))
    params: dict[str, Any] = {"Name": name, "FlexibleTimeWindow": window, "Target": target}
    for key in (
        "GroupName",
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "StartDate",
        "EndDate",
        "State",
        "Description",
        "KmsKeyArn",
    ):
        value = r.text(key)
        if value is not None:
            params[key] = value
    created = r.builder.create_schedule(params)
    return Made(ref=name, attrs={"Arn": created.arn}, arn=created.arn)


#: Type -> handler, for the types of this module (Lambda's are in _cfn_lambda, SAM's in _sam).
HANDLERS: dict[str, Callable[[Resource], Made]] = {
    "AWS::SQS::Queue": sqs_queue,
    "AWS::SNS::Topic": sns_topic,
    "AWS::SNS::Subscription": sns_subscription,
    "AWS::Events::EventBus": events_bus,
    "AWS::Events::Rule": events_rule,
    "AWS::Events::Archive": events_archive,
    "AWS::Scheduler::ScheduleGroup": schedule_group,
    "AWS::Scheduler::Schedule": schedule,
}

#: Type -> the API operation named in error messages.
OPERATIONS: dict[str, str] = {
    "AWS::SQS::Queue": "CreateQueue",
    "AWS::SNS::Topic": "CreateTopic",
    "AWS::SNS::Subscription": "Subscribe",
    "AWS::Events::EventBus": "CreateEventBus",
    "AWS::Events::Rule": "PutRule",
    "AWS::Events::Archive": "CreateArchive",
    "AWS::Scheduler::ScheduleGroup": "CreateScheduleGroup",
    "AWS::Scheduler::Schedule": "CreateSchedule",
    "AWS::Lambda::Function": "CreateFunction",
    "AWS::Serverless::Function": "CreateFunction",
    "AWS::Lambda::EventSourceMapping": "CreateEventSourceMapping",
    "AWS::Lambda::EventInvokeConfig": "PutFunctionEventInvokeConfig",
}
