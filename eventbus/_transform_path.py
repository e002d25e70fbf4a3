"""The JSONPath subset EventBridge accepts in a target's ``InputPath`` and ``InputPathsMap``.

EventBridge "does not support all JSON Path syntax". It documents dot notation (``$.detail``),
names made of alphanumerics, dashes, underscores and forward slashes, array indices and the ``*``
wildcard (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
Observed at PutTargets: a path not rooted at ``$`` and quoted bracket notation
(``$.detail['key']``) are refused with ``InputPath for target <id> is invalid.``, while a bare ``$``
and numeric indices (``$.detail.items[0]``) are accepted; the same check runs over every
``InputPathsMap`` value.

Grammar accepted here::

    path    := "$" step*
    step    := "." name | ".*" | "[" digits "]" | "[*]"
    name    := one or more characters other than  . [ ] * ' " ( ) ? @ , and whitespace

Deep scan (``..``), filters, slices, unions, negative indices and quoted names are refused.

Evaluation follows Jayway JsonPath, the Java library whose semantics EventBridge's paths share: a
*definite* path (no wildcard) yields the one value it points at, or :data:`MISSING`; an *indefinite*
path (with a wildcard) yields the list of every match, in document order, possibly empty.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

from ._transform_json import MISSING

__all__ = ("JsonPath", "compile_json_path")

_NAME: Final = re.compile(r"[^.\[\]*'\"()?@,\s]+")
_INDEX: Final = re.compile(r"\[(\d+|\*)\]")

# A step is a str (an object member name), an int (an array index) or None (the wildcard).
_Step = str | int | None


@final
class JsonPath:
    """A compiled EventBridge JSON path; build one with :func:`compile_json_path`."""

    __slots__ = ("_definite", "_steps", "_text")

    def __init__(self, text: str, steps: tuple[_Step, ...]) -> None:
        self._text = text
        self._steps = steps
        self._definite = None not in steps

    @property
    def text(self) -> str:
        """The path as written, e.g. ``$.detail.items[0]``."""
        return self._text

    @property
    def definite(self) -> bool:
        """Whether the path names at most one value (it has no ``*``)."""
        return self._definite

    def find(self, document: Any) -> Any:
        """Evaluate the path against ``document`` (a decoded JSON value).

        Returns:
            For a definite path, the value it points at, or :data:`MISSING` when a member or index
            along the way does not exist. For a path with a wildcard, the list of all matches (an
            empty list when nothing matches).
        """
        if self._definite:
            return _walk(document, self._steps)
        matches: list[Any] = []
        _collect(document, self._steps, 0, matches)
        return matches

    def __repr__(self) -> str:
        return f"eventbus.transform.JsonPath({self._text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonPath) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)


def _walk(node: Any, steps: tuple[_Step, ...]) -> Any:
    for step in steps:
        if isinstance(step, str):
            if not isinstance(node, Mapping) or step not in node:
                return MISSING
            node = node[step]
        else:  # an index (definite paths hold no wildcard)
            if step is None or not _is_array(node) or step >= len(node):
                return MISSING
            node = node[step]
    return node


def _collect(node: Any, steps: tuple[_Step, ...], position: int, out: list[Any]) -> None:
    if position == len(steps):
        out.append(node)
        return
    step = steps[position]
    if step is None:
        if isinstance(node, Mapping):
            for child in node.values():
                _collect(child, steps, position + 1, out)
        elif _is_array(node):
            for child in node:
                _collect(child, steps, position + 1, out)
    elif isinstance(step, str):
        if isinstance(node, Mapping) and step in node:
            _collect(node[step], steps, position + 1, out)
    elif _is_array(node) and step < len(node):
        _collect(node[step], steps, position + 1, out)


def _is_array(node: Any) -> bool:
    return isinstance(node, Sequence) and not isinstance(node, str | bytes | bytearray)


@functools.lru_cache(maxsize=1024)
def compile_json_path(text: str) -> JsonPath | None:
    """Compile ``text``, or return ``None`` when EventBridge would refuse it as a path.

    Compiled paths are cached: rules commonly share paths such as ``$.detail``.
    """
    if not text.startswith("$"):
        return None
    steps: list[_Step] = []
    position = 1
    end = len(text)
    while position < end:
        char = text[position]
        if char == ".":
            if text.startswith(".*", position):
                steps.append(None)
                position += 2
                continue
            name = _NAME.match(text, position + 1)
            if name is None:
                return None  # "$.", "$..x", "$.['x']", ...
            steps.append(name.group())
            position = name.end()
        elif char == "[":
            index = _INDEX.match(text, position)
            if index is None:
                return None  # quoted names, slices, filters, unions, negative indices
            token = index.group(1)
            steps.append(None if token == "*" else int(token))
            position = index.end()
        else:
            return None
    return JsonPath(text, tuple(steps))
