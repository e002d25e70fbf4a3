"""EventBridge on the simulation's clock: event buses, rules, targets, archives and replays.

``sim.events`` is the simulation's :class:`EventsService`::

    from eventbus import Simulation

    sim = Simulation()
    orders = sim.events.bus("orders")

    @orders.on({"source": ["shop"], "detail-type": ["OrderPlaced"]})
    def ship(event):
        print("shipping", event["detail"]["id"])

    big = orders.rule("big-orders", pattern={"detail": {"total": [{"numeric": [">", 100]}]}})
    big.target(audit_queue, input_path="$.detail", max_retries=3, dead_letter=dlq)

    orders.put(source="shop", detail_type="OrderPlaced", detail={"id": 1, "total": 250})
    sim.run_until_idle()

The AWS-named operations for the boto3 facade are ``sim.events.api.call("PutEvents", {...})``
(:class:`EventsApi`). Behaviour follows the Amazon EventBridge User Guide
(https://docs.aws.amazon.com/eventbridge/latest/userguide/) and API Reference
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/); each private module cites its pages.
"""

from __future__ import annotations

from ._events_api import EventsApi
from ._events_archive import Archive, Replay
from ._events_bus import EventBus, Rule
from ._events_envelope import PutEventsResult, PutEventsResultEntry
from ._events_service import EventsService
from ._events_targets import RuleTarget

__all__ = (
    "Archive",
    "EventBus",
    "EventsApi",
    "EventsService",
    "PutEventsResult",
    "PutEventsResultEntry",
    "Replay",
    "Rule",
    "RuleTarget",
)
