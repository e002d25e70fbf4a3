"""A generated fast path for :class:`~eventbus.matching.PatternSet`: walk and evaluate in one pass.

For each generation of a pattern set, Python source is generated with one small function per trie
node (``obj.get`` of each referenced key, a ``type()`` dispatch, the per-field value caches looked up
inline) and compiled with ``exec``. It computes, per field, the bitset of constraining branches that
the event's values fail (AND over the field's values), without building occurrence lists. It gives up
(raising :class:`Fallback`, and the caller uses the general walk) on anything unusual: keys holding
dots, arrays of arrays of containers, values of types other than JSON's. Array consistency is left to
the caller, which gets the shared-field sets seen (arrays of objects holding two referenced fields).

A field with a *field group* (one-field patterns answered per value, ``_pattern_set._FieldGroup``)
accumulates a triple instead of an int: the generation's failing bits, the group's failing bits and
the group's matched names (two values of the field, in an array, merge into the AND of both bitsets,
the names then computed from the group's bits). ``assemble`` puts the names together.

The generated source only ever contains identifiers and ``repr()`` of the trie's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from types import CodeType
from typing import Any, Final, NamedTuple, Protocol

from ._event import PathTrie, _number
from ._index import FieldIndex

__all__ = (
    "Assemble",
    "Combine",
    "Fallback",
    "FastPath",
    "FieldGroup",
    "GroupEntry",
    "WordNames",
    "build_fast_path",
)

FastPath = Callable[[Mapping[str, Any]], tuple[list[Any], list[frozenset[int]]]]
Combine = Callable[[list[Any]], int]
Assemble = Callable[[list[Any], int], list[str]]
WordEntry = tuple[tuple[str, ...], tuple[str, ...]]


class WordNames(NamedTuple):
    """How a generation turns its matched bits into names, 64 bits at a time (``_Compiled._names``).

    ``gets``: per word position, the ``get`` of its cache (word value -> the names of its one-branch
    and ``$or`` patterns, and of its ``$or`` patterns with branches in other words); ``miss`` computes
    and caches an entry; ``unpack`` reads ``len(gets)`` little-endian words from bytes; ``spans``: some
    ``$or`` pattern has branches in several words. Wide generations (``gets`` empty) use
    ``extend_names(matched, names)``, a loop over the non-zero words."""

    gets: Sequence[Callable[[int], WordEntry | None]]
    miss: Callable[[int, int], WordEntry]
    unpack: Callable[[bytes, int], tuple[int, ...]]
    spans: bool
    extend_names: Callable[[int, list[str]], None]


def _dedupe(spanning: list[tuple[str, ...]]) -> Iterable[str]:
    """``$or`` patterns with branches in several words: each once, at its first appearance."""
    return dict.fromkeys(chain.from_iterable(spanning)) if len(spanning) > 1 else spanning[0]


#: What a field of a :class:`FieldGroup` accumulates per event: the failing bits of the generation's
#: bitset, the failing bits of the group (its own numbering) and the group's matched names (``None``
#: after two values were merged: computed from the group's failing bits when gathered).
GroupEntry = tuple[int, int, "tuple[str, ...] | None"]


class FieldGroup(Protocol):
    """The one-field patterns of a field, answered per value (see ``_pattern_set._FieldGroup``)."""

    cache: dict[Any, GroupEntry]
    true: GroupEntry
    false: GroupEntry
    null: GroupEntry

    def entry(self, value: Any) -> GroupEntry: ...

    def names_of(self, failing: int) -> tuple[str, ...]: ...


class Fallback(Exception):
    """The event needs the general walk."""


_MISSING: Any = object()


def build_fast_path(
    root: PathTrie,
    fields: Sequence[FieldIndex],
    words: WordNames,
    groups: Mapping[int, FieldGroup] | None = None,
    constant: tuple[str, ...] = (),
    max_lines: int = 20_000,
    consistency: Callable[[frozenset[int]], bool] | None = None,
) -> tuple[FastPath, Combine, Assemble] | None:
    """Generate and compile the fast path, the function combining its per-field results into the
    failed-branch bitset (missing fields contributing ``constrained & ~absent``) and the one
    assembling the names (``constant`` first, then the field groups' in ``groups``' order, then those
    of the matched bits, see :class:`WordNames`), or ``None`` if the trie is too large to be worth it.

    ``consistency(subtree)`` tells whether an array of objects holding the fields of ``subtree`` can
    make array consistency matter (the fast path then reports the subtree as shared); by default
    every such array does."""
    groups = groups or {}
    nodes: list[PathTrie] = []

    def number(node: PathTrie) -> None:
        nodes.append(node)
        for child in node.children.values():
            number(child)

    number(root)
    ids = {id(node): index for index, node in enumerate(nodes)}
    lines: list[str] = []
    namespace: dict[str, Any] = {
        "_M": _MISSING,
        "_str": str,
        "_float": float,
        "_int": int,
        "_bool": bool,
        "_dict": dict,
        "_list": list,
        "_num": _number,
        "_Fallback": Fallback,
        "CONSTANT": constant,
        "WORD": words.miss,
        "UNPACK": words.unpack,
        "NAMES": words.extend_names,
        "DEDUPE": _dedupe,
    }
    for position, get in enumerate(words.gets):
        namespace[f"G{position}"] = get
    for field_id, group in groups.items():
        namespace[f"C{field_id}"] = group.cache
        namespace[f"P{field_id}"] = group.entry
        namespace[f"GN{field_id}"] = group.names_of
    for field_id, index in enumerate(fields):
        if field_id in groups:
            group = groups[field_id]
            namespace[f"T{field_id}"] = group.true
            namespace[f"FA{field_id}"] = group.false
            namespace[f"NU{field_id}"] = group.null
            continue
        namespace[f"F{field_id}"] = index
        namespace[f"S{field_id}"] = index.string_cache
        namespace[f"N{field_id}"] = index.number_cache
        namespace[f"T{field_id}"] = index.failing(True)
        namespace[f"FA{field_id}"] = index.failing(False)
        namespace[f"NU{field_id}"] = index.failing(None)
    for node in nodes:
        namespace[f"SUB{ids[id(node)]}"] = node.subtree

    def accumulate(field_id: int, indent: str) -> list[str]:
        # Two values of a field (an array): a branch fails when every value fails it.
        merged = "(a[0] & x[0], a[1] & x[1], None)" if field_id in groups else "a & x"
        return [
            f"{indent}a = acc[{field_id}]",
            f"{indent}acc[{field_id}] = x if a is None else {merged}",
        ]

    def leaf(field_id: int, lookup: str, indent: str) -> list[str]:
        return [f"{indent}{lookup}", *accumulate(field_id, indent)]

    def scalar_branches(node: PathTrie, var: str, indent: str, first: bool) -> list[str]:
        """``if``/``elif`` branches for scalar types (with ``k = type(var)`` already computed)."""
        field_id = node.field_id
        keyword = "if" if first else "elif"
        if field_id < 0:
            return [
                f"{indent}{keyword} k is _str or k is _float or k is _int or k is _bool or {var} is None:",
                f"{indent}    pass",
            ]
        if field_id in groups:
            # One cache per field for strings and numbers (they never compare equal), holding the
            # generation's failing bits, the group's and the group's names.
            return [
                f"{indent}{keyword} k is _str or k is _float:",
                f"{indent}    x = C{field_id}.get({var})",
                f"{indent}    if x is None:",
                f"{indent}        x = P{field_id}({var})",
                *accumulate(field_id, indent + "    "),
                f"{indent}elif k is _int:",
                f"{indent}    x = C{field_id}.get({var})",
                f"{indent}    if x is None:",
                f"{indent}        x = P{field_id}(_num({var}))",
                *accumulate(field_id, indent + "    "),
                f"{indent}elif k is _bool or {var} is None:",
                *leaf(
                    field_id,
                    f"x = T{field_id} if {var} is True else (FA{field_id} if {var} is False else NU{field_id})",
                    indent + "    ",
                ),
            ]
        return [
            f"{indent}{keyword} k is _str:",
            f"{indent}    x = S{field_id}.get({var})",
            f"{indent}    if x is None:",
            f"{indent}        x = F{field_id}.failing({var})",
            *accumulate(field_id, indent + "    "),
            f"{indent}elif k is _float:",
            f"{indent}    x = N{field_id}.get({var})",
            f"{indent}    if x is None:",
            f"{indent}        x = F{field_id}.failing({var})",
            *accumulate(field_id, indent + "    "),
            f"{indent}elif k is _int:",
            # An int finds the cached entry of the float it equals (equal numbers hash alike); one
            # beyond float precision finds none and is converted as the general walk does.
            f"{indent}    x = N{field_id}.get({var})",
            f"{indent}    if x is None:",
            f"{indent}        x = F{field_id}.failing(_num({var}))",
            *accumulate(field_id, indent + "    "),
            f"{indent}elif k is _bool or {var} is None:",
            # true, false and null: one answer each, computed when the fast path is built.
            *leaf(
                field_id,
                f"x = T{field_id} if {var} is True else (FA{field_id} if {var} is False else NU{field_id})",
                indent + "    ",
            ),
        ]

    def value(node: PathTrie, var: str, indent: str) -> list[str]:
        number_of = ids[id(node)]

        def containers(keyword: str) -> list[str]:
            return [
                f"{indent}{keyword} k is _dict:",
                f"{indent}    n{number_of}({var}, acc, shared)" if node.children else f"{indent}    pass",
                f"{indent}elif k is _list:",
                f"{indent}    if {var}:",
                f"{indent}        a{number_of}({var}, acc, shared)",
            ]

        code = [f"{indent}k = type({var})"]
        if node.field_id < 0 and node.children:
            # A node only on the way to fields (``detail``): an object is the usual value, test it first.
            code += [*containers("if"), *scalar_branches(node, var, indent, first=False)]
        else:
            code += [*scalar_branches(node, var, indent, first=True), *containers("elif")]
        code += [f"{indent}else:", f"{indent}    raise _Fallback"]
        return code

    for node in nodes:
        number_of = ids[id(node)]
        if node.children:
            lines.append(f"def n{number_of}(obj, acc, shared):")
            lines.append("    get = obj.get")
            for key, child, _field in node.entries:
                lines.append(f"    v = get({key!r}, _M)")
                lines.append("    if v is not _M:")
                lines += value(child, "v", "        ")
            if node.deep:
                lines += [
                    "    try:",
                    '        dotted = "." in "".join(obj)',
                    "    except TypeError:",
                    "        raise _Fallback from None",
                    "    if dotted:",
                    "        raise _Fallback",
                ]
            lines.append("")
        # One pass over the elements: scalars are leaves of this node's own path whatever else the
        # array holds; the first object makes the array "shared" when consistency can matter there.
        check = len(node.subtree) > 1 and (consistency is None or consistency(node.subtree))
        lines.append(f"def a{number_of}(items, acc, shared):")
        if check:
            lines.append("    first = True")
        lines.append("    for e in items:")
        lines.append("        k = type(e)")
        lines.append("        if k is _dict:")
        if check:
            lines += [
                "            if first:",
                f"                shared.append(SUB{number_of})",
                "                first = False",
            ]
        lines.append(f"            n{number_of}(e, acc, shared)" if node.children else "            pass")
        lines.append("        elif k is _list:")
        lines.append("            raise _Fallback")
        lines += scalar_branches(node, "e", "        ", first=False)
        lines.append("        else:")
        lines.append("            raise _Fallback")
        lines.append("")
        if len(lines) > max_lines:
            return None
    count = len(fields)
    for field_id, index in enumerate(fields):
        namespace[f"A{field_id}"] = index.constrained & ~index.absent
    terms = (
        " | ".join(
            f"(A{i} if acc[{i}] is None else acc[{i}]{'[0]' if i in groups else ''})" for i in range(count)
        )
        or "0"
    )
    lines += ["def combine(acc):", f"    return {terms}", ""]
    lines += ["def assemble(acc, matched):", "    out = [*CONSTANT]"]
    for field_id in groups:
        lines += [
            f"    x = acc[{field_id}]",
            "    if x is not None:",
            "        n = x[2]",
            f"        out += n if n is not None else GN{field_id}(x[1])",
        ]
    lines += ["    if not matched:", "        return out"]
    if not words.gets:
        lines += ["    NAMES(matched, out)"]
    else:
        # Unrolled over the word positions: what a word stands for is cached per position and value.
        count_words = len(words.gets)
        unpacked = "".join(f"w{position}, " for position in range(count_words))
        lines.append(f"    {unpacked}= UNPACK(matched.to_bytes({count_words * 8}, 'little'), 0)")
        if words.spans:
            lines.append("    spanning = []")
        for position in range(count_words):
            lines += [
                f"    if w{position}:",
                f"        f = G{position}(w{position})",
                "        if f is None:",
                f"            f = WORD({position}, w{position})",
                "        out += f[0]",
            ]
            if words.spans:
                lines += ["        if f[1]:", "            spanning.append(f[1])"]
        if words.spans:
            lines += ["    if spanning:", "        out += DEDUPE(spanning)"]
    lines += ["    return out", ""]
    lines += [
        "def fast(event):",
        f"    acc = [None] * {count}",
        "    shared = []",
        "    if type(event) is not _dict:",
        "        raise _Fallback",
        "    n0(event, acc, shared)" if root.children else "    pass",
        "    return acc, shared",
    ]
    # The functions are made inside a factory whose parameters are this generation's tables: they
    # read them as closure cells, not globals. Generations of one shape (the partitions of a set)
    # share one code object, and CPython specializes a global lookup for one globals dict: shared
    # code reading per-generation globals would deoptimize each time an event switched partition.
    parameters = sorted(namespace)
    lines = [f"def _make({', '.join(parameters)}):", *(f"    {line}" if line else "" for line in lines)]
    lines.append("    return fast, combine, assemble")
    source = "\n".join(lines)
    code = _compiled_sources.get(source)
    if code is None:
        if len(_compiled_sources) >= _SOURCES_KEPT:
            _compiled_sources.pop(next(iter(_compiled_sources)))
        code = _compiled_sources[source] = compile(source, "<eventbus.matching fast path>", "exec")
    factory: dict[str, Any] = {}
    exec(code, factory)
    made: tuple[FastPath, Combine, Assemble] = factory["_make"](*(namespace[name] for name in parameters))
    return made


# Compiling the generated source is most of the cost of building a fast path; the source depends only
# on the trie's shape (its paths), not on the patterns, so the partitions of a set and the generations
# that follow additions and removals mostly share one. Each build runs the code in its own namespace.
_SOURCES_KEPT: Final = 16
_compiled_sources: dict[str, CodeType] = {}
