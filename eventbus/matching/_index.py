"""Per-field value indexes over compiled pattern branches, answering with big-int bitsets.

Every distinct branch of every pattern in a :class:`~eventbus.matching.PatternSet` owns one bit. For
each referenced field path a :class:`FieldIndex` answers, for one leaf value, the set of branches
whose conditions on that field the value satisfies, using per-kind indexes rather than a loop over
branches: exact strings and numbers in dicts, prefixes and suffixes by length buckets, numeric ranges
by binary search over their sorted bounds into a segment tree of intervals, ``anything-but`` as the
complement of what the value excludes, ``exists`` as constant sets. Answers are cached per value.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from typing import Final

from ._conditions import (
    AnythingButIgnoreCase,
    AnythingButPrefix,
    AnythingButSuffix,
    AnythingButValues,
    AnythingButWildcard,
    Cidr,
    Condition,
    EqualsIgnoreCase,
    Exact,
    ExactIP,
    Exists,
    Numeric,
    Prefix,
    Suffix,
    Value,
    Wildcard,
    ascii_lower,
    ip_literal,
)

__all__ = ("FieldIndex",)

_CACHE_LIMIT: Final = 20_000
_ANYTHING_BUT = (
    AnythingButValues,
    AnythingButPrefix,
    AnythingButSuffix,
    AnythingButIgnoreCase,
    AnythingButWildcard,
)


class _Affixes:
    """Prefixes (or suffixes) bucketed by length: a lookup slices the value once per length."""

    __slots__ = ("bits", "lengths")

    def __init__(self) -> None:
        self.bits: dict[str, int] = {}
        self.lengths: list[int] = []

    def add(self, text: str, bits: int) -> None:
        self.bits[text] = self.bits.get(text, 0) | bits

    def freeze(self) -> None:
        self.lengths = sorted({len(text) for text in self.bits})

    def prefixes_of(self, value: str) -> int:
        found = 0
        size = len(value)
        table = self.bits
        for length in self.lengths:
            if length > size:
                break
            found |= table.get(value[:length], 0)
        return found

    def suffixes_of(self, value: str) -> int:
        found = 0
        size = len(value)
        table = self.bits
        for length in self.lengths:
            if length > size:
                break
            found |= table.get(value[size - length :] if length else "", 0)
        return found


class _Ranges:
    """Numeric intervals: sorted distinct bounds cut the line into regions (open gaps and the bound
    points themselves); each interval covers a contiguous run of regions, stored in a segment tree."""

    __slots__ = ("bounds", "cache", "items", "size", "tree")

    def __init__(self) -> None:
        self.items: list[tuple[Numeric, int]] = []
        self.bounds: list[float] = []
        self.tree: list[int] = []
        self.size = 0
        self.cache: dict[int, int] = {}

    def add(self, condition: Numeric, bits: int) -> None:
        self.items.append((condition, bits))

    def freeze(self) -> None:
        bounds: set[float] = set()
        for condition, _ in self.items:
            if condition.low != -math.inf:
                bounds.add(condition.low)
            if condition.high != math.inf:
                bounds.add(condition.high)
        self.bounds = sorted(bounds)
        regions = 2 * len(self.bounds) + 1
        size = 1
        while size < regions:
            size *= 2
        self.size = size
        tree = [0] * (2 * size)
        position = {bound: i for i, bound in enumerate(self.bounds)}
        for condition, bits in self.items:
            if condition.low == -math.inf:
                first = 0
            else:
                index = position[condition.low]
                first = 2 * index + 1 if condition.low_inclusive else 2 * index + 2
            if condition.high == math.inf:
                last = regions - 1
            else:
                index = position[condition.high]
                last = 2 * index + 1 if condition.high_inclusive else 2 * index
            low, high = first + size, last + size + 1
            while low < high:
                if low & 1:
                    tree[low] |= bits
                    low += 1
                if high & 1:
                    high -= 1
                    tree[high] |= bits
                low >>= 1
                high >>= 1
        self.tree = tree
        self.cache = {}

    def lookup(self, value: float) -> int:
        if value != value:  # NaN never compares
            return 0
        index = bisect_left(self.bounds, value)
        region = 2 * index + 1 if index < len(self.bounds) and self.bounds[index] == value else 2 * index
        cached = self.cache.get(region)
        if cached is not None:
            return cached
        found = 0
        node = region + self.size
        tree = self.tree
        while node:
            found |= tree[node]
            node >>= 1
        self.cache[region] = found
        return found


class FieldIndex:
    """Everything the branches of a pattern set require of one field path."""

    __slots__ = (
        "_anything_but",
        "_slow_strings",
        "absent",
        "anything_but_all",
        "anything_but_slow",
        "cidrs",
        "constrained",
        "exact_false",
        "exact_null",
        "exact_numbers",
        "exact_strings",
        "exact_true",
        "excluded_ignore_case",
        "excluded_numbers",
        "excluded_prefixes",
        "excluded_strings",
        "excluded_suffixes",
        "excluded_wildcards",
        "exists",
        "ignore_case",
        "ip_exact",
        "number_cache",
        "prefixes",
        "prefixes_ignore_case",
        "ranges",
        "results",
        "string_cache",
        "suffixes",
        "suffixes_ignore_case",
        "wildcards",
    )

    def __init__(self) -> None:
        self.constrained = 0
        self.absent = 0
        self.exists = 0
        self.exact_strings: dict[str, int] = {}
        self.exact_numbers: dict[float, int] = {}
        self.exact_true = 0
        self.exact_false = 0
        self.exact_null = 0
        self.ip_exact: dict[tuple[int, int], int] = {}
        self.cidrs: list[tuple[int, int, int, int]] = []
        self.prefixes = _Affixes()
        self.prefixes_ignore_case = _Affixes()
        self.suffixes = _Affixes()
        self.suffixes_ignore_case = _Affixes()
        self.ignore_case: dict[str, int] = {}
        self.wildcards: list[tuple[re.Pattern[str], int]] = []
        self.ranges = _Ranges()
        self.anything_but_all = 0
        self.excluded_strings: dict[str, int] = {}
        self.excluded_numbers: dict[float, int] = {}
        self.excluded_prefixes = _Affixes()
        self.excluded_suffixes = _Affixes()
        self.excluded_ignore_case: dict[str, int] = {}
        self.excluded_wildcards: list[tuple[tuple[re.Pattern[str], ...], int]] = []
        self.anything_but_slow: list[tuple[Condition, int]] = []
        self._anything_but: dict[Condition, int] = {}
        self._slow_strings: list[tuple[Condition, int]] = []
        self.string_cache: dict[str, int] = {}
        self.number_cache: dict[float, int] = {}
        # One object per distinct cached result: values failing the same branches (most values of a
        # field of unique ids, numbers between the same bounds) share it, which keeps the bitsets a
        # stream of events reads few and warm in the CPU caches.
        self.results: dict[int, int] = {}

    def add(self, condition: Condition, bits: int) -> None:
        """Record that the branches in ``bits`` accept values satisfying ``condition``."""
        if isinstance(condition, Exact):
            value = condition.value
            if value is None:
                self.exact_null |= bits
            elif value is True:
                self.exact_true |= bits
            elif value is False:
                self.exact_false |= bits
            elif isinstance(value, float):
                self.exact_numbers[value] = self.exact_numbers.get(value, 0) | bits
            else:
                self.exact_strings[value] = self.exact_strings.get(value, 0) | bits
        elif isinstance(condition, ExactIP):
            address = (condition.version, condition.address)
            self.ip_exact[address] = self.ip_exact.get(address, 0) | bits
        elif isinstance(condition, Prefix):
            if not condition.ignore_case:
                self.prefixes.add(condition.value, bits)
            elif condition.value.isascii():
                self.prefixes_ignore_case.add(ascii_lower(condition.value), bits)
            else:
                self._slow_strings.append((condition, bits))
        elif isinstance(condition, Suffix):
            if not condition.ignore_case:
                self.suffixes.add(condition.value, bits)
            elif condition.value.isascii():
                self.suffixes_ignore_case.add(ascii_lower(condition.value), bits)
            else:
                self._slow_strings.append((condition, bits))
        elif isinstance(condition, EqualsIgnoreCase):
            if condition.value.isascii():
                key = ascii_lower(condition.value)
                self.ignore_case[key] = self.ignore_case.get(key, 0) | bits
            else:
                self._slow_strings.append((condition, bits))
        elif isinstance(condition, Wildcard):
            self.wildcards.append((condition.regex, bits))
        elif isinstance(condition, Numeric):
            self.ranges.add(condition, bits)
        elif isinstance(condition, Exists):
            if condition.present:
                self.exists |= bits
            else:
                self.absent |= bits
        elif isinstance(condition, Cidr):
            self.cidrs.append((condition.version, condition.low, condition.high, bits))
        elif isinstance(condition, _ANYTHING_BUT):
            self._anything_but[condition] = self._anything_but.get(condition, 0) | bits
        else:  # pragma: no cover - every parsed condition kind is handled above
            raise TypeError(f"unknown condition {condition!r}")

    def freeze(self) -> None:
        """Finish building: sort affix lengths, build range trees, split anything-but fast/slow."""
        for affixes in (
            self.prefixes,
            self.prefixes_ignore_case,
            self.suffixes,
            self.suffixes_ignore_case,
        ):
            affixes.freeze()
        self.ranges.freeze()
        # An anything-but is answered as "all minus excluded" only when no branch bit is shared with
        # another anything-but on this field (a shared bit would be removed by the other's exclusion).
        seen = duplicated = 0
        for bits in self._anything_but.values():
            duplicated |= seen & bits
            seen |= bits
        for condition, bits in self._anything_but.items():
            if bits & duplicated or (
                isinstance(condition, AnythingButIgnoreCase)
                and not all(t.isascii() for t in condition.written)
            ):
                self.anything_but_slow.append((condition, bits))
                continue
            self.anything_but_all |= bits
            if isinstance(condition, AnythingButValues):
                for text in condition.strings:
                    self.excluded_strings[text] = self.excluded_strings.get(text, 0) | bits
                for number in condition.numbers:
                    self.excluded_numbers[number] = self.excluded_numbers.get(number, 0) | bits
            elif isinstance(condition, AnythingButPrefix):
                for text in condition.prefixes:
                    self.excluded_prefixes.add(text, bits)
            elif isinstance(condition, AnythingButSuffix):
                for text in condition.suffixes:
                    self.excluded_suffixes.add(text, bits)
            elif isinstance(condition, AnythingButIgnoreCase):
                for text in condition.written:
                    key = ascii_lower(text)
                    self.excluded_ignore_case[key] = self.excluded_ignore_case.get(key, 0) | bits
            elif isinstance(condition, AnythingButWildcard):
                self.excluded_wildcards.append((condition.regexes, bits))
        self.excluded_prefixes.freeze()
        self.excluded_suffixes.freeze()
        self._anything_but = {}

    def failing(self, value: Value) -> int:
        """The branches constraining this field that ``value`` does not satisfy
        (``constrained ^ satisfied``; exists:false aside), cached per string and number value."""
        if isinstance(value, str):
            found = self.string_cache.get(value)
            if found is None:
                if len(self.string_cache) >= _CACHE_LIMIT:
                    self.string_cache.clear()
                found = self.string_cache[value] = self._shared(self.constrained ^ self._string(value))
            return found
        if isinstance(value, float):
            found = self.number_cache.get(value)
            if found is None:
                if len(self.number_cache) >= _CACHE_LIMIT:
                    self.number_cache.clear()
                found = self.number_cache[value] = self._shared(self.constrained ^ self._number(value))
            return found
        return self.constrained ^ self.satisfied(value)

    def _shared(self, bits: int) -> int:
        results = self.results
        found = results.get(bits)
        if found is None:
            if len(results) >= _CACHE_LIMIT:
                results.clear()
            found = results[bits] = bits
        return found

    def satisfied(self, value: Value) -> int:
        """The branches whose conditions on this field ``value`` satisfies (exists:false aside)."""
        kind = type(value)
        if kind is str:
            assert isinstance(value, str)
            return self._string(value)
        if kind is float:
            assert isinstance(value, float)
            return self._number(value)
        found = self.exists | self.anything_but_all
        if value is None:
            found |= self.exact_null
        elif value is True:
            found |= self.exact_true
        else:
            found |= self.exact_false
        for condition, bits in self.anything_but_slow:
            if condition.test(value):
                found |= bits
        return found

    def _string(self, value: str) -> int:
        found = self.exists | self.exact_strings.get(value, 0)
        if self.ip_exact or self.cidrs:
            address = ip_literal(value)
            if address is not None:
                found |= self.ip_exact.get(address, 0)
                for version, low, high, bits in self.cidrs:
                    if version == address[0] and low <= address[1] <= high:
                        found |= bits
        if self.prefixes.lengths:
            found |= self.prefixes.prefixes_of(value)
        if self.suffixes.lengths:
            found |= self.suffixes.suffixes_of(value)
        if self.prefixes_ignore_case.lengths or self.suffixes_ignore_case.lengths or self.ignore_case:
            # Pure-ASCII patterns only: a pattern letter matches its two ASCII case forms, so
            # lowering only ASCII letters of the value compares exactly (event-ruler's per-character
            # casing); other patterns are tested one by one below.
            lowered = ascii_lower(value)
            found |= self.ignore_case.get(lowered, 0)
            if self.prefixes_ignore_case.lengths:
                found |= self.prefixes_ignore_case.prefixes_of(lowered)
            if self.suffixes_ignore_case.lengths:
                found |= self.suffixes_ignore_case.suffixes_of(lowered)
        for regex, bits in self.wildcards:
            if regex.fullmatch(value) is not None:
                found |= bits
        if self.anything_but_all:
            excluded = self.excluded_strings.get(value, 0)
            if self.excluded_prefixes.lengths:
                excluded |= self.excluded_prefixes.prefixes_of(value)
            if self.excluded_suffixes.lengths:
                excluded |= self.excluded_suffixes.suffixes_of(value)
            if self.excluded_ignore_case:
                excluded |= self.excluded_ignore_case.get(ascii_lower(value), 0)
            for regexes, bits in self.excluded_wildcards:
                if any(regex.fullmatch(value) is not None for regex in regexes):
                    excluded |= bits
            found |= self.anything_but_all & ~excluded
        for condition, bits in self.anything_but_slow:
            if condition.test(value):
                found |= bits
        for condition, bits in self._slow_strings:  # case-insensitive patterns beyond ASCII
            if condition.test(value):
                found |= bits
        return found

    def _number(self, value: float) -> int:
        found = self.exists | self.exact_numbers.get(value, 0)
        if self.ranges.bounds or self.ranges.items:
            found |= self.ranges.lookup(value)
        if self.anything_but_all:
            found |= self.anything_but_all & ~self.excluded_numbers.get(value, 0)
        for condition, bits in self.anything_but_slow:
            if condition.test(value):
                found |= bits
        return found
