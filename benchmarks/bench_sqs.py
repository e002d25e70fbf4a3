"""SQS benchmark: the native API's throughput, its cost per message at depth, its memory, and moto for reference.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_sqs.py

Shapes (issue 4):
  * loop:   send_batch(10) -> receive(10) -> delete_batch(10), 100,000 messages, 200-byte bodies;
            also each operation alone (all sends, then all receive+delete pairs);
  * depth:  the receive(10) + delete_batch cost per message draining 10,000 messages from a queue
            holding 1,000 (all of them) and 1,000,000;
  * memory: resident set size of a fresh process holding 1,000,000 queued 200-byte messages
            (journal on, as in any simulation);
  * moto:   the same loop through boto3 against moto's ``mock_aws`` (5,000 messages), and moto's
            drain cost at depth 100 vs 1,000 (deeper takes minutes), for reference; and, when the boto3 facade is
            present, the loop through boto3 against ``eventbus.mock_aws``.
Targets: at least 100,000 messages/s for the loop; the same cost per message at depth 1,000,000 as
at 1,000; under 1 GiB for a million queued messages. Medians of several rounds, wall clock and
process CPU time (the machine is shared; CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from eventbus import Simulation

BODY = "x" * 200
BATCH = [BODY] * 10


def _timed(fn: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    n = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, n


def _median_rates(rounds: int, fn: Callable[[], tuple[float, float, int]]) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu, n = fn()
        walls.append(n / wall)
        cpus.append(n / cpu)
    return statistics.median(walls), statistics.median(cpus)


# ------------------------------------------------------------------ native
def native_loop(n: int = 100_000) -> tuple[float, float, int]:
    queue = Simulation().sqs.create_queue("bench")

    def run() -> int:
        for _ in range(n // 10):
            queue.send_batch(BATCH)
            messages = queue.receive(10)
            queue.delete_batch([m.receipt_handle for m in messages])
        return n

    return _timed(run)


def native_sends(n: int = 100_000) -> tuple[float, float, int]:
    queue = Simulation().sqs.create_queue("bench")

    def run() -> int:
        for _ in range(n // 10):
            queue.send_batch(BATCH)
        return n

    return _timed(run)


def _fill(queue: object, n: int) -> None:
    send_batch = queue.send_batch  # type: ignore[attr-defined]
    for _ in range(n // 10):
        send_batch(BATCH)


def native_receive_delete(n: int = 100_000) -> tuple[float, float, int]:
    queue = Simulation().sqs.create_queue("bench")
    _fill(queue, n)
    return _timed(lambda: _drain(queue, n))


def _drain(queue: object, n: int) -> int:
    receive = queue.receive  # type: ignore[attr-defined]
    delete_batch = queue.delete_batch  # type: ignore[attr-defined]
    done = 0
    while done < n:
        messages = receive(10)
        if not messages:
            break
        delete_batch([m.receipt_handle for m in messages])
        done += len(messages)
    return done


def native_depth(depth: int, drained: int = 10_000) -> tuple[float, float, int]:
    queue = Simulation().sqs.create_queue("bench")
    _fill(queue, depth)
    # Filling left a million journal records for the collector to age; collect them now, as setup,
    # so that the timing below is the drain's own cost (see the README on the journal's GC cost).
    gc.collect()
    return _timed(lambda: _drain(queue, min(drained, depth)))


# ------------------------------------------------------------------ memory
def rss_child(n: int) -> None:
    """Run in a fresh process: queue ``n`` messages and print the RSS before and after, in KiB."""

    def rss() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    sim = Simulation()
    queue = sim.sqs.create_queue("bench")
    before = rss()
    _fill(queue, n)
    after = rss()
    assert queue.statistics().visible == n
    print(before, after, len(sim.journal))


def measure_rss(n: int = 1_000_000) -> tuple[int, int, int]:
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--rss-child", str(n)], check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


# -------------------------------------------------------------------- boto3
def _boto3_loop(client_factory: Callable[[], object], n: int) -> tuple[float, float, int]:
    sqs = client_factory()
    url = sqs.create_queue(QueueName="bench")["QueueUrl"]  # type: ignore[attr-defined]
    entries = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]

    def run() -> int:
        for _ in range(n // 10):
            sqs.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[attr-defined]
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]  # type: ignore[attr-defined]
            sqs.delete_message_batch(  # type: ignore[attr-defined]
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            )
        return n

    return _timed(run)


def _client() -> object:
    import boto3  # type: ignore[import-untyped]

    return boto3.client("sqs", region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")


def moto_loop(n: int) -> tuple[float, float, int]:
    from moto import mock_aws

    with mock_aws():
        return _boto3_loop(_client, n)


def moto_depth(depth: int, drained: int) -> tuple[float, float, int]:
    from moto import mock_aws

    with mock_aws():
        sqs = _client()
        url = sqs.create_queue(QueueName="bench")["QueueUrl"]  # type: ignore[attr-defined]
        entries = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]
        for _ in range(depth // 10):
            sqs.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[attr-defined]

        def run() -> int:
            done = 0
            while done < drained:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])  # type: ignore[attr-defined]
                if not messages:
                    break
                sqs.delete_message_batch(  # type: ignore[attr-defined]
                    QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                )
                done += len(messages)
            return done

        return _timed(run)


def eventbus_boto3_loop(n: int) -> tuple[float, float, int] | None:
    try:
        from eventbus.aws import mock_aws
    except ImportError:
        return None
    with mock_aws():
        return _boto3_loop(_client, n)


# --------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rss-child", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--moto-messages", type=int, default=5_000)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return
    rounds = args.rounds

    def show(label: str, rates: tuple[float, float], unit: str = "msg/s") -> None:
        print(f"{label:60s} {rates[0]:>12,.0f} {unit} wall {rates[1]:>12,.0f} {unit} cpu")

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}")
    show("native loop: send_batch 10 / receive 10 / delete_batch", _median_rates(rounds, native_loop))
    show("native send_batch 10 alone", _median_rates(rounds, native_sends))
    show("native receive 10 + delete_batch alone", _median_rates(rounds, native_receive_delete))
    shallow = _median_rates(rounds, lambda: native_depth(1_000))
    deep = _median_rates(max(1, rounds // 2), lambda: native_depth(1_000_000))
    show("native drain (receive 10 + delete_batch) at depth 1,000", shallow)
    show("native drain (receive 10 + delete_batch) at depth 1,000,000", deep)
    print(f"{'  depth 1,000,000 / depth 1,000 per-message cost (cpu)':60s} {shallow[1] / deep[1]:>12.2f}x")
    before, after, records = measure_rss()
    print(f"{'RSS, fresh process with 1,000,000 queued 200-byte messages':60s} {after / 1024:>12,.0f} MiB (empty: {before / 1024:.0f} MiB, journal {records:,} records)")
    m = args.moto_messages
    moto = _median_rates(max(1, rounds // 2), lambda: moto_loop(m))
    show(f"moto via boto3: the same loop, {m:,} messages", moto)
    moto_shallow = _median_rates(1, lambda: moto_depth(100, 100))
    moto_deep = _median_rates(1, lambda: moto_depth(1_000, 100))
    show("moto drain (100 messages) at depth 100", moto_shallow)
    show("moto drain (100 messages) at depth 1,000", moto_deep)
    print(f"{'  moto depth 1,000 / depth 100 per-message cost (cpu)':60s} {moto_shallow[1] / moto_deep[1]:>12.2f}x")
    facade = eventbus_boto3_loop(m)
    if facade is not None:
        facade_rates = _median_rates(max(1, rounds // 2), lambda: eventbus_boto3_loop(m) or (1.0, 1.0, 0))
        show(f"eventbus.mock_aws via boto3: the same loop, {m:,} messages", facade_rates)
        print(f"{'  eventbus via boto3 / moto (wall)':60s} {facade_rates[0] / moto[0]:>12.1f}x")
    native = _median_rates(1, native_loop)
    print(f"{'native loop / moto loop (wall)':60s} {native[0] / moto[0]:>12.0f}x")


if __name__ == "__main__":
    main()
