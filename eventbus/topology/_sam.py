"""The AWS SAM transform, for what the simulation models: functions and their event sources.

``Transform: AWS::Serverless-2016-10-31`` templates are expanded as SAM expands them before
CloudFormation sees them ("AWS SAM template anatomy",
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy.html;
"Generated CloudFormation resources",
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html):

* ``Globals.Function`` is merged into every ``AWS::Serverless::Function`` (the function's own
  properties win; mappings such as ``Environment`` are merged key by key);
* each function keeps its logical id; without a ``Role``, SAM's ``<Function>Role`` is generated (an
  IAM role: accepted, no effect), so ``!GetAtt <Function>Role.Arn`` resolves;
* ``EventInvokeConfig`` becomes ``<Function>EventInvokeConfig`` (AWS::Lambda::EventInvokeConfig) and
  ``DeadLetterQueue`` the function's ``DeadLetterConfig``;
* each event becomes the resources SAM generates, named ``<Function><EventId>``:

  - ``SQS``: an AWS::Lambda::EventSourceMapping;
  - ``SNS``: an AWS::SNS::Subscription (protocol ``lambda``); with ``SqsSubscription``, a queue
    ``<Function><EventId>Queue`` (unless ``QueueArn`` is given), a subscription of it, and an event
    source mapping ``<Function><EventId>EventSourceMapping``;
  - ``EventBridgeRule`` (and the older ``CloudWatchEvent``): an AWS::Events::Rule whose target is the
    function (``Id`` ``<Function><EventId>LambdaTarget`` unless ``Target.Id`` is given), with
    ``Input``, ``InputPath``, ``InputTransformer``, ``RetryPolicy`` and ``DeadLetterConfig`` (an
    ``Arn``, or ``Type: SQS``, which generates the queue ``<Function><EventId>Queue``);
  - ``Schedule``: an AWS::Events::Rule with the ``ScheduleExpression``;
  - ``ScheduleV2``: an AWS::Scheduler::Schedule named ``<Function><EventId>`` (unless ``Name`` or
    ``OmitName``) with the role ``<Function><EventId>Role``;
  - every other event type (``Api``, ``S3``, ``DynamoDB`` ...) is listed in the warnings.

Lambda permissions and queue policies SAM also generates are left out: they would have no effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._build import Builder
from ._cfn_lambda import create_function, import_handler
from ._cfn_resources import Made, Resource
from ._errors import TopologyError
from ._yaml import Marked

__all__ = ("expand", "serverless_function")

_FUNCTION = "AWS::Serverless::Function"
#: AWS::Serverless::Function properties that decide what the simulation runs.
_HANDLED = (
    "Handler",
    "Runtime",
    "CodeUri",
    "InlineCode",
    "FunctionName",
    "Description",
    "MemorySize",
    "Timeout",
    "ReservedConcurrentExecutions",
    "DeadLetterConfig",
    "Tags",
)
_NOTED = {
    "Environment": "handlers run in this process and see its os.environ",
    "Layers": "layers are not installed; handlers import from CodeUri and sys.path",
    "VpcConfig": "no networks",
    "FileSystemConfigs": "no file systems",
    "ProvisionedConcurrencyConfig": "no cold starts",
    "SnapStart": "no cold starts",
    "DeploymentPreference": "no deployments",
    "FunctionUrlConfig": "no HTTP endpoints",
}
_SILENT = (
    "Role",
    "Policies",
    "PermissionsBoundary",
    "AssumeRolePolicyDocument",
    "RolePath",
    "Tracing",
    "KmsKeyArn",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "AutoPublishCodeSha256",
    "VersionDescription",
    "VersionDeletionPolicy",
    "Architectures",
    "EphemeralStorage",
    "ImageConfig",
    "ImageUri",
    "PackageType",
    "CodeSigningConfigArn",
    "LoggingConfig",
    "RecursiveLoop",
    "RuntimeManagementConfig",
    "SourceKMSKeyArn",
    "PropagateTags",
    "CapacityProviderConfig",
    "FunctionScalingConfig",
    "DurableConfig",
    "TenancyConfig",
    "PublishToLatestPublished",
)


def serverless_function(r: Resource) -> Made:
    """AWS::Serverless::Function, its code imported from ``CodeUri`` (a directory) or ``InlineCode``
    (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html)."""
    r.check(_HANDLED, _NOTED, _SILENT)
    name = r.name("FunctionName", 64)
    runtime = r.text("Runtime")
    if (
        r.text("PackageType") == "Image"
        or r.props.get("ImageUri") is not None
        or (runtime is not None and not runtime.startswith("python"))
    ):
        what = f"runtime {runtime}" if runtime and not runtime.startswith("python") else "a container image"
        r.builder.warnings.append(
            f"{r.label}: {what} cannot run in the simulation (only Python handlers); not simulated"
        )
        arn = r.arn("lambda", f"function:{name}")
        return Made(ref=name, attrs={"Arn": arn}, arn=arn, simulated=False)
    spec = r.text("Handler", required=True)
    assert spec is not None
    code = r.props.get("CodeUri")
    inline = r.text("InlineCode")
    directory = r.base_dir
    if isinstance(code, str) and not code.startswith("s3://"):
        directory = (r.base_dir / code) if not Path(code).is_absolute() else Path(code)
    elif code is not None:
        r.builder.notes.append(
            f"{r.label}: CodeUri in S3 is not fetched; the handler is imported from {r.base_dir}"
        )
    return create_function(r, name, import_handler(r, spec, directory, inline))


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = Marked(base, line=getattr(override, "line", None))
        if isinstance(base, Marked):
            out.key_lines.update(base.key_lines)
        for key, value in override.items():
            out[key] = _merge(base.get(key), value) if key in base else value
            if isinstance(override, Marked) and key in override.key_lines:
                out.key_lines[key] = override.key_lines[key]
        return out
    return override


def _node(value: Mapping[str, Any], line: int | None) -> Marked:
    out = Marked(value, line=line)
    for key in value:
        out.key_lines[key] = line or 0
    return out


class _Expansion:
    def __init__(self, template: Mapping[str, Any], builder: Builder) -> None:
        self.template = template
        self.b = builder
        self.out = Marked(line=getattr(template.get("Resources"), "line", None))
        self.original: Mapping[str, Any] = template["Resources"]

    def add(
        self,
        logical_id: str,
        kind: str,
        properties: Mapping[str, Any],
        line: int | None,
        condition: Any = None,
    ) -> None:
        if logical_id in self.original or logical_id in self.out:
            raise self.b.error(
                f"SAM would generate a resource {logical_id} ({kind}), but the template already has one of that name",
                line=line,
                resource=logical_id,
            )
        definition: dict[str, Any] = {"Type": kind, "Properties": _node(properties, line)}
        if condition is not None:
            definition["Condition"] = condition
        self.out[logical_id] = _node(definition, line)
        self.out.key_lines[logical_id] = line or 0

    def run(self) -> Marked:
        globals_ = self.template.get("Globals") or {}
        if not isinstance(globals_, Mapping):
            raise self.b.error("Globals must be a mapping")
        for section in globals_:
            if section != "Function":
                self.b.notes.append(f"Globals.{section}: not simulated")
        function_globals = globals_.get("Function") or {}
        for logical_id, definition in self.original.items():
            if isinstance(definition, Mapping) and definition.get("Type") == _FUNCTION:
                self.function(logical_id, definition, function_globals)
            else:
                self.out[logical_id] = definition
                self.out.key_lines[logical_id] = (
                    self.original.line_for(logical_id) if isinstance(self.original, Marked) else None
                ) or 0
        return self.out

    def function(
        self, logical_id: str, definition: Mapping[str, Any], function_globals: Mapping[str, Any]
    ) -> None:
        line = self.original.line_for(logical_id) if isinstance(self.original, Marked) else None
        properties = _merge(function_globals, definition.get("Properties") or Marked())
        events = properties.pop("Events", None) or {}
        invoke_config = properties.pop("EventInvokeConfig", None)
        dead_letter = properties.pop("DeadLetterQueue", None)
        if isinstance(dead_letter, Mapping) and "TargetArn" in dead_letter:
            properties["DeadLetterConfig"] = {"TargetArn": dead_letter["TargetArn"]}
        condition = definition.get("Condition")
        rewritten = Marked(
            {key: value for key, value in definition.items() if key != "Properties"}, line=line
        )
        if isinstance(definition, Marked):
            rewritten.key_lines.update(definition.key_lines)
        rewritten["Properties"] = properties
        self.out[logical_id] = rewritten
        self.out.key_lines[logical_id] = line or 0
        if "Role" not in properties:
            self.add(f"{logical_id}Role", "AWS::IAM::Role", {}, line, condition)
        if isinstance(invoke_config, Mapping):
            self.invoke_config(logical_id, invoke_config, line, condition)
        if not isinstance(events, Mapping):
            raise self.b.error(
                "Events must be a mapping of event ids to events",
                line=line,
                resource=f"{logical_id} ({_FUNCTION})",
            )
        for event_id, event in events.items():
            event_line = events.line_for(event_id) if isinstance(events, Marked) else line
            if not isinstance(event, Mapping) or not isinstance(event.get("Type"), str):
                raise self.b.error(
                    "an event needs a Type", line=event_line, resource=f"{logical_id}.Events.{event_id}"
                )
            self.event(
                logical_id, str(event_id), event["Type"], event.get("Properties") or {}, event_line, condition
            )

    def invoke_config(
        self, function: str, config: Mapping[str, Any], line: int | None, condition: Any
    ) -> None:
        properties: dict[str, Any] = {"FunctionName": {"Ref": function}, "Qualifier": "$LATEST"}
        for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if key in config:
                properties[key] = config[key]
        destinations = config.get("DestinationConfig") or {}
        out: dict[str, Any] = {}
        for key in ("OnSuccess", "OnFailure"):
            part = destinations.get(key) if isinstance(destinations, Mapping) else None
            if isinstance(part, Mapping):
                if "Destination" not in part:
                    raise self.b.error(
                        f"EventInvokeConfig.DestinationConfig.{key}: give its Destination ARN (SAM's generated destinations are not simulated)",
                        line=line,
                        resource=f"{function} ({_FUNCTION})",
                    )
                out[key] = {"Destination": part["Destination"]}
        if out:
            properties["DestinationConfig"] = out
        self.add(
            f"{function}EventInvokeConfig", "AWS::Lambda::EventInvokeConfig", properties, line, condition
        )

    def event(
        self,
        function: str,
        event_id: str,
        kind: str,
        props: Mapping[str, Any],
        line: int | None,
        condition: Any,
    ) -> None:
        name = f"{function}{event_id}"
        arn = {"Fn::GetAtt": [function, "Arn"]}
        label = f"{function}.Events.{event_id}"

        def need(key: str) -> Any:
            if key not in props:
                raise self.b.error(f"a {kind} event needs {key}", line=line, resource=label)
            return props[key]

        def copy(keys: tuple[str, ...], renames: Mapping[str, str] | None = None) -> dict[str, Any]:
            renames = renames or {}
            return {renames.get(key, key): props[key] for key in keys if key in props}

        if kind == "SQS":
            mapping = {"EventSourceArn": need("Queue"), "FunctionName": {"Ref": function}}
            mapping.update(
                copy(
                    (
                        "BatchSize",
                        "Enabled",
                        "FilterCriteria",
                        "FunctionResponseTypes",
                        "MaximumBatchingWindowInSeconds",
                        "ScalingConfig",
                        "KmsKeyArn",
                        "MetricsConfig",
                    )
                )
            )
            self.add(name, "AWS::Lambda::EventSourceMapping", mapping, line, condition)
        elif kind == "SNS":
            topic = need("Topic")
            options = copy(("FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "Region"))
            sqs = props.get("SqsSubscription")
            if sqs is True or isinstance(sqs, Mapping):
                settings = sqs if isinstance(sqs, Mapping) else {}
                queue_arn: Any = settings.get("QueueArn")
                if queue_arn is None:
                    self.add(f"{name}Queue", "AWS::SQS::Queue", {}, line, condition)
                    queue_arn = {"Fn::GetAtt": [f"{name}Queue", "Arn"]}
                self.add(
                    name,
                    "AWS::SNS::Subscription",
                    {"Protocol": "sqs", "Endpoint": queue_arn, "TopicArn": topic, **options},
                    line,
                    condition,
                )
                mapping = {
                    "EventSourceArn": queue_arn,
                    "FunctionName": {"Ref": function},
                    "BatchSize": settings.get("BatchSize", 10),
                }
                if "Enabled" in settings:
                    mapping["Enabled"] = settings["Enabled"]
                self.add(
                    f"{name}EventSourceMapping", "AWS::Lambda::EventSourceMapping", mapping, line, condition
                )
            else:
                self.add(
                    name,
                    "AWS::SNS::Subscription",
                    {"Protocol": "lambda", "Endpoint": arn, "TopicArn": topic, **options},
                    line,
                    condition,
                )
        elif kind in ("EventBridgeRule", "CloudWatchEvent"):
            target: dict[str, Any] = {
                "Id": (props.get("Target") or {}).get("Id", f"{name}LambdaTarget"),
                "Arn": arn,
            }
            target.update(copy(("Input", "InputPath", "InputTransformer", "RetryPolicy")))
            self.dead_letter(name, props, target, line, condition, label)
            rule = {"EventPattern": need("Pattern"), "Targets": [target]}
            rule.update(copy(("EventBusName", "State", "RuleName"), {"RuleName": "Name"}))
            self.add(name, "AWS::Events::Rule", rule, line, condition)
        elif kind == "Schedule":
            target = {"Id": f"{name}LambdaTarget", "Arn": arn}
            target.update(copy(("Input", "RetryPolicy")))
            self.dead_letter(name, props, target, line, condition, label)
            rule = {"ScheduleExpression": need("Schedule"), "Targets": [target]}
            rule.update(copy(("Name", "Description", "State")))
            if "State" not in rule and "Enabled" in props:
                rule["State"] = "ENABLED" if props["Enabled"] in (True, "true", "True") else "DISABLED"
            self.add(name, "AWS::Events::Rule", rule, line, condition)
        elif kind == "ScheduleV2":
            schedule_target: dict[str, Any] = {"Arn": arn}
            if "RoleArn" in props:
                schedule_target["RoleArn"] = props["RoleArn"]
            else:
                self.add(f"{name}Role", "AWS::IAM::Role", {}, line, condition)
                schedule_target["RoleArn"] = {"Fn::GetAtt": [f"{name}Role", "Arn"]}
            schedule_target.update(copy(("Input", "RetryPolicy")))
            self.dead_letter(name, props, schedule_target, line, condition, label)
            schedule: dict[str, Any] = {
                "ScheduleExpression": need("ScheduleExpression"),
                "FlexibleTimeWindow": props.get("FlexibleTimeWindow", {"Mode": "OFF"}),
                "Target": schedule_target,
            }
            if "Name" in props:
                schedule["Name"] = props["Name"]
            elif props.get("OmitName") not in (True, "true"):
                schedule["Name"] = name
            schedule.update(
                copy(
                    (
                        "ScheduleExpressionTimezone",
                        "GroupName",
                        "State",
                        "Description",
                        "StartDate",
                        "EndDate",
                        "KmsKeyArn",
                    )
                )
            )
            self.add(name, "AWS::Scheduler::Schedule", schedule, line, condition)
        else:
            self.b.warnings.append(f"{label} ({kind}): event type not simulated")

    def dead_letter(
        self,
        name: str,
        props: Mapping[str, Any],
        target: dict[str, Any],
        line: int | None,
        condition: Any,
        label: str,
    ) -> None:
        config = props.get("DeadLetterConfig")
        if config is None:
            return
        if not isinstance(config, Mapping):
            raise self.b.error("DeadLetterConfig must be a mapping", line=line, resource=label)
        if "Arn" in config:
            target["DeadLetterConfig"] = {"Arn": config["Arn"]}
        elif config.get("Type") == "SQS":
            queue = str(config.get("QueueLogicalId") or f"{name}Queue")
            self.add(queue, "AWS::SQS::Queue", {}, line, condition)
            target["DeadLetterConfig"] = {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
        else:
            raise self.b.error("DeadLetterConfig needs an Arn or Type: SQS", line=line, resource=label)


def expand(template: Mapping[str, Any], builder: Builder) -> Marked:
    """The template's Resources with SAM's functions and events expanded (see the module docstring).

    Raises:
        TopologyError: an event without its required property, or a generated logical id that the
            template already uses.
    """
    try:
        return _Expansion(template, builder).run()
    except TopologyError:
        raise
    except (AttributeError, TypeError) as error:  # a malformed SAM section
        raise builder.error(f"malformed SAM function or event: {error}") from None
