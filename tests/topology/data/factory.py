"""A topology built in Python: ``eventbus.topology.load("factory:build", sim, base_dir=...)``."""

from __future__ import annotations

from typing import Any

from eventbus import Simulation


def build(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("jobs-dlq")
    sim.sqs.create_queue("jobs", dead_letter=dlq, max_receive_count=2)
    sim.events.bus("work").rule("all-jobs", pattern={"source": ["work"]}).target(sim.sqs.get_queue("jobs"))


def build_named(sim: Simulation, parameters: dict[str, Any]) -> dict[str, Any]:
    queue = sim.sqs.create_queue(f"jobs-{parameters['stage']}")
    return {"Jobs": queue, "JobsArn": queue.arn}


def build_broken(sim: Simulation) -> None:
    sim.sqs.create_queue("first")
    sim.sqs.create_queue("bad name!")
