"""An idempotent payment consumer, as AWS Lambda Powertools makes one.

SQS delivers each message at least once, and producers retry too: the same payment can reach
``pay`` several times, in the same batch or hours apart. ``charge_payment`` is wrapped in
``@idempotent`` (``eventbus.testing.idempotency``, Powertools' semantics, its records kept by the
simulation): the key is the payment id taken from the message body, so the first arrival charges
and saves the response (``COMPLETED``); a later one gets the saved response without charging. The
store is the simulation's: ``@idempotent`` without a store finds it through the Lambda context.

The receipt is sent *after* the idempotent charge, outside it: if the mail server fails, the
message comes back, the charge returns its saved response and only the receipt is tried again.
``pay_receipt_inside`` is the mistake of putting both in one idempotent function: a failing receipt
deletes the idempotency record (Powertools deletes it when the function raises), and the retry
charges again. ``pay_keyed_by_message_id`` keys on the SQS message id, which a producer's retry
does not keep; ``pay_without_idempotency`` charges every copy.
"""

from __future__ import annotations

import json
from typing import Any

from eventbus.testing.idempotency import idempotent

#: The payment provider: one entry per charge made, (payment id, amount). A double charge shows here.
LEDGER: list[tuple[str, int]] = []
#: Receipts sent, by payment id.
RECEIPTS: dict[str, str] = {}
#: Payments whose receipt fails the first time it is sent (a flaky mail server).
FLAKY_RECEIPTS: set[str] = {"p-3"}
_FAILED_ONCE: set[str] = set()


def charge(payment: dict[str, Any]) -> dict[str, Any]:
    """Charge the card (the side effect that must happen once)."""
    LEDGER.append((payment["payment_id"], int(payment["amount"])))
    return {"payment_id": payment["payment_id"], "charged": int(payment["amount"])}


def send_receipt(payment: dict[str, Any]) -> None:
    """Email a receipt; keyed by payment id, so sending it again changes nothing."""
    payment_id = payment["payment_id"]
    if payment_id in FLAKY_RECEIPTS and payment_id not in _FAILED_ONCE:
        _FAILED_ONCE.add(payment_id)
        raise ConnectionError(f"mail server unavailable (receipt for {payment_id})")
    RECEIPTS[payment_id] = payment["email"]


@idempotent(event_key_jmespath="powertools_json(body).payment_id", expires_after_seconds=86400)
def charge_payment(record: dict[str, Any], context: Any) -> dict[str, Any]:
    return charge(json.loads(record["body"]))


def pay(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Charge (idempotently), then send the receipt; report the records that failed."""
    failures = []
    for record in event["Records"]:
        try:
            charge_payment(record, context)
            send_receipt(json.loads(record["body"]))
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def pay_without_idempotency(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """The same consumer without @idempotent: every copy charges."""
    failures = []
    for record in event["Records"]:
        try:
            payment = json.loads(record["body"])
            charge(payment)
            send_receipt(payment)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@idempotent(event_key_jmespath="messageId", expires_after_seconds=86400)
def charge_by_message_id(record: dict[str, Any], context: Any) -> dict[str, Any]:
    return charge(json.loads(record["body"]))


def pay_keyed_by_message_id(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Another mistake: idempotent on the SQS message id. A copy SQS redelivers has the same id, but
    a payment the producer sends twice is two messages with two ids."""
    failures = []
    for record in event["Records"]:
        try:
            charge_by_message_id(record, context)
            send_receipt(json.loads(record["body"]))
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@idempotent(event_key_jmespath="powertools_json(body).payment_id", expires_after_seconds=86400)
def charge_and_send_receipt(record: dict[str, Any], context: Any) -> dict[str, Any]:
    payment = json.loads(record["body"])
    response = charge(payment)
    send_receipt(payment)  # raises: the idempotency record is deleted, the charge is not undone
    return response


def pay_receipt_inside(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """The mistake: the receipt inside the idempotent function."""
    failures = []
    for record in event["Records"]:
        try:
            charge_and_send_receipt(record, context)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
