"""``export``: what a simulation holds, as a CloudFormation template to deploy.

The simulator is for one process; when a design outgrows it, the same topology is deployed to AWS
(design.md, "Scale beyond one machine"). ``export`` reads the simulation through the services'
public objects (it changes nothing, not even the journal) and writes:

* ``AWS::SQS::Queue`` with the attributes that differ from AWS's defaults, ``RedrivePolicy`` and
  ``RedriveAllowPolicy``, FIFO settings and tags;
* ``AWS::SNS::Topic`` and ``AWS::SNS::Subscription`` with ``FilterPolicy``, ``FilterPolicyScope``,
  ``RawMessageDelivery`` and ``RedrivePolicy``;
* ``AWS::Events::EventBus``, ``AWS::Events::Rule`` (pattern and/or schedule, state, targets with
  ``Input``/``InputPath``/``InputTransformer``, ``RetryPolicy``, ``DeadLetterConfig``,
  ``SqsParameters``) and ``AWS::Events::Archive``;
* ``AWS::Scheduler::ScheduleGroup`` and ``AWS::Scheduler::Schedule``, with an execution role;
* functions as ``AWS::Serverless::Function`` (``Handler`` the Python ``module.function``, ``CodeUri``
  the directory it imports from), their ``EventInvokeConfig`` and ``DeadLetterQueue``, and
  ``AWS::Lambda::EventSourceMapping``; plain Python callables used as targets become functions too;
* what AWS needs for the wiring to work that the simulation does not check: queue and topic
  policies letting EventBridge and SNS send, Lambda permissions for rules and topics, and the
  Scheduler role.

References between exported resources become ``Ref``/``Fn::GetAtt``; ARNs of resources outside the
export stay as they are. A resource the template cannot express faithfully (a handler that is not
importable, a subscription to an endpoint of another kind) is listed under
``Metadata.eventbus.warnings``. The result passes cfn-lint.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .._simulation import Simulation
from ._errors import TopologyError
from ._export_functions import ExportBase, load_json

if TYPE_CHECKING:
    from ._load import Topology

__all__ = ("export", "export_yaml")

_SQS_DEFAULTS = {
    "VisibilityTimeout": "30",
    "DelaySeconds": "0",
    "MessageRetentionPeriod": "345600",
    "MaximumMessageSize": "1048576",
    "ReceiveMessageWaitTimeSeconds": "0",
}
_SCHEDULER_ROLE = "EventbusSchedulerRole"


class _Exporter(ExportBase):
    """Writes the resources of each service into the template."""

    # ------------------------------------------------------------- queues
    def queues(self) -> None:
        from ..services.sqs import Queue

        queues = [queue for queue in self.objects(Queue) if not queue.deleted and self.wanted(queue.arn)]
        for queue in queues:
            self.by_arn[queue.arn] = (self.logical(queue.name, "Queue"), "queue")
        for queue in queues:
            logical_id = self.by_arn[queue.arn][0]
            attributes = queue.get_attributes()
            props: dict[str, Any] = {"QueueName": queue.name}
            for key, default in _SQS_DEFAULTS.items():
                if attributes.get(key, default) != default:
                    props[key] = int(attributes[key])
            if queue.fifo:
                props["FifoQueue"] = True
                if attributes.get("ContentBasedDeduplication") == "true":
                    props["ContentBasedDeduplication"] = True
                if attributes.get("DeduplicationScope", "queue") != "queue":
                    props["DeduplicationScope"] = attributes["DeduplicationScope"]
                if attributes.get("FifoThroughputLimit", "perQueue") != "perQueue":
                    props["FifoThroughputLimit"] = attributes["FifoThroughputLimit"]
            if attributes.get("KmsMasterKeyId"):
                props["KmsMasterKeyId"] = attributes["KmsMasterKeyId"]
            redrive = queue.redrive_policy
            if redrive is not None:
                props["RedrivePolicy"] = {
                    "deadLetterTargetArn": self.arn_ref(redrive.dead_letter_target_arn),
                    "maxReceiveCount": redrive.max_receive_count,
                }
            allow = queue.redrive_allow_policy
            if allow is not None:
                document: dict[str, Any] = {"redrivePermission": allow.redrive_permission}
                if allow.source_queue_arns:
                    # Literal ARNs: Fn::GetAtt here would make a cycle with the sources' RedrivePolicy.
                    document["sourceQueueArns"] = [
                        self.literal_queue_arn(arn) for arn in allow.source_queue_arns
                    ]
                props["RedriveAllowPolicy"] = document
            if queue.tags:
                props["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(queue.tags.items())]
            self.resources[logical_id] = {"Type": "AWS::SQS::Queue", "Properties": props}

    def literal_queue_arn(self, arn: str) -> Any:
        if arn in self.by_arn and arn.startswith(self.sim.arn("sqs", "")):
            return self.account_arn("sqs", arn.rsplit(":", 1)[-1])
        return arn

    # -------------------------------------------------------------- topics
    def topics(self) -> None:
        try:
            from ..services.sns import Topic
        except ImportError:  # SNS not available in this build
            return
        topics = [topic for topic in self.objects(Topic) if self.wanted(topic.arn)]
        for topic in topics:
            self.by_arn[topic.arn] = (self.logical(topic.name, "Topic"), "topic")
        for topic in topics:
            logical_id = self.by_arn[topic.arn][0]
            props: dict[str, Any] = {"TopicName": topic.name}
            attributes = topic.attributes()
            if topic.fifo:
                props["FifoTopic"] = True
                if str(attributes.get("ContentBasedDeduplication", "false")).lower() == "true":
                    props["ContentBasedDeduplication"] = True
            if attributes.get("DisplayName"):
                props["DisplayName"] = attributes["DisplayName"]
            if topic.tags:
                props["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(topic.tags.items())]
            self.resources[logical_id] = {"Type": "AWS::SNS::Topic", "Properties": props}

    def subscriptions(self) -> None:
        try:
            from ..services.sns import Topic
        except ImportError:
            return
        for topic in self.objects(Topic):
            if topic.arn not in self.by_arn:
                continue
            topic_id = self.by_arn[topic.arn][0]
            for subscription in list(topic.subscriptions.values()):
                self.subscription(topic, topic_id, subscription)

    def subscription(self, topic: Any, topic_id: str, subscription: Any) -> None:
        protocol = str(subscription.protocol)
        endpoint = str(subscription.endpoint)
        if protocol == "lambda" and endpoint.startswith(f"arn:aws:python:{self.sim.region}:"):
            endpoint_ref = self.callable_function(endpoint)
        else:
            endpoint_ref = self.arn_ref(endpoint)
        if protocol not in (
            "sqs",
            "lambda",
            "http",
            "https",
            "email",
            "email-json",
            "sms",
            "application",
            "firehose",
        ):
            self.warnings.append(f"subscription {subscription.arn}: protocol {protocol} is not exported")
            return
        name = f"{topic.name}-{endpoint.rsplit(':', 1)[-1].rsplit('/', 1)[-1]}"
        logical_id = self.logical(name, "Subscription")
        props: dict[str, Any] = {
            "TopicArn": {"Ref": topic_id},
            "Protocol": protocol,
            "Endpoint": endpoint_ref,
        }
        attributes = subscription.attributes()
        if attributes.get("FilterPolicy"):
            props["FilterPolicy"] = load_json(attributes["FilterPolicy"])
        if attributes.get("FilterPolicyScope") and attributes.get("FilterPolicy"):
            props["FilterPolicyScope"] = attributes["FilterPolicyScope"]
        if str(attributes.get("RawMessageDelivery", "false")).lower() == "true":
            props["RawMessageDelivery"] = True
        if attributes.get("RedrivePolicy"):
            policy = load_json(attributes["RedrivePolicy"])
            if isinstance(policy, Mapping) and "deadLetterTargetArn" in policy:
                props["RedrivePolicy"] = {"deadLetterTargetArn": self.arn_ref(policy["deadLetterTargetArn"])}
                self.sender(policy["deadLetterTargetArn"], "sns", {"Ref": topic_id})
        self.resources[logical_id] = {"Type": "AWS::SNS::Subscription", "Properties": props}
        self.sender(endpoint, "sns", {"Ref": topic_id})

    # --------------------------------------------------------- EventBridge
    def buses(self) -> None:
        if self.sim.arn("events", "event-bus/default") not in self.sim.registry:
            return
        events = self.sim.events
        for bus in events.buses.values():
            if bus.name != "default" and self.wanted(bus.arn):
                logical_id = self.logical(bus.name, "Bus")
                self.by_arn[bus.arn] = (logical_id, "bus")
                props: dict[str, Any] = {"Name": bus.name}
                if bus.description:
                    props["Description"] = bus.description
                if bus.tags:
                    props["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(bus.tags.items())]
                self.resources[logical_id] = {"Type": "AWS::Events::EventBus", "Properties": props}

    def bus_name(self, bus: Any) -> Any:
        found = self.by_arn.get(bus.arn)
        return {"Ref": found[0]} if found else bus.name

    def bus_arn(self, bus: Any) -> Any:
        found = self.by_arn.get(bus.arn)
        if found:
            return {"Fn::GetAtt": [found[0], "Arn"]}
        return self.account_arn("events", f"event-bus/{bus.name}")

    def rules(self) -> None:
        if self.sim.arn("events", "event-bus/default") not in self.sim.registry:
            return
        for bus in self.sim.events.buses.values():
            for rule in bus.rules.values():
                if rule.managed_by is not None or not self.wanted(rule.arn):
                    continue
                self.rule(bus, rule)

    def rule(self, bus: Any, rule: Any) -> None:
        logical_id = self.logical(f"{bus.name}-{rule.name}" if bus.name != "default" else rule.name, "Rule")
        props: dict[str, Any] = {"Name": rule.name}
        if bus.name != "default":
            props["EventBusName"] = self.bus_name(bus)
        if rule.event_pattern is not None:
            props["EventPattern"] = load_json(rule.event_pattern)
        if rule.schedule is not None:
            props["ScheduleExpression"] = rule.schedule.text
        props["State"] = rule.state
        if rule.description:
            props["Description"] = rule.description
        if rule.role_arn:
            props["RoleArn"] = rule.role_arn
        targets = []
        source = {"Fn::GetAtt": [logical_id, "Arn"]}
        for target in rule.targets.values():
            aws = target.to_aws()
            arn = aws["Arn"]
            if arn.startswith(f"arn:aws:python:{self.sim.region}:"):
                aws["Arn"] = self.callable_function(arn)
            else:
                aws["Arn"] = self.arn_ref(arn)
            if "DeadLetterConfig" in aws:
                dlq = aws["DeadLetterConfig"]["Arn"]
                aws["DeadLetterConfig"] = {"Arn": self.arn_ref(dlq)}
                self.sender(dlq, "events", source)
            self.sender(arn, "events", source)
            targets.append(aws)
        if targets:
            props["Targets"] = targets
        if rule.tags:
            props["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(rule.tags.items())]
        self.resources[logical_id] = {"Type": "AWS::Events::Rule", "Properties": props}

    def archives(self) -> None:
        if self.sim.arn("events", "event-bus/default") not in self.sim.registry:
            return
        for archive in self.sim.events.archives.values():
            if not self.wanted(archive.arn):
                continue
            logical_id = self.logical(archive.name, "Archive")
            props: dict[str, Any] = {"ArchiveName": archive.name, "SourceArn": self.bus_arn(archive.bus)}
            if archive.event_pattern:
                props["EventPattern"] = load_json(archive.event_pattern)
            if archive.retention_days:
                props["RetentionDays"] = archive.retention_days
            if archive.description:
                props["Description"] = archive.description
            self.resources[logical_id] = {"Type": "AWS::Events::Archive", "Properties": props}

    # ------------------------------------------------------------ Scheduler
    def schedules(self) -> None:
        if self.sim.arn("scheduler", "schedule-group/default") not in self.sim.registry:
            return
        scheduler = self.sim.scheduler
        groups: dict[str, str] = {}
        for group in scheduler.groups.values():
            if group.name != "default" and (
                self.wanted(group.arn) or any(self.wanted(s.arn) for s in group.schedules.values())
            ):
                logical_id = self.logical(group.name, "ScheduleGroup")
                groups[group.name] = logical_id
                group_props: dict[str, Any] = {"Name": group.name}
                tags = getattr(group, "tags", None)
                if tags:
                    group_props["Tags"] = [
                        {"Key": key, "Value": value} for key, value in sorted(tags.items())
                    ]
                self.resources[logical_id] = {
                    "Type": "AWS::Scheduler::ScheduleGroup",
                    "Properties": group_props,
                }
        default_role = f"arn:aws:iam::{self.sim.account_id}:role/eventbus-scheduler"
        own_roles = f"arn:aws:iam::{self.sim.account_id}:role/"
        for schedule in scheduler.schedules:
            if not self.wanted(schedule.arn):
                continue
            spec = schedule.spec
            logical_id = self.logical(schedule.name, "Schedule")
            target = spec.target.to_aws()
            arn = target["Arn"]
            target["Arn"] = (
                self.callable_function(arn)
                if arn.startswith(f"arn:aws:python:{self.sim.region}:")
                else self.arn_ref(arn)
            )
            self.scheduler_targets.append(target["Arn"])
            if target.get("RoleArn") == default_role or str(target.get("RoleArn", "")).startswith(own_roles):
                # The simulation has no IAM: a role of its own account is a name only; deploy with one that works.
                target["RoleArn"] = {"Fn::GetAtt": [_SCHEDULER_ROLE, "Arn"]}
            if "DeadLetterConfig" in target:
                self.scheduler_targets.append(self.arn_ref(target["DeadLetterConfig"]["Arn"]))
                target["DeadLetterConfig"] = {"Arn": self.arn_ref(target["DeadLetterConfig"]["Arn"])}
            props: dict[str, Any] = {
                "Name": schedule.name,
                "ScheduleExpression": spec.expression.text,
                "FlexibleTimeWindow": {"Mode": "OFF"}
                if spec.window_minutes is None
                else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": spec.window_minutes},
                "Target": target,
                "State": spec.state,
            }
            if schedule.group.name != "default":
                props["GroupName"] = (
                    {"Ref": groups[schedule.group.name]}
                    if schedule.group.name in groups
                    else schedule.group.name
                )
            if spec.timezone and spec.timezone != "UTC":
                props["ScheduleExpressionTimezone"] = spec.timezone
            if spec.start is not None:
                props["StartDate"] = spec.start.strftime("%Y-%m-%dT%H:%M:%SZ")
            if spec.end is not None:
                props["EndDate"] = spec.end.strftime("%Y-%m-%dT%H:%M:%SZ")
            if spec.description:
                props["Description"] = spec.description
            self.resources[logical_id] = {"Type": "AWS::Scheduler::Schedule", "Properties": props}

    # --------------------------------------------------- permissions, roles
    def wiring(self) -> None:
        for queue_id, senders in self.queue_senders.items():
            self.resources[self.logical(queue_id, "Policy")] = {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": queue_id}],
                    "PolicyDocument": _policy("sqs:SendMessage", {"Fn::GetAtt": [queue_id, "Arn"]}, senders),
                },
            }
        for topic_id, senders in self.topic_senders.items():
            self.resources[self.logical(topic_id, "Policy")] = {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {
                    "Topics": [{"Ref": topic_id}],
                    "PolicyDocument": _policy("sns:Publish", {"Ref": topic_id}, senders),
                },
            }
        seen: set[str] = set()
        for function_id, principal, source in self.invokers:
            key = json.dumps([function_id, principal, source], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            self.resources[self.logical(f"{function_id}-{principal.split('.')[0]}", "Permission")] = {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Ref": function_id},
                    "Principal": principal,
                    "SourceArn": source,
                },
            }
        for function_id, queue_ids in self.pollers.items():
            properties = self.resources[function_id]["Properties"]
            properties["Policies"] = [
                {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": [queue_id, "QueueName"]}}}
                for queue_id in queue_ids
            ]
        if self.scheduler_targets:
            self.resources[_SCHEDULER_ROLE] = _scheduler_role(self.scheduler_targets)

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, Any]:
        self.queues()
        self.topics()
        self.buses()
        self.functions_first()
        self.subscriptions()
        self.rules()
        self.archives()
        self.schedules()
        self.functions_out()
        self.mappings()
        self.wiring()
        template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
        if self.serverless:
            template["Transform"] = "AWS::Serverless-2016-10-31"
        template["Description"] = f"Exported by eventbus from a simulation (seed {self.sim.seed})."
        if self.warnings:
            template["Metadata"] = {"eventbus": {"warnings": list(self.warnings)}}
        if not self.resources:
            raise TopologyError(
                "the simulation holds nothing to export (no queues, topics, buses, rules, schedules or functions)"
            )
        template["Resources"] = self.resources
        return template


def _policy(action: str, resource: Any, senders: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    statements = []
    seen: set[str] = set()
    for service, source in senders:
        key = json.dumps([service, source], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": action,
                "Resource": resource,
                "Condition": {"ArnEquals": {"aws:SourceArn": source}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _scheduler_role(targets: list[Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "scheduler.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "invoke-schedule-targets",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "sqs:SendMessage",
                                    "sns:Publish",
                                    "lambda:InvokeFunction",
                                    "events:PutEvents",
                                ],
                                "Resource": _unique(targets),
                            }
                        ],
                    },
                }
            ],
        },
    }


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _target(sim_or_topology: Simulation | Topology) -> tuple[Simulation, set[str] | None]:
    if isinstance(sim_or_topology, Simulation):
        return sim_or_topology, None
    sim = getattr(sim_or_topology, "sim", None)
    if not isinstance(sim, Simulation):
        raise TopologyError("export takes a Simulation, or a Topology that load() returned")
    return sim, set(sim_or_topology.resources.values())


def export(
    sim_or_topology: Simulation | Topology, *, base_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """A CloudFormation template (as a mapping) of what a simulation holds, or of one loaded topology.

    Args:
        sim_or_topology: a simulation (everything in it), or a :class:`Topology` (only what that load
            created).
        base_dir: where the template will be written: function ``CodeUri`` paths are relative to it
            (default: the current directory).

    Raises:
        TopologyError: nothing to export.
    """
    sim, include = _target(sim_or_topology)
    return _Exporter(sim, include, Path(base_dir) if base_dir is not None else Path.cwd()).run()


class _Dumper(yaml.SafeDumper):
    """Writes Ref, Fn::GetAtt and Fn::Sub in CloudFormation's short forms, keys in insertion order."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        event = self.event
        if (
            isinstance(event, yaml.ScalarEvent)
            and event.tag
            and event.tag.startswith("!")
            and not event.style
        ):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            if (
                not self.analysis.multiline
                and self.analysis.allow_block_plain
                and self.analysis.allow_flow_plain
            ):
                return ""
        return str(super().choose_scalar_style())


def _represent_dict(dumper: _Dumper, data: Mapping[str, Any]) -> yaml.Node:
    if len(data) == 1:
        ((key, value),) = data.items()
        if key == "Ref" and isinstance(value, str):
            return dumper.represent_scalar("!Ref", value)
        if (
            key == "Fn::GetAtt"
            and isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, str) for v in value)
        ):
            return dumper.represent_scalar("!GetAtt", f"{value[0]}.{value[1]}")
        if key == "Fn::Sub" and isinstance(value, str):
            return dumper.represent_scalar("!Sub", value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items())


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_str(data)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def export_yaml(
    sim_or_topology: Simulation | Topology, *, base_dir: str | os.PathLike[str] | None = None
) -> str:
    """:func:`export` as YAML text, with CloudFormation's short forms (``!Ref``, ``!GetAtt``, ``!Sub``)."""
    return yaml.dump(
        export(sim_or_topology, base_dir=base_dir),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=120,
    )
