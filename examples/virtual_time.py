"""The kernel on its own: a flaky handler retried with exponential backoff, on virtual time.

Run:  python examples/virtual_time.py

Twelve hours of simulated retries run in milliseconds, and the same seed prints the same story.
"""

from __future__ import annotations

from eventbus import Outcome, Simulation

sim = Simulation(seed=42)
attempts = {"n": 0}


def flaky_payment_service(order: dict[str, str]) -> str:
    attempts["n"] += 1
    if attempts["n"] < 6:
        raise ConnectionError(f"payment gateway unavailable for {order['id']}")
    return f"charged {order['id']}"


def deliver(order: dict[str, str], attempt: int = 0) -> None:
    def on_done(outcome: Outcome) -> None:
        if outcome.ok:
            print(f"{sim.iso()}  attempt {attempt + 1}: {outcome.value}")
            return
        backoff = min(3600.0, 60.0 * 2**attempt) * (0.5 + sim.rng.random() / 2)  # jitter from the seeded generator
        print(f"{sim.iso()}  attempt {attempt + 1} failed ({outcome.error_message}); retry in {backoff:,.0f} s")
        sim.call_later(backoff, deliver, order, attempt + 1)

    sim.invoke(flaky_payment_service, order, on_done=on_done, name=f"{order['id']}#{attempt + 1}")


sim.call_soon(deliver, {"id": "order-1"})
sim.advance(12 * 3600)
print(f"{sim.iso()}  done: {len(sim.journal)} journal records, e.g. {sim.journal.select('handler.raised')[0]}")
