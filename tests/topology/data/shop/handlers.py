"""Lambda-style handlers for the example topologies; each records what it was given."""

from __future__ import annotations

from typing import Any

audited: list[Any] = []
reports: list[Any] = []
worked: list[str] = []


def audit(event: Any, context: Any) -> None:
    audited.append(event)


def report(event: Any, context: Any) -> dict[str, str]:
    reports.append(event)
    return {"status": "ok"}


def work(event: Any, context: Any) -> dict[str, list[dict[str, str]]]:
    failures = []
    for record in event["Records"]:
        if "fail" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            worked.append(record["body"])
    return {"batchItemFailures": failures}
