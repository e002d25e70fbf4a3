"""A generated fast path for :class:`~eventbus.matching.PatternSet`: walk and evaluate in one pass.

For each generation of a pattern set, Python source is generated with one small function per trie
node (``obj.get`` of each referenced key, a ``type()`` dispatch, the per-field value caches looked up
inline) and compiled with ``exec``. It computes, per field, the bitset of constraining branches that
the event's values fail (AND over the field's values), without building occurrence lists. It gives up
(raising :class:`Fallback`, and the caller uses the general walk) on anything unusual: keys holding
dots, arrays of arrays of containers, values of types other than JSON's. Array consistency is left to
the caller, which gets the shared-field sets seen (arrays of objects holding two referenced fields).

The generated source only ever contains identifiers and ``repr()`` of the trie's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import CodeType
from typing import Any, Final

from ._event import PathTrie, _number
from ._index import FieldIndex

__all__ = ("Combine", "Fallback", "FastPath", "build_fast_path")

FastPath = Callable[[Mapping[str, Any]], tuple[list[int | None], list[frozenset[int]]]]
Combine = Callable[[list[int | None]], int]


class Fallback(Exception):
    """The event needs the general walk."""


_MISSING: Any = object()


def build_fast_path(
    root: PathTrie, fields: Sequence[FieldIndex], max_lines: int = 20_000
) -> tuple[FastPath, Combine] | None:
    """Generate and compile the fast path and the function combining its per-field results into the
    failed-branch bitset (missing fields contributing ``constrained & ~absent``), or ``None`` if the
    trie is too large to be worth it."""
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
    }
    for field_id, index in enumerate(fields):
        namespace[f"F{field_id}"] = index
        namespace[f"S{field_id}"] = index.string_cache
        namespace[f"N{field_id}"] = index.number_cache
        namespace[f"T{field_id}"] = index.failing(True)
        namespace[f"FA{field_id}"] = index.failing(False)
        namespace[f"NU{field_id}"] = index.failing(None)
    for node in nodes:
        namespace[f"SUB{ids[id(node)]}"] = node.subtree

    def accumulate(field_id: int, indent: str) -> list[str]:
        return [
            f"{indent}a = acc[{field_id}]",
            f"{indent}acc[{field_id}] = x if a is None else a & x",
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

    def scalar(node: PathTrie, var: str, indent: str) -> list[str]:
        """Code for a value ``var`` already known not to be a dict or a list."""
        return [
            f"{indent}k = type({var})",
            *scalar_branches(node, var, indent, first=True),
            f"{indent}else:",
            f"{indent}    raise _Fallback",
        ]

    def value(node: PathTrie, var: str, indent: str) -> list[str]:
        number_of = ids[id(node)]
        code = [f"{indent}k = type({var})", *scalar_branches(node, var, indent, first=True)]
        code.append(f"{indent}elif k is _dict:")
        code.append(f"{indent}    n{number_of}({var}, acc, shared)" if node.children else f"{indent}    pass")
        code += [
            f"{indent}elif k is _list:",
            f"{indent}    if {var}:",
            f"{indent}        a{number_of}({var}, acc, shared)",
        ]
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
        lines.append(f"def a{number_of}(items, acc, shared):")
        lines.append("    for e in items:")
        lines.append("        k = type(e)")
        lines.append("        if k is _dict or k is _list:")
        lines.append("            break")
        lines.append("    else:")
        lines.append("        for e in items:")
        lines += scalar(node, "e", "            ")
        lines.append("        return")
        if len(node.subtree) > 1:
            lines.append(f"    shared.append(SUB{number_of})")
        lines.append("    for e in items:")
        lines.append("        k = type(e)")
        lines.append("        if k is _dict:")
        lines.append(f"            n{number_of}(e, acc, shared)" if node.children else "            pass")
        lines.append("        elif k is _list:")
        lines.append("            raise _Fallback")
        lines.append("        else:")
        lines += scalar(node, "e", "            ")
        lines.append("")
        if len(lines) > max_lines:
            return None
    count = len(fields)
    for field_id, index in enumerate(fields):
        namespace[f"A{field_id}"] = index.constrained & ~index.absent
    terms = " | ".join(f"(A{i} if acc[{i}] is None else acc[{i}])" for i in range(count)) or "0"
    lines += ["def combine(acc):", f"    return {terms}", ""]
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
    lines.append("    return fast, combine")
    source = "\n".join(lines)
    code = _compiled_sources.get(source)
    if code is None:
        if len(_compiled_sources) >= _SOURCES_KEPT:
            _compiled_sources.pop(next(iter(_compiled_sources)))
        code = _compiled_sources[source] = compile(source, "<eventbus.matching fast path>", "exec")
    factory: dict[str, Any] = {}
    exec(code, factory)
    made: tuple[FastPath, Combine] = factory["_make"](*(namespace[name] for name in parameters))
    return made


# Compiling the generated source is most of the cost of building a fast path; the source depends only
# on the trie's shape (its paths), not on the patterns, so the partitions of a set and the generations
# that follow additions and removals mostly share one. Each build runs the code in its own namespace.
_SOURCES_KEPT: Final = 16
_compiled_sources: dict[str, CodeType] = {}
