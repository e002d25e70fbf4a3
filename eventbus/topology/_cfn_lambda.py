"""CloudFormation's Lambda types: functions whose Handler is Python code, event source mappings and
asynchronous-invocation settings (see :mod:`eventbus.topology._cfn_resources` for the other types).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._cfn_resources import Made, Resource
from ._errors import TopologyError

__all__ = ("LAMBDA_HANDLERS", "create_function", "import_handler")


_FUNCTION_SILENT = (
    "Role",
    "Architectures",
    "LoggingConfig",
    "TracingConfig",
    "RecursiveLoop",
    "RuntimeManagementConfig",
    "CodeSigningConfigArn",
    "KmsKeyArn",
    "EphemeralStorage",
    "PackageType",
    "PublishToLatestPublished",
    "CapacityProviderConfig",
    "DurableConfig",
    "FunctionScalingConfig",
    "TenancyConfig",
)
_FUNCTION_NOTED = {
    "Environment": "handlers run in this process and see its os.environ",
    "Layers": "layers are not installed; handlers import from the code directory and sys.path",
    "VpcConfig": "no networks",
    "FileSystemConfigs": "no file systems",
    "SnapStart": "no cold starts",
    "ImageConfig": "no container images",
}


def _python_runtime(r: Resource) -> bool:
    runtime = r.text("Runtime")
    if r.text("PackageType") == "Image" or (runtime is not None and not runtime.startswith("python")):
        what = "a container image" if r.text("PackageType") == "Image" else f"runtime {runtime}"
        r.builder.warnings.append(
            f"{r.label}: {what} cannot run in the simulation (only Python handlers); not simulated"
        )
        return False
    return True


def _function_placeholder(r: Resource, name: str) -> Made:
    arn = r.arn("lambda", f"function:{name}")
    return Made(ref=name, attrs={"Arn": arn}, arn=arn, simulated=False)


def create_function(r: Resource, name: str, handler: Callable[..., Any]) -> Made:
    """CreateFunction with the settings common to AWS::Lambda::Function and AWS::Serverless::Function."""
    dead_letter = r.mapping("DeadLetterConfig").get("TargetArn") if "DeadLetterConfig" in r.props else None
    function = r.builder.create_function(
        name,
        handler,
        timeout=r.integer("Timeout"),
        memory=r.integer("MemorySize"),
        reserved_concurrency=r.integer("ReservedConcurrentExecutions"),
        description=r.text("Description"),
        dead_letter=dead_letter,
        runtime=r.text("Runtime"),
        tags=r.tags(),
    )
    return Made(ref=function.name, attrs={"Arn": function.arn}, arn=function.arn)


def import_handler(r: Resource, spec: str, directory: Path, inline: str | None = None) -> Callable[..., Any]:
    """The Python callable a ``module.function`` Handler names, from ``directory`` or inline code."""
    try:
        if inline is not None:
            module_name, _, attribute = spec.rpartition(".")
            if not module_name:
                raise TopologyError(f"handler {spec!r} is not of the form module.function")
            module = r.builder.importer.inline(
                module_name, inline, f"{r.builder.file}#{r.logical_id}", owner=r.logical_id
            )
            handler = getattr(module, attribute, None)
            if not callable(handler):
                raise TopologyError(f"handler {spec!r}: the inline code defines no function '{attribute}'")
            return handler  # type: ignore[no-any-return]
        if not directory.is_dir():
            raise TopologyError(f"the code directory {directory} does not exist")
        return r.builder.importer.resolve(spec, directory, style="dot")
    except TopologyError as error:
        raise error.with_context(line=r.line_of("Handler"), resource=r.label) from None


def lambda_function(r: Resource) -> Made:
    """AWS::Lambda::Function (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html).

    ``Handler`` (``module.function``) is imported from ``Code`` when it is a local path (as
    ``aws cloudformation package`` takes it), from ``Code.ZipFile`` inline code, and otherwise
    (code in S3) from the template's directory.
    """
    r.check(
        (
            "FunctionName",
            "Handler",
            "Runtime",
            "Code",
            "Timeout",
            "MemorySize",
            "ReservedConcurrentExecutions",
            "DeadLetterConfig",
            "Description",
            "Tags",
        ),
        _FUNCTION_NOTED,
        _FUNCTION_SILENT,
    )
    name = r.name("FunctionName", 64)
    if not _python_runtime(r):
        return _function_placeholder(r, name)
    spec = r.text("Handler", required=True)
    assert spec is not None
    code = r.props.get("Code")
    inline = None
    directory = r.base_dir
    if isinstance(code, str):
        directory = r.base_dir / code
    elif isinstance(code, Mapping) and "ZipFile" in code:
        inline = str(code["ZipFile"])
    elif isinstance(code, Mapping) and "ImageUri" in code:
        r.builder.warnings.append(f"{r.label}: a container image cannot run in the simulation; not simulated")
        return _function_placeholder(r, name)
    elif code is not None:
        r.builder.notes.append(
            f"{r.label}: Code in S3 is not fetched; the handler is imported from {r.base_dir}"
        )
    return create_function(r, name, import_handler(r, spec, directory, inline))


def event_source_mapping(r: Resource) -> Made:
    """AWS::Lambda::EventSourceMapping, SQS sources
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html)."""
    handled = (
        "EventSourceArn",
        "FunctionName",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "Enabled",
        "FunctionResponseTypes",
        "ScalingConfig",
        "FilterCriteria",
        "Tags",
        "MetricsConfig",
        "KmsKeyArn",
        "LoggingConfig",
    )
    other_sources = (
        "AmazonManagedKafkaEventSourceConfig",
        "BisectBatchOnFunctionError",
        "DestinationConfig",
        "DocumentDBEventSourceConfig",
        "MaximumRecordAgeInSeconds",
        "MaximumRetryAttempts",
        "ParallelizationFactor",
        "ProvisionedPollerConfig",
        "Queues",
        "SelfManagedEventSource",
        "SelfManagedKafkaEventSourceConfig",
        "SourceAccessConfigurations",
        "StartingPosition",
        "StartingPositionTimestamp",
        "Topics",
        "TumblingWindowInSeconds",
    )
    r.check(handled, silent=other_sources)
    source = r.text("EventSourceArn")
    if source is None or ":sqs:" not in source:
        r.builder.warnings.append(
            f"{r.label}: only SQS event sources are simulated, not {source or 'this source'}; not simulated"
        )
        return Made(ref=r.logical_id, simulated=False, guess=lambda attribute: f"{r.logical_id}.{attribute}")
    function = r.text("FunctionName", required=True)
    assert function is not None
    filters = [
        item.get("Pattern")
        for item in r.mapping("FilterCriteria").get("Filters", [])
        if isinstance(item, Mapping)
    ]
    scaling = r.mapping("ScalingConfig")
    mapping = r.builder.create_event_source_mapping(
        source,
        function,
        batch_size=r.integer("BatchSize"),
        batching_window=r.integer("MaximumBatchingWindowInSeconds"),
        max_concurrency=r.integer(
            "ScalingConfig", scaling.get("MaximumConcurrency"), where="ScalingConfig.MaximumConcurrency"
        ),
        report_batch_item_failures="ReportBatchItemFailures" in r.items("FunctionResponseTypes"),
        filters=filters or None,
        enabled=r.flag("Enabled") is not False,
    )
    return Made(
        ref=mapping.uuid, attrs={"Id": mapping.uuid, "EventSourceMappingArn": mapping.arn}, arn=mapping.arn
    )


def event_invoke_config(r: Resource) -> Made:
    """AWS::Lambda::EventInvokeConfig (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html)."""
    r.check(
        ("FunctionName", "Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
    )
    function = r.text("FunctionName", required=True)
    qualifier = r.text("Qualifier", required=True)
    assert function is not None
    if qualifier != "$LATEST":
        r.builder.warnings.append(
            f"{r.label}: versions and aliases are not simulated; the settings apply to $LATEST"
        )
    destinations = r.mapping("DestinationConfig")

    def destination(key: str) -> str | None:
        part = destinations.get(key)
        return str(part["Destination"]) if isinstance(part, Mapping) and part.get("Destination") else None

    r.builder.put_invoke_config(
        function,
        max_retries=r.integer("MaximumRetryAttempts"),
        max_event_age=r.integer("MaximumEventAgeInSeconds"),
        on_success=destination("OnSuccess"),
        on_failure=destination("OnFailure"),
    )
    return Made(ref=f"{function}|{qualifier}", arn=r.sim.lambda_.get_function(function).arn + f":{qualifier}")


#: Type -> handler.
LAMBDA_HANDLERS: dict[str, Callable[[Resource], Made]] = {
    "AWS::Lambda::Function": lambda_function,
    "AWS::Lambda::EventSourceMapping": event_source_mapping,
    "AWS::Lambda::EventInvokeConfig": event_invoke_config,
}
