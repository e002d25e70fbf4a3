"""The HTTP request and response as the protocol codecs see them, free of botocore's classes."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ("WireRequest", "WireResponse")


class WireRequest(NamedTuple):
    """An HTTP request: ``headers`` keys are lower case; ``path`` is still percent-encoded."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class WireResponse(NamedTuple):
    """An HTTP response as AWS would send it."""

    status: int
    headers: dict[str, str]
    body: bytes
