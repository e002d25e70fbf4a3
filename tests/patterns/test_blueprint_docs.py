"""The blueprints' READMEs and timelines stay true: what they show is what the code does.

* Every ``console`` excerpt of ``$ eventbus replay ...`` in a README is real output: its lines
  appear in the command's output, in order (``...`` marks what the excerpt leaves out).
* Every test a README names (``test_...``) exists in ``tests/patterns/test_<blueprint>.py``, so a
  claim never points at nothing.
* Every README links its committed ``timeline.html``, and the committed timelines are what
  ``patterns/render.py`` renders now.
* ``patterns/README.md`` has one line per blueprint.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest
from blueprints import PATTERNS, ROOT, eventbus


def _render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("patterns_render", PATTERNS / "render.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDER = _render_module()
NAMES = list(RENDER.BLUEPRINTS)
_CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
_TEST_NAME = re.compile(r"`(test_[a-z0-9_]+)`")


def readme(name: str) -> str:
    return (PATTERNS / name / "README.md").read_text(encoding="utf-8")


def excerpts(text: str) -> list[tuple[list[str], list[str]]]:
    """(command arguments, expected lines) of each ``$ eventbus ...`` console block."""
    out = []
    for block in _CONSOLE.findall(text):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ eventbus "):
            continue
        out.append((shlex.split(lines[0][len("$ eventbus ") :]), lines[1:]))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_readme_excerpts_are_real_output(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    found = excerpts(readme(name))
    assert found, f"patterns/{name}/README.md shows no `$ eventbus replay` output"
    for args, expected in found:
        run = eventbus(*args)
        assert run.code in (0, 1), run
        actual = run.out.splitlines()
        position = 0
        for line in expected:
            if line.strip() in ("...", ""):
                continue
            try:
                position = actual.index(line, position) + 1
            except ValueError:
                pytest.fail(f"patterns/{name}/README.md: not in the output of eventbus {shlex.join(args)} (in order): {line!r}")


def _test_functions(name: str) -> set[str]:
    path = Path(__file__).parent / f"test_{name.replace('-', '_')}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


@pytest.mark.parametrize("name", NAMES)
def test_readme_names_only_tests_that_exist(name: str) -> None:
    named = set(_TEST_NAME.findall(readme(name)))
    assert named, f"patterns/{name}/README.md names no test"
    assert named <= _test_functions(name), sorted(named - _test_functions(name))


@pytest.mark.parametrize("name", NAMES)
def test_readme_shows_the_command_and_links_its_timeline(name: str) -> None:
    text = readme(name)
    assert f"eventbus replay patterns/{name}/events.jsonl" in text
    assert "](timeline.html)" in text
    assert (PATTERNS / name / "timeline.html").is_file()
    for file in ("topology.yaml", "template.yaml", "handlers.py", "events.jsonl"):
        assert (PATTERNS / name / file).is_file(), file


def test_committed_timelines_are_up_to_date() -> None:
    # python patterns/render.py rewrites them; this fails until it is run after a change.
    assert RENDER.stale() == []


def test_the_index_has_one_line_per_blueprint() -> None:
    index = (PATTERNS / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert len([line for line in index.splitlines() if f"]({name}/" in line]) == 1, name
    assert sorted(p.name for p in PATTERNS.iterdir() if (p / "topology.yaml").is_file()) == sorted(NAMES)
