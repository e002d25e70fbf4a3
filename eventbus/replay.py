"""Replay a file of inputs through a topology on virtual time: what ``eventbus replay`` runs.

::

    from eventbus.replay import replay
    from eventbus.report import build_story, render_text

    result = replay("examples/quickstart/events.jsonl", seed=0)
    print(render_text(build_story(result.journal)))

The input format (one JSON object per line: an EventBridge event, an SQS send or an SNS publish, with
an optional time) is described in :mod:`eventbus._replay_input`; what the replay journals of its own
(``replay.started``, ``replay.input``, ``replay.skipped``, ``replay.settled``) in
:mod:`eventbus._replay_run`. A journal dumped by a replay (``eventbus replay --json``) runs again with
:func:`replay_journal`, which says whether the new run is the same, byte for byte.
"""

from ._replay_input import InputError, InputLine, parse_duration, parse_input_line, parse_inputs
from ._replay_run import DEFAULT_UNTIL, JournalReplay, ReplayResult, is_replay_journal, replay, replay_journal
from ._replay_topology import LoadedTopology, TopologyLoadError, default_topology, load_topology

__all__ = (
    "DEFAULT_UNTIL",
    "InputError",
    "InputLine",
    "JournalReplay",
    "LoadedTopology",
    "ReplayResult",
    "TopologyLoadError",
    "default_topology",
    "is_replay_journal",
    "load_topology",
    "parse_duration",
    "parse_input_line",
    "parse_inputs",
    "replay",
    "replay_journal",
)
