"""Publish and PublishBatch: what SNS refuses, with its codes and messages.

Texts recorded against AWS (LocalStack's AWS-validated snapshots, tests/aws/services/sns/test_sns.snapshot.json),
rules from the Publish API reference (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html) and
"Amazon SNS message attributes" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventbus import Simulation
from eventbus.errors import ServiceError
from eventbus.services.sns import (
    BatchEntryIdsNotDistinctError,
    BatchRequestTooLongError,
    EmptyBatchRequestError,
    InvalidBatchEntryIdError,
    InvalidParameterError,
    InvalidParameterValueError,
    SnsValidationError,
    TooManyEntriesInBatchRequestError,
)


@pytest.fixture
def sim() -> Simulation:
    return Simulation()


def _error(call: Any) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call()
    return raised.value


def test_message_and_subject(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    assert str(_error(lambda: topic.publish(""))) == "Invalid parameter: Empty message"
    assert str(_error(lambda: topic.publish("m", subject=""))) == "Invalid parameter: Subject"
    assert str(_error(lambda: topic.publish("m", subject="line\nbreak"))) == "Invalid parameter: Subject"
    assert str(_error(lambda: topic.publish("m", subject="x" * 100))) == "Invalid parameter: Subject"
    assert topic.publish("m", subject="x" * 99).message_id


def test_size_limit_counts_message_and_attributes(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    assert topic.publish("x" * 262_144).message_id
    error = _error(lambda: topic.publish("x" * 262_145))
    assert (error.code, str(error), error.status) == ("InvalidParameter", "Invalid parameter: Message too long", 400)
    # name "a" + type "String" + value "bc" = 9 bytes
    assert str(_error(lambda: topic.publish("x" * (262_144 - 8), attributes={"a": "bc"}))) == "Invalid parameter: Message too long"
    assert topic.publish("x" * (262_144 - 9), attributes={"a": "bc"}).message_id
    # UTF-8 bytes, not characters.
    assert str(_error(lambda: topic.publish("é" * 131_073))) == "Invalid parameter: Message too long"


def test_maximum_message_size_topic_attribute(sim: Simulation) -> None:
    # MaximumMessageSize 1,024..1,048,576 (https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html).
    topic = sim.sns.create_topic("big", attributes={"MaximumMessageSize": "1048576"})
    assert topic.publish("x" * 1_048_576).message_id
    small = sim.sns.create_topic("small", attributes={"MaximumMessageSize": "1024"})
    assert str(_error(lambda: small.publish("x" * 1025))) == "Invalid parameter: Message too long"
    assert small.attributes()["MaximumMessageSize"] == "1024"
    assert "MaximumMessageSize" not in sim.sns.create_topic("plain").attributes()
    big_with_http = sim.sns.create_topic("h")
    big_with_http.subscribe("https://example.com")
    with pytest.raises(InvalidParameterError):
        big_with_http.set_attribute("MaximumMessageSize", "300000")


def test_message_structure_json(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    assert str(_error(lambda: topic.publish('{"sqs": "x"}', structure="json"))) == (
        "Invalid parameter: Message Structure - No default entry in JSON message body"
    )
    assert str(_error(lambda: topic.publish('{"default": 1}', structure="json"))) == (
        "Invalid parameter: Message Structure - No default entry in JSON message body"
    )
    assert str(_error(lambda: topic.publish("not json", structure="json"))) == (
        "Invalid parameter: Message Structure - JSON message body failed to parse"
    )
    # Duplicate keys are accepted (AWS-validated).
    assert topic.publish('{"default": "a", "default": "b"}', structure="json").message_id


ATTRIBUTE_ERRORS: list[tuple[dict[str, Any], type[ServiceError], str]] = [
    (
        {"attr1": {"DataType": "String"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.",
    ),
    (
        {"attr1": {"DataType": "String", "StringValue": ""}},
        InvalidParameterValueError,
        "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.",
    ),
    (
        {"attr1": {"StringValue": "x"}},
        SnsValidationError,
        "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: "
        "Member must not be null",
    ),
    (
        {"attr1": {"DataType": "Binary"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'.",
    ),
    (
        {"attr1": {"DataType": "String", "BinaryValue": b"x"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' with type 'String' must use field 'String'.",
    ),
    (
        {"attr1": {"DataType": "Number", "BinaryValue": b"x"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' with type 'Number' must use field 'String'.",
    ),
    (
        {"attr1": {"DataType": "Binary", "StringValue": "x"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
    ),
    (
        {"attr1": {"DataType": "Integer", "StringValue": "1"}},
        InvalidParameterValueError,
        "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, "
        "Number, and String.",
    ),
    ({"a" * 257: "x"}, InvalidParameterValueError, "Length of message attribute name must be less than 256 bytes."),
    (
        {"attr^1": "x"},
        InvalidParameterValueError,
        "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric "
        "characters, hyphens, underscores, or dots.",
    ),
    ({".attr": "x"}, InvalidParameterValueError, "Invalid message attribute name starting with character '.' was found."),
    ({"attr.": "x"}, InvalidParameterValueError, "Invalid message attribute name ending with character '.' was found."),
    ({"at..tr": "x"}, InvalidParameterValueError, "Message attribute name can not have successive '.' character."),
]


@pytest.mark.parametrize(("attributes", "error_type", "message"), ATTRIBUTE_ERRORS)
def test_message_attribute_errors(sim: Simulation, attributes: dict[str, Any], error_type: type[ServiceError], message: str) -> None:
    topic = sim.sns.create_topic("t")
    error = _error(lambda: topic.publish("m", attributes=attributes))
    assert type(error) is error_type
    assert str(error) == message
    assert error.status == 400


def test_message_attribute_error_codes(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    assert _error(lambda: topic.publish("m", attributes={"a": {"DataType": "Integer", "StringValue": "1"}})).code == "ParameterValueInvalid"
    assert _error(lambda: topic.publish("m", attributes={"a": {"StringValue": "1"}})).code == "ValidationError"


def test_number_attributes_must_be_numbers(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    assert topic.publish("m", attributes={"n": {"DataType": "Number", "StringValue": "-1.5e3"}}).message_id
    with pytest.raises(InvalidParameterValueError):
        topic.publish("m", attributes={"n": {"DataType": "Number", "StringValue": "one"}})


def test_more_than_ten_attributes_are_accepted(sim: Simulation) -> None:
    # "When using raw mode or an endpoint other than Amazon SQS, a message can have more than 10 attributes."
    topic = sim.sns.create_topic("t")
    assert topic.publish("m", attributes={f"a{i}": "x" for i in range(12)}).message_id


def test_xml_invalid_characters_are_refused(sim: Simulation) -> None:
    # The query protocol cannot carry them; SNS refuses them before anything else.
    topic = sim.sns.create_topic("t")
    for call in (
        lambda: topic.publish("bad\x00"),
        lambda: topic.publish("m", subject="bad\x1f"),
        lambda: topic.publish("m", attributes={"a": "bad\ufffe"}),
    ):
        assert _error(call).code == "InvalidParameter"
    assert topic.publish("tab\tnewline\ncarriage\r ok").message_id


def test_publish_to_a_deleted_topic(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    topic.delete()
    error = _error(lambda: topic.publish("m"))
    assert (error.code, str(error), error.status) == ("NotFound", "Topic does not exist", 404)


def test_publish_batch_entries_and_ids(sim: Simulation) -> None:
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, raw=True)
    result = topic.publish_batch(
        [
            {"Id": "a", "Message": "Test Message with two attributes", "MessageAttributes": {"attr1": {"DataType": "Number", "StringValue": "99.12"}}},
            {"id": "b", "message": "Test Message without attribute", "subject": "s"},
            "bare message",
        ]
    )
    # Native entries without an Id are numbered by position.
    assert [entry.id for entry in result.successful] == ["a", "b", "2"]
    assert result.failed == []
    sim.run_until_idle()
    bodies = sorted(m.body for m in queue.receive(max_messages=10))
    assert bodies == ["Test Message with two attributes", "Test Message without attribute", "bare message"]


def test_publish_batch_errors(sim: Simulation) -> None:
    # AWS-validated codes and texts; a FIFO rule broken by one entry refuses the whole request.
    topic = sim.sns.create_topic("t")
    with pytest.raises(EmptyBatchRequestError):
        topic.publish_batch([])
    with pytest.raises(TooManyEntriesInBatchRequestError) as too_many:
        topic.publish_batch([{"Id": str(i), "Message": "m"} for i in range(11)])
    assert str(too_many.value) == "The batch request contains more entries than permissible."
    with pytest.raises(BatchEntryIdsNotDistinctError) as same:
        topic.publish_batch([{"Id": "1", "Message": "a"}, {"Id": "1", "Message": "b"}])
    assert str(same.value) == "Two or more batch entries in the request have the same Id."
    with pytest.raises(InvalidBatchEntryIdError):
        topic.publish_batch([{"Id": "bad id!", "Message": "a"}])
    with pytest.raises(BatchRequestTooLongError) as too_long:
        topic.publish_batch([{"Id": str(i), "Message": "x" * 30_000} for i in range(10)])
    assert str(too_long.value) == "The length of all the messages put together is more than the limit."
    fifo = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    with pytest.raises(InvalidParameterError, match="MessageGroupId parameter is required"):
        fifo.publish_batch([{"Id": "1", "Message": "a", "MessageGroupId": "g"}, {"Id": "2", "Message": "b"}])
    assert not [r for r in sim.journal if r.kind == "sns.published"]


def test_publish_batch_on_fifo_returns_sequence_numbers_and_dedups(sim: Simulation) -> None:
    # Republishing a FIFO batch answers with the first publish's ids (AWS-validated).
    topic = sim.sns.create_topic("t.fifo", content_based_deduplication=True)
    entries = [{"Id": str(i), "Message": f"m{i}", "MessageGroupId": "complexMessageGroupId"} for i in range(3)]
    first = topic.publish_batch(entries)
    again = topic.publish_batch(entries)
    assert [e.sequence_number for e in first.successful] == [
        "10000000000000003000",
        "10000000000000004000",
        "10000000000000005000",
    ]
    assert again.to_aws() == first.to_aws()
    assert json.loads(json.dumps(first.to_aws()))["Successful"][0]["Id"] == "0"
