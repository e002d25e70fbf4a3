"""Hypothesis strategies for events, EventBridge patterns and SNS filter policies.

Events and patterns draw field names and values from one small vocabulary, and most patterns are
derived from a leaf of the event they will be matched against, so matches are frequent and the
interesting boundaries (equal numbers in other spellings, prefixes that are the whole value, array
elements that disagree) come up often.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from . import reference

KEYS = ("a", "b", "c", "d")
STRINGS = ("", "x", "X", "xy", "xY", "yx", "x*y", "10.0.0.7", "2001:db8::1", "é", "É")
NUMBERS = (0, 1, -1, 2.5, 300, 300.0, 3e2, 1e9, -1e9, 1e300, 5e-324)
SCALARS = (*STRINGS, *NUMBERS, True, False, None)
CIDRS = ("10.0.0.0/24", "10.0.0.0/8", "0.0.0.0/0", "2001:db8::/32")

scalars = st.sampled_from(SCALARS)
keys = st.sampled_from(KEYS)


def _json_values(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return scalars
    inner = _json_values(depth - 1)
    return st.one_of(
        scalars,
        st.dictionaries(keys, inner, max_size=3),
        st.lists(inner, max_size=3),
    )


events: st.SearchStrategy[dict[str, Any]] = st.dictionaries(keys, _json_values(3), min_size=1, max_size=4)
"""JSON objects up to four levels deep, with arrays of scalars, objects and arrays."""


def _prefixes(text: str) -> list[str]:
    return [text[:i] for i in range(len(text) + 1)]


def _pick(draw: st.DrawFn, options: tuple[Any, ...] | list[Any]) -> Any:
    """One of ``options`` (drawing an index is much cheaper than building strategies per call)."""
    return options[draw(st.integers(0, len(options) - 1))]


def _wildcard_for(draw: st.DrawFn, text: str) -> str:
    """A wildcard pattern that usually matches ``text``: up to two characters replaced by ``*``, never
    two stars in a row, literal stars and backslashes escaped."""
    out: list[str] = []
    stars = 0
    for char in text:
        if stars < 2 and draw(st.integers(0, 3)) == 0 and (not out or out[-1] != "*"):
            out.append("*")
            stars += 1
        elif char in "*\\":
            out.append("\\" + char)
        else:
            out.append(char)
    if stars < 2 and draw(st.booleans()) and (not out or out[-1] != "*"):
        out.append("*")
    return "".join(out)


def _some(draw: st.DrawFn, pool: tuple[Any, ...]) -> list[Any]:
    return [_pick(draw, pool) for _ in range(draw(st.integers(1, 3)))]


def confusables(value: Any) -> list[Any]:
    """Values of another JSON type that Python or a careless text comparison would take for
    ``value`` (``True == 1``, ``"5"`` vs ``5``, ``None`` vs ``"null"``)."""
    if value is True:
        return [1, 1.0, "true"]
    if value is False:
        return [0, 0.0, "false", ""]
    if value is None:
        return ["null", 0, False, ""]
    if reference.is_number(value):
        found: list[Any] = [json.dumps(value), str(value)]
        if value == 1:
            found.append(True)
        if value == 0:
            found.append(False)
        return found
    try:
        number = float(value)
    except ValueError:
        return [value.upper(), value + " "]
    return [number, value.upper()]


def draw_condition(draw: st.DrawFn, value: Any, *, sns: bool) -> Any:
    """A condition built around one leaf value: most hold for it, some just miss."""
    kind = draw(st.integers(0, 19))
    if kind <= 4:
        if kind == 3:
            return _pick(draw, confusables(value))
        return value if kind <= 2 else _pick(draw, SCALARS)
    if kind == 5:
        return {"exists": _pick(draw, (True, False))}
    if kind == 6:
        excluded = [c for c in confusables(value) if isinstance(c, str) or reference.is_number(c)]
        return {"anything-but": _pick(draw, (*STRINGS, *NUMBERS, *excluded))}
    if kind == 7:
        return {"anything-but": _some(draw, _pick(draw, (STRINGS, NUMBERS)))}
    if kind == 8:
        return {"cidr": _pick(draw, CIDRS)}
    if isinstance(value, str):
        prefix = _pick(draw, [value[:i] for i in range(len(value) + 1)])
        suffix = _pick(draw, [value[i:] for i in range(len(value) + 1)])
        cased = _pick(draw, (value, value.upper(), value.lower()))
        string_conditions: list[Any] = [
            {"prefix": prefix},
            {"suffix": suffix},
            {"equals-ignore-case": cased},
            {"anything-but": value},
        ]
        if prefix:
            string_conditions.append({"anything-but": {"prefix": prefix}})
        if not sns:
            string_conditions += [
                {"prefix": {"equals-ignore-case": prefix.upper()}},
                {"suffix": {"equals-ignore-case": suffix.upper()}},
                {"wildcard": _wildcard_for(draw, value)},
                {"anything-but": {"equals-ignore-case": cased}},
                {"anything-but": {"wildcard": _wildcard_for(draw, value)}},
            ]
            if suffix:
                string_conditions.append({"anything-but": {"suffix": suffix}})
        return _pick(draw, string_conditions)
    if reference.is_number(value):
        number = float(value)
        low = _pick(draw, (number - 1, number, -1e301))
        high = _pick(draw, (number + 1, number * 2 + 1, 1e301))
        numeric_conditions: list[Any] = [
            {"numeric": ["=", value]},
            {"numeric": [">=", value]},
            {"numeric": ["<", value]},
            {"anything-but": value},
        ]
        if low < high:
            numeric_conditions.append(
                {"numeric": [_pick(draw, (">", ">=")), low, _pick(draw, ("<", "<=")), high]}
            )
        return _pick(draw, numeric_conditions)
    return value


def field_names(pattern: dict[str, Any], prefix: str = "") -> set[str]:
    """The dotted field names a pattern constrains, ``$or`` branches included."""
    names: set[str] = set()
    for key, value in pattern.items():
        if key == "$or":
            for branch in value:
                names |= field_names(branch, prefix)
        elif isinstance(value, dict):
            names |= field_names(value, f"{prefix}{key}.")
        else:
            names.add(prefix + key)
    return names


def _insert(pattern: dict[str, Any], path: list[str], leaf: list[Any], dotted_from: int) -> None:
    """Put a condition list at ``path`` unless that field is already constrained, writing the
    components from ``dotted_from`` on as one dotted key, and falling back to a dotted key when the
    nested spot is taken."""
    if ".".join(path) in field_names(pattern):
        return
    if dotted_from < len(path) - 1:
        path = [*path[:dotted_from], ".".join(path[dotted_from:])]
    node = pattern
    for index, key in enumerate(path[:-1]):
        existing = node.get(key)
        if existing is None:
            node[key] = node = {}
        elif isinstance(existing, dict):
            node = existing
        else:
            rest = ".".join(path[index:])
            if rest not in node:
                node[rest] = leaf
            return
    if path[-1] not in node:
        node[path[-1]] = leaf


@st.composite
def patterns_for(draw: st.DrawFn, event: Any, *, sns: bool = False, nested: bool = True) -> dict[str, Any]:
    """A valid pattern mostly about the event's own leaves (sometimes about fields it lacks), with an
    occasional ``$or``."""
    leaves = reference.flatten(event) if isinstance(event, dict) else []
    fields = draw(st.integers(1, 3))
    pattern: dict[str, Any] = {}
    for _ in range(fields):
        if leaves and draw(st.integers(0, 4)) > 0:
            leaf = _pick(draw, leaves)
            path = leaf.name.split(".") if leaf.name else [_pick(draw, KEYS)]
            value = leaf.value
        else:
            path = [_pick(draw, KEYS) for _ in range(draw(st.integers(1, 3 if nested else 1)))]
            value = _pick(draw, SCALARS)
        if not nested:
            path = [".".join(path)] if not sns else path[:1]
        conditions = [draw_condition(draw, value, sns=sns) for _ in range(draw(st.integers(1, 3)))]
        dotted_from = draw(st.integers(0, len(path))) if nested else len(path)
        _insert(pattern, path, conditions, dotted_from)
    if draw(st.integers(0, 4)) == 0:
        branches = draw(st.lists(patterns_for(event, sns=sns, nested=nested), min_size=2, max_size=3))
        own = field_names(pattern)
        if all("$or" not in branch and not field_names(branch) & own for branch in branches):
            pattern["$or"] = branches
    return pattern


# SNS message attributes -------------------------------------------------------------------------

attribute_values = st.one_of(
    st.builds(lambda s: {"Type": "String", "Value": s}, st.sampled_from(STRINGS)),
    st.builds(lambda n: {"Type": "Number", "Value": json.dumps(n)}, st.sampled_from(NUMBERS)),
    st.builds(
        lambda items: {"Type": "String.Array", "Value": json.dumps(items)},
        st.lists(st.sampled_from((*STRINGS, *NUMBERS[:6], True, None)), max_size=3),
    ),
    st.just({"Type": "Binary", "Value": "aGVsbG8="}),
)
message_attributes = st.dictionaries(keys, attribute_values, max_size=4)
"""SNS message attributes {name: {"Type", "Value"}} of every data type."""


@st.composite
def attribute_policies_for(draw: st.DrawFn, attributes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A flat SNS policy (MessageAttributes scope) about the message's own attributes."""
    document = reference.attributes_to_document(attributes)
    return draw(patterns_for(document, sns=True, nested=False))


def sns_combinations(policy: dict[str, Any], depth: int = 1) -> int:
    """SNS's complexity count: the product over value lists of (values x nesting depth), summed over
    ``$or`` branches (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
    and its payload example 3 x 4 x 2 x 3 = 72)."""
    total = [1]
    for key, value in policy.items():
        if key == "$or":
            total = [t * sns_combinations(branch, depth) for t in total for branch in value]
            total = [sum(total)]
        elif isinstance(value, dict):
            total = [t * sns_combinations(value, depth + 1) for t in total]
        else:
            total = [t * len(value) * depth for t in total]
    return total[0]


def within_sns_limits(policy: dict[str, Any]) -> bool:
    """At most five keys (top level and leaf names alike) and 150 combinations."""
    top_level = [key for key in policy if key != "$or"]
    return len(top_level) <= 5 and len(field_names(policy)) <= 5 and sns_combinations(policy) <= 150


bodies = events
"""MessageBody scope: JSON objects like events."""
