"""CloudFormation and SAM templates: sections, parameters, conditions, dependency order, outputs.

A template is processed as CloudFormation processes a stack ("Template anatomy",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html):

1. the SAM transform (``Transform: AWS::Serverless-2016-10-31``) expands ``AWS::Serverless::Function``
   and its ``Events`` into the resources SAM would generate (:mod:`eventbus.topology._sam`);
2. parameters take their overrides or defaults and are checked (``AllowedValues``, ``AllowedPattern``,
   lengths and ranges);
3. each resource's ``Condition`` is evaluated; resources whose condition is false are not created;
4. resources are created in dependency order, from their ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub``
   references and ``DependsOn`` ("DependsOn attribute",
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html),
   otherwise in template order; a cycle is an error naming it;
5. ``Outputs`` are resolved.

Physical names: where a template gives no name, CloudFormation generates
``<stack>-<LogicalId>-<random suffix>``; the simulation leaves the random suffix out
(``<stack>-<LogicalId>``, shortened to the service's limit) so that reports stay readable. The stack
name is ``AWS::StackName``: by default the template's directory name, overridable with
``parameters={"AWS::StackName": ...}``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._build import Builder, order_by_dependencies
from ._cfn_lambda import LAMBDA_HANDLERS
from ._cfn_resources import HANDLERS, NOTED_TYPES, OPERATIONS, Made, Resource, placeholder
from ._errors import TopologyError
from ._intrinsics import Resolver, references
from ._sam import expand, serverless_function
from ._yaml import Marked, MarkedList

__all__ = ("build_template",)

_SECTIONS = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Globals",
)
_RESOURCE_KEYS = (
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
)
_SAM = "AWS::Serverless-2016-10-31"
_HANDLERS = {**HANDLERS, **LAMBDA_HANDLERS, "AWS::Serverless::Function": serverless_function}
_KNOWN_TRANSFORMS = (_SAM, "AWS::LanguageExtensions")
_STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]*")
_PSEUDO = (
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
)


def _line(container: Any, key: Any) -> int | None:
    if isinstance(container, Marked):
        return container.line_for(key)
    if isinstance(container, MarkedList) and isinstance(key, int):
        return container.line_for(key)
    return getattr(container, "line", None)


def _default_stack_name(file: str) -> str:
    if file.startswith("<"):
        return "stack"
    directory = Path(file).resolve().parent.name
    cleaned = re.sub(r"[^-A-Za-z0-9]+", "-", directory).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"stack-{cleaned}".rstrip("-")
    return cleaned[:128]


class _Stack:
    """One template being built into a simulation."""

    def __init__(
        self,
        template: Mapping[str, Any],
        builder: Builder,
        base_dir: Path,
        parameters: Mapping[str, Any] | None,
    ) -> None:
        self.template = template
        self.b = builder
        self.file = builder.file
        self.base_dir = base_dir
        self.overrides = dict(parameters or {})
        self.stack_name = str(self.overrides.pop("AWS::StackName", None) or _default_stack_name(self.file))
        if not _STACK_NAME.fullmatch(self.stack_name):
            raise self.error(
                f"stack name {self.stack_name!r} must start with a letter and hold only letters, digits and hyphens"
            )
        self.made: dict[str, Made] = {}
        self.skipped: dict[str, str] = {}
        self.types: dict[str, str] = {}

    def error(self, reason: str, line: int | None = None, resource: str | None = None) -> TopologyError:
        return self.b.error(reason, line=line, resource=resource)

    # ------------------------------------------------------------ sections
    def check_sections(self) -> None:
        for key in self.template:
            if key not in _SECTIONS:
                close = difflib.get_close_matches(str(key), _SECTIONS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(f"unknown template section '{key}'{hint}", _line(self.template, key))
        transform = self.template.get("Transform")
        transforms = transform if isinstance(transform, list) else [] if transform is None else [transform]
        for name in transforms:
            if name not in _KNOWN_TRANSFORMS:
                raise self.error(
                    f"transform {name!r} is a CloudFormation macro the simulation cannot run (supported: {', '.join(_KNOWN_TRANSFORMS)})",
                    _line(self.template, "Transform"),
                )
        self.sam = _SAM in transforms
        if "Globals" in self.template and not self.sam:
            raise self.error(
                "Globals needs Transform: AWS::Serverless-2016-10-31", _line(self.template, "Globals")
            )
        resources = self.template.get("Resources")
        if not isinstance(resources, Mapping) or not resources:
            raise self.error(
                "a template needs a Resources section with at least one resource",
                _line(self.template, "Resources"),
            )
        if self.template.get("Rules"):
            self.b.notes.append("Rules (template assertions) are not checked by the simulation")

    # ---------------------------------------------------------- parameters
    def resolve_parameters(self) -> dict[str, Any]:
        section = self.template.get("Parameters") or {}
        if not isinstance(section, Mapping):
            raise self.error("Parameters must be a mapping", _line(self.template, "Parameters"))
        unknown = sorted(set(self.overrides) - set(section))
        if unknown:
            raise self.error(
                f"parameters given that the template does not declare: {', '.join(unknown)} (declared: {', '.join(section) or 'none'})"
            )
        values: dict[str, Any] = {}
        for name, spec in section.items():
            line = _line(section, name)
            label = f"parameter {name}"
            if not isinstance(spec, Mapping) or not isinstance(spec.get("Type"), str):
                raise self.error("a parameter needs a Type", line, label)
            kind = spec["Type"]
            if name in self.overrides:
                raw = self.overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            elif kind.startswith("AWS::SSM::Parameter::Value"):
                raise self.error(
                    f"an SSM parameter ({kind}) cannot be read by the simulation; give its value with load(..., parameters={{{name!r}: ...}})",
                    line,
                    label,
                )
            else:
                raise self.error(
                    f"no value: the parameter has no Default; give one with load(..., parameters={{{name!r}: ...}})",
                    line,
                    label,
                )
            values[name] = self._parameter_value(name, kind, raw, spec, line, label)
        return values

    def _parameter_value(
        self, name: str, kind: str, raw: Any, spec: Mapping[str, Any], line: int | None, label: str
    ) -> Any:
        listy = kind == "CommaDelimitedList" or kind.startswith("List<")
        if listy:
            items = (
                [str(item) for item in raw]
                if isinstance(raw, list | tuple)
                else [part.strip() for part in _text(raw).split(",")]
            )
            for item in items:
                self._check_parameter(
                    name, kind.removeprefix("List<").removesuffix(">"), item, spec, line, label
                )
            return items
        text = _text(raw)
        self._check_parameter(name, kind, text, spec, line, label)
        return text

    def _check_parameter(
        self, name: str, kind: str, text: str, spec: Mapping[str, Any], line: int | None, label: str
    ) -> None:
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and text not in [_text(value) for value in allowed]:
            choices = ", ".join(_text(value) for value in allowed)
            raise self.error(
                f"Parameter '{name}' must be one of AllowedValues ({choices}); got {text!r}", line, label
            )
        pattern = spec.get("AllowedPattern")
        if isinstance(pattern, str) and re.fullmatch(pattern, text) is None:
            raise self.error(f"Parameter '{name}' must match pattern {pattern}; got {text!r}", line, label)
        if "MinLength" in spec and len(text) < int(spec["MinLength"]):
            raise self.error(
                f"Parameter '{name}' must contain at least {spec['MinLength']} characters", line, label
            )
        if "MaxLength" in spec and len(text) > int(spec["MaxLength"]):
            raise self.error(
                f"Parameter '{name}' must contain at most {spec['MaxLength']} characters", line, label
            )
        if kind == "Number":
            try:
                number = float(text)
            except ValueError:
                raise self.error(f"Parameter '{name}' must be a number; got {text!r}", line, label) from None
            if "MinValue" in spec and number < float(spec["MinValue"]):
                raise self.error(
                    f"Parameter '{name}' must be a number not less than {spec['MinValue']}", line, label
                )
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                raise self.error(
                    f"Parameter '{name}' must be a number not greater than {spec['MaxValue']}", line, label
                )

    # ------------------------------------------------------------ building
    def build(self) -> dict[str, Any]:
        self.check_sections()
        resources: Mapping[str, Any] = self.template["Resources"]
        if self.sam:
            resources = expand(self.template, self.b)
        sim = self.b.sim
        parameters = self.resolve_parameters()
        pseudo: dict[str, Any] = {
            "AWS::AccountId": sim.account_id,
            "AWS::Region": sim.region,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{sim.region}:{sim.account_id}:stack/{self.stack_name}/00000000-0000-4000-8000-000000000000",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        from ._intrinsics import NO_VALUE

        pseudo["AWS::NoValue"] = NO_VALUE
        conditions = self.template.get("Conditions") or Marked()
        mappings = self.template.get("Mappings") or {}
        if not isinstance(conditions, Mapping) or not isinstance(mappings, Mapping):
            raise self.error("Conditions and Mappings must be mappings")
        self.resolver = Resolver(
            file=self.file,
            pseudo=pseudo,
            parameters=parameters,
            mappings=mappings,
            conditions=conditions,
            ref=self.ref,
            get_att=self.get_att,
            region=sim.region,
        )
        order = self.plan(resources, set(parameters))
        for logical_id in order:
            self.create(logical_id, resources[logical_id])
        return self.outputs(set(parameters))

    def plan(self, resources: Mapping[str, Any], parameters: set[str]) -> list[str]:
        """Check each resource's shape and references; return the creation order."""
        names = list(resources)
        known = set(names) | parameters | set(_PSEUDO)
        depends: dict[str, list[str]] = {}
        for logical_id, definition in resources.items():
            line = _line(resources, logical_id)
            if not isinstance(definition, Mapping) or not isinstance(definition.get("Type"), str):
                raise self.error("a resource needs a Type", line, logical_id)
            label = f"{logical_id} ({definition['Type']})"
            self.types[logical_id] = definition["Type"]
            if definition["Type"].startswith("AWS::Serverless::") and not self.sam:
                raise self.error(
                    "AWS::Serverless types need Transform: AWS::Serverless-2016-10-31",
                    _line(definition, "Type"),
                    label,
                )
            for key in definition:
                if key not in _RESOURCE_KEYS:
                    close = difflib.get_close_matches(str(key), _RESOURCE_KEYS, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise self.error(
                        f"unknown resource attribute '{key}'{hint}", _line(definition, key), label
                    )
            condition = definition.get("Condition")
            if condition is not None and (
                not isinstance(condition, str) or condition not in (self.template.get("Conditions") or {})
            ):
                raise self.error(
                    f"Condition {condition!r} is not defined in Conditions",
                    _line(definition, "Condition"),
                    label,
                )
            found: list[str] = []
            for name, where in references(definition.get("Properties"), _line(definition, "Properties")):
                if name not in known:
                    close = difflib.get_close_matches(name, names, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise self.error(
                        f"reference to '{name}', which is not a resource, parameter or pseudo parameter of the template{hint}",
                        where,
                        label,
                    )
                if name in resources:
                    found.append(name)
            explicit = definition.get("DependsOn")
            for name in [explicit] if isinstance(explicit, str) else explicit or []:
                if name not in resources:
                    raise self.error(
                        f"DependsOn names '{name}', which is not a resource of the template",
                        _line(definition, "DependsOn"),
                        label,
                    )
                found.append(name)
            depends[logical_id] = found

        def cycle(chain: list[str]) -> TopologyError:
            return self.error(
                f"resources depend on each other in a cycle: {' -> '.join(chain)}",
                _line(resources, chain[0]),
                f"{chain[0]} ({self.types[chain[0]]})",
            )

        return order_by_dependencies(names, lambda name: depends[name], cycle)

    def create(self, logical_id: str, definition: Mapping[str, Any]) -> None:
        kind = definition["Type"]
        label = f"{logical_id} ({kind})"
        line = _line(self.template.get("Resources") or {}, logical_id) or getattr(definition, "line", None)
        self.resolver.resource = label
        condition = definition.get("Condition")
        if condition is not None and not self.resolver.condition(condition, _line(definition, "Condition")):
            self.skipped[logical_id] = condition
            self.b.notes.append(f"{label}: not created, its condition {condition} is false")
            return
        raw = definition.get("Properties") or Marked()
        if not isinstance(raw, Mapping):
            raise self.error("Properties must be a mapping", _line(definition, "Properties"), label)
        properties = self.resolver.resolve(raw, _line(definition, "Properties"))
        resource = Resource(
            logical_id=logical_id,
            type=kind,
            properties=properties,
            raw=raw,
            line=line,
            stack_name=self.stack_name,
            builder=self.b,
            base_dir=self.base_dir,
            metadata=_mapping(definition.get("Metadata")),
        )
        handler = _HANDLERS.get(kind)
        if handler is None:
            made = placeholder(resource)
            if kind in NOTED_TYPES:
                self.b.notes.append(f"{label}: accepted, no effect ({NOTED_TYPES[kind]})")
            else:
                self.b.warnings.append(
                    f"{label}: not simulated; references to it resolve to placeholder names and ARNs"
                )
            self.made[logical_id] = made
            return
        with self.b.step(OPERATIONS.get(kind, "Create"), resource=label, line=line):
            made = handler(resource)
        self.made[logical_id] = made
        if made.simulated:
            self.b.add(logical_id, made.arn if made.arn is not None else str(made.ref))

    # ---------------------------------------------------------- references
    def _made(self, name: str, line: int | None) -> Made:
        made = self.made.get(name)
        if made is not None:
            return made
        if name in self.skipped:
            raise self.error(
                f"{name} is not created (its condition {self.skipped[name]} is false), so it cannot be referred to here",
                line,
                self.resolver.resource,
            )
        raise self.error(
            f"reference to '{name}', which is not a resource, parameter or pseudo parameter of the template",
            line,
            self.resolver.resource,
        )

    def ref(self, name: str, line: int | None) -> Any:
        return self._made(name, line).ref

    def get_att(self, name: str, attribute: str, line: int | None) -> Any:
        made = self._made(name, line)
        value = made.attribute(attribute)
        if value is None:
            known = ", ".join(sorted(made.attrs)) or "none"
            raise self.error(
                f"Fn::GetAtt {name}.{attribute}: {self.types.get(name, 'the resource')} has no attribute {attribute} (known: {known})",
                line,
                self.resolver.resource,
            )
        return value

    # ------------------------------------------------------------- outputs
    def outputs(self, parameters: set[str]) -> dict[str, Any]:
        section = self.template.get("Outputs") or {}
        if not isinstance(section, Mapping):
            raise self.error("Outputs must be a mapping", _line(self.template, "Outputs"))
        out: dict[str, Any] = {}
        for name, spec in section.items():
            line = _line(section, name)
            self.resolver.resource = f"output {name}"
            if not isinstance(spec, Mapping) or "Value" not in spec:
                raise self.error("an output needs a Value", line, f"output {name}")
            condition = spec.get("Condition")
            if condition is not None and not self.resolver.condition(condition, _line(spec, "Condition")):
                continue
            out[str(name)] = self.resolver.resolve(spec["Value"], _line(spec, "Value"))
        return out


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_template(
    template: Mapping[str, Any], builder: Builder, *, base_dir: Path, parameters: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Create a CloudFormation/SAM template's resources with ``builder``; return its resolved Outputs.

    Raises:
        TopologyError: naming the file, line and resource, and what was created before.
    """
    try:
        return _Stack(template, builder, base_dir, parameters).build()
    except TopologyError as error:
        raise error.with_context(file=builder.file, created=list(builder.resources)) from None
