"""The exporter's shared state and helpers, and the functions part of an export.

Functions are written as ``AWS::Serverless::Function`` (``Handler`` the callable's ``module.function``,
``CodeUri`` the directory that module imports from, relative to where the template is written;
inline code as ``InlineCode``) with their ``EventInvokeConfig`` and ``DeadLetterQueue``, and SQS event
source mappings as ``AWS::Lambda::EventSourceMapping``
(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html).
A plain Python callable used as a target becomes a function too (with a warning: AWS calls a handler
with ``(event, context)``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from .._simulation import Simulation
from ._handlers import INLINE_SOURCE

__all__ = ("ExportBase", "camel", "load_json")

_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def camel(name: str) -> str:
    """A logical id part from a resource name: ``orders-dlq`` -> ``OrdersDlq``."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    text = "".join(part[:1].upper() + part[1:] for part in parts) or "Resource"
    return text if text[0].isalpha() else f"R{text}"


def load_json(text: str | None) -> Any:
    """JSON text as data (or the text itself when it is not JSON)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class ExportBase:
    """What an export keeps while it runs: resources written, logical ids, who sends to whom."""

    def __init__(self, sim: Simulation, include: set[str] | None, base_dir: Path) -> None:
        self.sim = sim
        self.include = include
        self.base_dir = base_dir
        self.resources: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []
        self.by_arn: dict[str, tuple[str, str]] = {}  # ARN -> (logical id, kind)
        self.used: set[str] = set()
        self.serverless = False
        self.functions: dict[str, str] = {}  # function ARN -> logical id
        self.queue_senders: dict[str, list[tuple[str, Any]]] = {}  # queue logical id -> (service, source)
        self.topic_senders: dict[str, list[tuple[str, Any]]] = {}
        self.invokers: list[tuple[str, str, Any]] = []  # (function id, principal, source)
        self.scheduler_targets: list[Any] = []
        self.pollers: dict[str, list[str]] = {}  # function id -> queue ids

    # ------------------------------------------------------------ helpers
    def wanted(self, arn: str) -> bool:
        return self.include is None or arn in self.include

    def logical(self, name: str, suffix: str) -> str:
        base = (camel(name) + suffix)[:240]
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}{n}"
        self.used.add(candidate)
        return candidate

    def objects(self, kind: type) -> list[Any]:
        registry = self.sim.registry
        return [obj for arn in registry if isinstance(obj := registry.get(arn), kind)]

    def arn_ref(self, arn: str | None) -> Any:
        """An exported resource's ARN as Fn::GetAtt (Ref for a topic); other ARNs unchanged."""
        if arn is None:
            return None
        found = self.by_arn.get(arn)
        if found is None:
            return arn
        logical_id, kind = found
        return {"Ref": logical_id} if kind == "topic" else {"Fn::GetAtt": [logical_id, "Arn"]}

    def account_arn(self, service: str, resource: str) -> dict[str, str]:
        """An ARN in the deploying account and region (for resources every account has)."""
        return {
            "Fn::Sub": f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
        }

    def sender(self, target_arn: str, service: str, source: Any) -> None:
        """Remember that ``service`` sends to ``target_arn`` from ``source``, for policies and permissions."""
        found = self.by_arn.get(target_arn)
        if found is None:
            logical = self.functions.get(target_arn)
            if logical is not None:
                self.invokers.append((logical, f"{service}.amazonaws.com", source))
            return
        logical_id, kind = found
        if kind == "function":
            self.invokers.append((logical_id, f"{service}.amazonaws.com", source))
        elif kind == "queue":
            self.queue_senders.setdefault(logical_id, []).append((service, source))
        elif kind == "topic":
            self.topic_senders.setdefault(logical_id, []).append((service, source))

    # ---------------------------------------------------------- functions
    def functions_first(self) -> None:
        """Name every function (and callable target) before anything refers to it."""
        prefix = self.sim.arn("lambda", "function:")
        if any(arn.startswith(prefix) for arn in self.sim.registry):
            for function in self.sim.lambda_.list_functions():
                if self.wanted(function.arn):
                    logical_id = self.logical(function.name, "Function")
                    self.functions[function.arn] = logical_id
                    self.by_arn[function.arn] = (logical_id, "function")

    def callable_function(self, arn: str) -> Any:
        """A plain Python callable used as a target, exported as a function."""
        if arn in self.by_arn:
            return self.arn_ref(arn)
        endpoint = self.sim.registry.get(arn)
        function = getattr(endpoint, "function", None)
        name = arn.rsplit(":", 1)[-1]
        logical_id = self.logical(name, "Function")
        self.functions[arn] = logical_id
        self.by_arn[arn] = (logical_id, "function")
        handler = self.handler_spec(function, f"callable {name}")
        self.warnings.append(
            f"callable {name}: a plain Python callable target is exported as a Lambda function; "
            "AWS calls its handler with (event, context)"
        )
        props: dict[str, Any] = {
            "FunctionName": re.sub(r"[^A-Za-z0-9_-]+", "-", name)[:64],
            "Runtime": _RUNTIME,
            **handler,
        }
        self.resources[logical_id] = {"Type": "AWS::Serverless::Function", "Properties": props}
        self.serverless = True
        return self.arn_ref(arn)

    def handler_spec(self, handler: Any, what: str) -> dict[str, Any]:
        """``Handler`` and ``CodeUri`` for a Python callable (``module.function`` importable from CodeUri)."""
        module_name = getattr(handler, "__module__", None)
        qualname = getattr(handler, "__qualname__", None)
        if isinstance(handler, str):
            return {"Handler": handler, "CodeUri": "."}
        inline = getattr(handler, "__globals__", {}).get(INLINE_SOURCE)
        if isinstance(inline, str) and module_name and qualname:
            return {"Handler": f"{module_name}.{qualname}", "InlineCode": inline}
        if not module_name or not qualname or "<" in qualname or "." in qualname:
            self.warnings.append(
                f"{what}: its handler {qualname or handler!r} is not a module-level function, so Handler cannot import it"
            )
            cleaned = re.sub(
                r"[^A-Za-z0-9_.]+",
                "",
                f"{module_name or 'handler'}.{(qualname or 'handler').rsplit('.', 1)[-1]}",
            )
            return {"Handler": cleaned, "CodeUri": "."}
        module = sys.modules.get(module_name)
        file = getattr(module, "__file__", None) or getattr(
            getattr(handler, "__code__", None), "co_filename", None
        )
        code_uri = "."
        if file:
            root = Path(file).resolve().parent
            for _ in range(module_name.count(".")):
                root = root.parent
            if Path(file).name == "__init__.py":
                root = root.parent
            code_uri = Path(os.path.relpath(root, self.base_dir.resolve())).as_posix()
        return {"Handler": f"{module_name}.{qualname}", "CodeUri": code_uri}

    def functions_out(self) -> None:
        if not self.functions:
            return
        for function in self.sim.lambda_.list_functions():
            logical_id = self.functions.get(function.arn)
            if logical_id is None:
                continue
            self.serverless = True
            props: dict[str, Any] = {"FunctionName": function.name, "Runtime": function.runtime}
            props.update(self.handler_spec(function.handler, f"function {function.name}"))
            props["Timeout"] = function.timeout
            if function.memory != 128:
                props["MemorySize"] = function.memory
            if function.reserved_concurrency is not None:
                props["ReservedConcurrentExecutions"] = function.reserved_concurrency
            if function.description:
                props["Description"] = function.description
            if function.dead_letter_arn:
                kind = "SNS" if ":sns:" in function.dead_letter_arn else "SQS"
                props["DeadLetterQueue"] = {"Type": kind, "TargetArn": self.arn_ref(function.dead_letter_arn)}
            config = function.event_invoke_config
            if config is not None:
                invoke: dict[str, Any] = {}
                if config.max_retries is not None:
                    invoke["MaximumRetryAttempts"] = config.max_retries
                if config.max_event_age is not None:
                    invoke["MaximumEventAgeInSeconds"] = config.max_event_age
                destinations: dict[str, Any] = {}
                for key, arn in (("OnSuccess", config.on_success), ("OnFailure", config.on_failure)):
                    if arn:
                        kind = {"sqs": "SQS", "sns": "SNS", "lambda": "Lambda", "events": "EventBridge"}.get(
                            arn.split(":")[2], "SQS"
                        )
                        destinations[key] = {"Type": kind, "Destination": self.arn_ref(arn)}
                if destinations:
                    invoke["DestinationConfig"] = destinations
                if invoke:
                    props["EventInvokeConfig"] = invoke
            if function.tags:
                props["Tags"] = dict(sorted(function.tags.items()))
            self.resources[logical_id] = {"Type": "AWS::Serverless::Function", "Properties": props}

    def mappings(self) -> None:
        if not self.functions:
            return
        for mapping in self.sim.lambda_.mappings.values():
            function_id = self.functions.get(mapping.function.arn)
            if function_id is None:
                continue
            queue = self.by_arn.get(mapping.queue_arn)
            logical_id = self.logical(
                f"{mapping.function.name}-{mapping.queue_arn.rsplit(':', 1)[-1]}", "Mapping"
            )
            props: dict[str, Any] = {
                "EventSourceArn": self.arn_ref(mapping.queue_arn),
                "FunctionName": {"Ref": function_id},
                "BatchSize": mapping.batch_size,
            }
            if mapping.window:
                props["MaximumBatchingWindowInSeconds"] = mapping.window
            if mapping.report_batch_item_failures:
                props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if mapping.max_concurrency is not None:
                props["ScalingConfig"] = {"MaximumConcurrency": mapping.max_concurrency}
            if mapping.filters:
                props["FilterCriteria"] = {"Filters": [{"Pattern": text} for text in mapping.filters]}
            if not mapping.enabled:
                props["Enabled"] = False
            self.resources[logical_id] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": props}
            if queue is not None:
                self.pollers.setdefault(function_id, []).append(queue[0])
