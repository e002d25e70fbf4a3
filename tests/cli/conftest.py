from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from eventbus.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
SHOP = str(DATA / "shop_topology.py")


class Run:
    """What one in-process ``eventbus`` command did."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Run(code={self.code}, out={self.out[-400:]!r}, err={self.err[-400:]!r})"


@pytest.fixture
def eventbus() -> Callable[..., Run]:
    """Run ``eventbus ARGS...`` in-process and capture its exit code, stdout and stderr."""

    def run(*args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(args), stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())

    return run
