"""Every Python example in README.md runs and its assertions hold: the README claims nothing a test does not show."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
# Blocks that begin with a "# file.py" line are file listings of the testing walkthrough, checked
# by tests/testing/test_walkthrough.py; so is the block that imports one of them.
BLOCKS = [
    block
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    if not block.startswith("# ") and "from test_payments import" not in block
]


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index: int, tmp_path: Path) -> None:
    script = tmp_path / f"readme_{index}.py"
    script.write_text(BLOCKS[index], encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no AWS credentials or region: mock_aws must cope
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_first_command_replays_the_bundled_example() -> None:
    from eventbus.cli import main

    root = README.parent
    assert "eventbus replay examples/quickstart/events.jsonl" in README.read_text(encoding="utf-8")
    assert main(["replay", str(root / "examples/quickstart/events.jsonl"), "--quiet"]) == 0
