"""Exact, array-consistent matching of one compiled branch, and the public ``EventPattern``.

A branch matches an event when every field it names is satisfied by one leaf occurrence, all chosen
occurrences coming from the same element of any array they share (event-ruler's
``rulesForJSONEvent``), and every field whose conditions include ``{"exists": false}`` may instead
have no occurrence compatible with the chosen elements. A pattern matches when any branch does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._conditions import Condition, Exists
from ._event import Membership, Occurrence, PathTrie, Walk, load_event
from ._parse import Branch, parse_pattern

__all__ = ("BranchCheck", "EventPattern", "FieldCheck", "branch_matches", "compile_checks")


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """The conditions of one field of one branch, split into value tests and ``exists: false``."""

    path: str
    field_id: int
    conditions: tuple[Condition, ...]
    tests: tuple[Condition, ...]
    absent_ok: bool

    def accepts(self, value: Any) -> bool:
        return any(test.test(value) for test in self.tests)


BranchCheck = tuple[FieldCheck, ...]


def compile_checks(branch: Branch, field_ids: Mapping[str, int]) -> BranchCheck:
    """Turn a parsed branch into field checks against the given field ids (fewest options first)."""
    checks = []
    for path, conditions in branch.items():
        tests = tuple(c for c in conditions if not (isinstance(c, Exists) and not c.present))
        absent_ok = len(tests) != len(conditions)
        checks.append(FieldCheck(path, field_ids[path], conditions, tests, absent_ok))
    return tuple(checks)


def _consistent(membership: Membership, chosen: dict[int, int]) -> bool:
    for array, index in membership:
        picked = chosen.get(array)
        if picked is not None and picked != index:
            return False
    return True


def branch_matches(
    checks: BranchCheck, occurrences: Sequence[list[Occurrence] | None], consistent: bool
) -> bool:
    """Whether one branch matches the walked event.

    Args:
        checks: the branch's field checks.
        occurrences: the walk's occurrences, indexed by field id.
        consistent: whether array consistency must be searched for (some array element holds leaves
            of two referenced fields); when false every field is judged on its own.
    """
    if not consistent:
        for check in checks:
            found = occurrences[check.field_id]
            if not found:
                if check.absent_ok:
                    continue
                return False
            tests = check.tests
            if not any(test.test(value) for value, _ in found for test in tests):
                return False
        return True
    return _search(checks, occurrences, 0, {}, [])


def _search(
    checks: BranchCheck,
    occurrences: Sequence[list[Occurrence] | None],
    position: int,
    chosen: dict[int, int],
    deferred_absent: list[int],
) -> bool:
    if position == len(checks):
        for field_id in deferred_absent:
            found = occurrences[field_id] or ()
            if any(_consistent(membership, chosen) for _, membership in found):
                return False
        return True
    check = checks[position]
    found = occurrences[check.field_id] or ()
    tried: set[Membership] = set()
    for value, membership in found:
        if membership in tried or not _consistent(membership, chosen):
            continue
        if not check.accepts(value):
            continue
        tried.add(membership)
        extended = dict(chosen)
        extended.update(membership)
        if _search(checks, occurrences, position + 1, extended, deferred_absent):
            return True
    if check.absent_ok:
        return _search(checks, occurrences, position + 1, chosen, [*deferred_absent, check.field_id])
    return False


class EventPattern:
    """An EventBridge event pattern, compiled: ``EventPattern(pattern).matches(event)``.

    The pattern is JSON text (str or bytes) or a mapping, validated as EventBridge validates it
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html); an invalid one
    raises :class:`eventbus.errors.InvalidEventPatternError` whose ``str()`` is AWS's message
    ``Event pattern is not valid. Reason: ...``.

    Args:
        pattern: the event pattern.
    """

    __slots__ = ("_branches", "_checks", "_field_ids", "_pattern", "_trie")

    def __init__(self, pattern: str | bytes | bytearray | Mapping[str, Any]) -> None:
        self._pattern = pattern
        self._branches: tuple[Branch, ...] = tuple(parse_pattern(pattern))
        paths = [path for branch in self._branches for path in branch]
        self._trie, self._field_ids = PathTrie.build(paths)
        self._checks = tuple(compile_checks(branch, self._field_ids) for branch in self._branches)

    @property
    def branches(self) -> tuple[Branch, ...]:
        """The alternatives the pattern expands to (``$or`` gives several): path -> conditions."""
        return self._branches

    @property
    def source(self) -> str | bytes | bytearray | Mapping[str, Any]:
        """The pattern as it was given."""
        return self._pattern

    def _walk(self, event: Mapping[str, Any] | str | bytes | bytearray) -> Walk:
        return Walk(self._trie, len(self._field_ids), load_event(event))

    def matches(self, event: Mapping[str, Any] | str | bytes | bytearray) -> bool:
        """Whether the event (a mapping or JSON text of an object) matches the pattern."""
        walk = self._walk(event)
        consistent = bool(walk.shared_fields())
        return any(branch_matches(checks, walk.occurrences, consistent) for checks in self._checks)

    def explain(self, event: Mapping[str, Any] | str | bytes | bytearray) -> Any:
        """Explain, field by field and condition by condition, why the event matches or not.

        Returns:
            an :class:`eventbus.matching.explain.Explanation`; ``str()`` renders it for people.
        """
        from .explain import explain_pattern

        walk = self._walk(event)
        return explain_pattern(self._checks, walk)

    def __repr__(self) -> str:
        source = self._pattern
        if isinstance(source, (bytes, bytearray)):
            source = source.decode("utf-8", "replace")
        elif not isinstance(source, str):
            source = json.dumps(source, default=str)
        return f"eventbus.EventPattern({source!r})"
