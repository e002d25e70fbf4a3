"""Replay a file of inputs through a topology on virtual time: what ``eventbus replay`` runs.

::

    from eventbus.replay import replay
    from eventbus.report import build_story, render_text

    result = replay("examples/quickstart/events.jsonl", seed=0)
    print(render_text(build_story(result.journal)))

The input format (one JSON object per line: an EventBridge event, an SQS send or an SNS publish, with
an optional time) is described in :mod:`eventbus._replay_input`; what the replay journals of its own
(``replay.input``, ``replay.skipped``, ``replay.settled``) in :mod:`eventbus._replay_run`.
"""

from ._replay_input import InputError, InputLine, parse_duration, parse_input_line, parse_inputs
from ._replay_run import DEFAULT_UNTIL, ReplayResult, replay
from ._replay_topology import LoadedTopology, TopologyLoadError, default_topology, load_topology

__all__ = (
    "DEFAULT_UNTIL",
    "InputError",
    "InputLine",
    "LoadedTopology",
    "ReplayResult",
    "TopologyLoadError",
    "default_topology",
    "load_topology",
    "parse_duration",
    "parse_input_line",
    "parse_inputs",
    "replay",
)
