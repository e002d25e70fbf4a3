"""Hypothesis strategies that draw values of botocore shapes, as a caller or a service would.

``values_of(shape, where=...)`` draws what botocore accepts for a shape, restricted to what survives
the place the value travels in unchanged: HTTP headers carry printable ASCII without surrounding
spaces, timestamps in headers have whole seconds, XML text has no control characters but tab, line
feed and carriage return.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

__all__ = ("input_params", "output_values", "values_of")

_XML_SAFE = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r")
_TEXT = st.text(_XML_SAFE, max_size=12)
_HEADER_TEXT = st.from_regex(r"[!-~]([ -~]{0,10}[!-~])?", fullmatch=True)
_TIMESTAMPS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda instant: instant.replace(microsecond=0))
_MAX_DEPTH = 4


def _some_members(members: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Structures with at least one member set."""
    names = sorted(members)
    return st.sampled_from(names).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {chosen: members[chosen]}, optional={n: s for n, s in members.items() if n != chosen}
        )
    )


def values_of(
    shape: Any, where: str = "body", depth: int = 0, *, sparse: bool = True
) -> st.SearchStrategy[Any]:
    """Values of ``shape`` as they travel in ``where``: body, header, uri, querystring, payload.

    With ``sparse=False`` no map or structure is empty: the query protocol sends nothing for those,
    so on its wire they cannot be told from absent ones.
    """
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type or not shape.members:
            return st.just({})
        if depth >= _MAX_DEPTH:
            return st.nothing() if not sparse else st.just({})
        members = {
            name: values_of(member, "body", depth + 1, sparse=sparse)
            for name, member in shape.members.items()
        }
        if shape.is_tagged_union:
            return st.one_of([st.fixed_dictionaries({name: strategy}) for name, strategy in members.items()])
        if not sparse:
            return _some_members(members)
        return st.fixed_dictionaries({}, optional=members)
    if kind == "list":
        if depth >= _MAX_DEPTH:
            return st.just([])
        item_where = "header" if where == "header" else ("querystring" if where == "querystring" else "body")
        # An empty list in a header or the query string is not sent at all.
        min_size = 1 if where in ("header", "querystring") else 0
        return st.lists(
            values_of(shape.member, item_where, depth + 1, sparse=sparse), min_size=min_size, max_size=3
        )
    if kind == "map":
        if depth >= _MAX_DEPTH:
            return st.just({}) if sparse else st.nothing()
        return st.dictionaries(
            values_of(shape.key, "body", depth + 1, sparse=sparse),
            values_of(shape.value, "body", depth + 1, sparse=sparse),
            min_size=0 if sparse else 1,
            max_size=3,
        )
    if kind in ("string", "character"):
        if where == "header":
            return _HEADER_TEXT
        if where in ("uri", "payload"):
            return st.text(_XML_SAFE, min_size=1, max_size=12)
        return _TEXT
    if kind == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "long":
        return st.integers(-(2**53), 2**53)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "blob":
        return st.binary(min_size=1 if where == "payload" else 0, max_size=16)
    if kind == "timestamp":
        return _TIMESTAMPS
    raise NotImplementedError(f"no strategy for {kind} shapes")


def _located(
    members: dict[str, Any], payload: str | None, sparse: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    required: dict[str, Any] = {}
    optional: dict[str, Any] = {}
    for name, member in members.items():
        location = member.serialization.get("location")
        if name == payload and member.type_name in ("blob", "string"):
            optional[name] = values_of(member, "payload")
        elif name == payload:
            # An absent structure payload is sent as an empty JSON object, like an empty one.
            optional[name] = values_of(member, "body", 1, sparse=False)
        elif location == "uri":
            required[name] = values_of(member, "uri")
        elif location == "statusCode":
            required[name] = st.sampled_from([200, 202, 204])
        elif location in ("header", "querystring"):
            optional[name] = values_of(member, location)
        else:
            optional[name] = values_of(member, "body", 1, sparse=sparse)
    return required, optional


def input_params(operation_model: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters a caller could pass to an operation (URI labels always present)."""
    shape = operation_model.input_shape
    if shape is None:
        return st.just({})
    sparse = operation_model.service_model.resolved_protocol != "query"
    required, optional = _located(shape.members, shape.serialization.get("payload"), sparse)
    return st.fixed_dictionaries(required, optional=optional)


def output_values(operation_model: Any) -> st.SearchStrategy[dict[str, Any]]:
    """What a service could return for an operation."""
    shape = operation_model.output_shape
    if shape is None:
        return st.just({})
    required, optional = _located(shape.members, shape.serialization.get("payload"), True)
    return st.fixed_dictionaries(required, optional=optional)
