"""The JSON codec's shortcuts for lists of structures give what converting item by item gives.

A list whose items are structures converted in place (request side) is converted in place, skipping
the items that hold no member to convert; a list whose items are structures written as they are
when they hold no member to convert and no null (response side) is written as it is. Each is
compared here with the item-by-item conversion on SQS shapes, where the members to convert are the
``BinaryValue`` blobs of message attributes (base64 text on the wire, as the AWS JSON protocol
carries blobs: https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
"""

from __future__ import annotations

import copy
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest

from eventbus.aws._json_protocol import JsonBody

_SESSION = botocore.session.get_session()


def _shape(operation: str, side: str, service: str) -> Any:
    operation_model = _SESSION.get_service_model(service).operation_model(operation)
    return operation_model.input_shape if side == "input" else operation_model.output_shape


def _both_ways(
    operation: str, side: str, member: str, value: list[Any], service: str = "sqs"
) -> tuple[list[Any], list[Any], bool]:
    """The list converter's answer, the general item-by-item conversion (the item converter on
    each item, None left as it is), and whether the answer is the very list handed in."""
    body = JsonBody()
    list_shape = _shape(operation, side, service).members[member]
    convert = body.decoder if side == "input" else body.encoder
    whole, item = convert(list_shape), convert(list_shape.member)
    assert whole is not None
    assert item is not None
    expected = [item(v) if v is not None else v for v in copy.deepcopy(value)]
    given = copy.deepcopy(value)
    got = whole(given)
    return got, expected, got is given


_ATTRIBUTES = {"k": {"DataType": "Binary", "BinaryValue": "AQI="}, "s": {"DataType": "String", "StringValue": "v"}}

SEND_ENTRIES = [
    pytest.param([{"Id": "0", "MessageBody": "a"}, {"Id": "1", "MessageBody": "b"}], id="bodies-only"),
    pytest.param(
        [{"Id": "0", "MessageBody": "a"}, {"Id": "1", "MessageBody": "b", "MessageAttributes": _ATTRIBUTES}],
        id="one-with-binary-attribute",
    ),
    pytest.param(
        [{"Id": "0", "MessageBody": "a", "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "t"}}}],
        id="system-attribute",
    ),
    pytest.param([None, {"Id": "1", "MessageBody": "b", "MessageAttributes": _ATTRIBUTES}], id="null-item"),
    pytest.param([{"Id": "0", "MessageBody": "a", "MessageAttributes": None}], id="null-member"),
    pytest.param([], id="empty"),
]


@pytest.mark.parametrize("entries", SEND_ENTRIES)
def test_send_batch_entries_decode_in_place_as_item_by_item(entries: list[Any]) -> None:
    # API_SendMessageBatch: Entries of SendMessageBatchRequestEntry.
    got, expected, same = _both_ways("SendMessageBatch", "input", "Entries", entries)
    assert got == expected
    assert same  # converted in place: the freshly decoded request is not copied
    if any(e and e.get("MessageAttributes") for e in entries):
        assert b"\x01\x02" in [
            a.get("BinaryValue") for e in got if e and e.get("MessageAttributes") for a in e["MessageAttributes"].values()
        ]


_MESSAGE = {"MessageId": "m", "ReceiptHandle": "h", "MD5OfBody": "d", "Body": "b"}

RECEIVED = [
    pytest.param([dict(_MESSAGE), dict(_MESSAGE)], True, id="plain-messages"),
    pytest.param([dict(_MESSAGE), {**_MESSAGE, "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": b"\x01"}}}], False, id="binary-attribute"),
    pytest.param([{**_MESSAGE, "Attributes": {"SenderId": "1"}}], True, id="system-attributes-need-nothing"),
    pytest.param([{**_MESSAGE, "MD5OfMessageAttributes": None}], False, id="null-member-left-out"),
    pytest.param([dict(_MESSAGE), None], False, id="null-item"),
    pytest.param([{**_MESSAGE, "Body": ""}], True, id="empty-text-is-no-null"),
    pytest.param([], True, id="empty"),
]


@pytest.mark.parametrize(("messages", "unchanged"), RECEIVED)
def test_received_messages_encode_as_item_by_item(messages: list[Any], unchanged: bool) -> None:
    # API_ReceiveMessage: Messages of Message.
    got, expected, same = _both_ways("ReceiveMessage", "output", "Messages", messages)
    assert got == expected
    assert same == unchanged  # written as it is only when nothing in it needs converting


_CONNECTION = {"Name": "c", "ConnectionState": "AUTHORIZED"}

CONNECTIONS = [
    pytest.param([dict(_CONNECTION), dict(_CONNECTION)], True, id="no-timestamps"),
    pytest.param([dict(_CONNECTION), {**_CONNECTION, "LastAuthorizedTime": 1_700_000_000.5}], False, id="a-timestamp"),
    pytest.param([{**_CONNECTION, "StateReason": None}], False, id="null-member-left-out"),
    pytest.param([{**_CONNECTION, "StateReason": ""}], True, id="empty-text-is-no-null"),
]


@pytest.mark.parametrize(("connections", "unchanged"), CONNECTIONS)
def test_structures_with_several_members_to_convert_encode_as_item_by_item(
    connections: list[Any], unchanged: bool
) -> None:
    # EventBridge ListConnections: Connection has three timestamps (epoch seconds on the wire).
    got, expected, same = _both_ways("ListConnections", "output", "Connections", connections, "events")
    assert got == expected
    assert same == unchanged


def test_a_plain_receive_result_is_written_as_the_converters_would_write_it() -> None:
    # A ReceiveMessage naming no attributes returns text members only (WireReady): the codec
    # writes it as it is; converted as any result (and as the general path that selects attributes
    # answers), it is written the same.
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
    import msgspec

    from eventbus import Simulation
    from eventbus.aws._json_protocol import JsonProtocol
    from eventbus.services._wire_ready import WireReady

    model = _SESSION.get_service_model("sqs")
    codec = JsonProtocol(model)
    op = codec._operation(model.operation_model("ReceiveMessage"))
    assert op.encode is not None

    def answer(params: dict[str, Any]) -> tuple[Any, bytes]:
        sim = Simulation(seed=2)
        api = sim.sqs.api
        url = api.call("CreateQueue", {"QueueName": "q"})["QueueUrl"]
        entries = [{"Id": str(i), "MessageBody": f"\u00e9\"{i}\\ \U0001f600"} for i in range(3)]
        api.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        result = api.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, **params})
        return result, codec.encode_body(op, result)

    plain, written = answer({})
    assert type(plain) is WireReady
    converted = op.encode(copy.deepcopy(dict(plain)))
    assert converted == plain
    assert written == msgspec.json.encode(converted)
    general, general_written = answer({"MessageAttributeNames": ["none-such"]})
    assert type(general) is not WireReady
    assert (general, general_written) == (plain, written)
