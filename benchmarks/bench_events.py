"""EventBridge benchmark: PutEvents to delivered-to-target throughput with 10, 100 and 1,000 rules.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_events.py

Workload: the first N rules of /work/shared/workloads/data/eb_rules.json on one bus, the events of
eb_events.jsonl sent with PutEvents in batches of 10 (Source, DetailType, Detail, Resources). Every
rule has a cheap Python callable as its target; an event is "delivered" when every matching rule's
target has been called. Three of the workload's sources start with ``aws.``, which PutEvents
reserves for AWS, so ``"aws.`` is rewritten ``"awsx.`` in both rules and events (the same text
substitution for both sides, so the matches are the same).

Paths timed, in the same run:
  * eventbus native: ``sim.events.put_events(batch)`` then ``sim.run_until_idle()``;
  * eventbus API:    ``sim.events.api.call("PutEvents", {"Entries": batch})`` then ``run_until_idle()``;
  * eventbus boto3:  ``boto3.client("events").put_events(Entries=batch)`` under ``eventbus.aws.mock_aws``
                     (botocore serialises and parses the wire protocol), then ``run_until_idle()``;
  * moto boto3:      the same boto3 call under ``moto.mock_aws`` with the same rules (no targets:
                     moto evaluates every rule's pattern per event whether or not it has targets),
                     timed on a small subset because it is slow (about 21 events/s at 1,000 rules).
Medians of ROUNDS rounds for eventbus; moto runs once per rule count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/workloads/data")
RULE_COUNTS = (10, 100, 1000)
ROUNDS = 3
MOTO_EVENTS = {10: 600, 100: 200, 1000: 60}


def load(rule_count: int) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    rules = json.loads((DATA / "eb_rules.json").read_text())[:rule_count]
    patterns = [(rule["id"], json.dumps(rule["pattern"]).replace('"aws.', '"awsx.')) for rule in rules]
    entries = []
    for line in (DATA / "eb_events.jsonl").read_text().splitlines():
        event = json.loads(line.replace('"aws.', '"awsx.'))
        entries.append(
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event["resources"],
            }
        )
    return patterns, entries


def batches(entries: list[dict[str, Any]], size: int = 10) -> list[list[dict[str, Any]]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def eventbus_run(patterns: list[tuple[str, str]], entries: list[dict[str, Any]], path: str) -> tuple[float, int]:
    """Events per second through one eventbus path, and the number of target deliveries."""
    from eventbus import Simulation
    from eventbus.services._delivery import callable_endpoint

    delivered = [0]

    def target(event: Any) -> None:
        delivered[0] += 1

    if path == "boto3":
        import boto3  # type: ignore[import-untyped]

        from eventbus.aws import mock_aws

        context = mock_aws()
        sim = context.__enter__()
        client = boto3.client("events", region_name="us-east-1")
        arn = callable_endpoint(sim, target).arn
        for name, pattern in patterns:
            client.put_rule(Name=name, EventPattern=pattern)
            client.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": arn}])
        send: Callable[[list[dict[str, Any]]], Any] = lambda batch: client.put_events(Entries=batch)  # noqa: E731
    else:
        context = None
        sim = Simulation()
        bus = sim.events.default_bus
        for name, pattern in patterns:
            bus.rule(name, pattern=pattern).target(target, id="t")
        if path == "api":
            call = sim.events.api.call
            send = lambda batch: call("PutEvents", {"Entries": batch})  # noqa: E731
        else:
            send = sim.events.put_events
    try:
        groups = batches(entries)
        send(groups[0])  # warm-up: compiles the bus's pattern set
        sim.run_until_idle()
        delivered[0] = 0
        run = sim.run_until_idle
        start = time.perf_counter()
        for group in groups[1:]:
            result = send(group)
            run()
        elapsed = time.perf_counter() - start
        failed = result["FailedEntryCount"] if isinstance(result, dict) else result.failed_entry_count
        assert failed == 0
    finally:
        if context is not None:
            context.__exit__(None, None, None)
    return (len(entries) - len(groups[0])) / elapsed, delivered[0]


def moto_run(patterns: list[tuple[str, str]], entries: list[dict[str, Any]]) -> float:
    """Events per second through boto3's put_events under moto's mock_aws."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("events", region_name="us-east-1")
        for name, pattern in patterns:
            client.put_rule(Name=name, EventPattern=pattern)
        groups = batches(entries)
        client.put_events(Entries=groups[0])
        start = time.perf_counter()
        for group in groups[1:]:
            client.put_events(Entries=group)
        elapsed = time.perf_counter() - start
    return (len(entries) - len(groups[0])) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--rules", type=int, nargs="*", default=list(RULE_COUNTS))
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; events/s, medians of {args.rounds} rounds (moto: one round)")
    print(f"{'rules':>6} {'native':>9} {'api':>9} {'boto3':>9} {'moto':>8} {'deliveries/event':>17} {'native/moto':>12} {'boto3/moto':>11}")
    for count in args.rules:
        patterns, entries = load(count)
        figures: dict[str, float] = {}
        per_event = 0.0
        for path in ("native", "api", "boto3"):
            rates = []
            for _ in range(args.rounds):
                rate, delivered = eventbus_run(patterns, entries, path)
                rates.append(rate)
            figures[path] = statistics.median(rates)
            per_event = delivered / (len(entries) - 10)
        moto = 0.0 if args.no_moto else moto_run(patterns, entries[: MOTO_EVENTS.get(count, 60) + 10])
        native_ratio = f"{figures['native'] / moto:,.0f}x" if moto else "-"
        boto3_ratio = f"{figures['boto3'] / moto:,.0f}x" if moto else "-"
        print(
            f"{count:>6} {figures['native']:>9,.0f} {figures['api']:>9,.0f} {figures['boto3']:>9,.0f} {moto:>8,.1f}"
            f" {per_event:>17.2f} {native_ratio:>12} {boto3_ratio:>11}"
        )


if __name__ == "__main__":
    main()
