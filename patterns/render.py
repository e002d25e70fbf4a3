"""Render every blueprint's HTML timeline: ``patterns/<name>/timeline.html``.

Each timeline is what ``eventbus replay patterns/<name>/events.jsonl --html ...`` writes (seed 0),
run from the repository root so that the page names the files as the README shows them::

    python patterns/render.py            # rewrite every timeline.html
    python patterns/render.py --check    # exit 1 if a committed timeline is out of date

``tests/patterns/test_timelines.py`` runs the check, so a change to a blueprint, to the simulator or
to the report that changes a timeline fails the tests until the timelines are rendered again.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Each blueprint and the ``eventbus replay`` options its timeline is rendered with (besides the
#: events file and --html). retry-storm's timeline shows the downstream's outage, scripted by its
#: outage.py topology (a fault plan on top of topology.yaml).
BLUEPRINTS: dict[str, tuple[str, ...]] = {
    "queue-worker": (),
    "fan-out": (),
    "event-router": (),
    "scheduled-batch": (),
    "idempotent-consumer": (),
    "fifo-ordering": (),
    "retry-storm": ("--topology", "patterns/retry-storm/outage.py"),
}


@contextlib.contextmanager
def _at_root() -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(previous)


def replay_arguments(name: str, html: str) -> list[str]:
    """The ``eventbus`` arguments that render blueprint ``name``'s timeline into ``html``."""
    return ["replay", f"patterns/{name}/events.jsonl", *BLUEPRINTS[name], "--html", html, "--quiet"]


def render(name: str, html: Path) -> None:
    """Write blueprint ``name``'s timeline to ``html``.

    Raises:
        RuntimeError: the replay did not exit 0.
    """
    from eventbus.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _at_root():
        code = main(replay_arguments(name, str(html.resolve())), stdout=out, stderr=err)
    if code != 0:
        raise RuntimeError(f"eventbus replay for {name} exited {code}: {err.getvalue()}")


def stale(names: list[str] | None = None) -> list[str]:
    """The blueprints whose committed ``timeline.html`` differs from a fresh rendering."""
    out = []
    with tempfile.TemporaryDirectory() as directory:
        for name in names or list(BLUEPRINTS):
            fresh = Path(directory) / f"{name}.html"
            render(name, fresh)
            committed = ROOT / "patterns" / name / "timeline.html"
            if not committed.is_file() or committed.read_bytes() != fresh.read_bytes():
                out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="blueprints to render (default: all)")
    parser.add_argument("--check", action="store_true", help="only check that the committed timelines are up to date")
    args = parser.parse_args(argv)
    names = args.names or list(BLUEPRINTS)
    unknown = [name for name in names if name not in BLUEPRINTS]
    if unknown:
        parser.error(f"unknown blueprints {unknown}; they are {', '.join(BLUEPRINTS)}")
    if args.check:
        out_of_date = stale(names)
        for name in out_of_date:
            print(f"patterns/{name}/timeline.html is out of date: run python patterns/render.py {name}")
        return 1 if out_of_date else 0
    for name in names:
        target = ROOT / "patterns" / name / "timeline.html"
        render(name, target)
        print(f"wrote patterns/{name}/timeline.html")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
