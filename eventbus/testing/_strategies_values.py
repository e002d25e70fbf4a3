"""Leaf values built to satisfy one condition, or to fail every condition of a field.

Values are constructed, not filtered: a string with the prefix, a number inside the interval, an
address inside the CIDR block, a string outside an ``anything-but`` list. Where a random
construction can collide with a condition (a random string that happens to start with an excluded
prefix), it is repaired deterministically or replaced by a value from a pool computed in advance
and known to work, so no draw is ever rejected.

Condition semantics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
"""

from __future__ import annotations

import ipaddress
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

from hypothesis import strategies as st

from ._strategies_model import (
    AnythingButIgnoreCase,
    AnythingButPrefix,
    AnythingButSuffix,
    AnythingButValues,
    AnythingButWildcard,
    Cidr,
    Condition,
    EqualsIgnoreCase,
    Exact,
    Exists,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
    normalise,
)

__all__ = (
    "JsonLeaf",
    "candidate_pool",
    "fails_all",
    "leaves",
    "satisfying",
    "texts",
    "violating",
)

JsonLeaf: TypeAlias = str | int | float | bool | None
"""A leaf as it appears in a generated event."""

_MAX_FLOAT = sys.float_info.max
_SAFE_INT = 2**63

#: Short strings: mostly readable, sometimes any Unicode (never surrogates: events are UTF-8 JSON).
texts: st.SearchStrategy[str] = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8),
    st.text(max_size=6),
)
finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False, allow_infinity=False)
numbers: st.SearchStrategy[int | float] = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(-_SAFE_INT, _SAFE_INT),
    finite_floats,
    st.sampled_from([1e300, -2.5e-300, 3.0e2, 1.5e10, -7.25e-5]),
)
#: Any JSON leaf: strings, integers, floats, booleans and null.
leaves: st.SearchStrategy[JsonLeaf] = st.one_of(texts, numbers, st.booleans(), st.none())


def _ascii_case_variants(text: str) -> st.SearchStrategy[str]:
    """``text`` with some ASCII letters' case flipped: equal ignoring case under any casing rule."""
    positions = [i for i, char in enumerate(text) if char.isascii() and char.isalpha()]
    if not positions:
        return st.just(text)

    def flip(chosen: Sequence[bool]) -> str:
        chars = list(text)
        for position, swap in zip(positions, chosen, strict=True):
            if swap:
                chars[position] = chars[position].swapcase()
        return "".join(chars)

    return st.lists(st.booleans(), min_size=len(positions), max_size=len(positions)).map(flip)


def _number_forms(value: float) -> st.SearchStrategy[JsonLeaf]:
    """A number as an event may spell it: ``300`` and ``300.0`` are the same JSON number value."""
    if value.is_integer():
        return st.sampled_from([int(value), value])
    return st.just(value)


def _interval(condition: Numeric) -> tuple[float, float] | None:
    """The closed interval of finite doubles inside a numeric condition, or None when there is none."""
    low = condition.low if condition.low_inclusive else math.nextafter(condition.low, math.inf)
    high = condition.high if condition.high_inclusive else math.nextafter(condition.high, -math.inf)
    low, high = max(low, -_MAX_FLOAT), min(high, _MAX_FLOAT)
    if low > high or math.isnan(low) or math.isnan(high):
        return None
    return low, high


def _in_interval(low: float, high: float) -> st.SearchStrategy[JsonLeaf]:
    options: list[st.SearchStrategy[JsonLeaf]] = [
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.sampled_from(sorted({low, high})),
    ]
    int_low, int_high = max(math.ceil(low), -_SAFE_INT), min(math.floor(high), _SAFE_INT)
    if int_low <= int_high:
        options.insert(0, st.integers(int_low, int_high))
    return st.one_of(options)


def _format_ip(version: int, address: int, exploded: bool = False) -> str:
    if version == 4:
        return str(ipaddress.IPv4Address(address))
    ipv6 = ipaddress.IPv6Address(address)
    return ipv6.exploded if exploded else ipv6.compressed


def _fill_wildcard(condition: Wildcard, fill: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pieces = condition.pieces
    stars = len(pieces) - 1

    def join(fills: Sequence[str]) -> str:
        out = [pieces[0]]
        for filler, piece in zip(fills, pieces[1:], strict=True):
            out += [filler, piece]
        return "".join(out)

    return st.lists(fill, min_size=stars, max_size=stars).map(join)


def _first_unused(used: Iterable[str]) -> str:
    """A character none of ``used`` contains (tries readable ones first)."""
    taken = set("".join(used))
    for char in "qz0_~":
        if char not in taken:
            return char
    code = 0x100
    while chr(code) in taken:
        code += 1
    return chr(code)


def _repair(check: Callable[[Any], bool], fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: value if check(value) else fallback(value)


def _other_number(excluded: frozenset[float]) -> float:
    candidate = 0.0
    while candidate in excluded:
        candidate += 1.0
    return candidate


def satisfying(condition: Condition) -> st.SearchStrategy[JsonLeaf] | None:
    """Values that satisfy ``condition``; None when no finite JSON value can (``exists: false`` is
    satisfied by absence and is the caller's business)."""
    if isinstance(condition, Exact):
        value = condition.value
        if isinstance(value, float):
            return _number_forms(value) if math.isfinite(value) else None
        return st.just(value)
    if isinstance(condition, Prefix):
        head = _ascii_case_variants(condition.text) if condition.ignore_case else st.just(condition.text)
        return st.builds(lambda h, t: h + t, head, _safe_tail(condition.ignore_case))
    if isinstance(condition, Suffix):
        tail = _ascii_case_variants(condition.text) if condition.ignore_case else st.just(condition.text)
        return st.builds(lambda h, t: h + t, _safe_tail(condition.ignore_case), tail)
    if isinstance(condition, EqualsIgnoreCase):
        return _ascii_case_variants(condition.text)
    if isinstance(condition, Wildcard):
        return _fill_wildcard(condition, texts)
    if isinstance(condition, Numeric):
        interval = _interval(condition)
        return None if interval is None else _in_interval(*interval)
    if isinstance(condition, Exists):
        return leaves if condition.present else None
    if isinstance(condition, Cidr):
        return st.builds(
            _format_ip, st.just(condition.version), st.integers(condition.low, condition.high), st.booleans()
        )
    if isinstance(condition, AnythingButValues):
        if condition.strings:
            strings = condition.strings
            return texts.map(
                _repair(lambda t: t not in strings, lambda t: _append_until(t, lambda s: s not in strings))
            )
        excluded = condition.numbers
        return numbers.map(_repair(lambda n: normalise(n) not in excluded, lambda _: _other_number(excluded)))
    if isinstance(condition, AnythingButPrefix):
        prefixes = condition.texts
        lead = _first_unused(p[:1] for p in prefixes)
        return texts.map(_repair(lambda t: not t.startswith(prefixes), lambda t: lead + t))
    if isinstance(condition, AnythingButSuffix):
        suffixes = condition.texts
        end = _first_unused(s[-1:] for s in suffixes)
        return texts.map(_repair(lambda t: not t.endswith(suffixes), lambda t: t + end))
    if isinstance(condition, AnythingButIgnoreCase):
        return texts.map(_repair(condition.holds, lambda t: _append_until(t, condition.holds)))
    if isinstance(condition, AnythingButWildcard):
        single = _first_unused(piece for w in condition.wildcards for piece in w.pieces)
        if not condition.holds(single):
            # Every string is excluded (a bare "*"): only a value of another kind passes.
            return st.one_of(numbers, st.booleans(), st.none())
        return texts.map(_repair(condition.holds, lambda _: single))
    raise TypeError(f"unknown condition {condition!r}")  # pragma: no cover


def _safe_tail(ignore_case: bool) -> st.SearchStrategy[str]:
    # Cased non-ASCII neighbours can change how a whole string lower-cases (Greek final sigma), so
    # the text next to an ignore-case affix stays ASCII.
    if ignore_case:
        return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8)
    return texts


def _append_until(text: str, accept: Callable[[str], bool]) -> str:
    while not accept(text):
        text += "0"
    return text


# ------------------------------------------------------------------------------ violations
def fails_all(conditions: Sequence[Condition], value: JsonLeaf) -> bool:
    """Whether a present leaf ``value`` satisfies none of ``conditions`` (``exists: false`` fails
    for any present value)."""
    leaf = normalise(value)
    return not any(c.holds(leaf) for c in conditions if not (isinstance(c, Exists) and not c.present))


def _string_candidates(condition: Condition) -> list[str]:
    if isinstance(condition, Exact) and isinstance(condition.value, str):
        return [condition.value, condition.value + "~"]
    if isinstance(condition, (Prefix, Suffix, EqualsIgnoreCase)):
        text = condition.text
        return [text, text.swapcase(), "~" + text, text + "~"]
    if isinstance(condition, Wildcard):
        return ["".join(condition.pieces), "z".join(condition.pieces)]
    if isinstance(condition, Cidr):
        top = (1 << (32 if condition.version == 4 else 128)) - 1
        around = [condition.low - 1, condition.low, condition.high, condition.high + 1, 0, top]
        return [_format_ip(condition.version, a) for a in around if 0 <= a <= top]
    if isinstance(condition, AnythingButValues):
        return sorted(condition.strings)
    if isinstance(condition, AnythingButPrefix):
        return [t + more for t in condition.texts for more in ("", "0", "~", "z")]
    if isinstance(condition, AnythingButSuffix):
        return [more + t for t in condition.texts for more in ("", "0", "~", "z")]
    if isinstance(condition, AnythingButIgnoreCase):
        return [v for t in condition.texts for v in (t, t.swapcase(), t.upper(), t.lower())]
    if isinstance(condition, AnythingButWildcard):
        return [fill.join(w.pieces) for w in condition.wildcards for fill in ("", "0", "~z")]
    return []


def _number_candidates(condition: Condition) -> list[float]:
    found: list[float] = []
    if isinstance(condition, Exact) and isinstance(condition.value, float):
        found = [condition.value]
    elif isinstance(condition, Numeric):
        found = [condition.low, condition.high]
    elif isinstance(condition, AnythingButValues):
        found = sorted(condition.numbers)
    out: list[float] = []
    for value in found:
        out += [value, math.nextafter(value, -math.inf), math.nextafter(value, math.inf)]
    return [v for v in out if math.isfinite(v)]


def candidate_pool(conditions: Sequence[Condition]) -> list[JsonLeaf]:
    """Values worth trying against ``conditions``: boundaries, excluded values, neighbours."""
    pool: list[JsonLeaf] = [None, True, False, 0, 1, -1, 0.5, 1e300, -1e300, _MAX_FLOAT, -_MAX_FLOAT, "", "x"]
    pieces: list[str] = []
    for condition in conditions:
        strings = _string_candidates(condition)
        pieces += strings
        pool += strings
        pool += _number_candidates(condition)
    pool.append(_first_unused(pieces) * 2)
    unique: dict[tuple[type, Any], JsonLeaf] = {}
    for value in pool:
        unique.setdefault((type(value), value), value)
    return list(unique.values())


def _excluded_instances(condition: Condition) -> st.SearchStrategy[JsonLeaf] | None:
    """Random values an ``anything-but`` condition excludes (a violation must be one of them)."""
    if isinstance(condition, AnythingButValues):
        if condition.strings:
            return st.sampled_from(sorted(condition.strings))
        return st.sampled_from(sorted(condition.numbers)).flatmap(_number_forms)
    if isinstance(condition, AnythingButPrefix):
        return st.builds(lambda p, t: p + t, st.sampled_from(condition.texts), texts)
    if isinstance(condition, AnythingButSuffix):
        return st.builds(lambda t, s: t + s, texts, st.sampled_from(condition.texts))
    if isinstance(condition, AnythingButIgnoreCase):
        return st.sampled_from(condition.texts).flatmap(_ascii_case_variants)
    if isinstance(condition, AnythingButWildcard):
        return st.sampled_from(condition.wildcards).flatmap(lambda w: _fill_wildcard(w, texts))
    return None


def _outside(condition: Numeric) -> st.SearchStrategy[JsonLeaf] | None:
    options: list[st.SearchStrategy[JsonLeaf]] = []
    if condition.low > -_MAX_FLOAT:
        top = condition.low if not condition.low_inclusive else math.nextafter(condition.low, -math.inf)
        if top >= -_MAX_FLOAT:
            options.append(st.floats(max_value=min(top, _MAX_FLOAT), allow_nan=False, allow_infinity=False))
    if condition.high < _MAX_FLOAT:
        bottom = condition.high if not condition.high_inclusive else math.nextafter(condition.high, math.inf)
        if bottom <= _MAX_FLOAT:
            options.append(
                st.floats(min_value=max(bottom, -_MAX_FLOAT), allow_nan=False, allow_infinity=False)
            )
    return st.one_of(options) if options else None


def violating(
    conditions: Sequence[Condition], *, only_strings: bool = False
) -> st.SearchStrategy[JsonLeaf] | None:
    """Present values that satisfy none of ``conditions``, or None when no value can.

    ``exists: true`` is satisfied by every present value; an ``anything-but`` condition is satisfied
    by every value it does not exclude, so a violation must be one of its exclusions.

    Args:
        conditions: the conditions of one field (ORed).
        only_strings: give strings only (None if no string violates).
    """
    pool = [value for value in candidate_pool(conditions) if fails_all(conditions, value)]
    if only_strings:
        pool = [value for value in pool if isinstance(value, str)]
    if not pool:
        return None
    guesses: list[st.SearchStrategy[JsonLeaf]] = [texts if only_strings else leaves]
    for condition in conditions:
        excluded = _excluded_instances(condition)
        if excluded is not None:
            guesses.append(excluded)
        elif isinstance(condition, Numeric) and not only_strings:
            outside = _outside(condition)
            if outside is not None:
                guesses.append(outside)
        elif isinstance(condition, (Prefix, Suffix, EqualsIgnoreCase, Wildcard)):
            guesses.append(
                st.builds(lambda a, b: a + b, texts, st.sampled_from(_string_candidates(condition)))
            )

    def repair(guess: JsonLeaf, known: JsonLeaf) -> JsonLeaf:
        if only_strings and not isinstance(guess, str):
            return known
        return guess if fails_all(conditions, guess) else known

    return st.builds(repair, st.one_of(guesses), st.sampled_from(pool))
