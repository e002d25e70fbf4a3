"""AWS Lambda's API by its operation names, for the boto3 facade (internal).

``sim.lambda_.api.call(operation, params)``: parameters and results are the input and output shapes
of botocore's ``lambda`` service model (API version 2015-03-31), as a botocore client passes and
receives them (``Payload`` as bytes, timestamps as aware datetimes). Errors are
:class:`eventbus.errors.ServiceError` subclasses with Lambda's codes and statuses.

Functions are the ones registered natively (``sim.lambda_.function(...)``). CreateFunction is
accepted for Python runtimes: the code archive is not run; the ``Handler`` (``module.function``) is
imported from ``sys.path`` when the function is first invoked, and fails then as the Python runtime
fails (``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``). Other runtimes and container
images are refused, since the simulation cannot run them.
https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._lambda_errors import (
    InvalidParameterValueError,
    LambdaResourceNotFoundError,
    violation,
)
from ._lambda_esm import EventSourceMapping
from ._lambda_function import EventInvokeConfig, Function

if TYPE_CHECKING:
    from ._lambda_service import LambdaService

__all__ = ("OPERATIONS", "LambdaApi")

Params = Mapping[str, Any]
Result = dict[str, Any]


class LambdaApi:
    """Lambda's operations by name over a simulation's :class:`LambdaService`."""

    def __init__(self, service: LambdaService) -> None:
        self.service = service
        self.sim = service.sim
        self._operations: dict[str, Callable[[Params], Result]] = {
            name: getattr(self, "_" + "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_"))
            for name in OPERATIONS
        }

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``operation`` with botocore-shaped ``params``; return the botocore-shaped result.

        Raises:
            ServiceError: the AWS error Lambda would return.
            InvalidParameterValueError: an operation the simulation does not serve.
        """
        handler = self._operations.get(operation)
        if handler is None:
            raise InvalidParameterValueError(f"eventbus does not simulate the Lambda operation {operation}")
        return handler(params)

    # ------------------------------------------------------------ helpers
    def _datetime(self, at: float) -> datetime:
        return self.sim.start + timedelta(seconds=at)

    def _lambda_date(self, at: float) -> str:
        """Lambda's ``LastModified`` text: ``2019-10-25T15:06:04.580+0000``."""
        instant = self._datetime(at)
        return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}+0000"

    def _function(self, params: Params, *, qualified: bool = True) -> Function:
        name = params.get("FunctionName")
        if not name:
            raise violation(None, "functionName", "Member must not be null")
        qualifier = params.get("Qualifier")
        function = self.service.get_function(name)
        if qualified and qualifier not in (None, "$LATEST"):
            from ._lambda_errors import function_not_found

            raise function_not_found(f"{function.arn}:{qualifier}")
        return function

    def _configuration(self, function: Function) -> Result:
        out: Result = {
            "FunctionName": function.name,
            "FunctionArn": function.arn,
            "Runtime": function.runtime,
            "Role": f"arn:aws:iam::{self.sim.account_id}:role/service-role/{function.name}-role",
            "Handler": function.handler_name,
            "CodeSize": 0,
            "Description": function.description,
            "Timeout": function.timeout,
            "MemorySize": function.memory,
            "LastModified": self._lambda_date(function.last_modified_at),
            "CodeSha256": function.code_sha256,
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": function.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.name}"},
        }
        if function.dead_letter_arn:
            out["DeadLetterConfig"] = {"TargetArn": function.dead_letter_arn}
        return out

    # ----------------------------------------------------------- invoking
    def _invoke(self, params: Params) -> Result:
        function = self._function(params)
        kind = params.get("InvocationType") or "RequestResponse"
        if kind not in ("RequestResponse", "Event", "DryRun"):
            raise violation(kind, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
        payload = params.get("Payload", b"")
        if kind == "DryRun":
            function.dry_run()
            return {"StatusCode": 204, "Payload": b""}
        if kind == "Event":
            function.invoke_event(payload or b"{}")
            return {"StatusCode": 202, "Payload": b""}
        invocation = function.invoke(payload or b"{}")
        out: Result = {"StatusCode": 200, "Payload": invocation.payload_bytes(), "ExecutedVersion": "$LATEST"}
        if invocation.function_error:
            out["FunctionError"] = invocation.function_error
        if params.get("LogType") == "Tail":
            text = "\n".join(invocation.log) + "\n"
            out["LogResult"] = base64.b64encode(text.encode("utf-8")[-4096:]).decode("ascii")
        return out

    def _invoke_async(self, params: Params) -> Result:
        """InvokeAsync (deprecated): an Event invocation answered with ``Status`` 202."""
        function = self._function(params)
        function.invoke_event(params.get("InvokeArgs") or b"{}")
        return {"Status": 202}

    # ---------------------------------------------------------- functions
    def _get_function(self, params: Params) -> Result:
        function = self._function(params)
        out: Result = {
            "Configuration": self._configuration(function),
            "Code": {
                "RepositoryType": "S3",
                "Location": f"https://awslambda-{self.sim.region}-tasks.s3.{self.sim.region}.amazonaws.com/snapshots/"
                f"{self.sim.account_id}/{function.name}",
            },
        }
        if function.tags:
            out["Tags"] = dict(function.tags)
        if function.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
        return out

    def _get_function_configuration(self, params: Params) -> Result:
        return self._configuration(self._function(params))

    def _list_functions(self, params: Params) -> Result:
        items = [self._configuration(f) for f in self.service.list_functions()]
        return _page(items, params, "Functions", key="FunctionName")

    def _create_function(self, params: Params) -> Result:
        runtime = params.get("Runtime") or "python3.12"
        if params.get("PackageType") == "Image" or not str(runtime).startswith("python"):
            raise InvalidParameterValueError(
                f"eventbus runs Python handlers only: runtime {runtime!r} (package type "
                f"{params.get('PackageType', 'Zip')}) cannot be simulated; register a Python callable with "
                "sim.lambda_.function(name, handler) instead"
            )
        handler = params.get("Handler")
        if not handler:
            raise InvalidParameterValueError("Handler is required for Zip package type.")  # (unverified wording)
        dead_letter = (params.get("DeadLetterConfig") or {}).get("TargetArn")
        function = self.service.function(
            params["FunctionName"],
            str(handler),
            timeout=params.get("Timeout", 3),
            memory=params.get("MemorySize", 128),
            description=params.get("Description", ""),
            dead_letter=dead_letter,
            runtime=str(runtime),
            tags=params.get("Tags"),
        )
        return self._configuration(function)

    def _delete_function(self, params: Params) -> Result:
        if params.get("Qualifier") == "$LATEST":
            raise InvalidParameterValueError("$LATEST version cannot be deleted without deleting the function.")
        self.service.delete_function(self._function(params, qualified=False))
        return {"StatusCode": 204}

    def _update_function_configuration(self, params: Params) -> Result:
        function = self._function(params, qualified=False)
        settings: dict[str, Any] = {}
        if "Timeout" in params:
            settings["timeout"] = params["Timeout"]
        if "MemorySize" in params:
            settings["memory"] = params["MemorySize"]
        if "Description" in params:
            settings["description"] = params["Description"]
        if "DeadLetterConfig" in params:
            settings["dead_letter"] = (params["DeadLetterConfig"] or {}).get("TargetArn") or None
        function.configure(**settings)
        return self._configuration(function)

    def _get_account_settings(self, params: Params) -> Result:
        service = self.service
        return {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800,
                "CodeSizeUnzipped": 262_144_000,
                "CodeSizeZipped": 52_428_800,
                "ConcurrentExecutions": service.account_concurrency,
                "UnreservedConcurrentExecutions": service.unreserved_concurrency,
            },
            "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": len(service.functions)},
        }

    # -------------------------------------------------------- concurrency
    def _put_function_concurrency(self, params: Params) -> Result:
        function = self._concurrency_target(params)
        reserved = params.get("ReservedConcurrentExecutions")
        if reserved is None:
            raise violation(None, "reservedConcurrentExecutions", "Member must not be null")
        self.service.set_reserved_concurrency(function, reserved)
        return {"ReservedConcurrentExecutions": reserved}

    def _get_function_concurrency(self, params: Params) -> Result:
        function = self._concurrency_target(params)
        if function.reserved_concurrency is None:
            return {}
        return {"ReservedConcurrentExecutions": function.reserved_concurrency}

    def _delete_function_concurrency(self, params: Params) -> Result:
        self.service.set_reserved_concurrency(self._concurrency_target(params), None)
        return {}

    def _concurrency_target(self, params: Params) -> Function:
        name = str(params.get("FunctionName", ""))
        _, qualifier = self.service.parse_name(name)
        if qualifier:
            raise InvalidParameterValueError(
                "This operation is permitted on Lambda functions only. Aliases and versions do not support this "
                "operation. Please specify either a function name or an unqualified function ARN."
            )
        return self._function(params, qualified=False)

    # ------------------------------------------------- event invoke config
    def _event_invoke_out(self, function: Function, config: EventInvokeConfig) -> Result:
        destination: Result = {"OnSuccess": {}, "OnFailure": {}}
        if config.on_success:
            destination["OnSuccess"] = {"Destination": config.on_success}
        if config.on_failure:
            destination["OnFailure"] = {"Destination": config.on_failure}
        out: Result = {
            "LastModified": self._datetime(config.last_modified),
            "FunctionArn": f"{function.arn}:$LATEST",
            "DestinationConfig": destination,
        }
        if config.max_retries is not None:
            out["MaximumRetryAttempts"] = config.max_retries
        if config.max_event_age is not None:
            out["MaximumEventAgeInSeconds"] = config.max_event_age
        return out

    def _event_invoke_function(self, params: Params) -> Function:
        try:
            return self._function(params)
        except LambdaResourceNotFoundError:
            raise LambdaResourceNotFoundError("The function doesn't exist.") from None

    def _put_function_event_invoke_config(self, params: Params, base: EventInvokeConfig | None = None) -> Result:
        function = self._event_invoke_function(params)
        retries = params.get("MaximumRetryAttempts")
        age = params.get("MaximumEventAgeInSeconds")
        destination = params.get("DestinationConfig")
        if retries is None and age is None and destination is None:
            raise InvalidParameterValueError("You must specify at least one of error handling or destination setting.")
        on_success = ((destination or {}).get("OnSuccess") or {}).get("Destination")
        on_failure = ((destination or {}).get("OnFailure") or {}).get("Destination")
        if base is not None:
            retries = base.max_retries if retries is None else retries
            age = base.max_event_age if age is None else age
            if destination is None:
                on_success, on_failure = base.on_success, base.on_failure
        config = function.set_event_invoke_config(
            max_retries=retries, max_event_age=age, on_success=on_success or None, on_failure=on_failure or None
        )
        return self._event_invoke_out(function, config)

    def _update_function_event_invoke_config(self, params: Params) -> Result:
        function = self._event_invoke_function(params)
        if function.event_invoke_config is None:
            raise LambdaResourceNotFoundError(f"The function {function.arn}:$LATEST doesn't have an EventInvokeConfig")
        return self._put_function_event_invoke_config(params, function.event_invoke_config)

    def _get_function_event_invoke_config(self, params: Params) -> Result:
        function = self._function(params)
        config = function.event_invoke_config
        if config is None:
            raise LambdaResourceNotFoundError(f"The function {function.arn}:$LATEST doesn't have an EventInvokeConfig")
        return self._event_invoke_out(function, config)

    def _delete_function_event_invoke_config(self, params: Params) -> Result:
        function = self._function(params)
        if function.event_invoke_config is None:
            raise LambdaResourceNotFoundError(f"The function {function.arn}:$LATEST doesn't have an EventInvokeConfig")
        function.event_invoke_config = None
        return {}

    def _list_function_event_invoke_configs(self, params: Params) -> Result:
        function = self._event_invoke_function(params)
        config = function.event_invoke_config
        items = [] if config is None else [self._event_invoke_out(function, config)]
        return _page(items, params, "FunctionEventInvokeConfigs", key="FunctionArn")

    # ----------------------------------------------- event source mappings
    def _mapping_out(self, mapping: EventSourceMapping) -> Result:
        out: Result = {
            "UUID": mapping.uuid,
            "BatchSize": mapping.batch_size,
            "MaximumBatchingWindowInSeconds": mapping.window,
            "EventSourceArn": mapping.queue_arn,
            "FunctionArn": mapping.function.arn,
            "LastModified": self._datetime(mapping.last_modified_at),
            "State": mapping.state,
            "StateTransitionReason": mapping.state_reason,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if mapping.report_batch_item_failures else [],
            "EventSourceMappingArn": mapping.arn,
        }
        if mapping.filters:
            out["FilterCriteria"] = {"Filters": [{"Pattern": text} for text in mapping.filters]}
        if mapping.max_concurrency is not None:
            out["ScalingConfig"] = {"MaximumConcurrency": mapping.max_concurrency}
        return out

    def _mapping_settings(self, params: Params) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if params.get("BatchSize") is not None:
            settings["batch_size"] = params["BatchSize"]
        if params.get("MaximumBatchingWindowInSeconds") is not None:
            settings["window"] = params["MaximumBatchingWindowInSeconds"]
        if "ScalingConfig" in params:
            settings["max_concurrency"] = (params["ScalingConfig"] or {}).get("MaximumConcurrency")
        if "FunctionResponseTypes" in params:
            types = list(params["FunctionResponseTypes"] or [])
            for value in types:
                if value != "ReportBatchItemFailures":
                    raise violation(
                        f"[{', '.join(types)}]",
                        "functionResponseTypes",
                        "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
                    )
            settings["report_batch_item_failures"] = bool(types)
        if "FilterCriteria" in params:
            filters = (params["FilterCriteria"] or {}).get("Filters") or []
            patterns = []
            for entry in filters:
                pattern = entry.get("Pattern") if isinstance(entry, Mapping) else None
                if not isinstance(pattern, str) or not pattern:
                    raise InvalidParameterValueError("Invalid filter pattern definition.")
                patterns.append(pattern)
            settings["filters"] = patterns or None
        if params.get("Enabled") is not None:
            settings["enabled"] = bool(params["Enabled"])
        return settings

    def _create_event_source_mapping(self, params: Params) -> Result:
        source = params.get("EventSourceArn")
        if not source:
            raise InvalidParameterValueError("Unrecognized event source.")
        if str(source).split(":")[2:3] != ["sqs"]:
            raise InvalidParameterValueError(f"eventbus simulates SQS event sources only, not {source}")
        if params.get("StartingPosition") is not None:
            raise InvalidParameterValueError("StartingPosition is not valid for SQS event sources.")
        settings = self._mapping_settings(params)
        mapping = self.service.event_source_mapping(
            str(source),
            str(params.get("FunctionName", "")),
            batch_size=settings.get("batch_size"),
            maximum_batching_window=settings.get("window", 0),
            maximum_concurrency=settings.get("max_concurrency"),
            report_batch_item_failures=settings.get("report_batch_item_failures", False),
            filter_criteria=settings.get("filters"),
            enabled=settings.get("enabled", True),
        )
        return self._mapping_out(mapping)

    def _get_event_source_mapping(self, params: Params) -> Result:
        return self._mapping_out(self.service.get_event_source_mapping(str(params.get("UUID"))))

    def _update_event_source_mapping(self, params: Params) -> Result:
        mapping = self.service.get_event_source_mapping(str(params.get("UUID")))
        settings = self._mapping_settings(params)
        mapping.update(
            enabled=settings.get("enabled"),
            batch_size=settings.get("batch_size"),
            window=settings.get("window"),
            max_concurrency=settings.get("max_concurrency", False),
            report_batch_item_failures=settings.get("report_batch_item_failures"),
            filters=settings.get("filters", False),
            function=self.service.get_function(params["FunctionName"]) if params.get("FunctionName") else None,
        )
        return self._mapping_out(mapping)

    def _delete_event_source_mapping(self, params: Params) -> Result:
        return self._mapping_out(self.service.delete_event_source_mapping(str(params.get("UUID"))))

    def _list_event_source_mappings(self, params: Params) -> Result:
        function = params.get("FunctionName")
        mappings = self.service.list_event_source_mappings(queue=params.get("EventSourceArn"), function=function)
        return _page([self._mapping_out(m) for m in mappings], params, "EventSourceMappings", key="UUID")


def _page(items: list[Result], params: Params, member: str, *, key: str) -> Result:
    """One page of a list: ``Marker`` is the key of the first item to return; ``MaxItems`` caps it (50 by default)."""
    limit = params.get("MaxItems") or 50
    marker = params.get("Marker")
    start = 0
    if marker:
        keys = [str(item[key]) for item in items]
        if marker not in keys:
            raise InvalidParameterValueError("Invalid marker")  # (unverified wording)
        start = keys.index(marker)
    page = items[start : start + limit]
    out: Result = {member: page}
    if start + limit < len(items):
        out["NextMarker"] = str(items[start + limit][key])
    return out


#: The operations :class:`LambdaApi` serves.
OPERATIONS = (
    "Invoke",
    "InvokeAsync",
    "GetFunction",
    "GetFunctionConfiguration",
    "ListFunctions",
    "CreateFunction",
    "DeleteFunction",
    "UpdateFunctionConfiguration",
    "GetAccountSettings",
    "PutFunctionConcurrency",
    "GetFunctionConcurrency",
    "DeleteFunctionConcurrency",
    "PutFunctionEventInvokeConfig",
    "GetFunctionEventInvokeConfig",
    "UpdateFunctionEventInvokeConfig",
    "DeleteFunctionEventInvokeConfig",
    "ListFunctionEventInvokeConfigs",
    "CreateEventSourceMapping",
    "GetEventSourceMapping",
    "UpdateEventSourceMapping",
    "DeleteEventSourceMapping",
    "ListEventSourceMappings",
)
