"""The leaf conditions of the event pattern language, each able to test one event value.

Event values reach a condition already normalised by :mod:`eventbus.matching._event`: JSON strings are
``str``, JSON numbers are ``float`` (so ``300``, ``300.0`` and ``3.0e2`` are the same value), ``true``
and ``false`` are the ``bool`` singletons and ``null`` is ``None``. Because numbers are floats and
booleans stay booleans, Python's ``True == 1`` can never make a boolean equal a number.

Semantics follow aws/event-ruler, the engine behind EventBridge
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
string operators (prefix, suffix, equals-ignore-case, wildcard, cidr) apply to strings only; numeric
comparisons to numbers only; ``anything-but`` matches every value the exclusion does not name,
including values of another type (event-ruler only excludes a number with a numeric exclusion and a
string with a string exclusion).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from dataclasses import dataclass, field
from typing import Final, TypeAlias

__all__ = (
    "AnythingButIgnoreCase",
    "AnythingButPrefix",
    "AnythingButSuffix",
    "AnythingButValues",
    "AnythingButWildcard",
    "Cidr",
    "Condition",
    "EqualsIgnoreCase",
    "Exact",
    "ExactIP",
    "Exists",
    "Numeric",
    "Prefix",
    "Suffix",
    "Value",
    "Wildcard",
    "ascii_lower",
    "ignore_case_regex",
    "ip_literal",
    "wildcard_regex",
)

Value: TypeAlias = str | float | bool | None
"""A normalised event leaf value."""

_IPV4: Final = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6: Final = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def ip_literal(text: str) -> tuple[int, int] | None:
    """Return ``(version, address)`` if ``text`` is an IPv4 or IPv6 address literal, else ``None``.

    event-ruler (``CIDR.java``) only treats strings shaped like ``d.d.d.d`` or containing ``:`` and only
    hex digits as addresses; IPv4 parts are decimal (leading zeros allowed, as Java parses them).
    """
    if _IPV4.fullmatch(text):
        parts = [int(part) for part in text.split(".")]
        if any(part > 255 for part in parts):
            return None
        return 4, (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    if ":" in text and _IPV6.fullmatch(text):
        try:
            return 6, int(ipaddress.IPv6Address(text))
        except ValueError:
            return None
    return None


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Compile an (already validated) wildcard pattern: ``*`` is any run of characters, ``\\*`` and
    ``\\\\`` are a literal ``*`` and ``\\``."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(".*")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (for patterns that are pure ASCII, see :func:`ignore_case_regex`)."""
    return text.translate(_ASCII_LOWER)


def ignore_case_regex(text: str, mode: str) -> re.Pattern[str]:
    """event-ruler's case-insensitive matching (``input/EqualsIgnoreCaseParser``): each character of
    the pattern matches its own lower-case or upper-case form (``Locale.ROOT``), character by
    character and without context, so a Greek capital sigma matches either small sigma and a
    final sigma in the pattern matches only itself or the capital. ``mode`` is ``full``, ``prefix`` or
    ``suffix``."""
    parts: list[str] = []
    for char in text:
        forms = sorted({char.lower(), char.upper()})
        parts.append(
            re.escape(forms[0]) if len(forms) == 1 else "(?:" + "|".join(map(re.escape, forms)) + ")"
        )
    body = "".join(parts)
    if mode == "suffix":
        return re.compile("(?:" + body + r")\Z", re.DOTALL)
    return re.compile(body, re.DOTALL)


def _render_number(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


class Condition:
    """Base of every leaf condition: ``test(value)`` and a JSON rendering for explanations."""

    __slots__ = ()

    def test(self, value: Value) -> bool:  # pragma: no cover - overridden
        """Whether one event leaf value satisfies the condition."""
        raise NotImplementedError

    def render(self) -> str:  # pragma: no cover - overridden
        """The condition as it would be written in a pattern."""
        raise NotImplementedError

    def why_not(self, value: Value) -> str:
        """A short reason why ``value`` does not satisfy the condition."""
        return f"{_render_value(value)} does not match {self.render()}"


def _render_value(value: Value) -> str:
    if isinstance(value, float):
        return _render_number(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Exact(Condition):
    """An exact string, number, ``true``, ``false`` or ``null`` (``["x"]``, ``[5]``, ``[null]``)."""

    value: Value
    # Distinguishes true from 1.0 in equality and hashing (Python's True == 1.0 would merge them).
    kind: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _kind(self.value))

    def test(self, value: Value) -> bool:
        expected = self.value
        if expected is None or expected is True or expected is False:
            return value is expected
        return type(value) is type(expected) and value == expected

    def render(self) -> str:
        return _render_value(self.value)

    def why_not(self, value: Value) -> str:
        if type(value) is not type(self.value):
            return f"{_render_value(value)} is a {_kind(value)}, the pattern wants the {_kind(self.value)} {self.render()}"
        return f"{_render_value(value)} is not {self.render()}"


def _kind(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return "number"
    return "string"


@dataclass(frozen=True, slots=True)
class ExactIP(Condition):
    """An exact string that is an IP address literal: event-ruler compiles it to a one-address range,
    so ``"2001:db8::1"`` also matches ``"2001:DB8:0:0:0:0:0:1"``."""

    version: int
    address: int
    text: str = field(compare=False)

    def test(self, value: Value) -> bool:
        return type(value) is str and (
            value == self.text or ip_literal(value) == (self.version, self.address)
        )

    def render(self) -> str:
        return json.dumps(self.text)


@dataclass(frozen=True, slots=True)
class Prefix(Condition):
    """``{"prefix": "..."}`` or ``{"prefix": {"equals-ignore-case": "..."}}``: strings only."""

    value: str
    ignore_case: bool = False
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.ignore_case and self.regex is None:
            object.__setattr__(self, "regex", ignore_case_regex(self.value, "prefix"))

    def test(self, value: Value) -> bool:
        if type(value) is not str:
            return False
        if self.regex is not None:
            return self.regex.match(value) is not None
        return value.startswith(self.value)

    def render(self) -> str:
        inner = json.dumps({"equals-ignore-case": self.value}) if self.ignore_case else json.dumps(self.value)
        return f'{{"prefix": {inner}}}'


@dataclass(frozen=True, slots=True)
class Suffix(Condition):
    """``{"suffix": "..."}`` or ``{"suffix": {"equals-ignore-case": "..."}}``: strings only."""

    value: str
    ignore_case: bool = False
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.ignore_case and self.regex is None:
            object.__setattr__(self, "regex", ignore_case_regex(self.value, "suffix"))

    def test(self, value: Value) -> bool:
        if type(value) is not str:
            return False
        if self.regex is not None:
            return self.regex.search(value) is not None
        return value.endswith(self.value)

    def render(self) -> str:
        inner = json.dumps({"equals-ignore-case": self.value}) if self.ignore_case else json.dumps(self.value)
        return f'{{"suffix": {inner}}}'


@dataclass(frozen=True, slots=True)
class EqualsIgnoreCase(Condition):
    """``{"equals-ignore-case": "..."}``: strings only."""

    value: str
    regex: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", ignore_case_regex(self.value, "full"))

    def test(self, value: Value) -> bool:
        return type(value) is str and self.regex.fullmatch(value) is not None

    def render(self) -> str:
        return json.dumps({"equals-ignore-case": self.value})


@dataclass(frozen=True, slots=True)
class Wildcard(Condition):
    """``{"wildcard": "..."}``: ``*`` matches any run of characters; strings only."""

    pattern: str
    regex: re.Pattern[str] = field(compare=False, repr=False)

    def test(self, value: Value) -> bool:
        return type(value) is str and self.regex.fullmatch(value) is not None

    def render(self) -> str:
        return json.dumps({"wildcard": self.pattern})


@dataclass(frozen=True, slots=True)
class Numeric(Condition):
    """``{"numeric": [...]}`` as one interval (``=`` is a closed one-point interval); numbers only."""

    low: float
    low_inclusive: bool
    high: float
    high_inclusive: bool

    def test(self, value: Value) -> bool:
        if type(value) is not float:
            return False
        # An infinite bound means "no bound" (as in the PatternSet's range index).
        low, high = self.low, self.high
        if low != -math.inf and (value < low or (value == low and not self.low_inclusive)):
            return False
        return high == math.inf or not (value > high or (value == high and not self.high_inclusive))

    def render(self) -> str:
        if self.low == self.high:
            return f'{{"numeric": ["=", {_render_number(self.low)}]}}'
        terms: list[str] = []
        if self.low != -math.inf:
            terms += [json.dumps(">=" if self.low_inclusive else ">"), _render_number(self.low)]
        if self.high != math.inf:
            terms += [json.dumps("<=" if self.high_inclusive else "<"), _render_number(self.high)]
        return '{"numeric": [' + ", ".join(terms) + "]}"

    def why_not(self, value: Value) -> str:
        if type(value) is not float:
            return f"{_render_value(value)} is a {_kind(value)}; numeric matching applies to numbers only"
        return f"{_render_value(value)} is outside {self.render()}"


@dataclass(frozen=True, slots=True)
class Exists(Condition):
    """``{"exists": true|false}``: whether the field has a leaf value (objects do not count)."""

    present: bool

    def test(self, value: Value) -> bool:
        return self.present

    def render(self) -> str:
        return '{"exists": true}' if self.present else '{"exists": false}'

    def why_not(self, value: Value) -> str:
        return f"the field exists (value {_render_value(value)})"


@dataclass(frozen=True, slots=True)
class Cidr(Condition):
    """``{"cidr": "a.b.c.d/n"}``: strings holding an address of the same IP version in the block.

    As in event-ruler, the block runs from the written address (not the network address) to that
    address with all host bits set.
    """

    version: int
    low: int
    high: int
    text: str = field(compare=False)

    def test(self, value: Value) -> bool:
        if type(value) is not str:
            return False
        address = ip_literal(value)
        return address is not None and address[0] == self.version and self.low <= address[1] <= self.high

    def render(self) -> str:
        return json.dumps({"cidr": self.text})


@dataclass(frozen=True, slots=True)
class AnythingButValues(Condition):
    """``{"anything-but": "x" | 5 | [...]}``: every value except the listed strings (or numbers)."""

    strings: frozenset[str]
    numbers: frozenset[float]

    def test(self, value: Value) -> bool:
        if type(value) is str:
            return value not in self.strings
        if type(value) is float:
            return value not in self.numbers
        return True

    def render(self) -> str:
        listed: list[str] = [json.dumps(s) for s in sorted(self.strings)]
        listed += [_render_number(n) for n in sorted(self.numbers)]
        if len(listed) == 1:
            return '{"anything-but": ' + listed[0] + "}"
        return '{"anything-but": [' + ", ".join(listed) + "]}"

    def why_not(self, value: Value) -> str:
        return f"{_render_value(value)} is excluded by {self.render()}"


@dataclass(frozen=True, slots=True)
class AnythingButPrefix(Condition):
    """``{"anything-but": {"prefix": ...}}``: every value except strings starting with a prefix."""

    prefixes: tuple[str, ...]

    def test(self, value: Value) -> bool:
        return type(value) is not str or not value.startswith(self.prefixes)

    def render(self) -> str:
        return json.dumps({"anything-but": {"prefix": _one_or_list(self.prefixes)}})

    def why_not(self, value: Value) -> str:
        return f"{_render_value(value)} is excluded by {self.render()}"


@dataclass(frozen=True, slots=True)
class AnythingButSuffix(Condition):
    """``{"anything-but": {"suffix": ...}}``: every value except strings ending with a suffix."""

    suffixes: tuple[str, ...]

    def test(self, value: Value) -> bool:
        return type(value) is not str or not value.endswith(self.suffixes)

    def render(self) -> str:
        return json.dumps({"anything-but": {"suffix": _one_or_list(self.suffixes)}})

    def why_not(self, value: Value) -> str:
        return f"{_render_value(value)} is excluded by {self.render()}"


@dataclass(frozen=True, slots=True)
class AnythingButIgnoreCase(Condition):
    """``{"anything-but": {"equals-ignore-case": ...}}``: every value except strings equal, ignoring
    case (per character, as event-ruler does), to a listed one."""

    written: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regexes", tuple(ignore_case_regex(text, "full") for text in self.written))

    def test(self, value: Value) -> bool:
        return type(value) is not str or not any(regex.fullmatch(value) for regex in self.regexes)

    def render(self) -> str:
        return json.dumps({"anything-but": {"equals-ignore-case": _one_or_list(self.written)}})

    def why_not(self, value: Value) -> str:
        return f"{_render_value(value)} is excluded by {self.render()}"


@dataclass(frozen=True, slots=True)
class AnythingButWildcard(Condition):
    """``{"anything-but": {"wildcard": ...}}``: every value except strings matching a wildcard."""

    patterns: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...] = field(compare=False, repr=False)

    def test(self, value: Value) -> bool:
        if type(value) is not str:
            return True
        return not any(regex.fullmatch(value) for regex in self.regexes)

    def render(self) -> str:
        return json.dumps({"anything-but": {"wildcard": _one_or_list(self.patterns)}})

    def why_not(self, value: Value) -> str:
        return f"{_render_value(value)} is excluded by {self.render()}"


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)
