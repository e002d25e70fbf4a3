"""The common-case paths of the operation layer answer exactly as the general ones.

SendMessageBatch of bodies alone, DeleteMessageBatch and the batch id checks take shorter paths
for the common case; each is compared here with the general path on the same inputs (results,
errors, and the journal). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.services._sqs_validation import check_batch_ids
from eventbus.services.sqs import SqsServiceError

_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _one_by_one(ids: list[Any]) -> list[Any] | str:
    """The batch id rules one id at a time, as AWS states them (the reference): the ids, or the
    name of the error."""
    if not ids:
        return "EmptyBatchRequest"
    if len(ids) > 10:
        return "TooManyEntriesInBatchRequest"
    seen: set[str] = set()
    for entry_id in ids:
        if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
            return "InvalidBatchEntryId"
        if entry_id in seen:
            return "BatchEntryIdsNotDistinct"
        seen.add(entry_id)
    return ids


@pytest.mark.parametrize(
    "ids",
    [
        ["0", "1", "2"],
        ["a b"],
        ["a", "b c"],
        ["a", " ", "b"],
        ["a", ""],
        ["x" * 80, "y"],
        ["x" * 81],
        ["a", "a", "b c"],
        ["b c", "a", "a"],
        ["a\nb"],
        ["a", 1],
        [None],
        [],
        [str(i) for i in range(11)],
        ["ok_-ID", "Z9"],
    ],
)
def test_batch_id_checks_match_the_rules_one_id_at_a_time(ids: list[Any]) -> None:
    expected = _one_by_one(ids)
    try:
        got: Any = check_batch_ids(ids, "SendMessageBatchRequestEntry")
    except SqsServiceError as error:
        got = type(error).__name__.removesuffix("Error")
    assert got == expected


def _run(entries: list[dict[str, Any]], padded: bool) -> tuple[Any, list[Any]]:
    sim = Simulation(seed=7)
    api = sim.sqs.api
    url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
    if padded:  # a member sent as null takes the general path and means the same as an absent one
        entries = [{**e, "DelaySeconds": None} for e in entries]
    try:
        result: Any = api.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    except SqsServiceError as error:
        result = (error.code, str(error))
    received = api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}).get("Messages", [])
    handles = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)]
    if handles:
        result = (result, api.call("DeleteMessageBatch", {"QueueUrl": url, "Entries": handles}))
    return result, [(r.kind, r.id, dict(r.detail)) for r in sim.journal]


@pytest.mark.parametrize(
    "entries",
    [
        [{"Id": str(i), "MessageBody": f"body {i}"} for i in range(10)],
        [{"Id": "a", "MessageBody": "ok"}, {"Id": "b", "MessageBody": ""}, {"Id": "c", "MessageBody": "bad \x00"}],
        [{"Id": "a", "MessageBody": "x" * 600_000}, {"Id": "b", "MessageBody": "y" * 600_000}],
        [{"Id": "a", "MessageBody": "x" * 300_000}, {"Id": "b", "MessageBody": "é" * 200_000}],
        [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
        [{"Id": "a b", "MessageBody": "x"}],
        [],
    ],
)
def test_send_message_batch_of_bodies_answers_as_the_general_path(entries: list[dict[str, Any]]) -> None:
    assert _run(entries, padded=False) == _run(entries, padded=True)


def test_delete_message_batch_still_refuses_repeated_ids() -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
    sim = Simulation()
    api = sim.sqs.api
    url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
    entries = [{"Id": "a", "ReceiptHandle": "h1"}, {"Id": "a", "ReceiptHandle": "h2"}]
    with pytest.raises(SqsServiceError, match=re.escape("Id a repeated.")):
        api.call("DeleteMessageBatch", {"QueueUrl": url, "Entries": entries})


def test_a_queue_url_is_read_again_when_the_queue_or_the_region_changes() -> None:
    # AWS answers NonExistentQueue for a URL of no queue, and reads the region from an AWS host:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
    sim = Simulation()
    api = sim.sqs.api
    url = f"https://sqs.{sim.region}.amazonaws.com/{sim.account_id}/q"
    with pytest.raises(SqsServiceError, match="does not exist"):
        api.call("GetQueueAttributes", {"QueueUrl": url})
    api.call("CreateQueue", {"QueueName": "q"})
    assert api.call("GetQueueAttributes", {"QueueUrl": url}) == {}
    home = sim.region
    sim.region = "eu-west-1" if home != "eu-west-1" else "us-west-2"
    with pytest.raises(SqsServiceError, match="does not exist"):
        api.call("GetQueueAttributes", {"QueueUrl": url})
    sim.region = home
    api.call("DeleteQueue", {"QueueUrl": url})
    with pytest.raises(SqsServiceError, match="does not exist"):
        api.call("GetQueueAttributes", {"QueueUrl": url})


def _receive(params: dict[str, Any]) -> tuple[Any, list[Any]]:
    sim = Simulation(seed=3)
    api = sim.sqs.api
    url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
    api.call("SendMessage", {"QueueUrl": url, "MessageBody": "plain"})
    attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
    api.call("SendMessage", {"QueueUrl": url, "MessageBody": "with attributes", "MessageAttributes": attributes})
    api.call(
        "SendMessage",
        {"QueueUrl": url, "MessageBody": "traced", "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}},
    )
    result = [api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 2, **params}) for _ in range(3)]
    return result, [(r.kind, r.id, dict(r.detail)) for r in sim.journal]


def test_receive_message_naming_no_attributes_answers_as_a_selection_that_matches_none() -> None:
    # AWS returns only the attributes a ReceiveMessage names:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
    plain = _receive({})
    assert plain == _receive({"MessageAttributeNames": ["none-such"], "MessageSystemAttributeNames": []})
    assert plain == _receive({"AttributeNames": [], "MessageAttributeNames": []})
    assert [len(r.get("Messages", [])) for r in plain[0]] == [2, 1, 0]
    assert all(set(m) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"} for r in plain[0] for m in r.get("Messages", []))


def test_journal_details_of_sends_and_receives_are_their_own_values() -> None:
    # Details of equal value may be one shared (read-only) mapping; each still says its own value.
    sim = Simulation()
    api = sim.sqs.api
    url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
    for body in ("a", "bb", "a", "é"):
        api.call("SendMessage", {"QueueUrl": url, "MessageBody": body})
    api.call("SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "x", "MessageBody": "ccc"}]})
    sent = [dict(r.detail) for r in sim.journal.select("sqs.sent")]
    assert sent == [{"bytes": 1}, {"bytes": 2}, {"bytes": 1}, {"bytes": 2}, {"bytes": 3}]
    for _ in range(102):
        api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 1, "VisibilityTimeout": 0})
    counts = [r.detail["count"] for r in sim.journal.select("sqs.received")]
    assert counts == list(range(1, 103))  # visibility 0 puts the message back in front


@pytest.mark.parametrize("count", [0, 1, 3, 10, 12])
def test_message_ids_drawn_at_once_are_the_ids_drawn_one_by_one(count: int) -> None:
    # Message ids are version-4 UUIDs from the simulation's generator (same seed, same ids):
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchResultEntry.html
    from eventbus.services._sqs_send import _draw_ids

    one_by_one = Simulation(seed=11).sqs.create_queue("q")
    at_once = Simulation(seed=11).sqs.create_queue("q")
    expected = [one_by_one._new_message_id() for _ in range(count)]
    hexes, parts = _draw_ids(at_once._rng.getrandbits, count)
    assert ["-".join(parts[count - 1 - i](hexes)) for i in range(count)] == expected
    assert at_once._rng.getstate() == one_by_one._rng.getstate()


@pytest.mark.parametrize(
    "params",
    [
        {"MaxNumberOfMessages": 10},
        {"MaxNumberOfMessages": 1},
        {},
        {"MaxNumberOfMessages": 0},
        {"MaxNumberOfMessages": 11},
        {"MaxNumberOfMessages": True},
        {"MaxNumberOfMessages": None},
        {"MaxNumberOfMessages": 2.0},
    ],
)
def test_receive_message_checks_its_count_as_the_general_path(params: dict[str, Any]) -> None:
    # MaxNumberOfMessages: 1 to 10 (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html);
    # an explicit WaitTimeSeconds of 0 (the queue's default) takes the general checks.
    def run(extra: dict[str, Any]) -> tuple[Any, list[Any]]:
        sim = Simulation(seed=5)
        api = sim.sqs.api
        url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
        for batch in range(2):
            entries = [{"Id": str(i), "MessageBody": f"m{batch}-{i}"} for i in range(6)]
            api.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        try:
            result: Any = api.call("ReceiveMessage", {"QueueUrl": url, **params, **extra})
        except SqsServiceError as error:
            result = (error.code, str(error))
        return result, [(r.kind, r.id, dict(r.detail)) for r in sim.journal]

    assert run({}) == run({"WaitTimeSeconds": 0})
