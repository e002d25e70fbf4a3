"""A simulation's topology as a Mermaid flowchart (``eventbus graph``).

Read from the simulation's registry of resources by ARN and from each resource's public attributes
(a bus's ``rules``, a rule's ``targets``, a queue's ``redrive_policy``, a topic's ``subscriptions``,
a function's ``dead_letter_arn`` and ``event_invoke_config``, the Lambda service's event source
mappings). Shapes: buses are parallelograms, rules stadiums, queues cylinders, topics hexagons,
functions subroutines, schedules flags; dotted arrows carry dead letters.
https://mermaid.js.org/syntax/flowchart.html
"""

from __future__ import annotations

import json
from typing import Any, Final

from .._simulation import Simulation
from ._names import Names

__all__ = ("mermaid",)

_SHAPES: Final = {
    "bus": ('[/"', '"/]'),
    "rule": ('(["', '"])'),
    "queue": ('[("', '")]'),
    "topic": ('{{"', '"}}'),
    "function": ('[["', '"]]'),
    "schedule": ('>"', '"]'),
    "other": ('["', '"]'),
}
_STYLES: Final = {
    "bus": "fill:#ede7f6,stroke:#5e35b1",
    "rule": "fill:#e0f2f1,stroke:#00897b",
    "queue": "fill:#e3f2fd,stroke:#1565c0",
    "topic": "fill:#fff8e1,stroke:#f9a825",
    "function": "fill:#e8f5e9,stroke:#2e7d32",
    "schedule": "fill:#fce4ec,stroke:#ad1457",
    "other": "fill:#f5f5f5,stroke:#757575",
}


def _text(value: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return (
        value.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
    )


def _short(value: str, limit: int = 48) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


class _Graph:
    def __init__(self) -> None:
        self.names = Names()
        self.ids: dict[str, str] = {}
        self.nodes: list[str] = []
        self.kinds: dict[str, list[str]] = {}
        self.edges: list[str] = []

    def node(self, arn: str, kind: str | None = None, extra: str = "") -> str:
        node = self.ids.get(arn)
        if node is not None:
            return node
        node = self.ids[arn] = f"n{len(self.ids) + 1}"
        name = self.names(arn)
        if kind is None:
            kind = name.split(" ", 1)[0] if name.split(" ", 1)[0] in _SHAPES else "other"
        label = _text(name) + (f"<br/><small>{_text(extra)}</small>" if extra else "")
        left, right = _SHAPES[kind]
        self.nodes.append(f"    {node}{left}{label}{right}")
        self.kinds.setdefault(kind, []).append(node)
        return node

    def edge(self, source: str, target: str, label: str = "", dotted: bool = False) -> None:
        arrow = "-.->" if dotted else "-->"
        text = f'|"{_text(label)}"|' if label else ""
        self.edges.append(f"    {source} {arrow}{text} {target}")

    def render(self) -> str:
        lines = ["flowchart LR", *self.nodes, *self.edges]
        for kind, nodes in self.kinds.items():
            lines.append(f"    classDef {kind} {_STYLES[kind]}")
            lines.append(f"    class {','.join(nodes)} {kind}")
        return "\n".join(lines) + "\n"


def _rule(graph: _Graph, bus_node: str, rule: Any) -> None:
    extra = ""
    if getattr(rule, "schedule", None) is not None:
        extra = str(rule.schedule.text)
    elif getattr(rule, "event_pattern", None):
        extra = _short(json.dumps(json.loads(rule.event_pattern), separators=(",", ":")).replace('"', ""))
    if getattr(rule, "state", "ENABLED") == "DISABLED":
        extra = ("DISABLED " + extra).strip()
    node = graph.node(rule.arn, "rule", extra)
    graph.edge(bus_node, node)
    for target in getattr(rule, "targets", {}).values():
        labels = []
        kind = getattr(getattr(target, "input", None), "kind", "event")
        if kind and kind != "event":
            labels.append({"input": "Input", "input_path": "InputPath", "input_transformer": "InputTransformer"}.get(kind, kind))
        if getattr(target, "retry_policy", None):
            policy = target.retry_policy
            if "MaximumRetryAttempts" in policy:
                labels.append(f"max {policy['MaximumRetryAttempts']} retries")
        target_node = graph.node(target.arn)
        graph.edge(node, target_node, ", ".join(labels))
        if getattr(target, "dead_letter_arn", None):
            graph.edge(node, graph.node(target.dead_letter_arn, "queue"), f"dead letters for {graph.names(target.arn)}", dotted=True)


def _topic(graph: _Graph, topic: Any) -> None:
    node = graph.node(topic.arn, "topic", "FIFO" if getattr(topic, "fifo", False) else "")
    for subscription in getattr(topic, "subscriptions", {}).values():
        endpoint = str(subscription.endpoint)
        target = graph.node(endpoint) if endpoint.startswith("arn:") else graph.node(endpoint, "other")
        labels = []
        policy = subscription.filter_policy_text if hasattr(subscription, "filter_policy_text") else None
        if policy:
            scope = getattr(subscription, "filter_policy_scope", "MessageAttributes")
            where = "body" if scope == "MessageBody" else "attributes"
            compact = json.dumps(json.loads(policy), separators=(",", ":")).replace('"', "")
            labels.append(f"filter ({where}): {_short(compact, 40)}")
        if getattr(subscription, "raw", False):
            labels.append("raw")
        graph.edge(node, target, ", ".join(labels))
        redrive = getattr(subscription, "redrive_policy", None)
        dlq = getattr(redrive, "dead_letter_target_arn", None) or (redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None)
        if dlq:
            graph.edge(node, graph.node(str(dlq), "queue"), f"dead letters for {graph.names(endpoint) if endpoint.startswith('arn:') else endpoint}", dotted=True)


def _function(graph: _Graph, function: Any) -> None:
    node = graph.node(function.arn, "function")
    dlq = getattr(function, "dead_letter_arn", None)
    if dlq:
        graph.edge(node, graph.node(dlq), "dead letters", dotted=True)
    config = getattr(function, "event_invoke_config", None)
    if config is not None:
        if config.on_success:
            graph.edge(node, graph.node(config.on_success), "on success")
        if config.on_failure:
            graph.edge(node, graph.node(config.on_failure), "on failure", dotted=True)


def _schedule(graph: _Graph, schedule: Any) -> None:
    node = graph.node(schedule.arn, "schedule", str(getattr(schedule, "expression", "")))
    target = schedule.target
    graph.edge(node, graph.node(target.arn))
    if getattr(target, "dead_letter_arn", None):
        graph.edge(node, graph.node(target.dead_letter_arn, "queue"), "dead letters", dotted=True)


def mermaid(sim: Simulation) -> str:
    """The simulation's topology as a Mermaid ``flowchart LR`` (text ending in a newline)."""
    graph = _Graph()
    registry = sim.registry
    arns = list(registry)
    has_lambda = False
    for arn in arns:
        resource: Any = registry.get(arn)
        parts = arn.split(":", 5)
        service = parts[2] if len(parts) == 6 else ""
        name = parts[5] if len(parts) == 6 else ""
        if service == "events" and name.startswith("event-bus/"):
            if name == "event-bus/default" and not getattr(resource, "rules", None):
                continue  # the account's default bus, unused
            bus_node = graph.node(arn, "bus")
            for rule in getattr(resource, "rules", {}).values():
                _rule(graph, bus_node, rule)
        elif service == "sqs":
            node = graph.node(arn, "queue", "FIFO" if getattr(resource, "fifo", False) else "")
            policy = getattr(resource, "redrive_policy", None)
            if policy is not None:
                graph.edge(node, graph.node(policy.dead_letter_target_arn, "queue"), f"after {policy.max_receive_count} receives", dotted=True)
        elif service == "sns" and ":" not in name:
            _topic(graph, resource)
        elif service == "lambda" and name.startswith("function:"):
            has_lambda = True
            _function(graph, resource)
        elif service == "python":
            graph.node(arn, "function")
        elif service == "scheduler" and name.startswith("schedule/"):
            _schedule(graph, resource)
    if has_lambda:
        for mapping in sim.lambda_.list_event_source_mappings():
            label = f"batch {mapping.batch_size}"
            if getattr(mapping, "report_batch_item_failures", False):
                label += ", partial failures"
            graph.edge(graph.node(mapping.queue_arn, "queue"), graph.node(mapping.function.arn, "function"), label)
    return graph.render()
