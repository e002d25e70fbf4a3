"""An independent reading of *valid* event patterns, for the strategies that construct events.

The strategies validate a pattern with the engine (:class:`eventbus.matching.EventPattern`) and then
read it again here, on their own, into alternatives (*branches*) of field conditions. Reading the
pattern twice is deliberate: events built from this reading test the engine instead of echoing it.

Semantics, as EventBridge documents them
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html) and as
aws/event-ruler (the engine EventBridge runs) implements them:

* fields are ANDed, the conditions in a field's array are ORed; ``$or`` multiplies the pattern out
  into branches; ``{"a.b": ...}`` is the field ``{"a": {"b": ...}}``; a later write to a path wins;
* a ``$or`` that is not an array of at least two objects free of operator names is read as an
  ordinary field name (event-ruler falls back to its pre-``$or`` compiler);
* string operators apply to strings, ``numeric`` to numbers, ``cidr`` to IP address strings;
  ``anything-but`` excludes only values of the excluded kind (a number passes a string exclusion);
  ``exists`` looks at leaf values (null is a leaf; objects and empty arrays are not).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = (
    "OPERATOR_NAMES",
    "AnythingButIgnoreCase",
    "AnythingButPrefix",
    "AnythingButSuffix",
    "AnythingButValues",
    "AnythingButWildcard",
    "Branch",
    "Cidr",
    "Condition",
    "EqualsIgnoreCase",
    "Exact",
    "Exists",
    "Leaf",
    "Numeric",
    "Prefix",
    "Suffix",
    "Wildcard",
    "equal_ignoring_case",
    "ip_address",
    "normalise",
    "read_branches",
    "starts_ignoring_case",
)

Leaf: TypeAlias = str | float | bool | None
"""A leaf value as conditions see it: numbers are floats (``300 == 3.0e2``)."""

#: Names event-ruler reserves: none may be a field name inside ``$or``.
OPERATOR_NAMES = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
        "numeric", "cidr", "html", "=", "<", "<=", ">", ">=", "regex", "not-wildcard",
        "not-equals-ignore-case", "date-after", "date-on-or-after", "date-before",
        "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip


def normalise(value: Any) -> Leaf:
    """A Python event leaf as conditions compare it: ints become floats, booleans stay booleans."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    raise TypeError(f"not a JSON leaf: {value!r}")


# ------------------------------------------------------------------------------ case folding
def _fold_char(char: str) -> str:
    upper = char.upper()
    if len(upper) == 1:
        lower = upper.lower()
        if len(lower) == 1:
            return lower
    lower = char.lower()
    return lower if len(lower) == 1 else char


def _fold(text: str) -> str:
    """Code-point case folding (as Java's per-character upper/lower casing does)."""
    return "".join(_fold_char(char) for char in text)


def equal_ignoring_case(left: str, right: str) -> bool:
    """Equal ignoring case, under either per-code-point or whole-string lower casing (the wider)."""
    return _fold(left) == _fold(right) or left.lower() == right.lower()


def starts_ignoring_case(text: str, prefix: str) -> bool:
    """``text`` starts with ``prefix`` ignoring case (the wider of the two casings)."""
    return _fold(text).startswith(_fold(prefix)) or text.lower().startswith(prefix.lower())


def _ends_ignoring_case(text: str, suffix: str) -> bool:
    return _fold(text).endswith(_fold(suffix)) or text.lower().endswith(suffix.lower())


# ------------------------------------------------------------------------------ IP addresses
_IPV4_SHAPE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6_SHAPE = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def ip_address(text: str) -> tuple[int, int] | None:
    """``(version, integer)`` when ``text`` is an IPv4 or IPv6 address literal, else ``None``.

    event-ruler reads dotted quads with decimal parts (leading zeros allowed) and colon-hex IPv6.
    """
    if _IPV4_SHAPE.fullmatch(text):
        parts = [int(part) for part in text.split(".")]
        if max(parts) > 255:
            return None
        return 4, int.from_bytes(bytes(parts), "big")
    if ":" in text and _IPV6_SHAPE.fullmatch(text):
        try:
            return 6, int(ipaddress.IPv6Address(text))
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------ conditions
class Condition:
    """One match condition of a field; ``holds(leaf)`` says whether a present leaf satisfies it."""

    __slots__ = ()

    def holds(self, value: Leaf) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class Exact(Condition):
    """An exact string, number, true, false or null; an IP-address string matches any spelling."""

    value: Leaf

    def holds(self, value: Leaf) -> bool:
        expected = self.value
        if expected is None or isinstance(expected, bool):
            return value is expected
        if isinstance(expected, str):
            if not isinstance(value, str):
                return False
            if value == expected:
                return True
            address = ip_address(expected)
            return address is not None and ip_address(value) == address
        return isinstance(value, float) and value == expected


@dataclass(frozen=True)
class Prefix(Condition):
    """``{"prefix": text}`` or ``{"prefix": {"equals-ignore-case": text}}``."""

    text: str
    ignore_case: bool = False

    def holds(self, value: Leaf) -> bool:
        if not isinstance(value, str):
            return False
        return starts_ignoring_case(value, self.text) if self.ignore_case else value.startswith(self.text)


@dataclass(frozen=True)
class Suffix(Condition):
    """``{"suffix": text}`` or ``{"suffix": {"equals-ignore-case": text}}``."""

    text: str
    ignore_case: bool = False

    def holds(self, value: Leaf) -> bool:
        if not isinstance(value, str):
            return False
        return _ends_ignoring_case(value, self.text) if self.ignore_case else value.endswith(self.text)


@dataclass(frozen=True)
class EqualsIgnoreCase(Condition):
    """``{"equals-ignore-case": text}``."""

    text: str

    def holds(self, value: Leaf) -> bool:
        return isinstance(value, str) and equal_ignoring_case(value, self.text)


def _wildcard_pieces(pattern: str) -> tuple[str, ...]:
    """The literal runs between the ``*`` of a wildcard (``\\*`` and ``\\\\`` are literals)."""
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            pieces.append("".join(current))
            current = []
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            current.append(pattern[i])
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return tuple(pieces)


@dataclass(frozen=True)
class Wildcard(Condition):
    """``{"wildcard": pattern}``: ``*`` stands for any run of characters; strings only."""

    pattern: str
    pieces: tuple[str, ...] = field(init=False, compare=False)
    regex: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        pieces = _wildcard_pieces(self.pattern)
        object.__setattr__(self, "pieces", pieces)
        object.__setattr__(self, "regex", re.compile(".*".join(map(re.escape, pieces)), re.DOTALL))

    def holds(self, value: Leaf) -> bool:
        return isinstance(value, str) and self.regex.fullmatch(value) is not None


@dataclass(frozen=True)
class Numeric(Condition):
    """``{"numeric": [...]}`` as an interval of doubles (``=`` is a closed one-point interval)."""

    low: float
    low_inclusive: bool
    high: float
    high_inclusive: bool

    def holds(self, value: Leaf) -> bool:
        if not isinstance(value, float) or isinstance(value, bool):
            return False
        above = value > self.low or (self.low_inclusive and value == self.low)
        below = value < self.high or (self.high_inclusive and value == self.high)
        return above and below


@dataclass(frozen=True)
class Exists(Condition):
    """``{"exists": true|false}``: whether the field has a leaf value."""

    present: bool

    def holds(self, value: Leaf) -> bool:
        return self.present


@dataclass(frozen=True)
class Cidr(Condition):
    """``{"cidr": "address/bits"}``: from the written address to it with every host bit set."""

    version: int
    low: int
    high: int

    def holds(self, value: Leaf) -> bool:
        if not isinstance(value, str):
            return False
        address = ip_address(value)
        return address is not None and address[0] == self.version and self.low <= address[1] <= self.high


@dataclass(frozen=True)
class AnythingButValues(Condition):
    """``{"anything-but": "x" | 5 | [...]}``: excludes the listed strings (or the listed numbers)."""

    strings: frozenset[str]
    numbers: frozenset[float]

    def holds(self, value: Leaf) -> bool:
        if isinstance(value, str):
            return value not in self.strings
        if isinstance(value, float):
            return value not in self.numbers
        return True


@dataclass(frozen=True)
class AnythingButPrefix(Condition):
    """``{"anything-but": {"prefix": ...}}``: excludes strings starting with a listed prefix."""

    texts: tuple[str, ...]

    def holds(self, value: Leaf) -> bool:
        return not (isinstance(value, str) and value.startswith(self.texts))


@dataclass(frozen=True)
class AnythingButSuffix(Condition):
    """``{"anything-but": {"suffix": ...}}``: excludes strings ending with a listed suffix."""

    texts: tuple[str, ...]

    def holds(self, value: Leaf) -> bool:
        return not (isinstance(value, str) and value.endswith(self.texts))


@dataclass(frozen=True)
class AnythingButIgnoreCase(Condition):
    """``{"anything-but": {"equals-ignore-case": ...}}``: excludes strings equal, ignoring case, to one."""

    texts: tuple[str, ...]

    def holds(self, value: Leaf) -> bool:
        return not (isinstance(value, str) and any(equal_ignoring_case(value, text) for text in self.texts))


@dataclass(frozen=True)
class AnythingButWildcard(Condition):
    """``{"anything-but": {"wildcard": ...}}``: excludes strings any listed wildcard matches."""

    wildcards: tuple[Wildcard, ...]

    def holds(self, value: Leaf) -> bool:
        return not (isinstance(value, str) and any(w.holds(value) for w in self.wildcards))


# ------------------------------------------------------------------------------ reading patterns
Branch: TypeAlias = dict[str, tuple[Condition, ...]]
"""One alternative of a pattern: dotted path -> the conditions one of which must hold."""


class _Pairs:
    """A JSON object as its ordered members (duplicates kept, as a streaming parser sees them)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


class _Number:
    __slots__ = ("value",)

    def __init__(self, text: str) -> None:
        self.value = float(text)


class _NotAnOr(Exception):
    """The pattern's ``$or`` cannot be the operator: read it as a field name instead."""


def _tokens(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _Pairs([(str(key), _tokens(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return [_tokens(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return _Number(str(value))
    if isinstance(value, float):
        return _Number(json.dumps(value))
    raise TypeError(f"not a JSON value: {value!r}")


def read_branches(pattern: str | bytes | bytearray | Mapping[str, Any]) -> list[Branch]:
    """Read a pattern the engine has already accepted into its branches."""
    if isinstance(pattern, (str, bytes, bytearray)):
        root = json.loads(pattern, object_pairs_hook=_Pairs, parse_int=_Number, parse_float=_Number)
    else:
        root = _tokens(pattern)
    try:
        return _Reader(expand_or=True).read(root)
    except _NotAnOr:
        return _Reader(expand_or=False).read(root)


class _Reader:
    def __init__(self, *, expand_or: bool) -> None:
        self.expand_or = expand_or

    def read(self, root: _Pairs) -> list[Branch]:
        branches: list[Branch] = []
        self._object(branches, (), root, inside_or=False)
        return branches

    def _object(self, branches: list[Branch], path: tuple[str, ...], obj: _Pairs, *, inside_or: bool) -> None:
        for key, value in obj.pairs:
            if key == "$or" and self.expand_or:
                self._or(branches, path, value)
            elif inside_or and key in OPERATOR_NAMES:
                raise _NotAnOr
            elif isinstance(value, _Pairs):
                self._object(branches, (*path, key), value, inside_or=inside_or)
            else:
                conditions = tuple(dict.fromkeys(_condition(item) for item in value))
                if not branches:
                    branches.append({})
                for branch in branches:
                    branch[".".join((*path, key))] = conditions

    def _or(self, branches: list[Branch], path: tuple[str, ...], value: Any) -> None:
        if not isinstance(value, list) or len(value) < 2 or not all(isinstance(m, _Pairs) for m in value):
            raise _NotAnOr
        before = [dict(branch) for branch in branches]
        branches.clear()
        for member in value:
            forked = [dict(branch) for branch in before] or [{}]
            self._object(forked, path, member, inside_or=True)
            branches.extend(forked)


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(items))


def _condition(token: Any) -> Condition:
    if not isinstance(token, _Pairs):
        return Exact(token.value if isinstance(token, _Number) else token)
    operator, operand = token.pairs[0]
    if operator == "exactly":
        return Exact(operand)
    if operator in ("prefix", "suffix"):
        kind = Prefix if operator == "prefix" else Suffix
        if isinstance(operand, _Pairs):
            return kind(operand.pairs[0][1], True)
        return kind(operand)
    if operator == "equals-ignore-case":
        return EqualsIgnoreCase(operand)
    if operator == "wildcard":
        return Wildcard(operand)
    if operator == "exists":
        return Exists(operand)
    if operator == "cidr":
        return _cidr(operand)
    if operator == "numeric":
        return _numeric(operand)
    if operator == "anything-but":
        return _anything_but(operand)
    raise ValueError(f"unknown operator {operator!r} in a pattern the engine accepted")


def _cidr(text: str) -> Cidr:
    address_text, bits = text.rstrip("/").split("/")
    address = ip_address(address_text)
    assert address is not None
    version, low = address
    host_bits = (32 if version == 4 else 128) - int(bits)
    return Cidr(version, low, low | ((1 << host_bits) - 1))


def _numeric(terms: list[Any]) -> Numeric:
    low, low_inclusive, high, high_inclusive = -math.inf, False, math.inf, False
    for operator, operand in zip(terms[::2], terms[1::2], strict=True):
        number = operand.value
        if operator == "=":
            return Numeric(number, True, number, True)
        if operator in (">", ">="):
            low, low_inclusive = number, operator == ">="
        else:
            high, high_inclusive = number, operator == "<="
    return Numeric(low, low_inclusive, high, high_inclusive)


def _anything_but(operand: Any) -> Condition:
    if isinstance(operand, _Pairs):
        kind, value = operand.pairs[0]
        texts = _strings(value)
        if kind == "prefix":
            return AnythingButPrefix(texts)
        if kind == "suffix":
            return AnythingButSuffix(texts)
        if kind == "equals-ignore-case":
            return AnythingButIgnoreCase(texts)
        return AnythingButWildcard(tuple(Wildcard(text) for text in texts))
    items = operand if isinstance(operand, list) else [operand]
    strings = frozenset(item for item in items if isinstance(item, str))
    numbers = frozenset(item.value for item in items if isinstance(item, _Number))
    return AnythingButValues(strings, numbers)
