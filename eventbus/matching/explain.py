"""Structured explanations of why an event does or does not match a pattern.

``EventPattern(p).explain(event)`` returns an :class:`Explanation`: for each branch of the pattern
(``$or`` gives several), for each field path, the leaf values the event has there and, for each
condition, whether some value satisfied it and, if not, why. ``str(explanation)`` is the text
``eventbus test-pattern --explain`` prints. All classes are frozen ``msgspec.Struct``s, so an
explanation can also be encoded as JSON with ``msgspec.json.encode``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import msgspec

from ._conditions import Condition, Exists, Value
from ._event import Occurrence, Walk
from ._match import BranchCheck, branch_matches

__all__ = ("BranchExplanation", "ConditionResult", "Explanation", "FieldExplanation")


class ConditionResult(msgspec.Struct, frozen=True, kw_only=True):
    """One condition of one field: whether any value of the field satisfied it, and why not."""

    condition: str
    matched: bool
    reason: str

    def __str__(self) -> str:
        mark = "ok " if self.matched else "no "
        return f"{mark}{self.condition}" + ("" if self.matched else f" -- {self.reason}")


class FieldExplanation(msgspec.Struct, frozen=True, kw_only=True):
    """One field of one branch: the values seen at its path and each condition's result."""

    path: str
    matched: bool
    present: bool
    values: tuple[Value, ...]
    conditions: tuple[ConditionResult, ...]
    note: str = ""

    def __str__(self) -> str:
        mark = "MATCH" if self.matched else "FAIL "
        if not self.present:
            seen = "field missing (no leaf value at this path)"
        elif len(self.values) == 1:
            seen = f"value {_render(self.values[0])}"
        else:
            seen = (
                "values [" + ", ".join(_render(v) for v in self.values) + "] (array: any element may match)"
            )
        lines = [f"  {mark} {self.path}: {seen}"]
        lines += [f"      {result}" for result in self.conditions]
        if self.note:
            lines.append(f"      note: {self.note}")
        return "\n".join(lines)


class BranchExplanation(msgspec.Struct, frozen=True, kw_only=True):
    """One alternative of the pattern (``$or`` expands into several)."""

    index: int
    matched: bool
    fields: tuple[FieldExplanation, ...]
    note: str = ""

    def __str__(self) -> str:
        head = f"branch {self.index + 1}: {'MATCH' if self.matched else 'no match'}"
        body = [str(field) for field in self.fields]
        if self.note:
            body.append(f"  note: {self.note}")
        return "\n".join([head, *body])


class Explanation(msgspec.Struct, frozen=True, kw_only=True):
    """Why an event matches a pattern or not."""

    matched: bool
    branches: tuple[BranchExplanation, ...]

    def __str__(self) -> str:
        verdict = "MATCH" if self.matched else "NO MATCH"
        parts = [f"{verdict}: the event {'matches' if self.matched else 'does not match'} the pattern"]
        if len(self.branches) > 1:
            parts[0] += (
                f" ({sum(b.matched for b in self.branches)} of {len(self.branches)} $or branches match)"
            )
        parts += [str(branch) for branch in self.branches]
        return "\n".join(parts)


def _render(value: Value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def _condition_result(condition: Condition, found: Sequence[Occurrence]) -> ConditionResult:
    rendered = condition.render()
    if isinstance(condition, Exists):
        present = bool(found)
        wanted = condition.test(None)
        if present == wanted:
            return ConditionResult(condition=rendered, matched=True, reason="")
        if wanted:
            return ConditionResult(condition=rendered, matched=False, reason="the field has no leaf value")
        values = ", ".join(_render(v) for v, _ in found)
        return ConditionResult(condition=rendered, matched=False, reason=f"the field exists ({values})")
    if not found:
        reason = "the field is missing"
        if rendered.startswith('{"anything-but"'):
            reason += " (a missing field never matches anything-but)"
        return ConditionResult(condition=rendered, matched=False, reason=reason)
    for value, _ in found:
        if condition.test(value):
            return ConditionResult(condition=rendered, matched=True, reason="")
    reasons = [condition.why_not(value) for value, _ in found]
    reason = reasons[0] if len(reasons) == 1 else "no element matches: " + "; ".join(reasons)
    return ConditionResult(condition=rendered, matched=False, reason=reason)


def explain_pattern(checks: Sequence[BranchCheck], walk: Walk) -> Explanation:
    """Build the explanation of one walked event against a compiled pattern."""
    consistent = bool(walk.shared_fields())
    explained: list[BranchExplanation] = []
    for index, branch_checks in enumerate(checks):
        matched = branch_matches(branch_checks, walk.occurrences, consistent)
        fields: list[FieldExplanation] = []
        all_fields_ok = True
        for check in branch_checks:
            found = walk.occurrences[check.field_id] or []
            results = tuple(_condition_result(condition, found) for condition in check.conditions)
            field_ok = any(result.matched for result in results)
            all_fields_ok = all_fields_ok and field_ok
            note = ""
            if (
                found
                and any(membership for _, membership in found)
                and check.field_id in walk.shared_fields()
            ):
                note = "value taken from inside an array of objects"
            fields.append(
                FieldExplanation(
                    path=check.path,
                    matched=field_ok,
                    present=bool(found),
                    values=tuple(value for value, _ in found),
                    conditions=results,
                    note=note,
                )
            )
        note = ""
        if all_fields_ok and not matched:
            note = (
                "every field matches on its own, but not within one array element: conditions on "
                "fields inside objects of the same array must be satisfied by the same element "
                "(array consistency)"
            )
        explained.append(BranchExplanation(index=index, matched=matched, fields=tuple(fields), note=note))
    return Explanation(matched=any(b.matched for b in explained), branches=tuple(explained))
