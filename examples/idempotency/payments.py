"""A payment handler behind an SQS queue, charged twice when the queue redelivers; then made idempotent.

Run it::

    python examples/idempotency/payments.py            # search seeds for a double charge, then the fix
    python examples/idempotency/payments.py --seed 42  # replay one seed

SQS standard queues deliver at least once: the simulated queue's ``duplicate_rate`` fault leaves a
second copy of a received message in the queue, as AWS is allowed to. The Lambda event source
mapping then hands the copy to the function again, and a handler that charges per message charges
twice. The same handler wrapped in ``eventbus.testing.idempotency.idempotent`` (Powertools'
semantics, keyed on the order id) charges each order once, whatever the seed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

from eventbus import Simulation
from eventbus.services.sqs import SqsFaults
from eventbus.testing.idempotency import idempotency_store, idempotent


def simulate(seed: int, orders: int, *, idempotent_handler: bool, duplicate_rate: float = 0.3) -> Counter[int]:
    """Send ``orders`` payment requests through queue -> Lambda; return how often each order was charged."""
    sim = Simulation(seed=seed)
    charges: Counter[int] = Counter()

    def charge(record: dict[str, Any], context: Any) -> dict[str, Any]:
        order = json.loads(record["body"])
        charges[order["order_id"]] += 1  # the payment provider's side effect
        return {"charged": order["amount"]}

    if idempotent_handler:
        charge = idempotent(idempotency_store(sim), event_key_jmespath="powertools_json(body).order_id")(charge)

    def pay(event: dict[str, Any], context: Any) -> None:
        for record in event["Records"]:
            charge(record, context)

    queue = sim.sqs.create_queue("payments", visibility_timeout=30, faults=SqsFaults(duplicate_rate=duplicate_rate))
    function = sim.lambda_.function("pay", pay, timeout=10)
    sim.lambda_.event_source_mapping(queue, function, batch_size=5)
    for order_id in range(orders):
        queue.send(json.dumps({"order_id": order_id, "amount": 10 * (order_id + 1)}))
    sim.advance(300)
    return charges


def double_charges(charges: Counter[int]) -> dict[int, int]:
    return {order: n for order, n in sorted(charges.items()) if n != 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=None, help="replay this seed only")
    parser.add_argument("--orders", type=int, default=5)
    args = parser.parse_args()
    seeds = [args.seed] if args.seed is not None else list(range(100))
    for seed in seeds:
        wrong = double_charges(simulate(seed, args.orders, idempotent_handler=False))
        if wrong:
            print(f"seed {seed}: the plain handler charged orders {wrong} (order -> times charged)")
            print(f"  reproduce: python examples/idempotency/payments.py --seed {seed} --orders {args.orders}")
            fixed = simulate(seed, args.orders, idempotent_handler=True)
            print(f"seed {seed}: the @idempotent handler charged each order {set(fixed.values())} time(s)")
            return
    print("no double charge with these seeds")


if __name__ == "__main__":
    main()
