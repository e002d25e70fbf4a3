"""Kernel benchmark: timers scheduled and fired per second on the simulation's clock.

Run:  .venv/bin/python benchmarks/bench_kernel.py

Three shapes, each timed end to end (scheduling + firing), medians of 5 rounds:
  * bulk:    N timers scheduled up front at random deadlines, then one advance() fires them all;
  * chained: each timer schedules the next (a retry loop / a poller), N in a row;
  * steady:  a running simulation: 10,000 timers pending at any moment, each firing schedules
             another at a random later time (the heap size of a busy topology);
  * cancel:  N timers scheduled, half cancelled, then advance() (lazy deletion at work).
Target (issue 2): at least 300,000 timers per second on one core.
"""

from __future__ import annotations

import random
import statistics
import time

from eventbus import Simulation

N = 200_000
ROUNDS = 5


def bulk() -> float:
    sim = Simulation()
    rng = random.Random(1)
    count = [0]

    def fire() -> None:
        count[0] += 1

    call_later = sim.call_later
    start = time.perf_counter()
    for _ in range(N):
        call_later(rng.random() * 1000.0, fire)
    sim.advance(1000.0)
    elapsed = time.perf_counter() - start
    assert count[0] == N
    return N / elapsed


def chained() -> float:
    sim = Simulation()
    count = [0]

    def fire() -> None:
        count[0] += 1
        if count[0] < N:
            sim.call_later(0.001, fire)

    start = time.perf_counter()
    sim.call_later(0.001, fire)
    sim.advance(N)
    elapsed = time.perf_counter() - start
    assert count[0] == N
    return N / elapsed


def steady() -> float:
    """A running simulation: 10,000 timers always pending, each firing schedules the next."""
    sim = Simulation()
    rng = random.Random(3)
    count = [0]
    pending = 10_000

    def fire() -> None:
        count[0] += 1
        if count[0] <= N - pending:
            sim.call_later(rng.random() * 10.0, fire)

    start = time.perf_counter()
    for _ in range(pending):
        sim.call_later(rng.random() * 10.0, fire)
    sim.run_until()
    elapsed = time.perf_counter() - start
    assert count[0] == N
    return N / elapsed


def cancel() -> float:
    sim = Simulation()
    rng = random.Random(2)
    count = [0]

    def fire() -> None:
        count[0] += 1

    start = time.perf_counter()
    timers = [sim.call_later(rng.random() * 1000.0, fire) for _ in range(N)]
    for t in timers[::2]:
        t.cancel()
    sim.advance(1000.0)
    elapsed = time.perf_counter() - start
    assert count[0] == N // 2
    return N / elapsed


def main() -> None:
    print(f"kernel: {N:,} timers per round, median of {ROUNDS} rounds")
    for name, fn in (("bulk", bulk), ("steady", steady), ("chained", chained), ("cancel", cancel)):
        rates = [fn() for _ in range(ROUNDS)]
        print(f"  {name:8s} {statistics.median(rates):>12,.0f} timers/s  (min {min(rates):,.0f}, max {max(rates):,.0f})")


if __name__ == "__main__":
    main()
