"""Replay benchmark: ``eventbus replay`` of 100,000 events through a 100-rule topology.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_replay.py

Workload: the first 100 rules of /work/shared/workloads/data/eb_rules.json on one custom bus, each
with one target; the 3,000 events of eb_events.jsonl repeated to 100,000 input lines (full
envelopes, 0.1 s apart on the virtual clock). The workload's ``aws.*`` sources are reserved by
PutEvents, so ``"aws.`` is rewritten ``"awsx.`` in rules and events alike (the same matches).
Targets (``--target``):

* ``callable`` (default): a cheap Python callable (as in bench_events.py);
* ``lambda``: one Lambda-style function (asynchronous invocation: queued, run, succeeded);
* ``queue``: one SQS queue (each delivery is a message; the final state counts them).

Timed: in this process, the library's phases (the replay: reading and validating every line, one
PutEvents per line, settling; reading the journal into the story; writing the text report to a null
sink); then the whole command, ``python -m eventbus replay EVENTS > /dev/null``, in a fresh process
(wall and CPU time).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path("/work/shared/workloads/data")

TOPOLOGY = '''
import json
from pathlib import Path


def cheap(event):
    return None


def build(sim):
    bus = sim.events.create_bus("bench")
    rules = json.loads(Path({rules!r}).read_text())[:{count}]
    target = {target!r}
    if target == "lambda":
        destination = sim.lambda_.function("cheap", lambda event, context: None)
    elif target == "queue":
        destination = sim.sqs.create_queue("sink")
    else:
        destination = cheap
    for rule in rules:
        pattern = json.dumps(rule["pattern"]).replace('"aws.', '"awsx.')
        bus.rule(rule["id"], pattern=pattern).target(destination, id="t")
'''


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def prepare(folder: Path, events: int, rules: int, target: str) -> Path:
    lines = (DATA / "eb_events.jsonl").read_text().splitlines()
    out = []
    for i in range(events):
        event = json.loads(lines[i % len(lines)].replace('"aws.', '"awsx.'))
        event["bus"] = "bench"
        if i:
            event["after"] = 0.1
        out.append(json.dumps(event, separators=(",", ":")))
    (folder / "events.jsonl").write_text("\n".join(out) + "\n")
    (folder / "topology.py").write_text(TOPOLOGY.format(rules=str(DATA / "eb_rules.json"), count=rules, target=target))
    return folder / "events.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--target", choices=("callable", "lambda", "queue"), default="callable")
    args = parser.parse_args()

    from eventbus.replay import replay
    from eventbus.report import build_story, write_text

    with tempfile.TemporaryDirectory() as tmp:
        events = prepare(Path(tmp), args.events, args.rules, args.target)
        start = time.perf_counter()
        result = replay(events)
        replayed = time.perf_counter()
        story = build_story(result.journal)
        storied = time.perf_counter()
        write_text(story, _Null())
        written = time.perf_counter()
        records = len(result.journal)
        delivered = sum(1 for r in result.journal if r.kind == "events.target.delivered")
        del result, story

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start_cli = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "eventbus", "replay", str(events)], stdout=subprocess.DEVNULL, check=False)
        whole = time.perf_counter() - start_cli
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert done.returncode == 0, done.returncode

    print(f"python {sys.version.split()[0]}; {args.events:,} events, {args.rules} rules, target {args.target}")
    print(f"  deliveries {delivered:,} ({delivered / args.events:.2f} per event), journal records {records:,}")
    print(f"  replay (parse, run, settle)  {replayed - start:7.2f} s  ({args.events / (replayed - start):,.0f} events/s)")
    print(f"  story from the journal       {storied - replayed:7.2f} s")
    print(f"  text report                  {written - storied:7.2f} s")
    print(f"  eventbus replay, end to end  {whole:7.2f} s  ({args.events / whole:,.0f} events/s; {cpu:.2f} s of CPU)")


if __name__ == "__main__":
    main()
