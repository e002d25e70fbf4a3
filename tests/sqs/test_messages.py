"""Sending: body characters and size, message attributes, MD5 digests, system attributes, batches.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
"""

from __future__ import annotations

import hashlib
import re

import pytest

from eventbus import Simulation
from eventbus.services.sqs import (
    BatchEntryIdsNotDistinctError,
    BatchFailure,
    BatchRequestTooLongError,
    EmptyBatchRequestError,
    InvalidBatchEntryIdError,
    InvalidMessageContentsError,
    InvalidParameterValueError,
    MessageAttribute,
    MissingParameterError,
    SendEntry,
    TooManyEntriesInBatchRequestError,
    md5_of_attributes,
    md5_of_body,
)

MiB = 1_048_576


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def test_md5_digests_match_values_recorded_from_aws() -> None:
    """Vectors from responses AWS returned (LocalStack's AWS-validated snapshots): MD5OfBody of "msg",
    MD5OfMessageAttributes of String and Binary attributes, and of attribute subsets."""
    assert md5_of_body("msg") == "6e2baaf3b97dbeef01c0043275f9a0e7"
    three = {"General": _string("Kenobi"), "Hello": _string("There"), "Help.Me": _string("Me")}
    assert md5_of_attributes(three) == "4c360f3fdafd970e05fae2f149d997f5"
    assert md5_of_attributes({k: three[k] for k in ("General", "Hello")}) == "fca026605781cb4126a1e9044df24232"
    assert md5_of_attributes({"Hello": three["Hello"]}) == "a311262e065454b75da111d535b8dacd"
    assert md5_of_attributes({k: three[k] for k in ("Hello", "Help.Me")}) == "83fee93c1bcd8b9a5a923ffacdc636c7"
    assert md5_of_attributes({"Foo": _string("Bar")}) == "ae7155c6026991b6d54b11589678bf9c"
    binary = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
    assert md5_of_attributes({"attr1": {"DataType": "Binary", "BinaryValue": binary}}) == "8cbe4db156db8a94db8b801b7addb984"


def test_send_returns_the_digests_and_receive_returns_the_same(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("orders")
    sent = queue.send("héllo", attributes={"kind": "greeting", "n": 3, "blob": b"\x00\x01"})
    assert sent.md5_of_body == hashlib.md5("héllo".encode()).hexdigest()
    expected = md5_of_attributes(
        {"kind": _string("greeting"), "n": {"DataType": "Number", "StringValue": "3"}, "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
    )
    assert sent.md5_of_message_attributes == expected
    [message] = queue.receive()
    assert message.message_id == sent.message_id
    assert (message.md5_of_body, message.md5_of_message_attributes) == (sent.md5_of_body, expected)
    assert message.message_attributes["n"] == MessageAttribute("Number", "3")
    assert message.message_attributes["blob"].value == b"\x00\x01"


def test_trace_header_system_attribute_and_its_md5(sim: Simulation) -> None:
    """MessageSystemAttributes carries AWSTraceHeader (String); MD5OfMessageSystemAttributes uses the same encoding."""
    queue = sim.sqs.create_queue("orders")
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = queue.send("x", trace_header=header)
    assert sent.md5_of_message_system_attributes == md5_of_attributes({"AWSTraceHeader": _string(header)})
    assert queue.receive()[0].attributes["AWSTraceHeader"] == header


@pytest.mark.parametrize("body", ["\x00", "a\x08b", "\x1f", "\ufffe", "\ud800"])
def test_body_characters_outside_the_xml_set_are_refused(sim: Simulation, body: str) -> None:
    """Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF; otherwise InvalidMessageContents."""
    with pytest.raises(InvalidMessageContentsError) as info:
        sim.sqs.create_queue("q").send(body)
    assert info.value.code == "InvalidMessageContents"


@pytest.mark.parametrize("body", ["\t\n\r", " ~\x7f", "\ud7ff\ue000\ufffd", "\U00010000\U0010ffff", "emoji \U0001f600"])
def test_body_characters_inside_the_xml_set_are_accepted(sim: Simulation, body: str) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send(body)
    assert queue.receive()[0].body == body


def test_empty_body_is_a_missing_parameter(sim: Simulation) -> None:
    """AWS-recorded: MissingParameter, 'The request must contain the parameter MessageBody.'"""
    with pytest.raises(MissingParameterError) as info:
        sim.sqs.create_queue("q").send("")
    assert str(info.value) == "The request must contain the parameter MessageBody."
    assert (info.value.code, info.value.query_code) == ("MissingRequiredParameterException", "MissingParameter")


def test_size_limit_counts_body_and_attributes(sim: Simulation) -> None:
    """1 MiB including attributes (name, type and value bytes). AWS-recorded message: 'One or more parameters are
    invalid. Reason: Message must be shorter than 1048576 bytes.'"""
    queue = sim.sqs.create_queue("q")
    queue.send("x" * MiB)
    with pytest.raises(InvalidParameterValueError) as info:
        queue.send("x" * (MiB + 1))
    assert str(info.value) == f"One or more parameters are invalid. Reason: Message must be shorter than {MiB} bytes."
    # "ab" (2) + "String" (6) + "c" (1) = 9 bytes of attributes
    queue.send("x" * (MiB - 9), attributes={"ab": "c"})
    with pytest.raises(InvalidParameterValueError):
        queue.send("x" * (MiB - 8), attributes={"ab": "c"})
    # multi-byte characters count in UTF-8 bytes
    with pytest.raises(InvalidParameterValueError):
        queue.send("é" * (MiB // 2 + 1))


def test_queue_maximum_message_size(sim: Simulation) -> None:
    """AWS-recorded: with MaximumMessageSize 1024, 'Message must be shorter than 1024 bytes.'"""
    queue = sim.sqs.create_queue("q", maximum_message_size=1024)
    queue.send("x" * 1024)
    with pytest.raises(InvalidParameterValueError, match=re.escape("Message must be shorter than 1024 bytes.")):
        queue.send("x" * 1025)


def test_at_most_ten_message_attributes(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send("x", attributes={f"a{i}": "v" for i in range(10)})
    with pytest.raises(InvalidParameterValueError) as info:
        queue.send("x", attributes={f"a{i}": "v" for i in range(11)})
    assert str(info.value) == "Number of message attributes [11] exceeds the allowed maximum [10]."


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("AWS.thing", "beginning with 'AWS.' or 'Amazon.'"),
        ("amazon.thing", "beginning with 'AWS.' or 'Amazon.'"),
        (".lead", "cannot start or end with '.'"),
        ("trail.", "cannot start or end with '.'"),
        ("two..dots", "cannot start or end with '.'"),
        ("sp ace", "can only contain upper and lower score characters"),
        ("x" * 257, "must be shorter than 256 Bytes"),
    ],
)
def test_message_attribute_name_rules(sim: Simulation, name: str, reason: str) -> None:
    """Names: A-Z a-z 0-9 _ - . ; no AWS./Amazon. prefix; no leading, trailing or doubled period; up to 256 chars."""
    with pytest.raises(InvalidParameterValueError, match=reason):
        sim.sqs.create_queue("q").send("x", attributes={name: "v"})


def test_message_attribute_types_and_values(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    queue.send("x", attributes={"a": {"DataType": "Number.float", "StringValue": "1.5e3"}, "b": {"DataType": "Binary.gif", "BinaryValue": b"G"}})
    with pytest.raises(InvalidParameterValueError, match="invalid message attribute type"):
        queue.send("x", attributes={"a": {"DataType": "Date", "StringValue": "today"}})
    with pytest.raises(InvalidParameterValueError) as info:
        queue.send("x", attributes={"ErrorDetails": {"DataType": "String", "StringValue": ""}})
    assert str(info.value) == "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."
    with pytest.raises(InvalidParameterValueError, match="to a number"):
        queue.send("x", attributes={"n": {"DataType": "Number", "StringValue": "abc"}})
    with pytest.raises(InvalidParameterValueError, match="Number values must be between"):
        queue.send("x", attributes={"n": {"DataType": "Number", "StringValue": "1e127"}})


def test_system_attributes_of_a_received_message(sim: Simulation) -> None:
    """SentTimestamp and ApproximateFirstReceiveTimestamp in epoch milliseconds, ApproximateReceiveCount, SenderId."""
    queue = sim.sqs.create_queue("q", visibility_timeout=10)
    queue.send("x")
    sim.advance(2.5)
    first = queue.receive()[0]
    sim.advance(10)
    second = queue.receive()[0]
    assert first.attributes == {
        "SenderId": "123456789012",
        "SentTimestamp": "1704067200000",
        "ApproximateReceiveCount": "1",
        "ApproximateFirstReceiveTimestamp": "1704067202500",
    }
    assert second.receive_count == 2
    assert second.attributes["ApproximateFirstReceiveTimestamp"] == "1704067202500"


def test_attribute_selection(sim: Simulation) -> None:
    """AWS-recorded selections: names, All, .*, prefix.*, unknown names (no attributes, no digest)."""
    queue = sim.sqs.create_queue("q", visibility_timeout=0)
    queue.send("msg", attributes={"General": "Kenobi", "Hello": "There", "Help.Me": "Me"})

    def receive(names: tuple[str, ...]) -> tuple[set[str], str | None]:
        [m] = queue.receive(attribute_names=(), message_attribute_names=names)
        assert m.attributes == {}
        return set(m.message_attributes), m.md5_of_message_attributes

    assert receive(()) == (set(), None)
    assert receive(("All",)) == ({"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5")
    assert receive((".*",))[1] == "4c360f3fdafd970e05fae2f149d997f5"
    assert receive(("General", "Hello")) == ({"General", "Hello"}, "fca026605781cb4126a1e9044df24232")
    assert receive(("Hello", "Missing")) == ({"Hello"}, "a311262e065454b75da111d535b8dacd")
    assert receive(("He.*",)) == ({"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7")
    assert receive(("Missing",)) == (set(), None)
    [m] = queue.receive(attribute_names=("SentTimestamp", "Nope"), message_attribute_names=())
    assert set(m.attributes) == {"SentTimestamp"}


def test_message_ids_are_uuid4_drawn_from_the_simulation(sim: Simulation) -> None:
    """Message ids are version-4 UUIDs from the seeded generator: the same seed gives the same ids."""
    import uuid

    ids = [Simulation(seed=3).sqs.create_queue("q").send("x").message_id for _ in range(2)]
    assert ids[0] == ids[1]
    assert uuid.UUID(ids[0]).version == 4


# ---------------------------------------------------------------- batches
def test_send_batch_returns_per_entry_results(sim: Simulation) -> None:
    queue = sim.sqs.create_queue("q")
    result = queue.send_batch(["a", SendEntry(body="b", id="second", attributes={"k": "v"}), SendEntry(body="\x00", id="bad")])
    assert [r.id for r in result.successful] == ["0", "second"]
    assert result.successful[1].md5_of_message_attributes == md5_of_attributes({"k": _string("v")})
    assert result.failed == [BatchFailure("bad", "InvalidMessageContents", result.failed[0].message, True)]
    assert queue.statistics().visible == 2


def test_batch_entry_errors(sim: Simulation) -> None:
    """AWS-recorded codes and messages for empty, too many, invalid and repeated ids."""
    queue = sim.sqs.create_queue("q")
    with pytest.raises(EmptyBatchRequestError, match=re.escape("There should be at least one SendMessageBatchRequestEntry in the request.")):
        queue.send_batch([])
    with pytest.raises(TooManyEntriesInBatchRequestError) as many:
        queue.send_batch(["x"] * 11)
    assert str(many.value) == "Maximum number of entries per request are 10. You have sent 11."
    assert many.value.query_code == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    for bad_id in ("", "x" * 81, "invalid:id"):
        with pytest.raises(InvalidBatchEntryIdError) as invalid:
            queue.send_batch([SendEntry(body="x", id=bad_id)])
        assert str(invalid.value) == (
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
        )
    with pytest.raises(BatchEntryIdsNotDistinctError, match=re.escape("Id a repeated.")):
        queue.send_batch([SendEntry(body="x", id="a"), SendEntry(body="y", id="a")])
    with pytest.raises(EmptyBatchRequestError, match="DeleteMessageBatchRequestEntry"):
        queue.delete_batch([])
    with pytest.raises(EmptyBatchRequestError, match="ChangeMessageVisibilityBatchRequestEntry"):
        queue.change_visibility_batch([])
    assert queue.statistics().sent == 0


def test_batch_total_size_is_limited_to_1_mib(sim: Simulation) -> None:
    """AWS-recorded: 'Batch requests cannot be longer than N bytes. You have sent M bytes.' before any entry is sent."""
    queue = sim.sqs.create_queue("q")
    with pytest.raises(BatchRequestTooLongError) as info:
        queue.send_batch(["x" * (MiB // 2), "y" * (MiB // 2 + 1)])
    assert str(info.value) == f"Batch requests cannot be longer than {MiB} bytes. You have sent {MiB + 1} bytes."
    assert info.value.query_code == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert queue.statistics().sent == 0


def test_message_ids_are_formatted_as_uuid_would_format_the_same_bits() -> None:
    """Ids are formatted without uuid.UUID (a fifth of its cost); the text must be uuid's."""
    import random
    import uuid

    from eventbus._simulation import uuid_text

    rng = random.Random(5)
    for _ in range(1000):
        bits = rng.getrandbits(128)
        assert uuid_text(bits) == str(uuid.UUID(int=bits, version=4))
