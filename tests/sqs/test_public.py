"""The public module: a tuple __all__ of names that exist, public classes under the public path (style.md rule 1)."""

from __future__ import annotations

import pickle

import eventbus.services.sqs as sqs
from eventbus import Simulation


def test_all_is_a_tuple_of_existing_names() -> None:
    assert isinstance(sqs.__all__, tuple)
    assert len(set(sqs.__all__)) == len(sqs.__all__)
    for name in sqs.__all__:
        assert hasattr(sqs, name), name


def test_public_classes_say_the_public_path() -> None:
    for name in sqs.__all__:
        value = getattr(sqs, name)
        if isinstance(value, type):
            assert value.__module__ == "eventbus.services.sqs", name
    queue = Simulation().sqs.create_queue("orders")
    assert repr(queue).startswith("eventbus.services.sqs.Queue('orders', standard")
    error = sqs.QueueDoesNotExistError("The specified queue does not exist.")
    assert repr(error) == "eventbus.services.sqs.QueueDoesNotExistError(code='QueueDoesNotExist', message='The specified queue does not exist.')"
    assert isinstance(error, LookupError)
    assert isinstance(sqs.InvalidParameterValueError("x"), ValueError)


def test_sim_sqs_is_one_service_per_simulation() -> None:
    sim = Simulation()
    assert sim.sqs is sim.sqs
    assert isinstance(sim.sqs, sqs.SqsService)
    assert Simulation().sqs is not sim.sqs


def test_results_pickle_through_the_public_path() -> None:
    queue = Simulation().sqs.create_queue("orders")
    result = queue.send("x")
    assert pickle.loads(pickle.dumps(result)) == result
