"""Scheduled batch jobs over time windows, and the consumer of their results.

* ``record_usage``: each ``UsageRecorded`` event, kept in ``USAGE`` by event id (a duplicate
  invocation rewrites the same entry), with the time the usage happened (the event's ``time``).
* ``rollup`` (``rate(1 hour)``): totals the usage of the hour that ends ``GRACE`` (5 minutes) before
  the *scheduled* time, the scheduled event's ``time``, never the clock: a retried or late run still
  covers its own hour, and usage whose recording was retried (Lambda retries for up to 3 minutes)
  is in by then.
* ``daily_report`` (``cron(5 0 * * ? *)``): totals the previous UTC day (the 5 minutes past
  midnight are its grace).
* ``digest`` (Scheduler, 09:00 Paris time on weekdays, flexible window): reports what it was
  scheduled for (``<aws.scheduler.scheduled-time>`` in its input), whenever in the window it runs.

Each returns its report; Lambda's on-success destination puts it in the ``reports`` queue, wrapped
in a destination record (``requestContext``, ``requestPayload``, ``responsePayload``).
``publish_report`` stores each report in ``REPORTS`` keyed by (kind, window start), so a window
reported twice (a duplicate invocation) is stored once.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

#: record_usage: event id -> (when, customer, units).
USAGE: dict[str, tuple[str, str, int]] = {}
#: publish_report: (kind, window start) -> the report.
REPORTS: dict[tuple[str, str], dict[str, Any]] = {}
#: Every report publish_report received, in order (duplicates included).
RECEIVED: list[tuple[str, str]] = []

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: How long after a window ends its rollup waits for late usage records.
GRACE = timedelta(minutes=5)


def parse(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT)


def iso(when: datetime) -> str:
    return when.strftime(_FORMAT)


def record_usage(event: dict[str, Any], context: Any = None) -> None:
    detail = event["detail"]
    USAGE[event["id"]] = (event["time"], detail["customer"], int(detail["units"]))


def totals(start: datetime, end: datetime) -> dict[str, int]:
    """Units per customer for usage in ``[start, end)``."""
    out: dict[str, int] = {}
    for when, customer, units in USAGE.values():
        if start <= parse(when) < end:
            out[customer] = out.get(customer, 0) + units
    return dict(sorted(out.items()))


def report(kind: str, start: datetime, end: datetime) -> dict[str, Any]:
    return {"kind": kind, "start": iso(start), "end": iso(end), "units": totals(start, end)}


def rollup(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    end = parse(event["time"]) - GRACE  # from the scheduled time, however late this run is
    return report("hourly", end - timedelta(hours=1), end)


def daily_report(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    day = parse(event["time"]).replace(hour=0, minute=0, second=0)
    return report("daily", day - timedelta(days=1), day)


def digest(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    scheduled = parse(event["scheduled_time"])
    return report("digest", scheduled - timedelta(days=1), scheduled)


def publish_report(event: dict[str, Any], context: Any = None) -> None:
    for record in event["Records"]:
        result = json.loads(record["body"])["responsePayload"]
        RECEIVED.append((result["kind"], result["start"]))
        REPORTS[(result["kind"], result["start"])] = result
