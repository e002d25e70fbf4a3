"""Walking an event along the field paths patterns reference, as aws/event-ruler flattens events.

event-ruler turns an event into (dotted path, leaf value) pairs: nested keys join with ``.`` (so the key
``"a.b"`` and the nesting ``{"a": {"b": ...}}`` are the same path), an array contributes each of its
elements under the array's own path, objects and empty arrays contribute no leaf of their own, and every
leaf remembers which element of which enclosing array it came from (its *array membership*), which
``rulesForJSONEvent`` uses to refuse matches that combine fields from different elements of one array
(https://github.com/aws/event-ruler, README "JSON Array Matching").

Only paths some pattern references are visited: the walk follows a trie of path segments.
Leaf values are normalised: numbers become ``float`` (by value: ``300 == 3.0e2``), booleans and
``None`` stay as they are, strings stay strings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from ._conditions import Value

__all__ = ("Membership", "Occurrence", "PathTrie", "Walk", "load_event")

Membership: TypeAlias = tuple[tuple[int, int], ...]
"""(array id, element index) for every array enclosing a leaf, outermost first."""
Occurrence: TypeAlias = tuple[Value, Membership]


def load_event(event: Mapping[str, Any] | str | bytes | bytearray) -> Mapping[str, Any]:
    """Accept an event as a mapping or JSON text; it must be a JSON object."""
    if isinstance(event, (str, bytes, bytearray)):
        decoded = json.loads(event)
    else:
        decoded = event
    if not isinstance(decoded, Mapping):
        raise TypeError("an event must be a JSON object")
    return decoded


class PathTrie:
    """A trie over the ``.``-separated segments of the referenced paths; a node may end a path."""

    __slots__ = ("children", "field_id")

    def __init__(self) -> None:
        self.children: dict[str, PathTrie] = {}
        self.field_id = -1

    @classmethod
    def build(cls, paths: Iterable[str]) -> tuple[PathTrie, dict[str, int]]:
        """A trie of ``paths`` and the field id given to each path (in first-seen order)."""
        root = cls()
        ids: dict[str, int] = {}
        for path in paths:
            if path in ids:
                continue
            node = root
            for segment in path.split("."):
                node = node.children.setdefault(segment, cls())
            node.field_id = ids[path] = len(ids)
        return root, ids

    def descend(self, key: str) -> PathTrie | None:
        node: PathTrie | None = self
        for segment in key.split("."):
            assert node is not None
            node = node.children.get(segment)
            if node is None:
                return None
        return node


def _number(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class Walk:
    """One walk of one event: ``occurrences[field_id]`` is ``None`` or a list of (value, membership)."""

    __slots__ = ("has_arrays", "next_array", "occurrences")

    def __init__(self, root: PathTrie, field_count: int, event: Mapping[str, Any]) -> None:
        self.occurrences: list[list[Occurrence] | None] = [None] * field_count
        self.next_array = 0
        self.has_arrays = False
        self._object(event, root, ())

    def _object(self, obj: Mapping[str, Any], node: PathTrie, membership: Membership) -> None:
        children = node.children
        for key, value in obj.items():
            child = children.get(key)
            if child is None:
                if "." not in key:
                    continue
                child = node.descend(key)
                if child is None:
                    continue
            self._value(value, child, membership)

    def _value(self, value: Any, node: PathTrie, membership: Membership) -> None:
        kind = type(value)
        if kind is dict:
            if node.children:
                self._object(value, node, membership)
            return
        if kind is list:
            if value:
                self.has_arrays = True
                array = self.next_array
                self.next_array += 1
                for index, element in enumerate(value):
                    self._value(element, node, (*membership, (array, index)))
            return
        field_id = node.field_id
        if field_id < 0:
            if isinstance(value, Mapping) and node.children:
                self._object(value, node, membership)
            elif isinstance(value, (list, tuple)) and not isinstance(value, (str, bytes)):
                self._value(list(value), node, membership)
            return
        leaf: Value
        if kind is str or value is None or kind is bool:
            leaf = value
        elif kind is int or kind is float:
            leaf = _number(value)
        elif isinstance(value, Mapping):
            if node.children:
                self._object(value, node, membership)
            return
        elif isinstance(value, (list, tuple)):
            self._value(list(value), node, membership)
            return
        elif isinstance(value, bool):
            leaf = bool(value)
        elif isinstance(value, (int, float)):
            leaf = _number(value)
        elif isinstance(value, str):
            leaf = str(value)
        else:
            return
        found = self.occurrences[field_id]
        if found is None:
            self.occurrences[field_id] = [(leaf, membership)]
        else:
            found.append((leaf, membership))

    def shared_fields(self) -> set[int]:
        """Field ids with a leaf inside an array element that also holds leaves of another field.

        Only these can make array consistency matter; without any, matching is per field.
        """
        if not self.has_arrays:
            return set()
        fields_of_array: dict[int, set[int]] = {}
        for field_id, found in enumerate(self.occurrences):
            if not found:
                continue
            for _, membership in found:
                for array, _index in membership:
                    fields_of_array.setdefault(array, set()).add(field_id)
        shared = {array for array, fields in fields_of_array.items() if len(fields) > 1}
        if not shared:
            return set()
        affected: set[int] = set()
        for field_id, found in enumerate(self.occurrences):
            if found and any(array in shared for _, membership in found for array, _i in membership):
                affected.add(field_id)
        return affected
