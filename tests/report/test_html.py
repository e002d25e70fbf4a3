"""The HTML report: self-contained, escaped, and rendered by a real headless browser (Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from eventbus.replay import replay
from eventbus.report import build_story, render_html

from . import _png

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium); the browser test needs it"
)


@pytest.fixture(scope="module")
def quickstart_html() -> str:
    story = build_story(replay(QUICKSTART / "events.jsonl").journal)
    return render_html(story, title="eventbus replay: events.jsonl", subtitle="examples/quickstart")


def test_self_contained_no_external_resources(quickstart_html: str) -> None:
    assert quickstart_html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", quickstart_html)
    assert "@import" not in quickstart_html
    assert "<link" not in quickstart_html
    assert quickstart_html.count("<style>") == 1
    assert quickstart_html.count("<script>") == 1


def test_one_section_per_line_with_lanes_legend_and_words(quickstart_html: str) -> None:
    for line in range(1, 6):
        assert f'id="line-{line}"' in quickstart_html
    # the SQS states and Lambda's retry wait, as coloured segments
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
    for state in ("s-delayed", "s-in_flight", "s-dlq", "s-backoff"):
        assert f'class="seg {state}' in quickstart_html, state
    assert "How to read this" in quickstart_html
    assert "what happened, in words" in quickstart_html
    # hover text is the exact record
    assert re.search(r'title="\+00:01:05\.000 redelivery: message \w+ visible again', quickstart_html)
    assert "[sqs.visibility_expired #" in quickstart_html


def test_everything_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "topology.py").write_text(
        "def build(sim):\n"
        "    bus = sim.events.create_bus('b')\n"
        "    def boom(event):\n"
        "        raise ValueError('<img src=x onerror=alert(1)> & \"quotes\"')\n"
        "    bus.rule('r', pattern={'source': ['s']}).target(boom, max_retries=0)\n"
    )
    (tmp_path / "events.jsonl").write_text(
        '{"bus": "b", "Source": "s", "DetailType": "<script>alert(1)</script>", "Detail": {}}\n'
    )
    html = render_html(build_story(replay(tmp_path / "events.jsonl").journal))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;" in html


def test_long_inputs_are_capped(tmp_path: Path) -> None:
    (tmp_path / "topology.py").write_text("def build(sim):\n    sim.sqs.create_queue('jobs')\n")
    (tmp_path / "events.jsonl").write_text("".join(f'{{"queue": "jobs", "body": "{i}"}}\n' for i in range(30)))
    html = render_html(build_story(replay(tmp_path / "events.jsonl").journal), max_lines=10)
    assert html.count('<section class="line"') == 10
    assert "20 more input lines not drawn" in html


def _chromium(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            timeout=120,
            check=False,
        )


@needs_chromium
def test_chromium_renders_the_timeline(quickstart_html: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(quickstart_html, encoding="utf-8")
    shot = tmp_path / "out.png"
    done = _chromium(f"--screenshot={shot}", "--window-size=1280,1800", page.as_uri())
    assert shot.exists(), done.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
    width, height, rows = _png.decode(data)
    assert (width, height) == (1280, 1800)
    seen = _png.colours(rows)
    assert len(seen) > 100, "the screenshot has almost no colour variety: a blank page?"

    def near(rgb: tuple[int, int, int], tolerance: int = 6) -> int:
        return sum(n for c, n in seen.items() if all(abs(a - b) <= tolerance for a, b in zip(c, rgb, strict=True)))

    assert near((0x1F, 0x2A, 0x44)) > 1000  # the header
    assert near((0xFF, 0xB3, 0x00)) > 200  # in flight (amber lanes)
    assert near((0xE5, 0x39, 0x35)) > 200  # in the dead-letter queue (red lanes)
    assert near((0xB3, 0x9D, 0xDB)) > 50  # delayed (lavender)


@needs_chromium
def test_chromium_runs_the_scale_toggle(quickstart_html: str, tmp_path: Path) -> None:
    # switch to the linear scale in the page's own script, then read the DOM back
    page = tmp_path / "report.html"
    page.write_text(quickstart_html.replace("</body>", "<script>eventbusScale(true)</script></body>"), encoding="utf-8")
    done = _chromium("--dump-dom", page.as_uri())
    dom = done.stdout.decode()
    assert 'id="line-4"' in dom
    moved = re.findall(r'data-c="([\d.]+)" data-l="([\d.]+)"[^>]*style="left: ?([\d.]+)%', dom)
    assert moved, dom[:2000]
    assert all(float(left) == pytest.approx(float(linear), abs=0.01) for _, linear, left in moved)
    assert any(abs(float(c) - float(linear)) > 1 for c, linear, _ in moved)


def test_same_seed_same_page(quickstart_html: str) -> None:
    again = render_html(
        build_story(replay(QUICKSTART / "events.jsonl").journal), title="eventbus replay: events.jsonl", subtitle="examples/quickstart"
    )
    assert again == quickstart_html
