"""Helpers of the topology tests: the data folder, writing files, draining queues, snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventbus import Simulation

DATA = Path(__file__).parent / "data"


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a topology file into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def drain(queue: Any) -> list[str]:
    """Every message body a queue holds now (received and deleted)."""
    bodies: list[str] = []
    while True:
        messages = queue.receive(max_messages=10)
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message.body)
            queue.delete(message.receipt_handle)


def _subscription(attributes: dict[str, str]) -> dict[str, Any]:
    hidden = ("SubscriptionArn", "PendingConfirmation", "ConfirmationWasAuthenticated")
    out: dict[str, Any] = {k: v for k, v in attributes.items() if k not in hidden}
    for key in ("FilterPolicy", "RedrivePolicy"):
        if key in out:
            out[key] = json.loads(out[key])  # SNS keeps the text as given; compare the policy
    return out


def snapshot(sim: Simulation) -> dict[str, Any]:
    """What a simulation's topology is, without ids, times or counters: for round-trip comparisons."""
    out: dict[str, Any] = {}
    volatile = {"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp"}
    out["queues"] = {
        q.name: {
            k: v
            for k, v in q.get_attributes().items()
            if k not in volatile and not k.startswith("Approximate")
        }
        for q in sim.sqs.list_queues()
    }
    topics = {}
    for topic in sim.sns.list_topics():
        subscriptions = sorted(
            json.dumps(_subscription(s.attributes()), sort_keys=True) for s in topic.subscriptions.values()
        )
        attributes = {k: v for k, v in topic.attributes().items() if not k.startswith("Subscriptions")}
        topics[topic.name] = {"attributes": attributes, "subscriptions": subscriptions}
    out["topics"] = topics
    rules = {}
    for bus in sim.events.buses.values():
        for rule in bus.rules.values():
            description = {k: v for k, v in rule.describe().items() if k not in ("CreatedBy",)}
            description["EventPattern"] = json.loads(rule.event_pattern) if rule.event_pattern else None
            description["Targets"] = sorted(
                json.dumps(t.to_aws(), sort_keys=True) for t in rule.targets.values()
            )
            rules[rule.arn] = description
    out["buses"] = sorted(sim.events.buses)
    out["rules"] = rules
    out["archives"] = {
        a.name: (a.bus.name, json.loads(a.event_pattern) if a.event_pattern else None, a.retention_days)
        for a in sim.events.archives.values()
    }
    schedules = {}
    for schedule in sim.scheduler.schedules:
        description = {
            k: v for k, v in schedule.describe().items() if k not in ("CreationDate", "LastModificationDate")
        }
        description["Target"] = {k: v for k, v in description["Target"].items() if k != "RoleArn"}
        schedules[schedule.arn] = description
    out["schedules"] = schedules
    out["functions"] = {
        f.name: (
            f.handler_name,
            f.timeout,
            f.memory,
            f.reserved_concurrency,
            f.dead_letter_arn,
            f.event_invoke_config
            and (
                f.event_invoke_config.max_retries,
                f.event_invoke_config.max_event_age,
                f.event_invoke_config.on_success,
                f.event_invoke_config.on_failure,
            ),
        )
        for f in sim.lambda_.list_functions()
    }
    out["mappings"] = sorted(
        (
            m.queue_arn,
            m.function.name,
            m.batch_size,
            m.window,
            m.report_batch_item_failures,
            m.filters,
            m.enabled,
            m.max_concurrency,
        )
        for m in sim.lambda_.mappings.values()
    )
    return out


_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def schema_errors(schema: dict[str, Any], document: Any) -> list[str]:
    """The JSON Schema (2020-12) violations of ``document``, for the keywords the topology schema uses.

    A small checker so that the tests need no extra package: type, properties, additionalProperties,
    required, anyOf, oneOf, $ref to #/$defs, enum, minimum, maximum, pattern, items.
    """
    import re

    defs = schema.get("$defs", {})

    def check(node: dict[str, Any], value: Any, where: str) -> list[str]:
        if "$ref" in node:
            return check(defs[node["$ref"].rsplit("/", 1)[-1]], value, where)
        errors: list[str] = []
        kind = node.get("type")
        if kind is not None:
            expected = _TYPES[kind]
            if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
                return [f"{where}: expected {kind}"]
        if "enum" in node and value not in node["enum"]:
            errors.append(f"{where}: not one of {node['enum']}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in node and value < node["minimum"]:
                errors.append(f"{where}: below {node['minimum']}")
            if "maximum" in node and value > node["maximum"]:
                errors.append(f"{where}: above {node['maximum']}")
        if isinstance(value, str) and "pattern" in node and re.search(node["pattern"], value) is None:
            errors.append(f"{where}: does not match {node['pattern']}")
        if isinstance(value, dict):
            properties = node.get("properties", {})
            errors += [f"{where}: missing {key}" for key in node.get("required", []) if key not in value]
            for key, item in value.items():
                if key in properties:
                    errors += check(properties[key], item, f"{where}.{key}")
                elif node.get("additionalProperties") is False:
                    errors.append(f"{where}: unknown key {key}")
                elif isinstance(node.get("additionalProperties"), dict):
                    errors += check(node["additionalProperties"], item, f"{where}.{key}")
        if isinstance(value, list) and "items" in node:
            for index, item in enumerate(value):
                errors += check(node["items"], item, f"{where}[{index}]")
        if "anyOf" in node and all(check(option, value, where) for option in node["anyOf"]):
            errors.append(f"{where}: matches none of anyOf")
        if "oneOf" in node and sum(not check(option, value, where) for option in node["oneOf"]) != 1:
            errors.append(f"{where}: does not match exactly one of oneOf")
        return errors

    return check(schema, document, "$")
