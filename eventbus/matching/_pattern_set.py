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

Large sets (a few hundred branches and more) are partitioned by the exact values of the top-level
field most branches require (``source`` in practice): an event is matched against the branches
requiring its value plus the general ones that value leaves possible (see ``_Partitioned``), so the
bitsets it touches are a fraction of the whole set's width.

In large generations, the one-branch patterns that constrain a single field (besides a partition's
key) and are numerous on that field form a *field group*: whether they match depends on that field's
values alone, so their names are cached with each value in the field's cache, which the walk reads
anyway; they take no bits.

Results come back in a deterministic order: the field groups' names (fields in path order), then 64
matched bits at a time in bit order: per 64-bit word, the one-branch patterns of its bits, then its
``$or`` patterns; ``$or`` patterns whose branches lie in several words come last, each once. Bits
are clustered by the exact values of the most constrained field, identical patterns are adjacent (in
insertion order), and the branches of one ``$or`` pattern sit side by side. (Plain insertion order
would cost a sort of every result.)
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, compress
from typing import Any, Final

from ._conditions import Condition, Exact, Exists
from ._event import PathTrie, Walk, load_event
from ._fast import Assemble, Combine, Fallback, FastPath, WordNames, build_fast_path
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
            if _exact_strings(conditions) is not None:
                counts[path] = counts.get(path, 0) + 1
    if not counts:
        order = sorted(range(len(branches)), key=anchors.__getitem__)
        return [branches[bit] for bit in order], [owners[bit] for bit in order]
    primary = max(sorted(counts), key=counts.__getitem__)

    def key(bit: int) -> tuple[int, tuple[str, ...], int]:
        conditions = branches[bit].get(primary)
        values = None if conditions is None else _exact_strings(conditions)
        if values is None:
            return (1, (), anchors[bit])
        return (0, tuple(sorted(values)), anchors[bit])

    order = sorted(range(len(branches)), key=key)
    return [branches[bit] for bit in order], [owners[bit] for bit in order]


_BY_FIELD_MIN_BRANCHES: Final = 64
# A field's one-field branches are answered per value (a _FieldGroup) from this many on; fewer stay
# in the generation's bitset (their names then come with the word caches, for less per event than
# one more group to gather: measured on the workload at 10,000 patterns).
_GROUP_MIN_BRANCHES: Final = 16


def _by_field(
    branches: list[Branch], owners: list[list[int]], multi_branch: list[bool]
) -> tuple[dict[str, list[int]], list[int]]:
    """Split off the branches matched by the value of one field alone.

    A branch of a one-branch pattern constraining a single field (a partition's branches no longer
    hold the key field, which the partition decides), without ``exists: false``, matches exactly when some value of that field satisfies it: whether it matches, and so the names
    it contributes, depend on that field's values only. Where a field has at least
    ``_GROUP_MIN_BRANCHES`` of them, they are looked up with its values (see :class:`_FieldGroup`)
    instead of taking bits of the generation's bitset. Returns those branches per field path (``""``:
    no field at all, always matched, however few) and the others: the smaller groups'
    branches first (packed together, field by field), then the rest, in the given order."""
    groups: dict[str, list[int]] = {}
    rest: list[int] = []
    for bit, branch in enumerate(branches):
        fields = list(branch)
        if (
            len(fields) > 1
            or any(multi_branch[owner] for owner in owners[bit])
            or bool(fields and any(isinstance(c, Exists) and not c.present for c in branch[fields[0]]))
        ):
            rest.append(bit)
        else:
            groups.setdefault(fields[0] if fields else "", []).append(bit)
    small = [path for path in sorted(groups) if path and len(groups[path]) < _GROUP_MIN_BRANCHES]
    front = [bit for path in small for bit in groups.pop(path)]
    return groups, front + rest


class _FieldGroup:
    """The one-field branches of one field path (see :func:`_by_field`), with their own bit numbering.

    ``cache`` maps a string or number to what the generated fast path accumulates for it: the
    generation's failing bits for that field, the group's failing bits and the names of the group's
    branches the value satisfies (in the group's order; identical patterns together)."""

    __slots__ = ("bit_names", "cache", "false", "index", "main", "names", "null", "true")

    def __init__(
        self, main: FieldIndex, members: list[tuple[tuple[Condition, ...], tuple[str, ...]]]
    ) -> None:
        self.main = main
        self.index = FieldIndex()
        self.bit_names: list[tuple[str, ...]] = []
        for bit, (conditions, names) in enumerate(members):
            mask = 1 << bit
            self.index.constrained |= mask
            for condition in conditions:
                self.index.add(condition, mask)
            self.bit_names.append(names)
        self.index.freeze()
        self.names: dict[int, tuple[str, ...]] = {}
        self.cache: dict[Any, tuple[int, int, tuple[str, ...] | None]] = {}
        self.true = self._entry(True)
        self.false = self._entry(False)
        self.null = self._entry(None)

    def _entry(self, value: Any) -> tuple[int, int, tuple[str, ...] | None]:
        failing = self.index.failing(value)
        return (self.main.failing(value), failing, self.names_of(failing))

    def entry(self, value: str | float) -> tuple[int, int, tuple[str, ...] | None]:
        """The entry of a string or a float, computed and cached."""
        found = self._entry(value)
        if len(self.cache) >= _GROUP_CACHE_LIMIT:
            self.cache.clear()
        self.cache[value] = found
        return found

    def names_of(self, failing: int) -> tuple[str, ...]:
        """The names of the group's branches not in ``failing``, in the group's order (cached)."""
        found = self.names.get(failing)
        if found is None:
            satisfied = self.index.constrained & ~failing
            found = tuple(chain.from_iterable(map(self.bit_names.__getitem__, _bits(satisfied))))
            if len(self.names) >= _WORD_CACHE_LIMIT:
                self.names.clear()
            self.names[failing] = found
        return found


_GROUP_CACHE_LIMIT: Final = 20_000


def _names_in_bit_order(names: list[str], owners: list[list[int]]) -> list[str]:
    """Copies of ``names`` (equal strings, new objects) made in the order their bits come.

    Putting a name into a result list writes its reference count, so a large generation's result
    (hundreds of names) touches hundreds of string objects; made one after the other, in the order
    results list them, they tend to lie side by side in memory (CPython's small-object allocator
    hands out consecutive blocks), which the processor reads ahead far better than names scattered
    wherever the caller allocated them (measured at 10,000 patterns: about 0.7 us of ~17 an event).
    A name not owned by any bit keeps its object."""
    copies = list(names)
    done = [False] * len(names)
    for group in owners:
        for owner in group:
            if not done[owner]:
                done[owner] = True
                name = names[owner]
                if type(name) is str:
                    copies[owner] = name.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
    return copies


class _Compiled:
    """The indexes of one generation of a pattern set."""

    __slots__ = (
        "all_bits",
        "checks",
        "constant",
        "fast",
        "field_count",
        "field_table",
        "fields",
        "group_branches",
        "groups",
        "keep",
        "multi_names",
        "multi_words",
        "names",
        "shared_info",
        "single_names",
        "span_names",
        "span_words",
        "suspect_masks",
        "trie",
        "unpackers",
        "word_bytes",
        "word_names",
        "words",
    )

    def __init__(self, entries: Sequence[tuple[str, Sequence[Branch]]]) -> None:
        self.names = [name for name, _ in entries]
        keys: dict[frozenset[tuple[str, frozenset[object]]], int] = {}
        branches: list[Branch] = []
        owners: list[list[int]] = []
        anchors: list[int] = []  # per branch: where its earliest owning pattern is anchored
        for ordinal, (_, pattern_branches) in enumerate(entries):
            first = -1
            for branch in pattern_branches:
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
        multi_branch = [len(pattern_branches) > 1 for _, pattern_branches in entries]
        # One-field branches of large generations: answered per value of their field (_FieldGroup).
        grouped: dict[str, list[tuple[tuple[Condition, ...], tuple[str, ...]]]] = {}
        self.constant: tuple[str, ...] = ()
        self.group_branches = 0
        copies = self.names
        if len(branches) >= _BY_FIELD_MIN_BRANCHES:
            by_path, rest = _by_field(branches, owners, multi_branch)
            self.group_branches = len(branches) - len(rest)
            # Names copied in the order results list them: the groups' (in path order), then the bits'.
            copies = _names_in_bit_order(
                self.names,
                [owners[bit] for path in sorted(by_path) for bit in by_path[path]]
                + [owners[bit] for bit in rest],
            )
            for path, bits in by_path.items():
                members = [
                    (branches[bit].get(path, ()), tuple(copies[o] for o in owners[bit])) for bit in bits
                ]
                if path:
                    grouped[path] = members
                else:
                    self.constant = tuple(chain.from_iterable(names for _, names in members))
            branches = [branches[bit] for bit in rest]
            owners = [owners[bit] for bit in rest]
        real = (1 << len(branches)) - 1
        # Result order, deterministic and cheap to produce: the patterns matched through no field but
        # the partition key, then the field groups' (fields in path order), then patterns with one
        # branch in bit order (identical patterns together, in insertion order), then patterns with
        # several ($or) branches in the order of their first matching branch.
        names = copies
        self.single_names = [tuple(names[o] for o in group if not multi_branch[o]) for group in owners]
        self.multi_names = [tuple(names[o] for o in group if multi_branch[o]) for group in owners]
        self.word_bytes = 8 * ((len(owners) + 63) // 64 or 1)
        # unpackers[n]: n little-endian 64-bit words from an offset (tuples iterate faster than views).
        self.unpackers = [
            struct.Struct(f"<{count}Q").unpack_from for count in range(self.word_bytes // 8 + 1)
        ]
        self.word_names: list[dict[int, tuple[tuple[str, ...], tuple[str, ...]]]] = [
            {} for _ in range(self.word_bytes // 8)
        ]
        # $or patterns whose branches lie in more than one 64-bit word: only they can come out of two
        # words of one event, needing the cross-word removal of duplicates; they are kept apart.
        words_of: dict[str, set[int]] = {}
        for bit, group in enumerate(self.multi_names):
            for name in group:
                words_of.setdefault(name, set()).add(bit // 64)
        spanning = {name for name, words in words_of.items() if len(words) > 1}
        self.span_names = [tuple(name for name in group if name in spanning) for group in self.multi_names]
        self.multi_names = [
            tuple(name for name in group if name not in spanning) for group in self.multi_names
        ]
        # Per 64-bit word position: the bits owned by $or patterns within the word, or spanning words.
        self.multi_words = _word_masks(self.multi_names, self.word_bytes // 8)
        self.span_words = _word_masks(self.span_names, self.word_bytes // 8)
        # Sorted: generations referencing the same paths generate the same fast-path source (compiled once).
        self.trie, field_ids = PathTrie.build(
            sorted({path for branch in branches for path in branch} | grouped.keys())
        )
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
        self.all_bits = real
        # Branches that need the exact array-consistency re-check, per set of shared fields.
        self.suspect_masks: dict[frozenset[int], int] = {}
        self.shared_info: dict[frozenset[int], tuple[tuple[tuple[int, int], ...], int]] = {}
        # Per field with exists:false branches: the mask keeping those out of its failing bits.
        self.keep = {field_id: ~index.absent for field_id, index in enumerate(self.fields) if index.absent}
        # In path order: the order their names come out in.
        self.groups = {
            field_ids[path]: _FieldGroup(self.fields[field_ids[path]], grouped[path])
            for path in sorted(grouped)
        }
        words_count = self.word_bytes // 8
        narrow = words_count <= _NARROW_WORDS
        self.words = WordNames(
            gets=[cache.get for cache in self.word_names] if narrow else [],
            miss=self._word,
            unpack=self.unpackers[words_count],
            spans=any(self.span_names),
            extend_names=self._names,
        )
        self.fast: tuple[FastPath, Combine, Assemble] | None = build_fast_path(
            self.trie, self.fields, self.words, self.groups, self.constant, consistency=self._consistency
        )

    def match(self, event: Mapping[str, Any]) -> list[str]:
        fast = self.fast
        if fast is None:
            return self._match_walk(event)
        try:
            failing, shared = fast[0](event)
        except Fallback:
            return self._match_walk(event)
        if shared:
            union = shared[0] if len(shared) == 1 else frozenset().union(*shared)
            info = self.shared_info.get(union)
            if info is None:
                info = self._shared_info(union)
            for field_id, keep in info[0]:
                found = failing[field_id]
                if found is not None:
                    failing[field_id] = (
                        found & keep if type(found) is int else (found[0] & keep, found[1], found[2])
                    )
            matched = self.all_bits & ~fast[1](failing)
            if matched & info[1]:
                return self._match_walk(event)
        else:
            matched = self.all_bits & ~fast[1](failing)
        return fast[2](failing, matched)

    def _consistency(self, subtree: frozenset[int]) -> bool:
        """Whether array consistency can matter for an array of objects holding these fields: some
        branch constrains two of them, or one has ``exists: false`` branches. (Branches whose fields
        lie in two different arrays need no re-check: consistency binds fields of one array only.)"""
        return bool(self._suspects(subtree)) or not self.keep.keys().isdisjoint(subtree)

    def _shared_info(self, union: frozenset[int]) -> tuple[tuple[tuple[int, int], ...], int]:
        """For a set of shared fields: the (field, mask) pairs keeping exists:false branches out of
        those fields' failing bits, and the branches needing the exact re-check (cached)."""
        keep = self.keep
        info = (
            tuple((field_id, keep[field_id]) for field_id in sorted(keep.keys() & union)),
            self._suspects(union),
        )
        self.shared_info[union] = info
        return info

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
        names = list(self.constant)
        for field_id, group in self.groups.items():
            found = walk.occurrences[field_id]
            if found is not None:
                group_failing = -1
                for value, _ in found:
                    group_failing &= group.index.failing(value)
                names += group.names_of(group_failing)
        matched = self.all_bits & ~fail
        if matched and shared:
            matched = self._recheck(matched, shared, walk)
        if matched:
            self._names(matched, names)
        return names

    @property
    def branch_count(self) -> int:
        """The number of distinct branches of this generation."""
        return self.all_bits.bit_count() + self.group_branches

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

    def _names(self, matched: int, names: list[str]) -> None:
        # Walk the matched bits a 64-bit word at a time. What a word stands for is cached per word
        # position and value, so a repeated word costs one dict lookup and one extend: the names of
        # its patterns (one-branch patterns, then $or patterns, each once), except the $or patterns
        # that also have branches in other words, kept apart to be deduplicated across words.
        caches = self.word_names
        extend = names.extend
        spanning: list[tuple[str, ...]] = []
        # All the words of a narrow set, else only those from the lowest to the highest non-zero one
        # (an event's matches sit in a few clusters); then the non-zero words among them, found in C.
        words_count = len(self.unpackers) - 1
        if words_count <= _NARROW_WORDS:
            low = 0
            words = self.unpackers[words_count](matched.to_bytes(words_count << 3, "little"), 0)
        else:
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
                spanning.append(found[1])
        if spanning:
            # A $or pattern with branches in several words: keep its first appearance.
            extend(dict.fromkeys(chain.from_iterable(spanning)) if len(spanning) > 1 else spanning[0])

    def _word(self, position: int, word: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        # Set bits found a byte at a time from a table; names gathered by C-level maps.
        bits: list[int] = []
        for offset, value in enumerate(word.to_bytes(8, "little")):
            if value:
                bits += _BYTE_BITS[offset][value]
        at = (position * 64).__add__
        single = tuple(chain.from_iterable(map(self.single_names.__getitem__, map(at, bits))))
        if word & self.multi_words[position]:
            single += tuple(
                dict.fromkeys(chain.from_iterable(map(self.multi_names.__getitem__, map(at, bits))))
            )
        spanning: tuple[str, ...] = ()
        if word & self.span_words[position]:
            spanning = tuple(
                dict.fromkeys(chain.from_iterable(map(self.span_names.__getitem__, map(at, bits))))
            )
        found = (single, spanning)
        cache = self.word_names[position]
        if len(cache) >= _WORD_CACHE_LIMIT:
            cache.clear()
        cache[word] = found
        return found


_WORD_CACHE_LIMIT: Final = 4096
_WORD_MASK: Final = (1 << 64) - 1
_NARROW_WORDS: Final = 16  # up to this many words, _names unpacks them all


def _word_masks(names: list[tuple[str, ...]], words: int) -> list[int]:
    """Per 64-bit word position, the bits whose entry in ``names`` is not empty."""
    bits = 0
    for bit, group in enumerate(names):
        if group:
            bits |= 1 << bit
    return [bits >> (64 * position) & _WORD_MASK for position in range(words)]


# _BYTE_BITS[offset][value]: the positions, in a 64-bit word, of the set bits of its byte ``offset``.
_BYTE_BITS: Final = tuple(
    tuple(tuple(offset * 8 + bit for bit in range(8) if value >> bit & 1) for value in range(256))
    for offset in range(8)
)
# Below this many distinct branches one bitset universe is cheap enough; above it, partitioning by
# the exact values of a top-level field (see _Partitioned) keeps the bitsets an event touches narrow.
_PARTITION_MIN_BRANCHES: Final = 256
_MISSING: Final[Any] = object()


def _exact_strings(conditions: tuple[object, ...]) -> tuple[str, ...] | None:
    """The strings a field's conditions accept when they are all exact strings, else ``None``."""
    values = []
    for condition in conditions:
        if not (isinstance(condition, Exact) and isinstance(condition.value, str)):
            return None
        values.append(condition.value)
    return tuple(values)


def _admits(branch: Branch, key: str, value: str) -> bool:
    """Whether a branch can match an event whose top-level ``key`` is the string ``value``: it does
    not constrain the key, or one of its conditions there accepts the value (as the walk would judge
    that one leaf; ``exists: false`` never accepts a present value)."""
    conditions = branch.get(key)
    return conditions is None or any(
        condition.test(value)
        for condition in conditions
        if not (isinstance(condition, Exists) and not condition.present)
    )


def _without(branch: Branch, key: str) -> Branch:
    """The branch without its conditions on ``key`` (decided by the partition)."""
    return (
        {path: conditions for path, conditions in branch.items() if path != key} if key in branch else branch
    )


class _Partitioned:
    """Branches partitioned by the exact values one top-level field requires (typically ``source``).

    A branch whose conditions on the key field are all exact strings can only match an event whose
    value there is one of those strings (event-ruler: an exact string matches a string leaf equal to
    it, never a number, an object or an absent field). So each such value gets its own
    :class:`_Compiled` over the branches requiring it plus the *general* branches (those that do not
    require exact strings of the key field) that the value does not rule out, all without their key
    conditions (the value decides them); an event whose key value is a string is matched
    against that one generation only: its bitsets are a fraction of the width of the whole set's, so
    combining them and turning the result into names touch a fraction of the memory. An event
    without a string there can only match general branches; an event holding an array there (whose
    leaves may select several partitions) uses one generation over everything, built on first need.
    Each pattern appears at most once per generation (with the branches that belong there), so no
    name is reported twice."""

    __slots__ = ("branch_count", "entries", "everything", "general", "key", "parts")

    def __init__(
        self,
        key: str,
        entries: list[tuple[str, tuple[Branch, ...]]],
        branch_count: int,
    ) -> None:
        self.key = key
        self.entries = entries
        self.branch_count = branch_count
        self.everything: _Compiled | None = None
        by_value: dict[str, list[tuple[str, list[Branch]]]] = {}
        general: list[tuple[str, list[Branch]]] = []
        for name, branches in entries:
            mine: dict[str, list[Branch]] = {}
            shared: list[Branch] = []
            for branch in branches:
                conditions = branch.get(key)
                values = None if conditions is None else _exact_strings(conditions)
                if values is None:
                    shared.append(branch)
                else:
                    for value in dict.fromkeys(values):
                        mine.setdefault(value, []).append(branch)
            for value, own in mine.items():
                by_value.setdefault(value, []).append((name, own))
            if shared:
                general.append((name, shared))
        # Every partition also holds the general branches that its value leaves possible, each pattern
        # once and in insertion order. The key field holds that one string in every event the
        # partition sees, so conditions on it are decided here: a general branch the value fails is
        # left out (a prefix "com.acme." never matches in the partition of "aws.ec2"), and in the
        # branches kept, the key field's conditions are dropped, as they hold.
        order = {name: ordinal for ordinal, (name, _) in enumerate(entries)}
        self.parts: dict[str, _Compiled] = {}
        for value, owned in by_value.items():
            merged = {owner: [_without(branch, key) for branch in picked] for owner, picked in owned}
            for owner, picked in general:
                possible = [_without(branch, key) for branch in picked if _admits(branch, key, value)]
                if possible:
                    merged.setdefault(owner, []).extend(possible)
            ordered = sorted(merged.items(), key=lambda item: order[item[0]])
            self.parts[value] = _Compiled([(owner, tuple(picked)) for owner, picked in ordered])
        self.general = _Compiled([(owner, tuple(picked)) for owner, picked in general])

    def match(self, event: Mapping[str, Any]) -> list[str]:
        value = event.get(self.key, _MISSING)
        kind = type(value)
        if kind is str:
            return self.parts.get(value, self.general).match(event)
        if kind is list:
            if self.everything is None:
                self.everything = _Compiled(self.entries)
            return self.everything.match(event)
        return self.general.match(event)


def _compile(patterns: Mapping[str, EventPattern]) -> _Compiled | _Partitioned:
    """One generation of a pattern set: partitioned by a top-level field when that pays (many
    branches, most of them requiring exact strings of that field, at least two distinct values)."""
    entries = [(name, pattern.branches) for name, pattern in patterns.items()]
    distinct = {_branch_key(branch) for _, branches in entries for branch in branches}
    if len(distinct) >= _PARTITION_MIN_BRANCHES:
        counts: dict[str, int] = {}
        values: dict[str, set[str]] = {}
        for _, branches in entries:
            for branch in branches:
                for path, conditions in branch.items():
                    if "." in path:
                        continue
                    exact = _exact_strings(conditions)
                    if exact is not None:
                        counts[path] = counts.get(path, 0) + 1
                        values.setdefault(path, set()).update(exact)
        if counts:
            key = max(sorted(counts), key=counts.__getitem__)
            total = sum(len(branches) for _, branches in entries)
            if counts[key] * 2 >= total and len(values[key]) >= 2:
                return _Partitioned(key, entries, len(distinct))
    return _Compiled(entries)


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
        self._compiled: _Compiled | _Partitioned | None = None

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
            self._compiled = _compile(self._patterns)

    def match(self, event: Mapping[str, Any] | str | bytes | bytearray) -> list[str]:
        """The names of every pattern the event matches, in a deterministic order (not necessarily the
        order they were added: identical patterns come out together)."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile(self._patterns)
        return compiled.match(event if type(event) is dict else load_event(event))

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._patterns))

    def __repr__(self) -> str:
        return f"eventbus.PatternSet(<{len(self._patterns)} patterns>)"
