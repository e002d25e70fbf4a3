"""The installed ``eventbus`` console script and ``python -m eventbus`` run the same command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import QUICKSTART, ROOT


def _script() -> Path:
    script = Path(sys.executable).parent / "eventbus"
    if not script.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable} (pip install -e .)")
    return script


def test_console_script_replays_the_quickstart() -> None:
    # the README's first command, as a user types it
    done = subprocess.run(
        [str(_script()), "replay", str(QUICKSTART / "events.jsonl"), "--fail-on", "dropped"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "summary: 5 input lines: 5 accepted" in done.stdout
    assert done.stderr == ""  # no progress bar: stderr is not a terminal


def test_console_script_exit_code_for_a_malformed_line(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"bus": "shop"\n')
    done = subprocess.run(
        [str(_script()), "replay", str(events), "-t", str(QUICKSTART / "topology.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "events.jsonl:1: not JSON:" in done.stderr


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "eventbus", "test-pattern", '{"source": ["a"]}', '{"source": "a"}'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "match\n")
