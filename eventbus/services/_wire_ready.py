"""A result an operation layer built in its protocol's own form (internal).

The JSON codec converts what an operation returns into JSON-ready values (bytes to base64 text,
datetimes to epoch numbers, nulls left out) with converters compiled from the output shape; that
pass reads every member of every item. An operation that builds its output already in that form (no
member the converters would change, no null at any depth) may say so by returning a
:class:`WireReady`: the codec then writes it as it is. It is a plain ``dict`` to everyone else.
https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
"""

from __future__ import annotations

from typing import Any

__all__ = ("WireReady",)


class WireReady(dict[str, Any]):
    """An operation's result that its protocol writes unchanged (see the module docstring)."""

    __slots__ = ()
