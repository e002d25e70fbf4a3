"""Seeds for tests: stable per test, distinct between tests. No pytest import here."""

from __future__ import annotations

import zlib

__all__ = ("seed_for_test",)


def seed_for_test(nodeid: str, base: int = 0) -> int:
    """The seed the ``sim`` fixture uses for a test: stable for a node id, distinct between tests."""
    return (zlib.crc32(nodeid.encode()) ^ base) & 0x7FFFFFFF
