"""Events constructed to match, or to fail, one event pattern.

A pattern is validated by the engine and read independently (:mod:`._strategies_model`) into
branches. A *plan* gives each field path either nothing (absent) or the leaf values it holds; the
plan is rendered into an event and laid over a random envelope from which every path the pattern
names has been removed.

Matching (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html): pick one
branch, for each of its fields one of its conditions, and a value satisfying it (``exists: false``:
leave the field out). Some fields get extra values around the matching one (an array of scalars
matches when any element does), and some objects become arrays whose other elements are decoys:
the fields matched inside one array element stay together, as array consistency requires
(aws/event-ruler, README "JSON Array Matching").

Not matching: every branch must fail, so for each branch one field gets only values that satisfy
none of its conditions, or is left out when that is a violation (``anything-but`` does not match a
missing field; ``exists: false`` does). Fields under a path with ``exists: false`` are never put in
arrays of objects, where absence is judged per element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..matching import EventPattern
from ._strategies_events import events
from ._strategies_model import Branch, Condition, Exists, read_branches
from ._strategies_values import JsonLeaf, candidate_pool, fails_all, leaves, satisfying, texts, violating

__all__ = (
    "Options",
    "Plan",
    "Shape",
    "describe",
    "draw_matching_plan",
    "events_matching",
    "events_not_matching",
    "render",
    "satisfiable_branches",
)

_ABSENT: Final = object()
#: Envelope fields that are single strings in a real event: kept scalar (no arrays of values).
_ENVELOPE_SCALARS: Final = frozenset({"version", "id", "detail-type", "source", "account", "time", "region"})
_BASE_EVENTS: Final = events()
_one_in_four: Final = st.integers(0, 3).map(lambda n: n == 0)
_few: Final = st.integers(0, 2)
_absent: Final = st.just(_ABSENT)
Plan = dict[str, list[JsonLeaf]]
_SEARCH_BUDGET: Final = 20_000


def _load(pattern: object, caller: str) -> tuple[Any, list[Branch]]:
    if not isinstance(pattern, (Mapping, str, bytes, bytearray)):
        raise InvalidArgument(
            f"{caller}: pattern must be a mapping or JSON text, got {type(pattern).__name__}"
        )
    EventPattern(pattern)  # raises eventbus.InvalidEventPatternError with AWS's reason
    return pattern, read_branches(pattern)


def describe(pattern: Any) -> str:
    """A pattern as text, for error messages."""
    if isinstance(pattern, (bytes, bytearray)):
        return pattern.decode("utf-8", "replace")
    if isinstance(pattern, str):
        return pattern
    return json.dumps(pattern, ensure_ascii=False, default=str)


def _has_absent_ok(conditions: Sequence[Condition]) -> bool:
    return any(isinstance(c, Exists) and not c.present for c in conditions)


class Shape:
    """What is fixed about a pattern's paths: which may go inside arrays of objects."""

    def __init__(self, branches: list[Branch]) -> None:
        self.paths = sorted({path for branch in branches for path in branch})
        self.referenced = frozenset(self.paths)
        self.strict_prefixes = frozenset(
            ".".join(path.split(".")[:i]) for path in self.paths for i in range(1, path.count(".") + 1)
        )
        no_wrap: set[str] = set()
        for branch in branches:
            for path, conditions in branch.items():
                if _has_absent_ok(conditions):
                    segments = path.split(".")
                    no_wrap.update(".".join(segments[:i]) for i in range(1, len(segments) + 1))
        self.no_wrap = frozenset(no_wrap)


class _Node:
    __slots__ = ("children", "path", "values")

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: list[JsonLeaf] | None = None
        self.children: dict[str, _Node] = {}


def _tree(plan: Plan) -> _Node:
    root = _Node("")
    for path, values in plan.items():
        node = root
        walked: list[str] = []
        for segment in path.split("."):
            walked.append(segment)
            node = node.children.setdefault(segment, _Node(".".join(walked)))
        node.values = values
    return root


class _Renderer:
    """Turns a plan into JSON, putting some objects into arrays among decoy elements."""

    def __init__(
        self, draw: st.DrawFn, shape: Shape, decoys: Mapping[str, st.SearchStrategy[JsonLeaf]]
    ) -> None:
        self.draw = draw
        self.shape = shape
        self.decoys = decoys

    def object(self, node: _Node, *, wrap: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, child in node.children.items():
            self._emit(out, key, child, wrap)
        return out

    def _emit(self, out: dict[str, Any], key: str, node: _Node, wrap: bool) -> None:
        if node.values is not None:
            out[key] = self._leaf(node, node.values)
            # A path that is both a leaf and a parent: its children go under dotted keys, which
            # event-ruler reads as the same paths (README, "JSON keys with dots").
            for child_key, child in node.children.items():
                self._emit(out, f"{key}.{child_key}", child, wrap)
            return
        value = self.object(node, wrap=wrap)
        if wrap and "." in node.path and node.path not in self.shape.no_wrap and self.draw(_one_in_four):
            before = [self._decoy(node) for _ in range(self.draw(_few))]
            after = [self._decoy(node) for _ in range(self.draw(_few))]
            out[key] = [*before, value, *after]
        else:
            out[key] = value

    def _leaf(self, node: _Node, values: list[JsonLeaf]) -> Any:
        if len(values) == 1 and (node.path in _ENVELOPE_SCALARS or not self.draw(_one_in_four)):
            return values[0]
        return list(values)

    def _decoy(self, node: _Node) -> dict[str, Any]:
        """Another element of the array an object was put in: some of its fields, other values."""
        plan: Plan = {}
        for path in _leaf_paths(node):
            values = self.decoys.get(path)
            if values is not None and self.draw(st.booleans()):
                plan[path[len(node.path) + 1 :]] = [self.draw(values)]
        return self.object(_tree(plan), wrap=False)


def _leaf_paths(node: _Node) -> list[str]:
    found = [node.path] if node.values is not None else []
    for child in node.children.values():
        found += _leaf_paths(child)
    return found


def _prune(value: Any, prefix: str | None, shape: Shape) -> None:
    """Remove from an envelope every value at a path the pattern names."""
    if isinstance(value, list):
        for element in value:
            _prune(element, prefix, shape)
        return
    if not isinstance(value, dict):
        return
    for key in list(value):
        full = key if prefix is None else f"{prefix}.{key}"
        if full in shape.referenced:
            del value[key]
        elif full in shape.strict_prefixes:
            _prune(value[key], full, shape)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        else:
            base[key] = value
    return base


def _with_extras(
    draw: st.DrawFn, path: str, value: JsonLeaf, extras: st.SearchStrategy[JsonLeaf] | None
) -> list[JsonLeaf]:
    """The value, sometimes among other elements of an array of scalars (not in envelope fields)."""
    if extras is None or path in _ENVELOPE_SCALARS or not draw(_one_in_four):
        return [value]
    before = [draw(extras) for _ in range(draw(_few))]
    after = [draw(extras) for _ in range(draw(_few))]
    return [*before, value, *after]


def render(
    draw: st.DrawFn,
    shape: Shape,
    plan: Plan,
    decoys: Mapping[str, st.SearchStrategy[JsonLeaf]],
    base: dict[str, Any],
) -> dict[str, Any]:
    """Lay the plan over ``base`` (a JSON object) once every path the pattern names is removed."""
    _prune(base, None, shape)
    return _merge(base, _Renderer(draw, shape, decoys).object(_tree(plan)))


def _render(
    draw: st.DrawFn, shape: Shape, plan: Plan, decoys: Mapping[str, st.SearchStrategy[JsonLeaf]]
) -> dict[str, Any]:
    return render(draw, shape, plan, decoys, draw(_BASE_EVENTS))


# ------------------------------------------------------------------------------ matching
Options = dict[str, list[st.SearchStrategy[JsonLeaf] | None]]


def satisfiable_branches(branches: list[Branch], refusal: str) -> list[Options]:
    """The value options of every branch that can match; InvalidArgument(refusal + why) if none."""
    satisfiable: list[Options] = []
    reasons: list[str] = []
    for branch in branches:
        options = _options(branch)
        empty = [path for path, found in options.items() if not found]
        if empty:
            reasons.append(f"no finite JSON value satisfies any condition on {empty[0]!r}")
        else:
            satisfiable.append(options)
    if not satisfiable:
        raise InvalidArgument(f"{refusal}: " + "; ".join(reasons))
    return satisfiable


def draw_matching_plan(draw: st.DrawFn, satisfiable: Sequence[Options]) -> Plan:
    """One branch, one condition per field, a value satisfying it (sometimes among others)."""
    options = draw(st.sampled_from(satisfiable))
    plan: Plan = {}
    for path, found in options.items():
        values = draw(st.sampled_from(found))
        if values is not None:
            plan[path] = _with_extras(draw, path, draw(values), leaves)
    return plan


def _options(branch: Branch) -> Options:
    """For each field, one entry per satisfiable condition: a value strategy, or None for absence."""
    options: Options = {}
    for path, conditions in branch.items():
        found: list[st.SearchStrategy[JsonLeaf] | None] = []
        for condition in conditions:
            if isinstance(condition, Exists) and not condition.present:
                found.append(None)
                continue
            if isinstance(condition, Exists) and path in _ENVELOPE_SCALARS:
                found.append(texts)  # any value exists; an envelope string field gets a string
                continue
            values = satisfying(condition)
            if values is not None:
                found.append(values)
        options[path] = found
    return options


def events_matching(pattern: Mapping[str, Any] | str | bytes) -> st.SearchStrategy[dict[str, Any]]:
    """Events built so that ``pattern`` matches them, field by field.

    One ``$or`` branch is chosen, and for each of its fields one condition and a value satisfying
    it: a string with the prefix, a number inside the range, an address inside the CIDR block, a
    value outside an ``anything-but`` list, a missing field for ``exists: false``. Matching values
    may sit among other elements of an array, and matched objects among decoys in arrays of
    objects (array consistency keeps the fields of one element together). Everything the pattern
    does not constrain comes from :func:`events`.

    Semantics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html.

    Args:
        pattern: an event pattern, as a mapping or JSON text.

    Raises:
        eventbus.InvalidEventPatternError: the pattern is not valid (AWS's reason).
        hypothesis.errors.InvalidArgument: the pattern is not a mapping or JSON text, or no event
            can match it.
    """
    source, branches = _load(pattern, "events_matching")
    shape = Shape(branches)
    satisfiable = satisfiable_branches(
        branches, f"events_matching: no event can match the pattern {describe(source)}"
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        plan = draw_matching_plan(draw, satisfiable)
        return _render(draw, shape, plan, {path: leaves for path in plan})

    return build()


# ------------------------------------------------------------------------------ not matching
class _Violations:
    """Ways to make each branch fail, and a search for one event that fails them all."""

    def __init__(self, branches: list[Branch]) -> None:
        self.branches = branches
        self._values: dict[tuple[tuple[Condition, ...], bool], st.SearchStrategy[JsonLeaf] | None] = {}
        self._pools: dict[str, list[JsonLeaf]] = {}
        self.exhausted = False

    def values(self, conditions: Sequence[Condition], path: str = "") -> st.SearchStrategy[JsonLeaf] | None:
        """Values failing every one of ``conditions``; strings first for envelope string fields."""
        key = (tuple(dict.fromkeys(conditions)), path in _ENVELOPE_SCALARS)
        if key not in self._values:
            found = violating(key[0], only_strings=True) if key[1] else None
            self._values[key] = found if found is not None else violating(key[0])
        return self._values[key]

    @staticmethod
    def fails(conditions: Sequence[Condition], choice: object) -> bool:
        if choice is _ABSENT:
            return not _has_absent_ok(conditions)
        return fails_all(conditions, choice)  # type: ignore[arg-type]

    def failed(self, branch: Branch, assignment: Mapping[str, object]) -> bool:
        return any(
            path in assignment and self.fails(conditions, assignment[path])
            for path, conditions in branch.items()
        )

    def candidates(self, path: str) -> list[object]:
        """ABSENT and a pool of values for ``path`` (from every branch's conditions on it)."""
        if path not in self._pools:
            pool: list[JsonLeaf] = []
            for branch in self.branches:
                conditions = branch.get(path)
                if conditions is not None:
                    pool += candidate_pool(conditions)
            unique: dict[tuple[type, Any], JsonLeaf] = {(type(v), v): v for v in pool}
            self._pools[path] = list(unique.values())
        if path in _ENVELOPE_SCALARS:  # a missing source or detail-type is a last resort
            return [*sorted(self._pools[path], key=lambda v: not isinstance(v, str)), _ABSENT]
        return [_ABSENT, *self._pools[path]]

    def solve(self) -> dict[str, object] | None:
        """A deterministic assignment failing every branch, by backtracking (bounded)."""
        self.exhausted = False
        if any(not any(self.violable(c) for c in branch.values()) for branch in self.branches):
            return None
        budget = [_SEARCH_BUDGET]

        def search(assignment: dict[str, object]) -> dict[str, object] | None:
            pending = [b for b in self.branches if not self.failed(b, assignment)]
            if not pending:
                return dict(assignment)
            branch = pending[0]
            for path, conditions in branch.items():
                if path in assignment:
                    continue
                for choice in self.candidates(path):
                    budget[0] -= 1
                    if budget[0] < 0:
                        self.exhausted = True
                        return None
                    if self.fails(conditions, choice):
                        assignment[path] = choice
                        found = search(assignment)
                        if found is not None:
                            return found
                        del assignment[path]
            return None

        return search({})

    def why_not(self) -> str:
        reasons = []
        for number, branch in enumerate(self.branches, start=1):
            stuck = [path for path, conditions in branch.items() if not self.violable(conditions)]
            if len(stuck) == len(branch):
                where = f"branch {number}: " if len(self.branches) > 1 else ""
                reasons.append(where + "; ".join(f"{path!r} {self._why(branch[path])}" for path in stuck))
        if not reasons and self.exhausted:
            return f"no event failing every $or branch was found in {_SEARCH_BUDGET} steps"
        if not reasons:
            return "no single event fails every $or branch at once"
        return "; ".join(reasons)

    def violable(self, conditions: Sequence[Condition]) -> bool:
        return not _has_absent_ok(conditions) or self.values(conditions) is not None

    @staticmethod
    def _why(conditions: Sequence[Condition]) -> str:
        if any(isinstance(c, Exists) and c.present for c in conditions):
            return "accepts both a missing field (exists: false) and any value (exists: true)"
        return "accepts a missing field (exists: false) and no value fails all its conditions"


def events_not_matching(pattern: Mapping[str, Any] | str | bytes) -> st.SearchStrategy[dict[str, Any]]:
    """Events built so that ``pattern`` does not match them.

    For every ``$or`` branch one field gets only values that satisfy none of its conditions (a
    string without the prefix, a number outside the range, a value an ``anything-but`` excludes),
    or is left out when that is a violation (a missing field matches nothing but
    ``exists: false``). The other fields usually satisfy one branch, so the events are near misses.

    Semantics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html.

    Args:
        pattern: an event pattern, as a mapping or JSON text.

    Raises:
        eventbus.InvalidEventPatternError: the pattern is not valid (AWS's reason).
        hypothesis.errors.InvalidArgument: the pattern is not a mapping or JSON text, or every
            event matches it (for example ``[{"exists": true}, {"exists": false}]`` on a field).
    """
    source, branches = _load(pattern, "events_not_matching")
    shape = Shape(branches)
    violations = _Violations(branches)
    known = violations.solve()
    if known is None:
        raise InvalidArgument(
            f"events_not_matching: every event matches the pattern {describe(source)}: {violations.why_not()}"
        )
    near_misses = [_options(branch) for branch in branches]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        assignment = _draw_assignment(draw, violations) or known
        plan: Plan = {}
        decoys: dict[str, st.SearchStrategy[JsonLeaf]] = {}
        for path, choice in assignment.items():
            if choice is _ABSENT:
                continue
            relied_on = [b[path] for b in branches if path in b and violations.fails(b[path], choice)]
            extras = violations.values([c for conditions in relied_on for c in conditions], path)
            plan[path] = _with_extras(draw, path, choice, extras)  # type: ignore[arg-type]
            if extras is not None:
                decoys[path] = extras
        options = draw(st.sampled_from(near_misses))
        for path, found in options.items():
            if path in assignment or not found:
                continue
            values = draw(st.sampled_from(found))
            if values is not None:
                plan[path] = _with_extras(draw, path, draw(values), leaves)
                decoys[path] = leaves
        return _render(draw, shape, plan, decoys)

    return build()


def _draw_assignment(draw: st.DrawFn, violations: _Violations) -> dict[str, object] | None:
    """A random assignment failing every branch, or None when the random choices get stuck."""
    branches = violations.branches
    order = draw(st.permutations(range(len(branches))))
    assignment: dict[str, object] = {}
    for index in order:
        branch = branches[index]
        if violations.failed(branch, assignment):
            continue
        options = [p for p in branch if p not in assignment and violations.violable(branch[p])]
        if not options:
            return None
        path = draw(st.sampled_from(options))
        pending = [b[path] for b in branches if path in b and not violations.failed(b, assignment)]
        together = [c for conditions in pending for c in conditions]
        conditions = together if violations.violable(together) else list(branch[path])
        choices: list[st.SearchStrategy[object]] = []
        values = violations.values(conditions, path)
        if values is not None:
            choices.append(values)
        if not _has_absent_ok(conditions) and not (choices and path in _ENVELOPE_SCALARS):
            choices.append(_absent)
        assignment[path] = draw(st.one_of(choices))
    if not all(violations.failed(branch, assignment) for branch in branches):
        return None  # pragma: no cover - every step fails the branch it was made for
    return assignment
