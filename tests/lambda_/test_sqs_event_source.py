"""SQS event source mappings: record shape, batching, partial batch responses, FIFO, filters, limits.

https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from eventbus import Simulation, ValidationError
from eventbus.services.lambda_ import InvalidParameterValueError, ResourceConflictError


def collector(batches: list[list[str]]) -> Any:
    def handler(event: Any, context: Any) -> None:
        batches.append([r["body"] for r in event["Records"]])

    return handler


def test_sqs_record_shape(sim: Simulation) -> None:
    events: list[Any] = []
    queue = sim.sqs.create_queue("orders")
    fn = sim.lambda_.function("f", lambda e, c: events.append(e))
    sim.lambda_.event_source_mapping(queue, fn)
    queue.send("hello", attributes={"kind": "greeting", "blob": b"\x01\x02"})
    sim.advance(1)
    [record] = events[0]["Records"]
    assert list(record) == [
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes",
        "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion",
    ]
    assert record["body"] == "hello"
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue.arn
    assert record["awsRegion"] == "us-east-1"
    assert list(record["attributes"]) == ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "greeting", "stringListValues": [], "binaryListValues": [], "dataType": "String",
    }
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AQI="
    assert isinstance(record["md5OfMessageAttributes"], str)


def test_record_without_attributes_has_null_md5_of_attributes(sim: Simulation) -> None:
    events: list[Any] = []
    queue = sim.sqs.create_queue("q")
    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", lambda e, c: events.append(e)))
    queue.send("x")
    sim.advance(1)
    assert events[0]["Records"][0]["md5OfMessageAttributes"] is None
    assert events[0]["Records"][0]["messageAttributes"] == {}


def test_fifo_record_attributes(sim: Simulation) -> None:
    events: list[Any] = []
    queue = sim.sqs.create_queue("q.fifo", content_based_deduplication=True)
    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", lambda e, c: events.append(e)))
    queue.send("x", group_id="g1")
    sim.advance(1)
    attributes = events[0]["Records"][0]["attributes"]
    assert list(attributes) == [
        "ApproximateReceiveCount", "SentTimestamp", "SequenceNumber", "MessageGroupId", "SenderId",
        "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp",
    ]
    assert attributes["MessageGroupId"] == "g1"


def test_successful_batches_are_deleted(sim: Simulation) -> None:
    batches: list[list[str]] = []
    queue = sim.sqs.create_queue("q")
    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", collector(batches)), batch_size=4)
    for i in range(10):
        queue.send(str(i))
    sim.advance(1)
    assert sorted(len(b) for b in batches) == [2, 4, 4]
    assert queue.statistics().deleted == 10


def test_batch_window_waits_for_a_full_batch_or_the_window(sim: Simulation) -> None:
    batches: list[tuple[float, list[str]]] = []
    queue = sim.sqs.create_queue("q")
    fn = sim.lambda_.function("f", lambda e, c: batches.append((sim.time, [r["body"] for r in e["Records"]])))
    sim.lambda_.event_source_mapping(queue, fn, batch_size=3, maximum_batching_window=10)
    queue.send("a")
    queue.send("b")
    sim.advance(20)
    assert batches == [(10.0, ["a", "b"])]  # not full: sent when the window ended
    for body in "cde":
        queue.send(body)
    sim.advance(1)
    assert batches[1] == (20.0, ["c", "d", "e"])  # full: sent at once


def test_batch_size_above_10_needs_a_window_and_gathers_many_receives(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    fn = sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(InvalidParameterValueError, match="Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"):
        sim.lambda_.event_source_mapping(queue, fn, batch_size=100)
    batches: list[list[str]] = []
    fn2 = sim.lambda_.function("g", collector(batches))
    sim.lambda_.event_source_mapping(queue, fn2, batch_size=100, maximum_batching_window=5, maximum_concurrency=2)
    for i in range(100):
        queue.send(str(i))
    sim.advance(10)
    assert sum(len(b) for b in batches) == 100
    assert max(len(b) for b in batches) > 10


def test_failed_batch_returns_after_the_visibility_timeout_and_reaches_the_dlq(sim: Simulation) -> None:
    dlq = sim.sqs.create_queue("dlq")
    queue = sim.sqs.create_queue("q", visibility_timeout=30, dead_letter=dlq, max_receive_count=2)
    attempts: list[float] = []

    def handler(event: Any, context: Any) -> None:
        attempts.append(sim.time)
        raise RuntimeError("boom")

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", handler))
    queue.send("poison")
    sim.advance(200)
    assert attempts == [0.0, 30.0]
    assert dlq.statistics().visible == 1


def run_partial(sim: Simulation, response: Any, *, fifo: bool = False) -> tuple[Any, list[str]]:
    name = "q.fifo" if fifo else "q"
    queue = sim.sqs.create_queue(name, visibility_timeout=30, **({"content_based_deduplication": True} if fifo else {}))
    ids: list[str] = []

    def handler(event: Any, context: Any) -> Any:
        if not ids:
            ids.extend(r["messageId"] for r in event["Records"])
            return response(ids) if callable(response) else response
        return None

    fn = sim.lambda_.function("f", handler)
    sim.lambda_.event_source_mapping(queue, fn, batch_size=4, report_batch_item_failures=True)
    for i in range(4):
        queue.send(f"m{i}", **({"group_id": "g"} if fifo else {}))
    sim.advance(1)
    return queue, ids


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}],
    ids=["null", "empty-object", "empty-list", "null-list"],
)
def test_partial_batch_response_treated_as_complete_success(sim: Simulation, response: Any) -> None:
    queue, _ = run_partial(sim, response)
    assert queue.statistics().deleted == 4
    assert queue.statistics().in_flight == 0


def test_partial_batch_response_retries_only_the_listed_messages(sim: Simulation) -> None:
    queue, _ids = run_partial(sim, lambda ids: {"batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[3]}]})
    stats = queue.statistics()
    assert stats.deleted == 2
    assert stats.in_flight == 2
    sim.advance(40)
    assert queue.statistics().deleted == 4  # retried after the visibility timeout and succeeded


@pytest.mark.parametrize(
    "response",
    [
        lambda ids: {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
        lambda ids: {"batchItemFailures": [{"itemIdentifier": ""}]},
        lambda ids: {"batchItemFailures": [{"itemIdentifier": None}]},
        lambda ids: {"batchItemFailures": [{"itemIdentifer": ids[0]}]},
        lambda ids: {"batchItemFailures": [{"itemIdentifier": 5}]},
        lambda ids: {"batchItemFailures": "m1"},
        lambda ids: "not an object",
        lambda ids: [ids[0]],
    ],
    ids=["unknown-id", "empty-id", "null-id", "bad-key-name", "wrong-type", "not-a-list", "string", "list"],
)
def test_malformed_partial_batch_response_fails_the_whole_batch(sim: Simulation, response: Any) -> None:
    queue, _ = run_partial(sim, response)
    stats = queue.statistics()
    assert stats.deleted == 0
    assert stats.in_flight == 4
    assert next(r for r in sim.journal if r.kind == "lambda.esm.batch_failed").detail["error_type"] == "InvalidBatchResponse"


def test_exception_with_report_batch_item_failures_fails_the_whole_batch(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")

    def handler(event: Any, context: Any) -> Any:
        raise RuntimeError("boom")

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", handler), report_batch_item_failures=True)
    queue.send("a")
    queue.send("b")
    sim.advance(1)
    assert queue.statistics().deleted == 0
    assert queue.statistics().in_flight == 2


def test_fifo_failure_returns_the_rest_of_its_group(sim: Simulation) -> None:
    # Only m1 is reported, but m2 and m3 of the same group come after it: they are returned too.
    queue, _ids = run_partial(sim, lambda ids: {"batchItemFailures": [{"itemIdentifier": ids[1]}]}, fifo=True)
    stats = queue.statistics()
    assert stats.deleted == 1
    assert stats.in_flight == 3


def test_fifo_order_within_a_group_across_failures(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q.fifo", visibility_timeout=30, content_based_deduplication=True)
    seen: list[str] = []
    failed_once: set[str] = set()

    def handler(event: Any, context: Any) -> Any:
        failures = []
        stop = False
        for record in event["Records"]:
            if stop:
                failures.append({"itemIdentifier": record["messageId"]})
                continue
            if record["body"] == "m1" and "m1" not in failed_once:
                failed_once.add("m1")
                failures.append({"itemIdentifier": record["messageId"]})
                stop = True
                continue
            seen.append(record["body"])
        return {"batchItemFailures": failures}

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", handler), batch_size=2, report_batch_item_failures=True)
    for i in range(4):
        queue.send(f"m{i}", group_id="g")
    sim.advance(200)
    assert seen == ["m0", "m1", "m2", "m3"]


def test_filter_criteria_deletes_messages_that_match_no_filter(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    batches: list[list[str]] = []
    sim.lambda_.event_source_mapping(
        queue,
        sim.lambda_.function("f", collector(batches)),
        filter_criteria=[{"body": {"kind": ["paid"]}}, '{"body": ["plain text"]}'],
    )
    queue.send(json.dumps({"kind": "paid"}))
    queue.send(json.dumps({"kind": "refund"}))
    queue.send("plain text")
    queue.send("other text")
    sim.advance(1)
    assert sorted(b for batch in batches for b in batch) == sorted([json.dumps({"kind": "paid"}), "plain text"])
    assert queue.statistics().deleted == 4


def test_filter_criteria_limits() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("q")
    fn = sim.lambda_.function("f", lambda e, c: None)
    with pytest.raises(InvalidParameterValueError, match=r"Invalid filter pattern definition\."):
        sim.lambda_.event_source_mapping(queue, fn, filter_criteria=['{"body": "not a list"}'])
    with pytest.raises(InvalidParameterValueError):
        sim.lambda_.event_source_mapping(queue, fn, filter_criteria=[{"body": [str(i)]} for i in range(6)])


def test_mapping_checks_like_aws(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=30)
    fifo = sim.sqs.create_queue("q.fifo")
    fn = sim.lambda_.function("f", lambda e, c: None, timeout=60)
    with pytest.raises(InvalidParameterValueError, match=r"^Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds$"):
        sim.lambda_.event_source_mapping(queue, fn)
    quick = sim.lambda_.function("quick", lambda e, c: None)
    with pytest.raises(InvalidParameterValueError, match="Batching window is not supported for FIFO queues"):
        sim.lambda_.event_source_mapping(fifo, quick, maximum_batching_window=5)
    with pytest.raises(InvalidParameterValueError, match="between 1 and 10"):
        sim.lambda_.event_source_mapping(fifo, quick, batch_size=11)
    with pytest.raises(ValidationError, match="maximumConcurrency"):
        sim.lambda_.event_source_mapping(queue, quick, maximum_concurrency=1)
    with pytest.raises(ValidationError, match="less than or equal to 300"):
        sim.lambda_.event_source_mapping(queue, quick, maximum_batching_window=301)
    with pytest.raises(InvalidParameterValueError, match="Function does not exist"):
        sim.lambda_.event_source_mapping(queue, "nope")
    with pytest.raises(InvalidParameterValueError, match="NonExistentQueue"):
        sim.lambda_.event_source_mapping("arn:aws:sqs:us-east-1:123456789012:missing", quick)
    mapping = sim.lambda_.event_source_mapping(queue, quick)
    with pytest.raises(ResourceConflictError, match=f"Please update or delete the existing mapping with UUID {mapping.uuid}"):
        sim.lambda_.event_source_mapping(queue, quick)


def test_maximum_concurrency_limits_concurrent_batches(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=60)
    running: list[int] = []
    peak: list[int] = [0]

    async def handler(event: Any, context: Any) -> None:
        running.append(1)
        peak[0] = max(peak[0], len(running))
        await sim.sleep(5)
        running.pop()

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", handler, timeout=10), batch_size=1, maximum_concurrency=2)
    for i in range(10):
        queue.send(str(i))
    sim.advance(100)
    assert peak[0] == 2
    assert queue.statistics().deleted == 10


def test_starts_with_five_concurrent_batches(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=60)
    peak: list[int] = [0]
    running: list[int] = []

    async def handler(event: Any, context: Any) -> None:
        running.append(1)
        peak[0] = max(peak[0], len(running))
        await sim.sleep(5)
        running.pop()

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", handler, timeout=10), batch_size=1)
    for i in range(20):
        queue.send(str(i))
    sim.advance(100)
    assert peak[0] == 5


def test_reserved_concurrency_throttles_are_retried_while_the_batch_is_invisible(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q", visibility_timeout=60)

    async def handler(event: Any, context: Any) -> None:
        await sim.sleep(3)

    fn = sim.lambda_.function("f", handler, timeout=10, reserved_concurrency=1)
    sim.lambda_.event_source_mapping(queue, fn, batch_size=1)
    for i in range(4):
        queue.send(str(i))
    sim.advance(120)
    assert fn.statistics()["throttles"] > 0
    assert queue.statistics().deleted == 4


def test_visibility_expiry_during_a_long_handler_lets_another_consumer_receive(sim: Simulation) -> None:
    # The mapping was created with a 30 s visibility timeout; lowering it later is not re-checked by AWS.
    # The message comes back at 10 s while the first handler still runs: another poller takes it.
    queue = sim.sqs.create_queue("q", visibility_timeout=30)
    processed: list[tuple[float, str, str]] = []

    async def handler(event: Any, context: Any) -> None:
        await sim.sleep(20)
        for r in event["Records"]:
            processed.append((sim.time, r["messageId"], r["attributes"]["ApproximateReceiveCount"]))

    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("slow", handler, timeout=30))
    queue.set_attributes(visibility_timeout=10)
    message_id = queue.send("job").message_id
    sim.advance(60)
    assert processed == [(20.0, message_id, "1"), (30.0, message_id, "2")]  # processed twice
    stats = queue.statistics()
    assert stats.received == 2
    assert stats.deleted == 1


def test_disabled_mapping_stops_polling_and_resumes(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    batches: list[list[str]] = []
    mapping = sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", collector(batches)), enabled=False)
    queue.send("a")
    sim.advance(5)
    assert batches == []
    assert mapping.state == "Disabled"
    mapping.update(enabled=True)
    sim.advance(1)
    assert batches == [["a"]]
    assert mapping.state == "Enabled"
    sim.lambda_.delete_event_source_mapping(mapping.uuid)
    queue.send("b")
    sim.advance(5)
    assert batches == [["a"]]


def test_an_idle_mapping_holds_no_timer(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    sim.lambda_.event_source_mapping(queue, sim.lambda_.function("f", lambda e, c: None))
    sim.advance(1)
    assert sim.next_deadline() is None


def test_a_batch_stops_before_the_event_passes_6_mb(sim: Simulation) -> None:
    # "Lambda passes all of the records in the batch to the function in a single call, as long as the
    # total size of the events doesn't exceed the invocation payload size quota (6 MB)."
    queue = sim.sqs.create_queue("big", maximum_message_size=1_048_576)
    sizes: list[int] = []
    fn = sim.lambda_.function("f", lambda e, c: sizes.append(len(json.dumps(e).encode())))
    sim.lambda_.event_source_mapping(queue, fn, batch_size=100, maximum_batching_window=5, maximum_concurrency=2)
    for i in range(9):
        queue.send(str(i) * 1_000_000)
    sim.advance(30)
    assert sum(1 for _ in sizes) >= 2
    assert all(size <= 6 * 1024 * 1024 for size in sizes)
    assert queue.statistics().deleted == 9


def test_sns_style_delivery_passes_the_given_event(sim: Simulation) -> None:
    from eventbus.services._delivery import Inbound

    events: list[Any] = []
    fn = sim.lambda_.function("f", lambda e, c: events.append(e))
    outcomes: list[Any] = []
    fn.accept(Inbound(body="ignored", event={"Records": [{"EventSource": "aws:sns"}]}), outcomes.append)
    fn.accept(Inbound(body='{"plain": 1}'), outcomes.append)
    assert all(o.ok for o in outcomes)  # accepted as soon as queued
    sim.advance(1)
    assert events == [{"Records": [{"EventSource": "aws:sns"}]}, {"plain": 1}]


def test_public_names() -> None:
    import eventbus.services.lambda_ as module
    import eventbus.testing.idempotency as idempotency

    assert isinstance(module.__all__, tuple)
    assert isinstance(idempotency.__all__, tuple)
    for name in module.__all__:
        assert hasattr(module, name)
    for name in idempotency.__all__:
        assert hasattr(idempotency, name)
