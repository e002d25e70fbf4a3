"""Creating a topology's resources in a simulation through the services' native APIs.

:class:`Builder` is shared by both input formats: it makes each call (CreateQueue, PutRule,
PutTargets, CreateSchedule ...), records what it created under its logical id, and turns an error a
service raises (AWS's code and message) into a :class:`TopologyError` that names the resource, the
line and everything created before it. :func:`build_eventbus` builds a file in eventbus's own format
(see :mod:`eventbus.topology._format`) in dependency order: queues (dead-letter queues first),
topics, buses, functions, then what connects them (subscriptions, rules and targets, archives,
schedules, event source mappings, asynchronous-invocation settings).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._simulation import Simulation
from ..errors import EventBusError, ServiceError
from ._errors import TopologyError
from ._format import (
    EventbusFile,
    QueueSpec,
    RetrySpec,
    RuleTargetSpec,
    TargetRef,
)
from ._handlers import HandlerImporter

__all__ = ("Builder", "build_eventbus", "order_by_dependencies")


def order_by_dependencies(
    names: list[str], depends: Callable[[str], list[str]], describe: Callable[[list[str]], TopologyError]
) -> list[str]:
    """``names`` ordered so that each comes after what it depends on, otherwise in the given order.

    Raises:
        TopologyError: from ``describe(cycle)`` when the dependencies form a cycle.
    """
    ordered: list[str] = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []
    known = set(names)

    def visit(name: str) -> None:
        mark = state.get(name)
        if mark == 2:
            return
        if mark == 1:
            cycle = [*stack[stack.index(name) :], name]
            raise describe(cycle)
        state[name] = 1
        stack.append(name)
        for dependency in depends(name):
            if dependency in known:
                visit(dependency)
        stack.pop()
        state[name] = 2
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


class Builder:
    """Makes the native API calls of one load and keeps what they created.

    Attributes:
        sim: the simulation.
        file: the source named in error messages.
        resources: logical id -> ARN (or what ``Topology.resources`` holds), in creation order.
        warnings: what was not simulated, by logical id and type.
        notes: what was accepted with no effect in the simulation.
        importer: handler imports of this load.
    """

    def __init__(self, sim: Simulation, *, file: str, importer: HandlerImporter | None = None) -> None:
        self.sim = sim
        self.file = file
        self.resources: dict[str, str] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.importer = importer or HandlerImporter()

    # ------------------------------------------------------------ errors
    def error(self, reason: str, *, line: int | None = None, resource: str | None = None) -> TopologyError:
        """A TopologyError naming this load's file and what it created so far."""
        return TopologyError(
            reason, file=self.file, line=line, resource=resource, created=list(self.resources)
        )

    @contextmanager
    def step(self, operation: str, *, resource: str, line: int | None) -> Iterator[None]:
        """Run native calls for one resource; their errors become TopologyErrors naming it."""
        try:
            yield
        except TopologyError as error:
            raise error.with_context(
                file=self.file, line=line, resource=resource, created=list(self.resources)
            ) from None
        except ServiceError as error:
            raise self.error(
                f"{operation} failed: {error.code}: {error}", line=line, resource=resource
            ) from None
        except EventBusError as error:
            raise self.error(f"{operation} failed: {error}", line=line, resource=resource) from None

    def add(self, logical_id: str, value: str) -> None:
        self.resources[logical_id] = value

    # --------------------------------------------------------- services
    def create_queue(self, name: str, attributes: Mapping[str, str], tags: Mapping[str, str] | None) -> Any:
        """CreateQueue with AWS attribute names and string values."""
        return self.sim.sqs.create_queue(name, attributes=dict(attributes), tags=dict(tags) if tags else None)

    def create_topic(
        self,
        name: str,
        attributes: Mapping[str, str],
        tags: Mapping[str, str] | None,
        *,
        data_protection_policy: str | None = None,
    ) -> Any:
        """CreateTopic with AWS attribute names and string values."""
        return self.sim.sns.create_topic(
            name,
            attributes=dict(attributes),
            tags=dict(tags) if tags else None,
            data_protection_policy=data_protection_policy,
        )

    def subscribe(
        self, topic_arn: str, endpoint: str, *, protocol: str | None, attributes: Mapping[str, str]
    ) -> Any:
        """Subscribe with AWS attribute names (the protocol is told by the endpoint when None)."""
        return self.sim.sns.topic(topic_arn).subscribe(
            endpoint, protocol=protocol, attributes=dict(attributes)
        )

    def create_bus(self, name: str, *, description: str | None, tags: Mapping[str, str] | None) -> Any:
        """CreateEventBus; the ``default`` bus is returned as it is (it always exists)."""
        if name == "default":
            return self.sim.events.default_bus
        return self.sim.events.create_bus(name, description=description, tags=dict(tags) if tags else None)

    def put_rule(
        self,
        bus: str | None,
        name: str,
        *,
        pattern: Any,
        schedule: str | None,
        state: str | None,
        description: str | None,
        role_arn: str | None = None,
        targets: list[dict[str, Any]],
        tags: Mapping[str, str] | None = None,
    ) -> Any:
        """PutRule on ``bus`` (name or ARN; None: default), then PutTargets in AWS's ``Target`` shape."""
        event_bus = self.sim.events.get_bus(bus)
        rule = event_bus.put_rule(
            name,
            event_pattern=pattern,
            schedule_expression=schedule,
            state=state,
            description=description,
            role_arn=role_arn,
            tags=dict(tags) if tags else None,
        )
        if targets:
            rule.put_targets(targets)
        return rule

    def create_archive(
        self, name: str, source: str, *, pattern: Any, retention_days: int, description: str | None
    ) -> Any:
        return self.sim.events.create_archive(
            name, source, event_pattern=pattern, retention_days=retention_days, description=description
        )

    def schedule_group(self, name: str, tags: Mapping[str, str] | None = None) -> Any:
        """The schedule group ``name``, created when it does not exist."""
        existing = self.sim.scheduler.groups.get(name)
        if existing is not None:
            return existing
        return self.sim.scheduler.create_schedule_group(name, tags=dict(tags) if tags else None)

    def create_schedule(self, params: Mapping[str, Any]) -> Any:
        """CreateSchedule with AWS's request shape."""
        return self.sim.scheduler.put_schedule(params, create=True)

    def create_function(
        self,
        name: str,
        handler: Callable[..., Any],
        *,
        timeout: int | None = None,
        memory: int | None = None,
        reserved_concurrency: int | None = None,
        description: str | None = None,
        dead_letter: str | None = None,
        runtime: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Any:
        """CreateFunction running a Python callable (Lambda's defaults for what is not given)."""
        settings: dict[str, Any] = {
            "timeout": timeout,
            "memory": memory,
            "reserved_concurrency": reserved_concurrency,
            "description": description,
            "dead_letter": dead_letter,
            "runtime": runtime,
            "tags": dict(tags) if tags else None,
        }
        return self.sim.lambda_.function(
            name, handler, **{key: value for key, value in settings.items() if value is not None}
        )

    def create_event_source_mapping(
        self,
        queue_arn: str,
        function: str,
        *,
        batch_size: int | None = None,
        batching_window: int | None = None,
        max_concurrency: int | None = None,
        report_batch_item_failures: bool = False,
        filters: list[Any] | None = None,
        enabled: bool = True,
    ) -> Any:
        """CreateEventSourceMapping from an SQS queue to a function (name or ARN)."""
        return self.sim.lambda_.event_source_mapping(
            queue_arn,
            function,
            batch_size=batch_size,
            maximum_batching_window=batching_window or 0,
            maximum_concurrency=max_concurrency,
            report_batch_item_failures=report_batch_item_failures,
            filter_criteria=filters,
            enabled=enabled,
        )

    def put_invoke_config(
        self,
        function: str,
        *,
        max_retries: int | None,
        max_event_age: int | None,
        on_success: str | None,
        on_failure: str | None,
    ) -> Any:
        """PutFunctionEventInvokeConfig."""
        return self.sim.lambda_.get_function(function).set_event_invoke_config(
            max_retries=max_retries, max_event_age=max_event_age, on_success=on_success, on_failure=on_failure
        )

    # ------------------------------------------------------- references
    def arn_of(self, kind: str, name: str) -> str | None:
        """The ARN of an existing resource of ``kind`` called ``name`` in the simulation, or None."""
        sim = self.sim
        if kind == "arn":
            return name
        if kind == "queue":
            arn = sim.arn("sqs", name)
        elif kind == "topic":
            arn = sim.arn("sns", name)
        elif kind == "bus":
            arn = sim.arn("events", f"event-bus/{name}")
            if name == "default":
                return sim.events.default_bus.arn
        elif kind == "function":
            arn = sim.arn("lambda", f"function:{name}")
        else:
            return None
        return arn if arn in sim.registry else None


# ------------------------------------------------------------------ eventbus format
def _retry(spec: RetrySpec | None) -> dict[str, int] | None:
    if spec is None:
        return None
    policy: dict[str, int] = {}
    if spec.attempts is not None:
        policy["MaximumRetryAttempts"] = spec.attempts
    if spec.max_age is not None:
        policy["MaximumEventAgeInSeconds"] = spec.max_age
    return policy


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


class _EventbusBuild:
    """One build of a parsed eventbus-format file."""

    def __init__(self, parsed: EventbusFile, builder: Builder, base_dir: Path) -> None:
        self.parsed = parsed
        self.b = builder
        self.base_dir = base_dir
        self.sim = builder.sim

    def line(self, *path: Any) -> int | None:
        return self.parsed.line(*path)

    def resolve(self, kind: str, name: str, *, path: tuple[Any, ...], resource: str) -> str:
        """The ARN a reference names: a resource of this file, or one already in the simulation."""
        arn = self.b.arn_of(kind, name)
        if arn is None:
            section = {"queue": "queues", "topic": "topics", "bus": "buses", "function": "functions"}[kind]
            known = sorted(getattr(self.parsed, section))
            listed = f" (the file's {section}: {', '.join(known)})" if known else ""
            raise self.b.error(
                f"{kind} '{name}' does not exist in this file or the simulation{listed}",
                line=self.line(*path),
                resource=resource,
            )
        return arn

    def target_arn(self, ref: TargetRef, path: tuple[Any, ...], resource: str) -> str:
        reference = ref.reference()
        assert reference is not None  # checked by parse_eventbus
        kind, name = reference
        return self.resolve(kind, name, path=(*path, kind), resource=resource)

    def queue_arn(self, name: str, path: tuple[Any, ...], resource: str) -> str:
        return name if name.startswith("arn:") else self.resolve("queue", name, path=path, resource=resource)

    # -------------------------------------------------------------- run
    def run(self) -> None:
        self.queues()
        self.topics()
        self.buses()
        self.functions()
        self.subscriptions()
        self.rules_and_archives()
        self.schedules()
        self.event_source_mappings()
        self.invoke_configs()

    # ----------------------------------------------------------- queues
    def queues(self) -> None:
        queues = self.parsed.queues
        names = list(queues)

        def depends(name: str) -> list[str]:
            dead_letter = queues[name].dead_letter
            return [dead_letter] if dead_letter and not dead_letter.startswith("arn:") else []

        def cycle(names: list[str]) -> TopologyError:
            return self.b.error(
                f"the queues' dead_letter settings form a cycle: {' -> '.join(names)}",
                line=self.line("queues", names[0], "dead_letter"),
                resource=f"queue '{names[0]}'",
            )

        for name in order_by_dependencies(names, depends, cycle):
            self.queue(name, queues[name])

    def queue(self, name: str, spec: QueueSpec) -> None:
        resource = f"queue '{name}'"
        path = ("queues", name)
        attributes: dict[str, str] = {}
        simple = {
            "VisibilityTimeout": spec.visibility_timeout,
            "DelaySeconds": spec.delay_seconds,
            "MessageRetentionPeriod": spec.retention_period,
            "MaximumMessageSize": spec.maximum_message_size,
            "ReceiveMessageWaitTimeSeconds": spec.receive_wait_time,
            "DeduplicationScope": spec.deduplication_scope,
            "FifoThroughputLimit": spec.fifo_throughput_limit,
        }
        attributes.update({key: str(value) for key, value in simple.items() if value is not None})
        if spec.fifo is not None:
            attributes["FifoQueue"] = _bool(spec.fifo)
        if spec.content_based_deduplication is not None:
            attributes["ContentBasedDeduplication"] = _bool(spec.content_based_deduplication)
        if spec.dead_letter is not None:
            target = self.queue_arn(spec.dead_letter, (*path, "dead_letter"), resource)
            policy = {"deadLetterTargetArn": target, "maxReceiveCount": spec.max_receive_count or 10}
            attributes["RedrivePolicy"] = json.dumps(policy)
        elif spec.max_receive_count is not None:
            raise self.b.error(
                "max_receive_count needs dead_letter (the queue messages move to)",
                line=self.line(*path, "max_receive_count"),
                resource=resource,
            )
        if spec.redrive_allow is not None:
            if isinstance(spec.redrive_allow, str):
                allow: dict[str, Any] = {"redrivePermission": spec.redrive_allow}
            else:
                sources = [
                    source if source.startswith("arn:") else self.sim.arn("sqs", source)
                    for source in spec.redrive_allow
                ]
                allow = {"redrivePermission": "byQueue", "sourceQueueArns": sources}
            attributes["RedriveAllowPolicy"] = json.dumps(allow)
        with self.b.step("CreateQueue", resource=resource, line=self.line(*path)):
            queue = self.b.create_queue(name, attributes, spec.tags)
        self.b.add(name, queue.arn)

    # ----------------------------------------------------------- topics
    def topics(self) -> None:
        for name, spec in self.parsed.topics.items():
            attributes: dict[str, str] = {}
            if spec.fifo is not None:
                attributes["FifoTopic"] = _bool(spec.fifo)
            if spec.content_based_deduplication is not None:
                attributes["ContentBasedDeduplication"] = _bool(spec.content_based_deduplication)
            if spec.display_name is not None:
                attributes["DisplayName"] = spec.display_name
            with self.b.step("CreateTopic", resource=f"topic '{name}'", line=self.line("topics", name)):
                topic = self.b.create_topic(name, attributes, spec.tags)
            self.b.add(name, topic.arn)

    def subscriptions(self) -> None:
        for name, spec in self.parsed.topics.items():
            resource = f"topic '{name}'"
            for index, subscription in enumerate(spec.subscriptions):
                path = ("topics", name, "subscriptions", index)
                kind, value = subscription.reference() or ("endpoint", "")
                if kind in ("queue", "function"):
                    endpoint = self.resolve(kind, value, path=(*path, kind), resource=resource)
                else:
                    endpoint = value
                attributes: dict[str, str] = {}
                if subscription.filter_policy is not None:
                    attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
                if subscription.filter_policy_scope is not None:
                    attributes["FilterPolicyScope"] = subscription.filter_policy_scope
                if subscription.raw:
                    attributes["RawMessageDelivery"] = "true"
                if subscription.dead_letter is not None:
                    dlq = self.queue_arn(subscription.dead_letter, (*path, "dead_letter"), resource)
                    attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq})
                with self.b.step("Subscribe", resource=resource, line=self.line(*path)):
                    created = self.b.subscribe(
                        self.sim.arn("sns", name),
                        endpoint,
                        protocol=subscription.protocol,
                        attributes=attributes,
                    )
                self.b.add(f"{name}/{index}", created.arn)

    # ------------------------------------------------------------ buses
    def buses(self) -> None:
        for name, spec in self.parsed.buses.items():
            with self.b.step("CreateEventBus", resource=f"bus '{name}'", line=self.line("buses", name)):
                bus = self.b.create_bus(name, description=spec.description, tags=spec.tags)
            self.b.add(name, bus.arn)

    def rules_and_archives(self) -> None:
        for bus_name, bus in self.parsed.buses.items():
            for rule_name, rule in bus.rules.items():
                assert rule is not None  # checked by parse_eventbus
                resource = f"rule '{rule_name}' on bus '{bus_name}'"
                path = ("buses", bus_name, "rules", rule_name)
                targets: list[dict[str, Any]] = []
                for index, target in enumerate(rule.targets):
                    made = self.rule_target(target, (*path, "targets", index), resource)
                    if target.id is None:
                        base, n = made["Id"], 1
                        while any(made["Id"] == other["Id"] for other in targets):
                            n += 1
                            made["Id"] = f"{base[:60]}-{n}"
                    targets.append(made)
                with self.b.step("PutRule", resource=resource, line=self.line(*path)):
                    created = self.b.put_rule(
                        bus_name,
                        rule_name,
                        pattern=rule.pattern,
                        schedule=rule.schedule,
                        state=rule.state,
                        description=rule.description,
                        targets=targets,
                    )
                self.b.add(f"{bus_name}/{rule_name}", created.arn)
            for archive_name, archive in bus.archives.items():
                resource = f"archive '{archive_name}' on bus '{bus_name}'"
                path = ("buses", bus_name, "archives", archive_name)
                with self.b.step("CreateArchive", resource=resource, line=self.line(*path)):
                    created = self.b.create_archive(
                        archive_name,
                        self.sim.events.get_bus(bus_name).arn,
                        pattern=archive.pattern if archive else None,
                        retention_days=archive.retention_days if archive else 0,
                        description=archive.description if archive else None,
                    )
                self.b.add(f"{bus_name}/{archive_name}", created.arn)

    def rule_target(self, target: RuleTargetSpec, path: tuple[Any, ...], resource: str) -> dict[str, Any]:
        arn = self.target_arn(target, path, resource)
        _, name = target.reference() or ("arn", arn)
        out: dict[str, Any] = {"Id": target.id or _target_id(name), "Arn": arn}
        if target.input is not None:
            out["Input"] = _text(target.input)
        if target.input_path is not None:
            out["InputPath"] = target.input_path
        if target.input_transformer is not None:
            out["InputTransformer"] = {
                "InputPathsMap": dict(target.input_transformer.paths),
                "InputTemplate": target.input_transformer.template,
            }
        retry = _retry(target.retry)
        if retry:
            out["RetryPolicy"] = retry
        if target.dead_letter is not None:
            out["DeadLetterConfig"] = {
                "Arn": self.queue_arn(target.dead_letter, (*path, "dead_letter"), resource)
            }
        if target.message_group_id is not None:
            out["SqsParameters"] = {"MessageGroupId": target.message_group_id}
        return out

    # -------------------------------------------------------- schedules
    def schedules(self) -> None:
        for name, spec in self.parsed.schedules.items():
            resource = f"schedule '{name}'"
            path = ("schedules", name)
            target = spec.target
            aws_target: dict[str, Any] = {
                "Arn": self.target_arn(target, (*path, "target"), resource),
                "RoleArn": f"arn:aws:iam::{self.sim.account_id}:role/eventbus-scheduler",
            }
            if target.input is not None:
                aws_target["Input"] = _text(target.input)
            retry = _retry(spec.retry)
            if retry:
                aws_target["RetryPolicy"] = retry
            if spec.dead_letter is not None:
                aws_target["DeadLetterConfig"] = {
                    "Arn": self.queue_arn(spec.dead_letter, (*path, "dead_letter"), resource)
                }
            if target.message_group_id is not None:
                aws_target["SqsParameters"] = {"MessageGroupId": target.message_group_id}
            if target.detail_type is not None or target.source is not None:
                aws_target["EventBridgeParameters"] = {
                    "DetailType": target.detail_type,
                    "Source": target.source,
                }
            params: dict[str, Any] = {
                "Name": name,
                "ScheduleExpression": spec.expression,
                "FlexibleTimeWindow": {"Mode": "OFF"}
                if spec.flexible_window is None
                else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": spec.flexible_window},
                "Target": aws_target,
                "State": spec.state,
                "ActionAfterCompletion": spec.action_after_completion,
            }
            optional = {
                "GroupName": spec.group,
                "ScheduleExpressionTimezone": spec.timezone,
                "StartDate": spec.start,
                "EndDate": spec.end,
                "Description": spec.description,
            }
            params.update({key: value for key, value in optional.items() if value is not None})
            with self.b.step("CreateSchedule", resource=resource, line=self.line(*path)):
                if spec.group is not None:
                    self.b.schedule_group(spec.group)
                schedule = self.b.create_schedule(params)
            self.b.add(name, schedule.arn)

    # -------------------------------------------------------- functions
    def functions(self) -> None:
        for name, spec in self.parsed.functions.items():
            resource = f"function '{name}'"
            path = ("functions", name)
            with self.b.step("CreateFunction", resource=resource, line=self.line(*path, "handler")):
                handler = self.b.importer.resolve(spec.handler, self.base_dir)
            dead_letter = None
            if spec.dead_letter is not None:
                dead_letter = self.queue_arn(spec.dead_letter, (*path, "dead_letter"), resource)
            with self.b.step("CreateFunction", resource=resource, line=self.line(*path)):
                function = self.b.create_function(
                    name,
                    handler,
                    timeout=spec.timeout,
                    memory=spec.memory,
                    reserved_concurrency=spec.reserved_concurrency,
                    description=spec.description,
                    dead_letter=dead_letter,
                )
            self.b.add(name, function.arn)

    def event_source_mappings(self) -> None:
        for name, spec in self.parsed.functions.items():
            resource = f"function '{name}'"
            single = not isinstance(spec.sqs, list)
            for index, trigger in enumerate(spec.triggers()):
                path = ("functions", name, "sqs") if single else ("functions", name, "sqs", index)
                queue_arn = self.queue_arn(trigger.queue, (*path, "queue"), resource)
                with self.b.step("CreateEventSourceMapping", resource=resource, line=self.line(*path)):
                    mapping = self.b.create_event_source_mapping(
                        queue_arn,
                        name,
                        batch_size=trigger.batch_size,
                        batching_window=trigger.batching_window,
                        max_concurrency=trigger.max_concurrency,
                        report_batch_item_failures=trigger.report_batch_item_failures,
                        filters=trigger.filters,
                        enabled=trigger.enabled,
                    )
                self.b.add(f"{name}/{trigger.queue.rsplit(':', 1)[-1]}", mapping.arn)

    def invoke_configs(self) -> None:
        for name, spec in self.parsed.functions.items():
            if spec.retry is None and spec.on_success is None and spec.on_failure is None:
                continue
            resource = f"function '{name}'"
            path = ("functions", name)
            on_success = (
                self.target_arn(spec.on_success, (*path, "on_success"), resource) if spec.on_success else None
            )
            on_failure = (
                self.target_arn(spec.on_failure, (*path, "on_failure"), resource) if spec.on_failure else None
            )
            with self.b.step("PutFunctionEventInvokeConfig", resource=resource, line=self.line(*path)):
                self.b.put_invoke_config(
                    name,
                    max_retries=spec.retry.attempts if spec.retry else None,
                    max_event_age=spec.retry.max_age if spec.retry else None,
                    on_success=on_success,
                    on_failure=on_failure,
                )


def _target_id(name: str) -> str:
    cleaned = "".join(
        ch if ch.isalnum() or ch in "._-" else "-" for ch in name.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    )
    return cleaned[:64] or "target"


def build_eventbus(parsed: EventbusFile, builder: Builder, base_dir: Path) -> None:
    """Create everything ``parsed`` describes (see the module docstring for the order)."""
    _EventbusBuild(parsed, builder, base_dir).run()
