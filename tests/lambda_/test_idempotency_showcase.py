"""The showcase: a non-idempotent payment handler double-charges when SQS redelivers; @idempotent fixes it.

The property "every order is charged exactly once" is checked with Hypothesis over the simulation's
seed, under the queue's duplicate-delivery fault (SQS standard queues deliver at least once:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html).
The scenario is examples/idempotency/payments.py.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventbus import Simulation

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "idempotency" / "payments.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("idempotency_payments_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


payments = _load()


def charged_once(sim: Simulation, orders: int, *, idempotent_handler: bool) -> None:
    charges = payments.simulate(sim.seed, orders, idempotent_handler=idempotent_handler)
    wrong = payments.double_charges(charges)
    assert not wrong, (
        f"orders charged more than once: {wrong} (seed {sim.seed}; reproduce: "
        f"python examples/idempotency/payments.py --seed {sim.seed} --orders {orders})"
    )


_SETTINGS = settings(max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_plain_handler_double_charges_and_the_failure_names_its_seed() -> None:
    @_SETTINGS
    @given(sim=st.from_type(Simulation), orders=st.integers(1, 8))
    def each_order_charged_once(sim: Simulation, orders: int) -> None:
        charged_once(sim, orders, idempotent_handler=False)

    with pytest.raises(AssertionError) as failure:
        each_order_charged_once()
    message = str(failure.value)
    assert "orders charged more than once" in message
    assert "reproduce: python examples/idempotency/payments.py --seed" in message
    seed = int(message.split("--seed ")[1].split()[0])
    orders = int(message.split("--orders ")[1].split(")")[0])
    assert payments.double_charges(payments.simulate(seed, orders, idempotent_handler=False))  # the seed reproduces it


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(sim=st.from_type(Simulation), orders=st.integers(1, 8))
def test_idempotent_handler_charges_each_order_once(sim: Simulation, orders: int) -> None:
    charged_once(sim, orders, idempotent_handler=True)


def test_the_example_script_prints_the_double_charge_and_the_fix() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLE), "--orders", "5"], capture_output=True, text=True, timeout=120, check=True)
    lines = result.stdout.splitlines()
    assert "the plain handler charged orders" in lines[0]
    assert lines[1].strip().startswith("reproduce: python examples/idempotency/payments.py --seed")
    assert lines[2].endswith("the @idempotent handler charged each order {1} time(s)")


def test_seed_one_double_charges_then_the_fix_holds() -> None:
    # The duplicates still reach the function; the idempotency store answers them with the stored response.
    assert payments.double_charges(payments.simulate(1, 5, idempotent_handler=False))
    assert sorted(payments.simulate(1, 5, idempotent_handler=True).values()) == [1, 1, 1, 1, 1]
