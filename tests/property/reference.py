"""A small reference interpreter of the EventBridge pattern language and SNS filter policies.

Written for clarity, not speed, and independently of eventbus.matching: the property tests check the
engine against it. It evaluates *valid* patterns only (validation and error texts are covered by the
conformance cases). Semantics, with their sources:

* An event is flattened into leaves: (dotted name, scalar value, array positions). Objects add a key
  to the name; arrays add (array identity, index) to the positions; keys containing dots join the
  same way (aws/event-ruler README, "JSON keys with dots"). Empty arrays and objects yield no leaf.
* A pattern is expanded into AND-branches (each ``$or`` multiplies them out; aws/event-ruler
  JsonRuleCompiler). A branch maps dotted names to condition lists; fields are ANDed, conditions ORed.
* Array consistency (aws/event-ruler ``rulesForJSONEvent``): the leaves chosen for the fields of a
  branch must agree on the index of every array they share.
* An exact string that is an IP address matches any spelling of that address (event-ruler
  JsonRuleCompiler.writeRules turns it into a one-address CIDR range).
* A leaf satisfies a condition by JSON type: strings only match string operators, numbers compare
  by value (``300 == 3.0e2``), booleans never equal numbers, numeric ranges and cidr apply to numbers
  and IP strings only, anything-but fails only on an excluded value of the same type
  (aws/event-ruler ByteMachine.doTransitionOn). ``exists: true`` needs a leaf (null included);
  ``exists: false`` needs none. anything-but needs a leaf to test.
* ``exists: false`` inside arrays is ambiguous (event-ruler checks it against the array positions of
  the fields matched before it, in name order). :func:`evaluate` reports both readings so the
  property tests can skip examples where they differ.

SNS message attributes become a flat object: String -> string, Number -> number, String.Array ->
the parsed JSON array; Binary attributes are ignored
(https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Positions = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Leaf:
    """One scalar of an event: its dotted name, its value and the array elements it sits in."""

    name: str
    value: Any
    positions: Positions


def flatten(event: Any) -> list[Leaf]:
    """Every scalar leaf of a JSON document, depth first."""
    leaves: list[Leaf] = []
    array_ids = itertools.count()

    def walk(value: Any, path: tuple[str, ...], positions: Positions) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, (*path, key), positions)
        elif isinstance(value, list):
            array_id = next(array_ids)
            for index, inner in enumerate(value):
                walk(inner, path, (*positions, (array_id, index)))
        else:
            leaves.append(Leaf(".".join(path), value, positions))

    walk(event, (), ())
    return leaves


def branches(pattern: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[dict[str, list[Any]]]:
    """The AND-branches of a pattern: ``$or`` arrays of two or more objects fork the branches."""
    result: list[dict[str, list[Any]]] = [{}]
    for key, value in pattern.items():
        if key == "$or" and isinstance(value, list):
            options = [branch for sub in value for branch in branches(sub, prefix)]
            result = [{**mine, **option} for mine in result for option in options]
        elif isinstance(value, Mapping):
            subs = branches(value, (*prefix, key))
            result = [{**mine, **sub} for mine in result for sub in subs]
        else:
            name = ".".join((*prefix, key))
            result = [{**mine, name: list(value)} for mine in result]
    return result


def is_number(value: Any) -> bool:
    """A JSON number (Python's bool is an int, but true/false are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``*`` is any run of characters; ``\\*`` and ``\\\\`` are a literal star and backslash."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _same_ignoring_case(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def in_cidr(block: str, value: Any) -> bool:
    """event-ruler's CIDR range: from the given address (host bits are not masked) to the address with
    every host bit set."""
    address = _ip(value)
    base_text, bits_text = block.split("/")
    base = ipaddress.ip_address(base_text)
    if address is None or address.version != base.version:
        return False
    host_bits = base.max_prefixlen - int(bits_text)
    bottom = int(base)
    top = bottom | ((1 << host_bits) - 1)
    return bottom <= int(address) <= top


def numeric_holds(terms: list[Any], value: Any) -> bool:
    """``["=", x]`` or one/two comparisons, against a JSON number."""
    if not is_number(value):
        return False
    number = float(value)
    checks = {
        "=": lambda bound: number == bound,
        "<": lambda bound: number < bound,
        "<=": lambda bound: number <= bound,
        ">": lambda bound: number > bound,
        ">=": lambda bound: number >= bound,
    }
    return all(checks[terms[i]](float(terms[i + 1])) for i in range(0, len(terms), 2))


def _string_op(operand: Any, value: Any, test: Any) -> bool:
    """prefix/suffix with a plain string or ``{"equals-ignore-case": s}``."""
    if not isinstance(value, str):
        return False
    if isinstance(operand, Mapping):
        return bool(test(value.lower(), operand["equals-ignore-case"].lower()))
    return bool(test(value, operand))


def _excluded(kind: str, operand: Any, value: Any) -> bool:
    """Whether anything-but's operand excludes this leaf value."""
    values = operand if isinstance(operand, list) else [operand]
    if kind == "values":
        if isinstance(value, str):
            return any(isinstance(v, str) and v == value for v in values)
        if is_number(value):
            return any(is_number(v) and float(v) == float(value) for v in values)
        return False
    if not isinstance(value, str):
        return False
    if kind == "prefix":
        return any(value.startswith(v) for v in values)
    if kind == "suffix":
        return any(value.endswith(v) for v in values)
    if kind == "equals-ignore-case":
        return any(_same_ignoring_case(v, value) for v in values)
    if kind == "wildcard":
        return any(wildcard_regex(v).fullmatch(value) is not None for v in values)
    raise ValueError(f"unknown anything-but form {kind}")


def condition_holds(condition: Any, value: Any) -> bool:
    """Whether one (non-exists) condition of a pattern's value list accepts one leaf value."""
    if isinstance(condition, str):
        if _ip(condition) is not None:  # event-ruler compiles an IP literal to a one-address range
            return _ip(value) == _ip(condition)
        return isinstance(value, str) and value == condition
    if isinstance(condition, bool) or condition is None:
        return value is condition
    if is_number(condition):
        return is_number(value) and float(value) == float(condition)
    ((operator, operand),) = condition.items()
    if operator == "prefix":
        return _string_op(operand, value, str.startswith)
    if operator == "suffix":
        return _string_op(operand, value, str.endswith)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and _same_ignoring_case(operand, value)
    if operator == "wildcard":
        return isinstance(value, str) and wildcard_regex(operand).fullmatch(value) is not None
    if operator == "numeric":
        return numeric_holds(operand, value)
    if operator == "cidr":
        return in_cidr(operand, value)
    if operator == "anything-but":
        if isinstance(operand, Mapping):
            ((kind, inner),) = operand.items()
            return not _excluded(kind, inner, value)
        return not _excluded("values", operand, value)
    raise ValueError(f"unknown operator {operator}")


def _consistent(a: Positions, b: Positions) -> bool:
    indexes = dict(a)
    return all(indexes.get(array, index) == index for array, index in b)


def _merge(a: Positions, b: Positions) -> Positions:
    return tuple(sorted(set(a) | set(b)))


@dataclass(frozen=True)
class Verdict:
    """The reference's answer: ``matches`` reads exists:false over the whole event; ``scoped`` reads
    it within the array elements the other fields chose. They differ only for exists:false on a
    field inside an array; ``ambiguous`` says so."""

    matches: bool
    scoped: bool

    @property
    def ambiguous(self) -> bool:
        return self.matches != self.scoped


def _branch_choices(
    branch: dict[str, list[Any]], leaves: list[Leaf]
) -> Iterator[tuple[Positions, list[str]]]:
    """Every array-consistent way to satisfy the branch: the merged positions and the names that were
    satisfied by being absent."""
    names = sorted(branch)
    options: list[list[tuple[Positions | None, str | None]]] = []
    for name in names:
        conditions = branch[name]
        mine = [leaf for leaf in leaves if leaf.name == name]
        wants_present = any(c == {"exists": True} for c in conditions if isinstance(c, Mapping))
        wants_absent = any(c == {"exists": False} for c in conditions if isinstance(c, Mapping))
        values = [c for c in conditions if not (isinstance(c, Mapping) and "exists" in c)]
        field_options: list[tuple[Positions | None, str | None]] = [
            (leaf.positions, None)
            for leaf in mine
            if wants_present or any(condition_holds(c, leaf.value) for c in values)
        ]
        if wants_absent:
            field_options.append((None, name))
        options.append(field_options)

    def search(index: int, positions: Positions, absent: list[str]) -> Iterator[tuple[Positions, list[str]]]:
        if index == len(options):
            yield positions, absent
            return
        for chosen, absent_name in options[index]:
            if chosen is None:
                yield from search(index + 1, positions, [*absent, absent_name or ""])
            elif _consistent(positions, chosen):
                yield from search(index + 1, _merge(positions, chosen), absent)

    yield from search(0, (), [])


def evaluate(pattern: Mapping[str, Any], event: Any) -> Verdict:
    """Match a valid EventBridge pattern against an event (a JSON object)."""
    leaves = flatten(event) if isinstance(event, Mapping) else []
    by_name: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        by_name.setdefault(leaf.name, []).append(leaf)
    whole = scoped = False
    for branch in branches(pattern):
        for positions, absent in _branch_choices(branch, leaves):
            if all(name not in by_name for name in absent):
                whole = True
            if all(
                not any(_consistent(positions, leaf.positions) for leaf in by_name.get(name, []))
                for name in absent
            ):
                scoped = True
    return Verdict(whole, scoped)


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """:func:`evaluate`'s whole-event reading."""
    return evaluate(pattern, event).matches


def attributes_to_document(attributes: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """SNS message attributes as the JSON object a filter policy sees."""
    document: dict[str, Any] = {}
    for name, attribute in attributes.items():
        kind, text = attribute["Type"], attribute["Value"]
        if kind.startswith("String.Array"):
            document[name] = json.loads(text)
        elif kind.startswith("String"):
            document[name] = text
        elif kind.startswith("Number"):
            document[name] = float(text)
    return document


def evaluate_attributes(policy: Mapping[str, Any], attributes: Mapping[str, Mapping[str, str]]) -> Verdict:
    """An SNS filter policy of scope MessageAttributes against a message's attributes."""
    return evaluate(policy, attributes_to_document(attributes))


def evaluate_body(policy: Mapping[str, Any], body: str) -> Verdict:
    """An SNS filter policy of scope MessageBody against a raw message: it must be a JSON object."""
    try:
        document = json.loads(body)
    except ValueError:
        return Verdict(False, False)
    if not isinstance(document, dict):
        return Verdict(False, False)
    return evaluate(policy, document)
