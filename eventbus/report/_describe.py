"""One journal record in words: a short label (``retry``, ``dead-lettered``) and a sentence.

Known kinds get a sentence written for someone learning delivery semantics; any other kind is shown
by its name and detail, so a report never hides a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from .._journal import Record
from ._names import Names, clock, seconds_text, short_id

__all__ = ("Describer", "error_text", "input_title")


def _plural(count: Any, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def error_text(detail: dict[str, Any]) -> str:
    """``Code: message`` of a record's error fields."""
    return _error(detail)


def _error(detail: dict[str, Any]) -> str:
    code = str(detail.get("error_code") or detail.get("error_type") or "")
    message = str(detail.get("error_message") or "")
    if code and message:
        return f"{code}: {message}"
    return code or message


_EXHAUSTED: Final = {
    "MaximumRetryAttempts": "no retries left",
    "MaximumEventAgeInSeconds": "the event is too old to retry",
    "NotRetryable": "an error that retrying cannot fix",
}


class Describer:
    """Describes records, naming resources through one :class:`Names`."""

    def __init__(self, names: Names | None = None) -> None:
        self.names = names or Names()
        self._table: dict[str, Callable[[Record], tuple[str, str]]] = {
            "events.put": self._events_put,
            "events.matched": self._events_matched,
            "events.scheduled": lambda r: ("scheduled", f"event {short_id(r.id)} from {self.names(r.resource)}'s schedule"),
            "events.archived": lambda r: ("archived", f"event {short_id(r.id)} in {self.names(r.resource)}"),
            "events.replayed": lambda r: ("replayed", f"event {short_id(r.id)} from {self.names(r.resource)}"),
            "events.dead_lettered": self._dead_lettered,
            "events.dropped": self._dropped,
            "scheduler.fired": lambda r: (
                "fired",
                f"{self.names(r.resource)} (execution {short_id(r.id)}) invokes {self.names(str(r.detail.get('target', '')))}",
            ),
            "scheduler.dead_lettered": self._dead_lettered,
            "scheduler.dropped": self._dropped,
            "sqs.sent": self._sqs_sent,
            "sqs.delayed": lambda r: (
                "delayed",
                f"message {short_id(r.id)} hidden until {clock(float(r.detail.get('until', r.time)))} (delay)",
            ),
            "sqs.visible": lambda r: ("visible", f"message {short_id(r.id)} can now be received (delay over)"),
            "sqs.received": self._sqs_received,
            "sqs.visibility_expired": lambda r: (
                "redelivery",
                f"message {short_id(r.id)} visible again: its visibility timeout ran out before it was deleted",
            ),
            "sqs.visibility_changed": lambda r: (
                "visibility",
                f"message {short_id(r.id)}'s visibility timeout set to {seconds_text(float(r.detail.get('timeout', 0)))}",
            ),
            "sqs.deleted": lambda r: (
                "deleted",
                f"message {short_id(r.id)} deleted (processed)"
                + (" with an older receipt handle" if r.detail.get("stale_handle") else ""),
            ),
            "sqs.dead_lettered": lambda r: (
                "dead-lettered",
                f"message {short_id(r.id)} moved to {self.names(str(r.detail.get('dlq', '')))} after "
                f"{_plural(r.detail.get('count', '?'), 'receive')} (maxReceiveCount reached)",
            ),
            "sqs.retention_expired": lambda r: ("expired", f"message {short_id(r.id)} deleted: older than the retention period"),
            "sqs.duplicate_suppressed": lambda r: (
                "deduplicated",
                f"FIFO send ignored: deduplication id {r.detail.get('dedup', '?')!s:.16} was seen in the last 5 minutes "
                f"(message {short_id(r.id)})",
            ),
            "sqs.purged": lambda r: ("purged", f"message {short_id(r.id)} deleted by PurgeQueue"),
            "sqs.moved": lambda r: ("moved", f"message {short_id(r.id)} moved to {self.names(str(r.detail.get('to', '')))} (redrive)"),
            "sqs.fault": lambda r: ("fault", f"injected fault: {r.detail.get('fault', '?')}" + (f" on message {short_id(r.id)}" if r.id else "")),
            "handler.raised": lambda r: ("raised", f"{self.names(r.resource)} raised {_error(r.detail)}"),
            # Lambda (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html)
            "lambda.async.queued": lambda r: (
                "queued",
                f"event queued for {self.names(r.resource)} (asynchronous invocation, request {short_id(r.id)})",
            ),
            "lambda.invoked": lambda r: ("invoked", f"{self.names(r.resource)} runs (request {short_id(r.id)})"),
            "lambda.succeeded": lambda r: (
                "returned",
                f"{self.names(r.resource)} returned" + (f" after {seconds_text(float(r.detail['duration']))}" if r.detail.get("duration") else ""),
            ),
            "lambda.failed": lambda r: ("raised", f"{self.names(r.resource)} failed: {_error(r.detail)}"),
            "lambda.throttled": lambda r: ("throttled", f"{self.names(r.resource)} throttled ({r.detail.get('reason', '')})"),
            "lambda.async.retrying": lambda r: (
                "retry",
                f"Lambda will run {self.names(r.resource)} again in {seconds_text(float(r.detail.get('retry_in', 0)))}"
                f" ({str(r.detail.get('reason', '')).replace('_', ' ')})",
            ),
            "lambda.async.succeeded": lambda r: (
                "done",
                f"asynchronous invocation of {self.names(r.resource)} succeeded on attempt {r.detail.get('attempts', '?')}",
            ),
            "lambda.async.discarded": lambda r: (
                "discarded",
                f"Lambda gives up on the event for {self.names(r.resource)}: {r.detail.get('condition', '?')} "
                f"after {_plural(r.detail.get('attempts', '?'), 'attempt')}",
            ),
            "lambda.dead_letter.delivered": lambda r: (
                "dead-lettered",
                f"event sent to {self.names(str(r.detail.get('source', '')))}'s dead-letter queue {self.names(r.resource).removeprefix('queue ')}",
            ),
            "lambda.esm.batch": lambda r: (
                "batch",
                f"{self.names(self.names.function_arn(r.resource, str(r.detail.get('function', ''))))} gets a batch of "
                f"{_plural(len(r.detail.get('messages', [])), 'message')} from its event source mapping",
            ),
            "lambda.esm.batch_failed": lambda r: (
                "batch failed",
                f"the batch failed ({r.detail.get('error_type', '?')}): "
                + (
                    "its message stays in the queue and comes back when its visibility timeout ends"
                    if len(r.detail.get("messages", [])) == 1
                    else f"its {len(r.detail.get('messages', []))} messages stay in the queue and come back when their "
                    "visibility timeout ends"
                ),
            ),
            "lambda.esm.partial": lambda r: (
                "partial",
                f"the function reported {_plural(len(r.detail.get('failed', [])), 'failed message')}: those come back after "
                "the visibility timeout, the rest are deleted",
            ),
            "lambda.esm.filtered": lambda r: (
                "filtered",
                f"message {short_id(r.id)} does not match the mapping's filter criteria: deleted without invoking the function",
            ),
            # SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html)
            "sns.published": lambda r: ("published", f"message {short_id(r.id)} published to {self.names(r.resource)}"),
            "sns.filtered_out": lambda r: (
                "filtered out",
                f"{self.names(r.resource)}'s filter policy rejects message {short_id(r.id)} ({r.detail.get('reason', '')})",
            ),
            "sns.duplicate_suppressed": lambda r: (
                "deduplicated",
                f"FIFO publish ignored: deduplication id {r.detail.get('deduplication_id', '?')!s:.16} was seen in the last "
                f"5 minutes (message {short_id(r.id)})",
            ),
        }

    def __call__(self, record: Record) -> tuple[str, str]:
        """``(label, sentence)`` for a record."""
        describe = self._table.get(record.kind)
        if describe is not None:
            return describe(record)
        kind = record.kind
        if kind.endswith(".delivered"):
            return self._delivered(record)
        if kind.endswith(".retrying"):
            return self._retrying(record)
        if kind.endswith(".failed"):
            return self._failed(record)
        if kind.endswith(".dead_lettered"):
            return self._dead_lettered(record)
        if kind.endswith(".dropped"):
            return self._dropped(record)
        return self._generic(record)

    # ------------------------------------------------------------ events
    def _events_put(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        if "from" in detail:
            return "forwarded", f"event {short_id(record.id)} arrives on {self.names(record.resource)} from {self.names(str(detail['from']))}"
        what = f"{detail.get('detail-type', '?')} from {detail.get('source', '?')}"
        return "put", f"event {short_id(record.id)} ({what}) put on {self.names(record.resource)}"

    def _events_matched(self, record: Record) -> tuple[str, str]:
        rules = [str(rule) for rule in record.detail.get("rules", [])]
        return "matched", f"{_plural(len(rules), 'rule')} on {self.names(record.resource)}: {', '.join(rules)}"

    def _source(self, detail: dict[str, Any]) -> str:
        source = detail.get("source") or detail.get("rule") or detail.get("schedule") or detail.get("subscription")
        return self.names(str(source)) if source else ""

    def _delivered(self, record: Record) -> tuple[str, str]:
        attempts = record.detail.get("attempts", 1)
        via = self._source(record.detail)
        text = f"to {self.names(record.resource)}" + (f" by {via}" if via else "")
        if attempts and attempts != 1:
            text += f" on attempt {attempts}"
        return "delivered", text

    def _retrying(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        via = self._source(detail)
        retry_in = float(detail.get("retry_in", 0))
        return (
            "retry",
            f"attempt {detail.get('attempt', '?')} to {self.names(record.resource)}"
            + (f" by {via}" if via else "")
            + f" failed ({_error(detail)}); next attempt in {seconds_text(retry_in)}",
        )

    def _failed(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        via = self._source(detail)
        why = _EXHAUSTED.get(str(detail.get("exhausted", "")), str(detail.get("exhausted", "")))
        return (
            "gave up",
            f"delivery to {self.names(record.resource)}" + (f" by {via}" if via else "")
            + f" failed on attempt {detail.get('attempt', '?')} ({_error(detail)}): {why}",
        )

    def _dead_lettered(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        target = detail.get("target")
        retries = detail.get("retry_attempts")
        text = f"{self._thing(record)} sent to dead-letter queue {self.names(record.resource).removeprefix('queue ')}"
        if target:
            text += f" instead of {self.names(str(target))}"
        reason = [str(detail["error_code"])] if detail.get("error_code") else []
        if retries is not None:
            reason.append(f"after {_plural(retries, 'retry').replace('retrys', 'retries')}")
        if reason:
            text += f" ({', '.join(reason)})"
        return "dead-lettered", text

    def _dropped(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        reason = str(detail.get("reason", ""))
        why = {
            "EventBusNotFound": "the event bus does not exist",
            "InputPathMatchedNothing": "the target's InputPath selects nothing in this event",
            "DeadLetterDeliveryFailed": f"the dead-letter queue refused it ({detail.get('dlq_error', '')})",
        }.get(reason, _EXHAUSTED.get(reason, reason))
        error = _error(detail)
        text = f"{self._thing(record)} for {self.names(record.resource)} lost: {why}"
        if error and reason not in ("EventBusNotFound", "InputPathMatchedNothing"):
            text += f" ({error}; no dead-letter queue)" if reason != "DeadLetterDeliveryFailed" else ""
        return "DROPPED", text

    def _thing(self, record: Record) -> str:
        service = record.kind.split(".", 1)[0]
        noun = {"events": "event", "scheduler": "execution", "sns": "message", "sqs": "message"}.get(service, "message")
        return f"{noun} {short_id(record.id)}" if record.id else noun

    # --------------------------------------------------------------- sqs
    def _sqs_sent(self, record: Record) -> tuple[str, str]:
        detail = record.detail
        extra = []
        if detail.get("group"):
            extra.append(f"group {detail['group']}")
        if "bytes" in detail:
            extra.append(_plural(detail["bytes"], "byte"))
        return "sent", f"message {short_id(record.id)} to {self.names(record.resource)}" + (f" ({', '.join(extra)})" if extra else "")

    def _sqs_received(self, record: Record) -> tuple[str, str]:
        count = record.detail.get("count", 1)
        text = f"message {short_id(record.id)} from {self.names(record.resource)}"
        if count == 1:
            return "received", text + " (first receive; now in flight)"
        return "received", text + f" (receive #{count}: a redelivery)"

    # ------------------------------------------------------------ others
    def _generic(self, record: Record) -> tuple[str, str]:
        label = record.kind.split(".", 1)[-1].replace("_", " ").replace(".", " ")
        parts = []
        if record.resource:
            parts.append(self.names(record.resource))
        if record.id:
            parts.append(f"id {short_id(record.id)}")
        if record.detail:
            parts.append(json.dumps(record.detail, sort_keys=True, separators=(", ", ": "), default=str)[:200])
        return label, f"{record.kind}: " + " ".join(parts)


def input_title(names: Names, input: str, resource: str, detail: dict[str, Any]) -> str:
    """What an input line asked for: ``PutEvents OrderPlaced from shop to bus orders``."""
    if input == "event":
        return f"PutEvents {detail.get('detail-type', '?')} from {detail.get('source', '?')} to {names(resource)}"
    if input == "sqs":
        group = f" (group {detail['group_id']})" if detail.get("group_id") else ""
        return f"SendMessage to {names(resource)}{group}"
    if input == "sns":
        return f"Publish to {names(resource)}"
    return input
