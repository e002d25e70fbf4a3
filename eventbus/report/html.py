"""The HTML report of a replay: a timeline per input line, self-contained (inline CSS and JS, no
external resources), readable without explanation by someone learning delivery semantics.

Each input line gets a section: one lane per event, message and delivery it caused, drawn as
coloured states on a virtual time axis (see :mod:`eventbus.report._timeline`), with a legend, the
exact journal record on hover, and the same story in words underneath. Every text is escaped.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from typing import Final

from ._describe import Describer
from ._names import Names, Writer, clock
from ._story import LineStory, Story
from ._timeline import MARKERS, STATES, Axis, Lane, lanes_of
from .text import _final_state, _line_body, _line_header, _summary

__all__ = ("render_html", "write_html")

_CSS: Final = """
:root { --label: 330px; --ink: #1f2430; --muted: #5f6675; --rule: #d9dde5; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink); background: #f4f6f9; }
header { background: #1f2a44; color: #fff; padding: 18px 28px 14px; }
header h1 { margin: 0 0 4px; font-size: 21px; font-weight: 600; }
header .meta { color: #c9d1e3; margin: 0; }
.badges { margin-top: 10px; display: flex; gap: 8px; flex-wrap: wrap; }
.badge { background: #33416a; border-radius: 12px; padding: 2px 11px; font-size: 13px; }
.badge.bad { background: #b71c1c; } .badge.good { background: #2e7d32; }
main, .panel { margin: 14px 28px; }
.panel, section.line { background: var(--bg); border: 1px solid var(--rule); border-radius: 6px; padding: 12px 16px; }
.legend h2, .final h2 { margin: 0 0 8px; font-size: 16px; }
.legend p { margin: 0 0 10px; color: var(--muted); max-width: 980px; }
.keys { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 5px 18px; }
.key { display: flex; align-items: center; gap: 8px; font-size: 13px; }
.key b { font-weight: 600; }
.key .swatch { width: 34px; height: 12px; border-radius: 2px; flex: none; }
.key .mk { position: static; transform: none; margin: 0 11px; flex: none; }
.scale { margin-top: 10px; font-size: 13px; color: var(--muted); }
section.line { margin-bottom: 14px; }
section.line h2 { margin: 0 0 6px; font-size: 15px; font-weight: 600; }
section.line h2 .status { font-weight: 600; padding: 1px 8px; border-radius: 10px; font-size: 12px; margin-left: 6px; }
.status.failed, .status.skipped { background: #fde7e7; color: #b71c1c; }
.row { display: grid; grid-template-columns: var(--label) 1fr; align-items: center; min-height: 34px; }
.row + .row { border-top: 1px dashed #eceff4; }
.label { font-size: 13px; line-height: 1.25; padding: 3px 10px 3px 0; overflow: hidden; }
.label .name { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.label .note { display: block; color: var(--muted); font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.axis { min-height: 24px; }
.d1 .label { padding-left: 16px; } .d2 .label { padding-left: 32px; } .d3 .label { padding-left: 48px; }
.d1 .name::before, .d2 .name::before, .d3 .name::before { content: "\\21B3  "; color: var(--muted); }
.track { position: relative; height: 22px; margin: 0 8px; }
.track::before { content: ""; position: absolute; left: 0; right: 0; top: 10px; height: 2px; background: #eef0f4; }
.axis .track::before { display: none; }
.axis { color: var(--muted); font-size: 11px; }
.tick { position: absolute; top: 3px; transform: translateX(-50%); white-space: nowrap; }

.seg { position: absolute; top: 5px; height: 12px; min-width: 3px; border-radius: 2px; }
.seg.open { border-top-right-radius: 0; border-bottom-right-radius: 0; -webkit-mask-image: linear-gradient(to right, #000 85%, transparent); }
.s-delayed { background: #b39ddb; }
.s-waiting { background: #64b5f6; }
.s-in_flight { background: #ffb300; }
.s-dlq { background: #e53935; }
.s-backoff { background: repeating-linear-gradient(135deg, #ffcc80 0 5px, #fff3e0 5px 10px); border: 1px solid #fb8c00; }
.mk { position: absolute; top: 5px; width: 12px; height: 12px; transform: translateX(-50%); }
.m-sent { background: #1a237e; border-radius: 50%; }
.m-matched { background: #00897b; transform: translateX(-50%) rotate(45deg) scale(0.85); }
.m-nomatch { border: 2px solid #9e9e9e; border-radius: 50%; background: #fff; }
.m-received { background: #ef6c00; clip-path: polygon(0 0, 100% 50%, 0 100%); }
.m-invoked { background: #00838f; clip-path: polygon(0 0, 100% 50%, 0 100%); }
.m-redelivery { background: #fff; border: 3px solid #8e24aa; border-radius: 50%; }
.m-deleted { background: #2e7d32; border-radius: 2px; width: 10px; height: 10px; top: 6px; }
.m-delivered { background: #2e7d32; clip-path: polygon(14% 44%, 0 65%, 50% 100%, 100% 16%, 80% 0, 43% 62%); }
.m-failed { background: #d32f2f; clip-path: polygon(20% 0, 50% 30%, 80% 0, 100% 20%, 70% 50%, 100% 80%, 80% 100%, 50% 70%, 20% 100%, 0 80%, 30% 50%, 0 20%); }
.m-deadletter { background: #7f0000; border-radius: 2px; }
.m-dropped { background: #000; clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.m-expired { background: #9e9e9e; border-radius: 2px; }
details { margin-top: 8px; }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
pre { background: #f7f8fa; border: 1px solid #eceff4; border-radius: 4px; padding: 8px 10px; overflow-x: auto; font: 12px/1.5 "DejaVu Sans Mono", monospace; margin: 6px 0 0; }
.more { color: var(--muted); font-style: italic; margin: 6px 0 0; }
.final pre { margin-top: 0; }
"""

_JS: Final = """
function eventbusScale(linear) {
  document.querySelectorAll('[data-c]').forEach(function (el) {
    el.style.left = (linear ? el.dataset.l : el.dataset.c) + '%';
    if (el.dataset.cw !== undefined) { el.style.width = (linear ? el.dataset.lw : el.dataset.cw) + '%'; }
  });
  document.querySelectorAll('.ticks-c').forEach(function (el) { el.style.display = linear ? 'none' : ''; });
  document.querySelectorAll('.ticks-l').forEach(function (el) { el.style.display = linear ? '' : 'none'; });
}
"""

_E = html.escape


def _pct(x: float) -> str:
    return f"{x * 100:.3f}".rstrip("0").rstrip(".") or "0"


def _lane_html(lane: Lane, axis: Axis) -> str:
    parts = [
        f'<div class="row d{min(lane.depth, 3)}"><div class="label" title="{_E(lane.label)}">'
        f'<span class="name">{_E(lane.label)}</span>'
    ]
    if lane.note:
        parts.append(f'<span class="note">{_E(lane.note)}</span>')
    parts.append('</div><div class="track">')
    for seg in lane.segments:
        c0, c1 = axis.compressed(seg.start), axis.compressed(seg.end)
        l0, l1 = axis.linear(seg.start), axis.linear(seg.end)
        name = STATES[seg.state][0]
        title = f"{name}: {clock(seg.start)} to {clock(seg.end)}" + (" (and after)" if seg.open else "") + f"\n{seg.title}"
        parts.append(
            f'<div class="seg s-{seg.state}{" open" if seg.open else ""}" data-c="{_pct(c0)}" data-l="{_pct(l0)}" '
            f'data-cw="{_pct(c1 - c0)}" data-lw="{_pct(l1 - l0)}" style="left:{_pct(c0)}%;width:{_pct(c1 - c0)}%" '
            f'title="{_E(title)}"></div>'
        )
    seen: dict[float, int] = {}
    for marker in lane.markers:
        nudge = seen.get(marker.time, 0)
        seen[marker.time] = nudge + 1
        c, lin = axis.compressed(marker.time), axis.linear(marker.time)
        style = f"left:{_pct(c)}%" + (f";margin-left:{nudge * 9}px" if nudge else "")
        parts.append(
            f'<div class="mk m-{marker.kind}" data-c="{_pct(c)}" data-l="{_pct(lin)}" style="{style}" '
            f'title="{_E(marker.title)}"></div>'
        )
    parts.append("</div></div>")
    return "".join(parts)


def _axis_html(axis: Axis) -> str:
    out = ['<div class="row axis"><div class="label">virtual time</div><div class="track">']
    for scale, hidden in (("c", False), ("l", True)):
        out.append(f'<div class="ticks-{scale}"{" style=display:none" if hidden else ""}>')
        for x, text in axis.ticks("compressed" if scale == "c" else "linear"):
            # keep the first and last labels inside the track
            shift = "translateX(0)" if x < 0.08 else "translateX(-100%)" if x > 0.92 else "translateX(-50%)"
            out.append(f'<span class="tick" style="left:{_pct(x)}%;transform:{shift}">{_E(text)}</span>')
        out.append("</div>")
    out.append("</div></div>")
    return "".join(out)


def _section(line: LineStory, story: Story, describe: Describer, dlqs: set[str], max_lanes: int) -> str:
    names = describe.names
    head = _E(_line_header(line, names))
    status = ""
    if line.status != "accepted":
        status = f'<span class="status {_E(line.status)}">{_E(line.status)}</span>'
    out = [f'<section class="line" id="line-{line.line}"><h2>{head}{status}</h2>']
    threads = line.threads()
    if threads:
        lanes = lanes_of(threads, describe, story.end, dlqs)
        shown = lanes[:max_lanes]
        axis = Axis(t for lane in shown for t in lane.times())
        out.append(_axis_html(axis))
        out.extend(_lane_html(lane, axis) for lane in shown)
        if len(lanes) > len(shown):
            out.append(f'<p class="more">{len(lanes) - len(shown)} more lanes not drawn</p>')
        body = "\n".join(_line_body(line, describe))
        if body:
            out.append(f"<details><summary>what happened, in words</summary><pre>{_E(body)}</pre></details>")
    out.append("</section>")
    return "".join(out)


def _legend() -> str:
    out = [
        '<section class="panel legend"><h2>How to read this</h2>',
        "<p>Each box below is one line of the input file. Inside it, each row is one event, one message or one "
        "delivery that line caused, in the order they were caused; indented rows were caused by the row above. "
        "Time runs left to right on the simulation's virtual clock. Coloured bars are the states a message or "
        "delivery is in; symbols are the moments something happened. Hover over any bar or symbol to see the "
        "exact journal record.</p><div class=\"keys\">",
    ]
    for state, (name, text) in STATES.items():
        out.append(f'<div class="key"><span class="swatch s-{state}"></span><span><b>{_E(name)}</b>: {_E(text)}</span></div>')
    for marker, (name, text) in MARKERS.items():
        out.append(f'<div class="key"><span class="mk m-{marker}"></span><span><b>{_E(name)}</b>: {_E(text)}</span></div>')
    out.append(
        '</div><div class="scale"><label><input type="checkbox" onchange="eventbusScale(this.checked)"> '
        "linear time scale</label> (by default long quiet gaps are shortened so that milliseconds and hours "
        "both stay readable; the axis labels give the true times)</div></section>"
    )
    return "".join(out)


def _badges(story: Story) -> str:
    items = [
        (f"{len(story.lines)} input lines", ""),
        (f"{story.count('accepted')} accepted", "good"),
    ]
    if story.count("failed"):
        items.append((f"{story.count('failed')} failed", "bad"))
    if story.count("skipped"):
        items.append((f"{story.count('skipped')} skipped", "bad"))
    items.append((f"{len(story.dead_lettered)} dead-lettered", "bad" if story.dead_lettered else ""))
    items.append((f"{len(story.dropped)} dropped", "bad" if story.dropped else ""))
    items.append((f"{len(story.handler_errors)} handler errors", ""))
    return "".join(f'<span class="badge {cls}">{_E(text)}</span>' for text, cls in items)


def write_html(
    story: Story,
    out: Writer,
    *,
    title: str = "eventbus replay",
    subtitle: str = "",
    max_lines: int = 200,
    max_lanes: int = 40,
) -> None:
    """Write the self-contained HTML report of ``story`` to ``out``.

    Args:
        story: the replay's story.
        out: where to write.
        title: the page's title.
        subtitle: a line under it (files, seed).
        max_lines: input lines drawn (the rest are counted, not drawn, to keep the page light).
        max_lanes: lanes drawn per input line.
    """
    names = Names()
    describe = Describer(names)
    dlqs = {arn for arn, queue in story.queues.items() if queue.is_dlq}
    write = out.write
    write(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_E(title)}</title>')
    write('<meta name="viewport" content="width=device-width, initial-scale=1">')
    write(f"<style>{_CSS}</style></head><body>")
    write(f"<header><h1>{_E(title)}</h1>")
    if subtitle:
        write(f'<p class="meta">{_E(subtitle)}</p>')
    write(f'<div class="badges">{_badges(story)}</div></header>')
    write(_legend())
    write("<main>")
    for line in story.lines[:max_lines]:
        write(_section(line, story, describe, dlqs, max_lanes))
        write("\n")
    if len(story.lines) > max_lines:
        write(f'<p class="more">{len(story.lines) - max_lines} more input lines not drawn (see the text report)</p>')
    write("</main>")
    final = "\n".join(_lines(_final_state(story, names)))
    summary = "\n".join(_lines(_summary(story)))
    write(f'<section class="panel final"><h2>Final state</h2><pre>{_E(final)}\n\n{_E(summary)}</pre></section>')
    write(f"<script>{_JS}</script></body></html>\n")


def _lines(lines: Iterable[str]) -> list[str]:
    return list(lines)


def render_html(
    story: Story, *, title: str = "eventbus replay", subtitle: str = "", max_lines: int = 200, max_lanes: int = 40
) -> str:
    """The HTML report as a string (see :func:`write_html`)."""
    buffer = io.StringIO()
    write_html(story, buffer, title=title, subtitle=subtitle, max_lines=max_lines, max_lanes=max_lanes)
    return buffer.getvalue()
