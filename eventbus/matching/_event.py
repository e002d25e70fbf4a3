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
    if type(event) is dict:
        return event
    try:
        decoded = json.loads(event) if isinstance(event, (str, bytes, bytearray)) else event
    except RecursionError:
        raise ValueError("the event is not valid JSON: it is nested more deeply than can be read") from None
    if not isinstance(decoded, Mapping):
        raise TypeError("an event must be a JSON object")
    return decoded


class PathTrie:
    """A trie over the ``.``-separated segments of the referenced paths; a node may end a path."""

    __slots__ = ("children", "deep", "entries", "field_id", "subtree")

    def __init__(self) -> None:
        self.children: dict[str, PathTrie] = {}
        self.field_id = -1
        self.subtree: frozenset[int] = frozenset()
        self.entries: tuple[tuple[str, PathTrie, int], ...] = ()
        self.deep = False

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
        root._fill_subtree()
        return root, ids

    def _fill_subtree(self) -> frozenset[int]:
        fields = {self.field_id} if self.field_id >= 0 else set()
        for child in self.children.values():
            fields |= child._fill_subtree()
        self.subtree = frozenset(fields)
        self.entries = tuple((key, child, child.field_id) for key, child in self.children.items())
        self.deep = any(child.children for child in self.children.values())
        return self.subtree

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
    """One walk of one event: ``occurrences[field_id]`` is ``None`` or a list of (value, membership).

    Only arrays holding containers (objects or arrays) get a place in a leaf's membership: the
    elements of an array of scalars are all leaves of the same path, and a branch picks one leaf per
    path, so such an array can never be split between two fields. An array of containers whose trie
    node leads to two or more referenced fields makes those fields *shared*: array consistency may
    matter for them (:meth:`shared_fields`).
    """

    __slots__ = ("_shared", "next_array", "occurrences")

    def __init__(self, root: PathTrie, field_count: int, event: Mapping[str, Any]) -> None:
        self.occurrences: list[list[Occurrence] | None] = [None] * field_count
        self.next_array = 0
        self._shared: list[frozenset[int]] = []
        self._object(event, root, ())

    def _object(self, obj: Mapping[str, Any], node: PathTrie, membership: Membership) -> None:
        occurrences = self.occurrences
        get = obj.get
        for key, child, field_id in node.entries:
            value = get(key, _MISSING)
            if value is _MISSING:
                continue
            kind = type(value)
            if kind is str or kind is float or value is None or kind is bool:
                if field_id < 0:
                    continue
                leaf: Value = value
            elif kind is dict:
                if child.children:
                    self._object(value, child, membership)
                continue
            elif kind is list:
                if value:
                    self._array(value, child, membership)
                continue
            elif kind is int:
                if field_id < 0:
                    continue
                leaf = _number(value)
            else:
                self._value(value, child, membership)
                continue
            found = occurrences[field_id]
            if found is None:
                occurrences[field_id] = [(leaf, membership)]
            else:
                found.append((leaf, membership))
        if node.deep and _has_dotted_key(obj):
            # A key holding dots ("a.b") is the same path as the nesting {"a": {"b": ...}}.
            for key, value in obj.items():
                if isinstance(key, str) and "." in key:
                    target = node.descend(key)
                    if target is not None:
                        self._value(value, target, membership)

    def _array(self, items: list[Any] | tuple[Any, ...], node: PathTrie, membership: Membership) -> None:
        field_id = node.field_id
        containers = False
        for element in items:
            kind = type(element)
            if kind is str or kind is int or kind is float or kind is bool or element is None:
                continue
            if kind is dict or kind is list or isinstance(element, (Mapping, list, tuple)):
                containers = True
                break
        if not containers:
            if field_id < 0:
                return
            found = self.occurrences[field_id]
            if found is None:
                found = self.occurrences[field_id] = []
            for element in items:
                kind = type(element)
                if kind is str or kind is float or element is None or kind is bool:
                    found.append((element, membership))
                elif kind is int:
                    found.append((_number(element), membership))
                else:
                    leaf = _leaf(element)
                    if leaf is not _NOT_A_LEAF:
                        found.append((leaf, membership))
            if not found:
                self.occurrences[field_id] = None
            return
        array = self.next_array
        self.next_array += 1
        if len(node.subtree) > 1:
            self._shared.append(node.subtree)
        for index, element in enumerate(items):
            if type(element) is dict:
                if node.children:
                    self._object(element, node, (*membership, (array, index)))
            else:
                self._value(element, node, (*membership, (array, index)))

    def _value(self, value: Any, node: PathTrie, membership: Membership) -> None:
        kind = type(value)
        if kind is dict or (kind is not str and isinstance(value, Mapping)):
            if node.children:
                self._object(value, node, membership)
            return
        if kind is list or (kind is not str and isinstance(value, (list, tuple))):
            if value:
                self._array(value, node, membership)
            return
        field_id = node.field_id
        if field_id < 0:
            return
        leaf = _leaf(value)
        if leaf is _NOT_A_LEAF:
            return
        found = self.occurrences[field_id]
        if found is None:
            self.occurrences[field_id] = [(leaf, membership)]
        else:
            found.append((leaf, membership))

    def shared_fields(self) -> frozenset[int]:
        """Fields that may be split between elements of one array of containers (over-approximated
        from the paths below each such array); empty when array consistency cannot matter."""
        shared = self._shared
        if not shared:
            return frozenset()
        if len(shared) == 1:
            return shared[0]
        return frozenset().union(*shared)


_NOT_A_LEAF: Any = object()
_MISSING: Any = object()


def _has_dotted_key(obj: Mapping[str, Any]) -> bool:
    try:
        return "." in "".join(obj)
    except TypeError:
        return any(isinstance(key, str) and "." in key for key in obj)


def _leaf(value: Any) -> Any:
    """Normalise a scalar of any Python type into a leaf value, or ``_NOT_A_LEAF``."""
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return str(value)
    return _NOT_A_LEAF
