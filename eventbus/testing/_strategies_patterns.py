"""Valid EventBridge event patterns that use every operator.

Operators and their operand rules:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (exact
values, prefix and suffix with or without equals-ignore-case, equals-ignore-case, wildcard,
anything-but in every form, numeric, exists, cidr, ``$or``) and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (nesting; a dotted
key is the same field as nesting). Constraints the generator respects so that every pattern compiles:
no empty arrays or objects, numeric ranges with bottom below top, wildcards without ``**`` and with
few enough stars per field that EventBridge does not refuse them as "too complex", CIDR masks below
32 (IPv4) and 128 (IPv6) as aws/event-ruler requires, and no operator names as field names.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

__all__ = ("event_patterns",)

# Leaf fields never double as parents, so no path is a leaf in one place and an object in another.
_ENVELOPE_FIELDS = ("source", "detail-type", "account", "region", "resources", "id", "time", "version")
_PARENTS = ("order", "user", "items", "meta")
_LEAVES = ("state", "status", "count", "price", "ip", "name", "flag", "tags", "note", "clé", "数量")
_CHARS = "abcxyzABCXYZ019-_./: éÉüß日🎉"
_MAX_WILDCARDS_PER_FIELD = 2

_words = st.text(st.sampled_from(_CHARS), max_size=6)
_nonempty_words = st.text(st.sampled_from(_CHARS), min_size=1, max_size=6)
_finite = st.floats(allow_nan=False, allow_infinity=False)
_numbers = st.one_of(
    st.integers(-1000, 1000),
    st.integers(-(2**53), 2**53),
    st.floats(-1e6, 1e6, allow_nan=False),
    _finite,
    st.sampled_from([0, -0.0, 3.0e2, 1e300, -1e-300, 5e-324]),
)


def _ipv4(address: int) -> str:
    return str(ipaddress.IPv4Address(address))


def _ipv6(address: int) -> str:
    return ipaddress.IPv6Address(address).compressed


_ips = st.one_of(st.integers(0, 2**32 - 1).map(_ipv4), st.integers(0, 2**128 - 1).map(_ipv6))
_cidrs = st.one_of(
    st.builds(lambda a, m: f"{_ipv4(a)}/{m}", st.integers(0, 2**32 - 1), st.integers(0, 31)),
    st.builds(lambda a, m: f"{_ipv6(a)}/{m}", st.integers(0, 2**128 - 1), st.integers(0, 127)),
)


def _escape(literal: str) -> str:
    return literal.replace("\\", "\\\\").replace("*", "\\*")


_wildcard_literals = st.text(st.sampled_from("abxy-/.*\\é"), max_size=3)


@st.composite
def _wildcards(draw: st.DrawFn) -> str:
    """A wildcard with one or two stars; the literals between stars are never empty."""
    stars = draw(st.integers(1, 2))
    first = draw(_wildcard_literals)
    middle = [draw(_wildcard_literals.filter(bool)) for _ in range(stars - 1)] if stars > 1 else []
    last = draw(_wildcard_literals)
    return "*".join(_escape(piece) for piece in [first, *middle, last])


def _one_or_many(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


_ignore_case = st.builds(lambda text: {"equals-ignore-case": text}, _words)
_numeric_ranges = st.one_of(
    st.builds(lambda n: ["=", n], _numbers),
    st.builds(lambda op, n: [op, n], st.sampled_from([">", ">=", "<", "<="]), _numbers),
    st.builds(
        lambda low_op, high_op, pair: [low_op, pair[0], high_op, pair[1]],
        st.sampled_from([">", ">="]),
        st.sampled_from(["<", "<="]),
        st.lists(_numbers, min_size=2, max_size=2, unique_by=float).map(lambda pair: sorted(pair, key=float)),
    ),
)
_anything_buts = st.one_of(
    _words,
    _numbers,
    st.lists(_words, min_size=1, max_size=3),
    st.lists(_numbers, min_size=1, max_size=3),
    st.builds(lambda v: {"prefix": v}, _one_or_many(_nonempty_words)),
    st.builds(lambda v: {"suffix": v}, _one_or_many(_nonempty_words)),
    st.builds(lambda v: {"equals-ignore-case": v}, _one_or_many(_words)),
    st.builds(lambda v: {"wildcard": v}, _wildcards()),
).map(lambda operand: {"anything-but": operand})

#: One condition of a field's array, by operator.
conditions: st.SearchStrategy[Any] = st.one_of(
    _words,
    _numbers,
    st.sampled_from([True, False, None]),
    _ips,
    st.builds(lambda v: {"prefix": v}, st.one_of(_words, _ignore_case)),
    st.builds(lambda v: {"suffix": v}, st.one_of(_words, _ignore_case)),
    st.builds(lambda v: {"equals-ignore-case": v}, _words),
    st.builds(lambda v: {"wildcard": v}, _wildcards()),
    _anything_buts,
    st.builds(lambda v: {"numeric": v}, _numeric_ranges),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda v: {"cidr": v}, _cidrs),
)

_paths = st.one_of(
    st.sampled_from(_ENVELOPE_FIELDS).map(lambda name: (name,)),
    st.builds(
        lambda parents, leaf: ("detail", *parents, leaf),
        st.lists(st.sampled_from(_PARENTS), max_size=2),
        st.sampled_from(_LEAVES),
    ),
)
_fields = st.lists(st.tuples(_paths, st.lists(conditions, min_size=1, max_size=4)), min_size=1, max_size=4)


def _wildcard_count(condition: Any) -> int:
    if not isinstance(condition, dict):
        return 0
    if "wildcard" in condition:
        return 1
    operand = condition.get("anything-but")
    if isinstance(operand, dict) and "wildcard" in operand:
        value = operand["wildcard"]
        return len(value) if isinstance(value, list) else 1
    return 0


def _limit_wildcards(groups: Sequence[list[tuple[tuple[str, ...], list[Any]]]]) -> None:
    """Keep at most two wildcards per field across the whole pattern (EventBridge refuses fields
    whose wildcards keep too many states alive: "Rule is too complex")."""
    used: dict[tuple[str, ...], int] = {}
    for fields in groups:
        for path, values in fields:
            for index, condition in enumerate(values):
                count = _wildcard_count(condition)
                if count and used.get(path, 0) + count > _MAX_WILDCARDS_PER_FIELD:
                    values[index] = {"prefix": "x"}
                elif count:
                    used[path] = used.get(path, 0) + count


def _insert(pattern: dict[str, Any], path: Sequence[str], values: list[Any], dotted: int) -> None:
    """Write ``values`` at ``path``; the first ``dotted`` + 1 segments may be joined into one key."""
    if dotted > 0 and len(path) > 1:
        joined = min(dotted + 1, len(path))
        path = [".".join(path[:joined]), *path[joined:]]
    node = pattern
    for segment in path[:-1]:
        child = node.get(segment)
        if not isinstance(child, dict):
            child = node[segment] = {}
        node = child
    node[path[-1]] = values


@st.composite
def _patterns(draw: st.DrawFn) -> dict[str, Any]:
    main = draw(_fields)
    use_or = draw(st.integers(0, 2)) == 0
    members = draw(st.lists(_fields, min_size=2, max_size=3)) if use_or else []
    _limit_wildcards([main, *members])
    pattern: dict[str, Any] = {}
    for path, values in main:
        _insert(pattern, path, values, draw(st.integers(0, 3)) if draw(st.booleans()) else 0)
    if members:
        under_detail = draw(st.booleans()) and all(
            path[0] == "detail" for fields in members for path, _ in fields
        )
        alternatives = []
        for fields in members:
            member: dict[str, Any] = {}
            for path, values in fields:
                _insert(member, path[1:] if under_detail else path, values, 0)
            alternatives.append(member)
        if under_detail:
            detail = pattern.get("detail")
            if not isinstance(detail, dict):
                detail = pattern["detail"] = {}
            detail["$or"] = alternatives
        else:
            pattern["$or"] = alternatives
    return pattern


def event_patterns() -> st.SearchStrategy[dict[str, Any]]:
    """Valid EventBridge event patterns using every operator.

    Exact strings, numbers, ``true``, ``false`` and ``null``; ``prefix`` and ``suffix`` (also with
    ``equals-ignore-case``); ``equals-ignore-case``; ``wildcard``; ``anything-but`` with a string, a
    number, lists of either, and ``prefix``, ``suffix``, ``equals-ignore-case`` and ``wildcard``;
    ``numeric`` (``=``, one bound, two bounds); ``exists``; ``cidr`` (IPv4 and IPv6); ``$or`` at the
    top or inside ``detail``; nested and dotted keys. Every pattern compiles with
    :class:`eventbus.matching.EventPattern`, as EventBridge would accept it
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).

    Returns:
        A strategy of patterns as ``dict``.
    """
    return _patterns()
