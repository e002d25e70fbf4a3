"""Reports of a replay, built from its journal alone: a text story per input line, an HTML timeline.

* :func:`build_story` reads a journal (a replay's, or any simulation's) into a :class:`Story`: per
  input line, the events and messages it caused and every record about them; the queues' final
  counts, the dead-letter queues' contents, what was dropped.
* :func:`render_text` / :func:`write_text` write the text report (:mod:`eventbus.report.text`).
* :func:`render_html` writes the self-contained HTML timeline (:mod:`eventbus.report.html`).
* :func:`mermaid` draws a simulation's topology as a Mermaid flowchart.
"""

from ._graph import mermaid
from ._names import Writer
from ._story import DeadLetter, LineStory, QueueState, Story, Thread, build_story
from .html import render_html, write_html
from .text import render_text, write_text

__all__ = (
    "DeadLetter",
    "LineStory",
    "QueueState",
    "Story",
    "Thread",
    "Writer",
    "build_story",
    "mermaid",
    "render_html",
    "render_text",
    "write_html",
    "write_text",
)
