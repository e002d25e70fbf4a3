"""CloudFormation's template language: parameters, mappings, conditions and intrinsic functions.

Follows the CloudFormation User Guide: "Parameters"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html),
"Pseudo parameters reference"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html),
"Conditions" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html)
and the "Intrinsic function reference"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html):
``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` (both forms), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
``Fn::If``, ``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not``, ``Fn::FindInMap``, ``Fn::Base64``,
``Fn::GetAZs``, and from the ``AWS::LanguageExtensions`` transform ``Fn::ToJsonString`` and
``Fn::Length``. ``Fn::ImportValue``, ``Fn::Cidr`` and ``Fn::Transform`` need other stacks or macros
and are refused with a message. ``Ref: AWS::NoValue`` removes the property or list item it stands for.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._errors import TopologyError
from ._yaml import Marked, MarkedList

__all__ = ("INTRINSICS", "NO_VALUE", "Resolver", "references", "sub_references")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


#: What ``Ref: AWS::NoValue`` resolves to: the property or list item is left out.
NO_VALUE: Final = _NoValue()

INTRINSICS: Final = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::ImportValue",
        "Fn::Cidr",
        "Fn::ToJsonString",
        "Fn::Length",
        "Fn::Transform",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
    }
)
_CONDITION_FUNCTIONS: Final = frozenset({"Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"})
_SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")


def _intrinsic(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value
        if key in INTRINSICS:
            return str(key)
    return None


def _line(value: Any, fallback: int | None) -> int | None:
    line = getattr(value, "line", None)
    return line if isinstance(line, int) else fallback


def sub_references(template: str) -> list[tuple[str, str | None]]:
    """The ``(name, attribute)`` pairs a ``Fn::Sub`` string refers to (``${!Literal}`` excluded)."""
    out: list[tuple[str, str | None]] = []
    for match in _SUB_VARIABLE.finditer(template):
        body = match.group(1).strip()
        if not body or body.startswith("!"):
            continue
        if "." in body and not body.startswith("AWS::"):
            name, _, attribute = body.partition(".")
            out.append((name, attribute))
        else:
            out.append((body, None))
    return out


def references(value: Any, line: int | None = None) -> list[tuple[str, int | None]]:
    """Every logical name (resource or parameter) ``value`` refers to, with the line it is on.

    ``Ref``, ``Fn::GetAtt`` and the variables of ``Fn::Sub`` (not those its own map defines) count;
    so do names in both branches of ``Fn::If``, as CloudFormation counts them for ordering.
    """
    out: list[tuple[str, int | None]] = []

    def walk(node: Any, where: int | None) -> None:
        where = _line(node, where)
        kind = _intrinsic(node)
        if kind == "Ref" and isinstance(node["Ref"], str):
            out.append((node["Ref"], where))
            return
        if kind == "Fn::GetAtt":
            target = node["Fn::GetAtt"]
            if isinstance(target, str):
                out.append((target.partition(".")[0], where))
            elif isinstance(target, list) and target and isinstance(target[0], str):
                out.append((target[0], where))
                for part in target[1:]:
                    walk(part, where)
            return
        if kind == "Fn::Sub":
            argument = node["Fn::Sub"]
            template, variables = (
                (argument, {})
                if isinstance(argument, str)
                else (argument[0], argument[1])
                if isinstance(argument, list) and len(argument) == 2
                else (None, {})
            )
            if isinstance(template, str):
                defined = set(variables) if isinstance(variables, Mapping) else set()
                out.extend((name, where) for name, _ in sub_references(template) if name not in defined)
            if isinstance(variables, Mapping):
                for item in variables.values():
                    walk(item, where)
            return
        if isinstance(node, Mapping):
            for key, item in node.items():
                walk(item, node.line_for(key) if isinstance(node, Marked) else where)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, node.line_for(index) if isinstance(node, MarkedList) else where)

    walk(value, line)
    return out


class Resolver:
    """Evaluates intrinsic functions against a stack's parameters, conditions and created resources.

    Args:
        file: the template, for messages.
        pseudo: the pseudo parameters (``AWS::Region`` ...).
        parameters: resolved parameter values.
        mappings: the ``Mappings`` section.
        conditions: the ``Conditions`` section (evaluated on first use, each once).
        ref: what ``Ref`` returns for a resource (raises when it cannot).
        get_att: what ``Fn::GetAtt`` returns for a resource attribute (raises when it cannot).
        region: the region, for ``Fn::GetAZs``.
    """

    def __init__(
        self,
        *,
        file: str,
        pseudo: Mapping[str, Any],
        parameters: Mapping[str, Any],
        mappings: Mapping[str, Any],
        conditions: Mapping[str, Any],
        ref: Callable[[str, int | None], Any],
        get_att: Callable[[str, str, int | None], Any],
        region: str,
    ) -> None:
        self.file = file
        self.pseudo = dict(pseudo)
        self.parameters = dict(parameters)
        self.mappings = mappings
        self.condition_definitions = conditions
        self.condition_values: dict[str, bool] = {}
        self._evaluating: list[str] = []
        self._ref = ref
        self._get_att = get_att
        self.region = region
        self.resource: str | None = None

    def error(self, reason: str, line: int | None) -> TopologyError:
        return TopologyError(reason, file=self.file, line=line, resource=self.resource)

    # ------------------------------------------------------------ conditions
    def condition(self, name: Any, line: int | None) -> bool:
        """The value of the named condition (evaluated once)."""
        if not isinstance(name, str) or name not in self.condition_definitions:
            known = ", ".join(self.condition_definitions) or "none"
            raise self.error(f"condition {name!r} is not defined in Conditions (defined: {known})", line)
        if name in self.condition_values:
            return self.condition_values[name]
        if name in self._evaluating:
            cycle = " -> ".join([*self._evaluating[self._evaluating.index(name) :], name])
            raise self.error(f"conditions refer to each other in a cycle: {cycle}", line)
        self._evaluating.append(name)
        try:
            definition = self.condition_definitions[name]
            where = (
                self.condition_definitions.line_for(name)
                if isinstance(self.condition_definitions, Marked)
                else line
            )
            value = self.evaluate_condition(definition, where)
        finally:
            self._evaluating.pop()
        self.condition_values[name] = value
        return value

    def evaluate_condition(self, node: Any, line: int | None) -> bool:
        """A condition function (``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not``, ``Condition``)."""
        line = _line(node, line)
        if not (isinstance(node, Mapping) and len(node) == 1 and next(iter(node)) in _CONDITION_FUNCTIONS):
            raise self.error(
                f"a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, got {_show(node)}",
                line,
            )
        ((kind, argument),) = node.items()
        if kind == "Condition":
            return self.condition(argument, line)
        if kind == "Fn::Equals":
            if not isinstance(argument, list) or len(argument) != 2:
                raise self.error("Fn::Equals takes a list of two values", line)
            left, right = (self.resolve(item, line) for item in argument)
            return bool(_comparable(left) == _comparable(right))
        if kind == "Fn::Not":
            if not isinstance(argument, list) or len(argument) != 1:
                raise self.error("Fn::Not takes a list of one condition", line)
            return not self.evaluate_condition(argument[0], line)
        if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
            raise self.error(f"{kind} takes a list of 2 to 10 conditions", line)
        values = (self.evaluate_condition(item, line) for item in argument)
        return all(values) if kind == "Fn::And" else any(values)

    # ---------------------------------------------------------------- values
    def resolve(self, node: Any, line: int | None = None) -> Any:
        """``node`` with every intrinsic function evaluated and ``AWS::NoValue`` removed."""
        line = _line(node, line)
        kind = _intrinsic(node)
        if kind is not None:
            return self._function(kind, node[kind], line)
        if isinstance(node, Mapping):
            out: dict[Any, Any] = {}
            for key, item in node.items():
                value = self.resolve(item, node.line_for(key) if isinstance(node, Marked) else line)
                if value is not NO_VALUE:
                    out[key] = value
            return out
        if isinstance(node, list):
            items = [
                self.resolve(item, node.line_for(i) if isinstance(node, MarkedList) else line)
                for i, item in enumerate(node)
            ]
            return [item for item in items if item is not NO_VALUE]
        return node

    def ref(self, name: Any, line: int | None) -> Any:
        if not isinstance(name, str):
            raise self.error(f"Ref takes a logical name, got {_show(name)}", line)
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name, line)

    def _function(self, kind: str, argument: Any, line: int | None) -> Any:
        if kind == "Ref":
            return self.ref(argument, line)
        if kind == "Fn::GetAtt":
            return self._get_att_of(argument, line)
        if kind == "Fn::Sub":
            return self._sub(argument, line)
        if kind == "Fn::Join":
            if not isinstance(argument, list) or len(argument) != 2:
                raise self.error("Fn::Join takes [delimiter, [values]]", line)
            delimiter = self.resolve(argument[0], line)
            values = self.resolve(argument[1], line)
            if not isinstance(delimiter, str) or not isinstance(values, list):
                raise self.error("Fn::Join takes [delimiter, [values]]", line)
            return delimiter.join(_scalar_text(value, "Fn::Join", self, line) for value in values)
        if kind == "Fn::Select":
            if not isinstance(argument, list) or len(argument) != 2:
                raise self.error("Fn::Select takes [index, [values]]", line)
            index, values = self.resolve(argument[0], line), self.resolve(argument[1], line)
            try:
                position = int(index)
            except (TypeError, ValueError):
                raise self.error(f"Fn::Select index must be a number, got {_show(index)}", line) from None
            if not isinstance(values, list) or not 0 <= position < len(values):
                raise self.error(f"Fn::Select index {position} is outside the list {_show(values)}", line)
            return values[position]
        if kind == "Fn::Split":
            if not isinstance(argument, list) or len(argument) != 2:
                raise self.error("Fn::Split takes [delimiter, text]", line)
            delimiter, text = self.resolve(argument[0], line), self.resolve(argument[1], line)
            if not isinstance(delimiter, str) or not isinstance(text, str):
                raise self.error("Fn::Split takes [delimiter, text]", line)
            return text.split(delimiter)
        if kind == "Fn::If":
            if not isinstance(argument, list) or len(argument) != 3:
                raise self.error("Fn::If takes [condition, value if true, value if false]", line)
            chosen = argument[1] if self.condition(argument[0], line) else argument[2]
            return self.resolve(chosen, line)
        if kind == "Fn::FindInMap":
            return self._find_in_map(argument, line)
        if kind == "Fn::Base64":
            text = self.resolve(argument, line)
            return base64.b64encode(_scalar_text(text, "Fn::Base64", self, line).encode()).decode()
        if kind == "Fn::GetAZs":
            region = self.resolve(argument, line) or self.region
            return [f"{region}{zone}" for zone in "abc"]
        if kind == "Fn::ToJsonString":
            return json.dumps(self.resolve(argument, line), separators=(",", ":"))
        if kind == "Fn::Length":
            values = self.resolve(argument, line)
            if not isinstance(values, list):
                raise self.error("Fn::Length takes a list", line)
            return len(values)
        if kind in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
            raise self.error(
                f"{kind} belongs in Conditions (or in Fn::If's condition name), not in a property", line
            )
        raise self.error(
            f"{kind} is not supported by the simulation (it needs other stacks or CloudFormation macros)",
            line,
        )

    def _get_att_of(self, argument: Any, line: int | None) -> Any:
        if isinstance(argument, str):
            name, _, attribute = argument.partition(".")
        elif isinstance(argument, list) and len(argument) == 2:
            name, attribute = argument[0], self.resolve(argument[1], line)
        else:
            raise self.error(
                f"Fn::GetAtt takes [resource, attribute] or 'resource.attribute', got {_show(argument)}", line
            )
        if not isinstance(name, str) or not isinstance(attribute, str) or not attribute:
            raise self.error(f"Fn::GetAtt takes [resource, attribute], got {_show(argument)}", line)
        if name in self.parameters or name in self.pseudo:
            raise self.error(f"Fn::GetAtt needs a resource; {name} is a parameter", line)
        return self._get_att(name, attribute, line)

    def _sub(self, argument: Any, line: int | None) -> str:
        if isinstance(argument, str):
            template, variables = argument, {}
        elif (
            isinstance(argument, list)
            and len(argument) == 2
            and isinstance(argument[0], str)
            and isinstance(argument[1], Mapping)
        ):
            template = argument[0]
            variables = {key: self.resolve(value, line) for key, value in argument[1].items()}
        else:
            raise self.error(
                f"Fn::Sub takes a string or [string, {{variables}}], got {_show(argument)}", line
            )

        def replace(match: re.Match[str]) -> str:
            body = match.group(1)
            stripped = body.strip()
            if stripped.startswith("!"):
                return "${" + body[body.index("!") + 1 :] + "}"
            if stripped in variables:
                return _scalar_text(variables[stripped], "Fn::Sub", self, line)
            if "." in stripped and not stripped.startswith("AWS::"):
                name, _, attribute = stripped.partition(".")
                return _scalar_text(self._get_att_of([name, attribute], line), "Fn::Sub", self, line)
            return _scalar_text(self.ref(stripped, line), "Fn::Sub", self, line)

        return _SUB_VARIABLE.sub(replace, template)

    def _find_in_map(self, argument: Any, line: int | None) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise self.error("Fn::FindInMap takes [map, top-level key, second-level key]", line)
        map_name, top, second = (self.resolve(part, line) for part in argument[:3])
        default = None
        if len(argument) == 4:
            option = self.resolve(argument[3], line)
            if not isinstance(option, Mapping) or "DefaultValue" not in option:
                raise self.error("Fn::FindInMap's fourth item must be {DefaultValue: ...}", line)
            default = option["DefaultValue"]
        mapping = self.mappings.get(map_name) if isinstance(map_name, str) else None
        if not isinstance(mapping, Mapping):
            raise self.error(f"Fn::FindInMap: no mapping {map_name!r} in Mappings", line)
        level = mapping.get(top)
        if not isinstance(level, Mapping) or second not in level:
            if default is not None:
                return default
            where = f"key {top!r}" if not isinstance(level, Mapping) else f"key {second!r} under {top!r}"
            raise self.error(f"Fn::FindInMap: mapping {map_name!r} has no {where}", line)
        return self.resolve(level[second], line)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _scalar_text(value: Any, function: str, resolver: Resolver, line: int | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise resolver.error(f"{function} needs text, got {_show(value)}", line)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
