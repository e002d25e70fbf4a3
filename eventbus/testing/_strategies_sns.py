"""SNS subscription filter policies, and Publish requests built to match one.

Filter policies use the event-pattern language with SNS's subset and limits
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html,
https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html): at most 5
keys, at most 150 value combinations, numeric matching between -10^9 and 10^9 with five decimals,
no nesting in the ``MessageAttributes`` scope, no ``wildcard`` and ``anything-but`` only with values
or a ``prefix``. In the attribute scope a ``String`` attribute is a string, a ``Number`` attribute a
number and a ``String.Array`` attribute an array whose elements match one by one
(https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._strategies_build import Options, Shape, describe, draw_matching_plan, render, satisfiable_branches
from ._strategies_events import json_objects
from ._strategies_model import Branch, Numeric, read_branches
from ._strategies_sqs import body_characters
from ._strategies_values import JsonLeaf, leaves

__all__ = ("filter_policies", "sns_messages_matching")

Scope = Literal["MessageAttributes", "MessageBody"]
_SCOPES: Final = ("MessageAttributes", "MessageBody")
_MAX_KEYS: Final = 5
_MAX_COMBINATIONS: Final = 150
_NUMBER_LIMIT: Final = 1e9
_MAX_ATTRIBUTES: Final = 10

_NAMES: Final = (
    "store",
    "event",
    "price_usd",
    "customer_interests",
    "color",
    "size",
    "encrypted",
    "source_ip",
)
_PARENTS: Final = ("order", "customer", "meta")
_CHARS: Final = "abcxyzABC019-_ é"

_words = st.text(st.sampled_from(_CHARS), max_size=6)
_nonempty_words = st.text(st.sampled_from(_CHARS), min_size=1, max_size=6)
# Numeric matching in SNS covers -10^9..10^9 with five decimals.
_numbers = st.one_of(
    st.integers(-1000, 1000),
    st.integers(-(10**9), 10**9),
    st.decimals(-(10**9), 10**9, places=5, allow_nan=False, allow_infinity=False).map(float),
)
_cidrs = st.one_of(
    st.builds(
        lambda a, b, m: f"10.{a}.{b}.0/{m}", st.integers(0, 255), st.integers(0, 255), st.integers(8, 31)
    ),
    st.builds(lambda m: f"2001:db8::/{m}", st.integers(32, 127)),
)
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
_conditions = st.one_of(
    _words,
    _numbers,
    st.sampled_from([True, False, None]),
    st.builds(lambda v: {"prefix": v}, _words),
    st.builds(lambda v: {"suffix": v}, _words),
    st.builds(lambda v: {"equals-ignore-case": v}, _words),
    st.builds(
        lambda v: {"anything-but": v},
        st.one_of(
            _words,
            _numbers,
            st.lists(_words, min_size=1, max_size=3),
            st.lists(_numbers, min_size=1, max_size=3),
            st.builds(lambda p: {"prefix": p}, _nonempty_words),
        ),
    ),
    st.builds(lambda v: {"numeric": v}, _numeric_ranges),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda v: {"cidr": v}, _cidrs),
)
_value_lists = st.lists(_conditions, min_size=1, max_size=3)


def _check_scope(scope: object, caller: str) -> Scope:
    if scope not in _SCOPES:
        raise InvalidArgument(f"{caller}: scope must be 'MessageAttributes' or 'MessageBody', got {scope!r}")
    return scope


def _combinations(policy: Mapping[str, Any], depth: int, combinations: int) -> int:
    """SNS's count: the product over value arrays of (values x nesting depth), ``$or`` summing its
    branches (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html)."""
    for key, value in policy.items():
        if isinstance(value, Mapping):
            combinations = _combinations(value, depth + 1, combinations)
        elif key == "$or":
            combinations = sum(_combinations(member, depth, combinations) for member in value)
        else:
            combinations *= len(value) * depth
    return combinations


def _value_lists_of(policy: dict[str, Any]) -> list[list[Any]]:
    found: list[list[Any]] = []
    for key, value in policy.items():
        if isinstance(value, dict):
            found += _value_lists_of(value)
        elif key == "$or":
            for member in value:
                found += _value_lists_of(member)
        else:
            found.append(value)
    return found


@st.composite
def _members(draw: st.DrawFn, scope: Scope, keys: int) -> dict[str, Any]:
    member: dict[str, Any] = {}
    for _ in range(keys):
        name = draw(st.sampled_from(_NAMES))
        if scope == "MessageBody" and draw(st.booleans()):
            member.setdefault(draw(st.sampled_from(_PARENTS)), {})[name] = draw(_value_lists)
        else:
            member[name] = draw(_value_lists)
    return member


@st.composite
def _policies(draw: st.DrawFn, scope: Scope) -> dict[str, Any]:
    policy = draw(_members(scope, draw(st.integers(1, 4))))
    if len(policy) < _MAX_KEYS and draw(st.integers(0, 2)) == 0:
        policy["$or"] = [
            draw(_members(scope, draw(st.integers(1, 2)))) for _ in range(draw(st.integers(2, 3)))
        ]
    while _combinations(policy, 1, 1) > _MAX_COMBINATIONS:
        longest = max(_value_lists_of(policy), key=len)
        if len(longest) == 1:  # pragma: no cover - at most 5 keys two deep stay under 150
            break
        longest.pop()
    return policy


def filter_policies(scope: Scope = "MessageAttributes") -> st.SearchStrategy[dict[str, Any]]:
    """Valid SNS subscription filter policies for ``scope``.

    Exact strings, numbers, ``true``/``false``/``null``, ``prefix``, ``suffix``,
    ``equals-ignore-case``, ``anything-but`` (values, lists, ``prefix``), ``numeric``, ``exists``,
    ``cidr`` and ``$or``; nested keys only in the ``MessageBody`` scope; within SNS's limits of five
    keys and 150 combinations and its numeric range
    (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).

    Args:
        scope: ``"MessageAttributes"`` (SNS's default) or ``"MessageBody"``.
    """
    return _policies(_check_scope(scope, "filter_policies"))


def _sns_range(branches: list[Branch]) -> list[Branch]:
    """Numeric conditions narrowed to SNS's -10^9..10^9 where they overlap it."""
    narrowed: list[Branch] = []
    for branch in branches:
        copy: Branch = {}
        for path, conditions in branch.items():
            copy[path] = tuple(_narrow(c) if isinstance(c, Numeric) else c for c in conditions)
        narrowed.append(copy)
    return narrowed


def _narrow(condition: Numeric) -> Numeric:
    low, high = max(condition.low, -_NUMBER_LIMIT), min(condition.high, _NUMBER_LIMIT)
    if low > high or (low == high and not (condition.low_inclusive and condition.high_inclusive)):
        return condition
    return Numeric(
        low,
        condition.low_inclusive or low != condition.low,
        high,
        condition.high_inclusive or high != condition.high,
    )


def _number_text(value: float | int) -> str:
    if isinstance(value, int) or (math.isfinite(value) and value.is_integer() and abs(value) < 1e16):
        return str(int(value))
    return repr(value)


def _attribute(values: Sequence[JsonLeaf]) -> dict[str, str]:
    """The attribute SNS matches as these leaf values: String, Number or String.Array."""
    if len(values) == 1:
        value = values[0]
        if isinstance(value, str):
            return {"DataType": "String", "StringValue": value}
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"DataType": "Number", "StringValue": _number_text(value)}
    return {"DataType": "String.Array", "StringValue": json.dumps(list(values), ensure_ascii=False)}


_attribute_names = st.text("abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=12)
_noise_attributes = st.one_of(
    st.builds(
        lambda v: {"DataType": "String", "StringValue": v}, st.text(body_characters, min_size=1, max_size=8)
    ),
    st.builds(lambda v: {"DataType": "Number", "StringValue": str(v)}, st.integers(-1000, 1000)),
)
_messages = st.text(body_characters, min_size=1, max_size=40)


def sns_messages_matching(
    policy: Mapping[str, Any] | str | bytes, scope: Scope = "MessageAttributes"
) -> st.SearchStrategy[dict[str, Any]]:
    """Publish requests (``{"Message", "MessageAttributes"}``) built so that ``policy`` matches them.

    In the ``MessageAttributes`` scope each field of one ``$or`` branch gets an attribute whose
    value satisfies one of its conditions (a ``String``, a ``Number``, or a ``String.Array`` holding
    the matching value among others), ``exists: false`` fields get none, and unrelated attributes
    are added up to SNS's ten. In the ``MessageBody`` scope the message is a JSON object built as
    :func:`events_matching` builds events. Semantics:
    https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html.

    Args:
        policy: the filter policy, as a mapping or JSON text.
        scope: ``"MessageAttributes"`` (SNS's default) or ``"MessageBody"``.

    Raises:
        eventbus.matching.InvalidFilterPolicyError: SNS would refuse the policy (its reason).
        hypothesis.errors.InvalidArgument: a bad argument, or no message can match.
    """
    checked = _check_scope(scope, "sns_messages_matching")
    if not isinstance(policy, (Mapping, str, bytes, bytearray)):
        raise InvalidArgument(f"sns_messages_matching: policy must be a mapping or JSON text, got {policy!r}")
    from ..matching import FilterPolicy

    FilterPolicy(policy, checked)
    branches = _sns_range(read_branches(policy))
    satisfiable = satisfiable_branches(
        branches, f"sns_messages_matching: no message can match the policy {describe(policy)}"
    )
    if checked == "MessageBody":
        return _bodies(Shape(branches), satisfiable)
    referenced = frozenset(path for branch in branches for path in branch)
    return _with_attributes(satisfiable, referenced)


@st.composite
def _bodies(draw: st.DrawFn, shape: Shape, satisfiable: list[Options]) -> dict[str, Any]:
    plan = draw_matching_plan(draw, satisfiable)
    body = render(draw, shape, plan, {path: leaves for path in plan}, draw(json_objects(max_leaves=6)))
    message: dict[str, Any] = {"Message": json.dumps(body, ensure_ascii=False)}
    if draw(st.booleans()):
        message["MessageAttributes"] = draw(st.dictionaries(_attribute_names, _noise_attributes, max_size=3))
    return message


@st.composite
def _with_attributes(
    draw: st.DrawFn, satisfiable: list[Options], referenced: frozenset[str]
) -> dict[str, Any]:
    plan = draw_matching_plan(draw, satisfiable)
    attributes = {name: _attribute(values) for name, values in plan.items()}
    room = max(0, _MAX_ATTRIBUTES - len(attributes))
    noise = draw(st.dictionaries(_attribute_names, _noise_attributes, max_size=min(room, 3)))
    for name, value in noise.items():
        if name not in referenced:
            attributes.setdefault(name, value)
    return {"Message": draw(_messages), "MessageAttributes": attributes}
