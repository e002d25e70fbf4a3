"""``PatternSet``: many named event patterns matched at once, at a cost set by the event.

The approach of aws/event-ruler and quamina, in Python's terms: every distinct branch of every pattern
(``$or`` expands a pattern into branches; identical branches are shared) owns one bit of a big int.
An event is walked only along the paths some pattern references; each leaf value is looked up in its
field's :class:`~eventbus.matching._index.FieldIndex`, giving the bitset of branches it satisfies
there; a branch fails when some field it constrains is not satisfied
(``fail |= constrained[field] & ~satisfied[field]``, cached per value). No step loops over the
patterns.

The walk and the per-field evaluation run as generated code (:mod:`eventbus.matching._fast`), which
hands unusual events (keys holding dots, arrays of arrays of objects, non-JSON types) to the general
walk of :mod:`eventbus.matching._event`.

Array consistency (event-ruler's ``rulesForJSONEvent``): when the event has an array element holding
leaves of two referenced fields, the branches that constrain two such fields (or use
``exists: false`` on one) among those still standing are re-checked exactly, element by element.

Results come back in a deterministic order: patterns with one branch in the order of their branch's
bit (bits are clustered by the exact values of the most constrained field, so that an event's matches
fill few 64-bit words; identical patterns are adjacent, in insertion order), then ``$or`` patterns in
the same bit order of their first matching branch. (Plain insertion order would cost a sort of every
result.)
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Mapping
from itertools import chain, compress
from typing import Any, Final

from ._conditions import Exact
from ._event import PathTrie, Walk, load_event
from ._fast import Combine, Fallback, FastPath, build_fast_path
from ._index import FieldIndex
from ._match import BranchCheck, EventPattern, branch_matches, compile_checks
from ._parse import Branch

__all__ = ("PatternSet",)


def _branch_key(branch: Branch) -> frozenset[tuple[str, frozenset[object]]]:
    return frozenset((path, frozenset(conditions)) for path, conditions in branch.items())


def _cluster(
    branches: list[Branch], owners: list[list[int]], anchors: list[int]
) -> tuple[list[Branch], list[list[int]]]:
    """Renumber branches so that those requiring the same exact values of the most commonly
    constrained field (typically ``source``) get adjacent bits: an event then matches bits packed in
    few 64-bit words, which keeps turning the result bitset into names cheap. Within such a group,
    branches are ordered by their anchor (the first bit of their earliest owning pattern), so that the
    branches of one ``$or`` pattern sit side by side (usually in one 64-bit word, which spares the
    per-event removal of duplicate names). Deterministic."""
    counts: dict[str, int] = {}
    for branch in branches:
        for path, conditions in branch.items():
            if all(isinstance(c, Exact) and isinstance(c.value, str) for c in conditions):
                counts[path] = counts.get(path, 0) + 1
    if not counts:
        order = sorted(range(len(branches)), key=anchors.__getitem__)
        return [branches[bit] for bit in order], [owners[bit] for bit in order]
    primary = max(sorted(counts), key=counts.__getitem__)

    def key(bit: int) -> tuple[int, tuple[str, ...], int]:
        conditions = branches[bit].get(primary)
        if conditions is None or not all(
            isinstance(c, Exact) and isinstance(c.value, str) for c in conditions
        ):
            return (1, (), anchors[bit])
        return (0, tuple(sorted(str(c.value) for c in conditions if isinstance(c, Exact))), anchors[bit])

    order = sorted(range(len(branches)), key=key)
    return [branches[bit] for bit in order], [owners[bit] for bit in order]


class _Compiled:
    """The indexes of one generation of a pattern set."""

    __slots__ = (
        "all_bits",
        "checks",
        "fast",
        "field_count",
        "field_table",
        "fields",
        "keep",
        "multi_names",
        "names",
        "single_names",
        "spanning",
        "suspect_masks",
        "trie",
        "unpackers",
        "word_bytes",
        "word_names",
    )

    def __init__(self, patterns: Mapping[str, EventPattern]) -> None:
        self.names = list(patterns)
        keys: dict[frozenset[tuple[str, frozenset[object]]], int] = {}
        branches: list[Branch] = []
        owners: list[list[int]] = []
        anchors: list[int] = []  # per branch: where its earliest owning pattern is anchored
        for ordinal, pattern in enumerate(patterns.values()):
            first = -1
            for branch in pattern.branches:
                key = _branch_key(branch)
                bit = keys.get(key)
                if bit is None:
                    bit = keys[key] = len(branches)
                    branches.append(branch)
                    owners.append([])
                    anchors.append(bit if first < 0 else first)
                if first < 0:
                    first = anchors[bit]
                if not owners[bit] or owners[bit][-1] != ordinal:
                    owners[bit].append(ordinal)
        branches, owners = _cluster(branches, owners, anchors)
        # Result order, deterministic and cheap to produce: patterns with one branch in bit order
        # (identical patterns together, in insertion order), then patterns with several ($or)
        # branches in the order of their first matching branch.
        multi_branch = [len(pattern.branches) > 1 for pattern in patterns.values()]
        self.single_names = [tuple(self.names[o] for o in group if not multi_branch[o]) for group in owners]
        self.multi_names = [tuple(self.names[o] for o in group if multi_branch[o]) for group in owners]
        self.word_bytes = 8 * ((len(owners) + 63) // 64 or 1)
        # unpackers[n]: n little-endian 64-bit words from an offset (tuples iterate faster than views).
        self.unpackers = [struct.Struct(f"<{count}Q").unpack_from for count in range(self.word_bytes // 8 + 1)]
        self.word_names: list[dict[int, tuple[tuple[str, ...], tuple[str, ...], int]]] = [
            {} for _ in range(self.word_bytes // 8)
        ]
        # $or patterns whose branches lie in more than one 64-bit word: only they can come out of two
        # words of one event, needing the cross-word removal of duplicates.
        words_of: dict[str, set[int]] = {}
        for bit, group in enumerate(self.multi_names):
            for name in group:
                words_of.setdefault(name, set()).add(bit // 64)
        self.spanning = frozenset(name for name, words in words_of.items() if len(words) > 1)
        self.trie, field_ids = PathTrie.build(path for branch in branches for path in branch)
        self.field_count = len(field_ids)
        self.fields = [FieldIndex() for _ in range(self.field_count)]
        for bit, branch in enumerate(branches):
            mask = 1 << bit
            for path, conditions in branch.items():
                index = self.fields[field_ids[path]]
                index.constrained |= mask
                for condition in conditions:
                    index.add(condition, mask)
        for index in self.fields:
            index.freeze()
        self.field_table = [
            (field_id, index, index.constrained & ~index.absent) for field_id, index in enumerate(self.fields)
        ]
        self.checks: list[BranchCheck] = [compile_checks(branch, field_ids) for branch in branches]
        self.all_bits = (1 << len(branches)) - 1
        # Branches that need the exact array-consistency re-check, per set of shared fields.
        self.suspect_masks: dict[frozenset[int], int] = {}
        # Per field with exists:false branches: the mask keeping those out of its failing bits.
        self.keep = {field_id: ~index.absent for field_id, index in enumerate(self.fields) if index.absent}
        self.fast: tuple[FastPath, Combine] | None = build_fast_path(self.trie, self.fields)

    def match(self, event: Mapping[str, Any]) -> list[str]:
        if self.fast is None:
            return self._match_walk(event)
        fast, combine = self.fast
        try:
            failing, shared = fast(event)
        except Fallback:
            return self._match_walk(event)
        union: frozenset[int] = frozenset()
        if shared:
            union = shared[0] if len(shared) == 1 else frozenset().union(*shared)
            keep = self.keep
            for field_id in keep.keys() & union:
                found = failing[field_id]
                if found is not None:
                    failing[field_id] = found & keep[field_id]
        matched = self.all_bits & ~combine(failing)
        if not matched:
            return []
        if shared and matched & self._suspects(union):
            return self._match_walk(event)
        return self._names(matched)

    def _match_walk(self, event: Mapping[str, Any]) -> list[str]:
        walk = Walk(self.trie, self.field_count, event)
        shared = walk.shared_fields()
        fail = 0
        for (field_id, index, absent_fail), found in zip(self.field_table, walk.occurrences, strict=True):
            if found is None:
                fail |= absent_fail
                continue
            if len(found) == 1:
                value = found[0][0]
                if isinstance(value, str):
                    failing = index.string_cache.get(value)
                elif isinstance(value, float):
                    failing = index.number_cache.get(value)
                else:
                    failing = None
                if failing is None:
                    failing = index.failing(value)
            else:
                failing = -1
                for value, _ in found:
                    failing &= index.failing(value)
            if shared and field_id in shared:
                # Under array consistency a field present only in other elements may still count as
                # absent: keep exists:false branches for the exact re-check below.
                failing &= ~index.absent
            fail |= failing
        matched = self.all_bits & ~fail
        if not matched:
            return []
        if shared:
            matched = self._recheck(matched, shared, walk)
        return self._names(matched)

    def _suspects(self, shared: frozenset[int]) -> int:
        """Branches needing the exact array-consistency check when these fields are shared."""
        mask = self.suspect_masks.get(shared)
        if mask is None:
            once = twice = absent = 0
            for field_id in shared:
                constrained = self.fields[field_id].constrained
                twice |= once & constrained
                once |= constrained
                absent |= self.fields[field_id].absent
            mask = self.suspect_masks[shared] = twice | absent
        return mask

    def _recheck(self, matched: int, shared: frozenset[int], walk: Walk) -> int:
        suspects = matched & self._suspects(shared)
        for bit in _bits(suspects):
            if not branch_matches(self.checks[bit], walk.occurrences, True):
                matched &= ~(1 << bit)
        return matched

    def _names(self, matched: int) -> list[str]:
        # Walk the matched bits 64 at a time; what a 64-bit word stands for (the names of its
        # one-branch patterns, its $or patterns without duplicates, and whether any of those also
        # has branches in another word) is cached per word position and value (events repeat them),
        # so most words cost one dict lookup.
        caches = self.word_names
        names: list[str] = []
        extend = names.extend
        multi: list[tuple[str, ...]] = []
        spanning = 0
        # Only the words from the lowest to the highest non-zero one (an event's matches sit in a few
        # clusters), then the non-zero words among them, found in C.
        high = (matched.bit_length() + 63) >> 6
        data = matched.to_bytes(high << 3, "little")
        low = (len(data) - len(data.lstrip(b"\x00"))) >> 3
        words = self.unpackers[high - low](data, low << 3)
        for position, word in compress(enumerate(words, low), words):
            found = caches[position].get(word)
            if found is None:
                found = self._word(position, word)
            extend(found[0])
            if found[1]:
                multi.append(found[1])
                spanning += found[2]
        if spanning > 1:
            # A $or pattern may match on branches in several words: keep its first appearance.
            extend(dict.fromkeys(chain.from_iterable(multi)))
        else:
            for group in multi:
                extend(group)
        return names

    def _word(self, position: int, word: int) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        bits = [position * 64 + bit for bit in _bits(word)]
        single = tuple(chain.from_iterable(self.single_names[bit] for bit in bits))
        multi = tuple(dict.fromkeys(chain.from_iterable(self.multi_names[bit] for bit in bits)))
        found = (single, multi, int(not self.spanning.isdisjoint(multi)))
        cache = self.word_names[position]
        if len(cache) >= _WORD_CACHE_LIMIT:
            cache.clear()
        cache[word] = found
        return found


_WORD_CACHE_LIMIT: Final = 4096
_ONE: Final = re.compile("1")


def _bits(mask: int) -> list[int]:
    """The positions of the set bits of ``mask``, lowest first (the scan runs in C)."""
    return [found.start() for found in _ONE.finditer(format(mask, "b")[::-1])]


class PatternSet:
    """Named event patterns compiled together: ``match(event)`` returns every matching name.

    Matching costs what the event's referenced fields cost, not one test per pattern (see the module
    documentation); names come back in a deterministic order (identical patterns together, ``$or``
    patterns last). Adding or removing patterns only marks the set stale; it is recompiled on the next
    match. Semantics are aws/event-ruler's ``Machine.rulesForJSONEvent``
    (https://github.com/aws/event-ruler), the engine of EventBridge rules.

    Example:
        >>> patterns = PatternSet()
        >>> patterns.add("ec2", {"source": ["aws.ec2"]})
        >>> patterns.match({"source": "aws.ec2"})
        ['ec2']
    """

    __slots__ = ("_compiled", "_patterns")

    def __init__(self) -> None:
        self._patterns: dict[str, EventPattern] = {}
        self._compiled: _Compiled | None = None

    def add(self, name: str, pattern: EventPattern | str | bytes | bytearray | Mapping[str, Any]) -> None:
        """Add (or replace) the pattern called ``name``; an invalid pattern raises
        :class:`eventbus.errors.InvalidEventPatternError` and leaves the set unchanged."""
        compiled = pattern if isinstance(pattern, EventPattern) else EventPattern(pattern)
        self._patterns.pop(name, None)
        self._patterns[name] = compiled
        self._compiled = None

    def remove(self, name: str) -> None:
        """Remove the pattern called ``name`` (``KeyError`` if there is none)."""
        del self._patterns[name]
        self._compiled = None

    def get(self, name: str) -> EventPattern | None:
        """The compiled pattern called ``name``, if any."""
        return self._patterns.get(name)

    def compile(self) -> None:
        """Build the indexes now rather than on the next match."""
        if self._compiled is None:
            self._compiled = _Compiled(self._patterns)

    def match(self, event: Mapping[str, Any] | str | bytes | bytearray) -> list[str]:
        """The names of every pattern the event matches, in a deterministic order (not necessarily the
        order they were added: identical patterns come out together, `$or` patterns last)."""
        if self._compiled is None:
            self._compiled = _Compiled(self._patterns)
        return self._compiled.match(load_event(event))

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._patterns))

    def __repr__(self) -> str:
        return f"eventbus.PatternSet(<{len(self._patterns)} patterns>)"
