"""Reading topology files: YAML (with CloudFormation's short-form tags) and JSON, with line numbers.

Mappings and lists come back as :class:`Marked` and :class:`MarkedList`, plain ``dict`` and
``list`` subclasses that also remember the line each key or item starts on, so that a problem
found later (an unknown key, a reference to nothing) can name its line. PyYAML's ``SafeLoader`` is
used with three changes:

* CloudFormation's short forms (``!Ref``, ``!GetAtt a.b``, ``!Sub``, ``!Join``, ``!If`` ...) become
  the long forms (``{"Ref": ...}``, ``{"Fn::GetAtt": [a, b]}`` ...), as CloudFormation reads them
  ("Intrinsic function reference",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
* Dates stay strings (``2024-01-01T00:00:00Z`` is text in JSON too, and Scheduler takes text).
* A key given twice in one mapping is an error (PyYAML would keep the last one silently).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._errors import TopologyError

__all__ = ("Marked", "MarkedList", "line_of", "mark", "parse_text", "read_file")


class Marked(dict[Any, Any]):
    """A mapping read from a file: ``line`` is where it starts, ``key_lines[key]`` where each key is."""

    line: int | None
    key_lines: dict[Any, int]

    def __init__(self, *args: Any, line: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.key_lines = {}

    def line_for(self, key: Any) -> int | None:
        """The line of ``key`` (or of the mapping, when the key has none)."""
        return self.key_lines.get(key, self.line)


class MarkedList(list[Any]):
    """A list read from a file: ``line`` is where it starts, ``item_lines[i]`` where item ``i`` is."""

    line: int | None
    item_lines: list[int]

    def __init__(self, *args: Any, line: int | None = None) -> None:
        super().__init__(*args)
        self.line = line
        self.item_lines = []

    def line_for(self, index: int) -> int | None:
        """The line of item ``index`` (or of the list)."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(root: Any, path: Sequence[Any]) -> int | None:
    """The line of the deepest part of ``path`` (keys and indexes) that ``root`` holds."""
    node = root
    line = getattr(root, "line", None)
    for part in path:
        if (isinstance(node, Marked) and part in node) or (
            isinstance(node, MarkedList) and isinstance(part, int) and 0 <= part < len(node)
        ):
            line = node.line_for(part) or line
            node = node[part]
        else:
            break
    return line


def mark(value: Any) -> Any:
    """``value`` (from ``json.loads`` or a caller's mapping) as Marked containers without lines."""
    if isinstance(value, Marked | MarkedList):
        return value
    if isinstance(value, Mapping):
        return Marked({key: mark(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return MarkedList([mark(item) for item in value])
    return value


# ------------------------------------------------------------------ the loader
class _Loader(yaml.SafeLoader):
    """SafeLoader with line marks, CloudFormation tags, dates as text and no duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _construct_mapping(loader: _Loader, node: MappingNode) -> Marked:
    loader.flatten_mapping(node)
    out = Marked(line=_line(node))
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {out.key_lines[key]})",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = _line(key_node)
    return out


def _construct_sequence(loader: _Loader, node: SequenceNode) -> MarkedList:
    out = MarkedList(line=_line(node))
    for child in node.value:
        out.append(loader.construct_object(child, deep=True))
        out.item_lines.append(_line(child))
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)

#: The short-form tags and the long-form keys they stand for.
_SHORT_FORMS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "FindInMap": "Fn::FindInMap",
    "Base64": "Fn::Base64",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Cidr": "Fn::Cidr",
    "ToJsonString": "Fn::ToJsonString",
    "Length": "Fn::Length",
    "Transform": "Fn::Transform",
}


def _short_form(long_name: str) -> Any:
    def construct(loader: _Loader, node: Node) -> Marked:
        value: Any
        if isinstance(node, ScalarNode):
            value = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt":
                name, _, attribute = str(value).partition(".")
                value = MarkedList([name, attribute], line=_line(node))
                value.item_lines = [_line(node), _line(node)]
        elif isinstance(node, SequenceNode):
            value = _construct_sequence(loader, node)
        else:
            value = _construct_mapping(loader, node)  # type: ignore[arg-type]
        out = Marked({long_name: value}, line=_line(node))
        out.key_lines[long_name] = _line(node)
        return out

    return construct


for _tag, _long in _SHORT_FORMS.items():
    _Loader.add_constructor(f"!{_tag}", _short_form(_long))


# ------------------------------------------------------------------ reading
def parse_text(text: str, name: str, *, json_first: bool = False) -> Any:
    """Parse YAML (or JSON, which is read as JSON first for its own syntax errors) into Marked data.

    Raises:
        TopologyError: a syntax error, naming ``name`` and the line.
    """
    if json_first:
        try:
            plain = json.loads(text)
        except json.JSONDecodeError as error:
            raise TopologyError(
                f"JSON syntax error: {error.msg} (column {error.colno})", file=name, line=error.lineno
            ) from None
        try:
            marked = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError:
            return mark(plain)  # valid JSON PyYAML cannot read (tabs): no line numbers, same data
        return marked if marked == plain else mark(plain)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        where = error.problem_mark or error.context_mark
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise TopologyError(
            f"YAML syntax error: {problem}",
            file=name,
            line=int(where.line) + 1 if where is not None else None,
        ) from None
    except yaml.YAMLError as error:
        raise TopologyError(f"YAML syntax error: {error}", file=name) from None


def read_file(path: Path) -> Any:
    """Read and parse a topology file (``.json`` as JSON, anything else as YAML).

    Raises:
        TopologyError: the file cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TopologyError("no such file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise TopologyError(f"cannot read the file: {error}", file=str(path)) from None
    return parse_text(text, str(path), json_first=path.suffix.lower() == ".json")
