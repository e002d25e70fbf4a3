"""EventBridge Scheduler on the simulation's clock: schedule groups and one-time and recurring schedules.

``sim.scheduler`` is the simulation's :class:`SchedulerService`::

    from eventbus import Simulation

    sim = Simulation(start="2024-03-09T00:00:00Z")
    runs = []
    nightly = sim.scheduler.create_schedule(
        "nightly", "cron(0 2 * * ? *)", target=runs.append,
        timezone="America/New_York", input='{"job": "report"}',
    )
    sim.advance(3 * 86400)   # 02:00 in New York each night, across the spring-forward change

Targets are ARNs resolved through the simulation's registry (queues, topics, event buses, functions)
or plain Python callables; failed invocations are retried and then dead-lettered as Scheduler does.
The AWS-named operations for the boto3 facade are ``sim.scheduler.api.call("CreateSchedule", {...})``
(:class:`SchedulerApi`). Behaviour follows the EventBridge Scheduler User Guide
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html) and API Reference
(https://docs.aws.amazon.com/scheduler/latest/APIReference/Welcome.html); each private module cites its pages.
"""

from __future__ import annotations

from ._scheduler_api import SchedulerApi
from ._scheduler_schedule import Schedule, ScheduleGroup, ScheduleSpec
from ._scheduler_service import SchedulerService
from ._scheduler_target import ScheduleTarget

__all__ = ("Schedule", "ScheduleGroup", "ScheduleSpec", "ScheduleTarget", "SchedulerApi", "SchedulerService")
