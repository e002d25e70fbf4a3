"""What subscribers receive, compared byte for byte with the messages AWS documents and delivers.

Sources: the SQS example of "Subscribing an Amazon SQS queue to an Amazon SNS topic"
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/subscribe-sqs-queue-to-sns-topic.html),
"Amazon SNS message and JSON formats" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html),
the Lambda event of "Using Lambda with Amazon SNS" (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html),
and message bodies delivered by AWS and published in public repositories (FIFO envelopes, attribute order).
Ids, signatures and the certificate file are random on AWS; the tests put the simulation's values into
AWS's text and compare every other byte.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from eventbus import Simulation
from eventbus.services._sns_format import java_hash_order, json_string, signing_cert_url

# The documented SQS message (SQS Developer Guide), two-space indentation as delivered.
DOCUMENTED = """{
  "Type" : "Notification",
  "MessageId" : "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
  "Subject" : "Testing publish to subscribed queues",
  "Message" : "Hello world!",
  "Timestamp" : "2012-03-29T05:12:16.901Z",
  "SignatureVersion" : "1",
  "Signature" : "EXAMPLEnTrFPa3...",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee"
}"""

# A FIFO topic's message as delivered to an SQS queue (captured from AWS, 2023): SequenceNumber after
# MessageId, no signature fields.
DELIVERED_FIFO = """{
  "Type" : "Notification",
  "MessageId" : "025727dd-bb27-5c53-8a79-7b38f0cfe19a",
  "SequenceNumber" : "10000000000000020000",
  "TopicArn" : "arn:aws:sns:us-west-2:744522205193:event-hub.fifo",
  "Subject" : "subject",
  "Message" : "body",
  "Timestamp" : "2023-05-22T10:53:28.806Z",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:744522205193:event-hub.fifo:c8e1a595-4b0d-44b4-8087-094e7b0de09a",
  "MessageAttributes" : {
    "str_attr" : {"Type":"String","Value":"string_attr_val"}
  }
}"""


def _fill(template: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in template, old
        template = template.replace(old, new)
    return template


def _cert(region: str) -> str:
    return signing_cert_url(region).rsplit("-", 1)[1].removesuffix(".pem")


def test_sqs_envelope_is_the_documented_message_byte_for_byte() -> None:
    sim = Simulation(start="2012-03-29T05:12:16.901Z", region="us-west-2")
    topic = sim.sns.create_topic("MyTopic")
    queue = sim.sqs.create_queue("MyQueue")
    subscription = topic.subscribe(queue)
    result = topic.publish("Hello world!", subject="Testing publish to subscribed queues")
    sim.run_until_idle()
    [message] = queue.receive()
    envelope = json.loads(message.body)
    expected = _fill(
        DOCUMENTED,
        {
            "63a3f6b6-d533-4a47-aef9-fcf5cf758c76": result.message_id,
            "EXAMPLEnTrFPa3...": envelope["Signature"],
            "f3ecfb7224c7233fe7bb5f59f96de52f": _cert("us-west-2"),
            "c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee": subscription.arn.rsplit(":", 1)[1],
        },
    )
    assert message.body == expected


def test_fifo_envelope_is_the_delivered_message_byte_for_byte() -> None:
    sim = Simulation(start="2023-05-22T10:53:28.806Z", region="us-west-2", account_id="744522205193")
    topic = sim.sns.create_topic("event-hub.fifo", content_based_deduplication=True)
    queue = sim.sqs.create_queue("hub.fifo")
    subscription = topic.subscribe(queue)
    result = topic.publish("body", subject="subject", group_id="g", attributes={"str_attr": "string_attr_val"})
    sim.run_until_idle()
    [message] = queue.receive()
    expected = _fill(
        DELIVERED_FIFO,
        {
            "025727dd-bb27-5c53-8a79-7b38f0cfe19a": result.message_id,
            "10000000000000020000": str(result.sequence_number),
            "c8e1a595-4b0d-44b4-8087-094e7b0de09a": subscription.arn.rsplit(":", 1)[1],
        },
    )
    assert message.body == expected


def test_signature_is_256_random_bytes_shared_by_all_subscribers() -> None:
    # The signature covers Message, MessageId, Subject, Type, Timestamp and TopicArn, not the
    # subscription (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queues = [sim.sqs.create_queue(f"q{i}") for i in range(2)]
    for queue in queues:
        topic.subscribe(queue)
    topic.publish("m")
    sim.run_until_idle()
    first, second = (json.loads(q.receive()[0].body) for q in queues)
    assert first["Signature"] == second["Signature"]
    assert len(base64.b64decode(first["Signature"])) == 256
    assert first["UnsubscribeURL"] != second["UnsubscribeURL"]


def test_signature_version_2_is_reported_in_the_envelope() -> None:
    # SignatureVersion topic attribute (AWS-validated snapshot: the envelope says "2").
    sim = Simulation()
    topic = sim.sns.create_topic("t", attributes={"SignatureVersion": "2"})
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue)
    topic.publish("m")
    sim.run_until_idle()
    assert json.loads(queue.receive()[0].body)["SignatureVersion"] == "2"


def test_message_attributes_come_in_java_hashmap_order() -> None:
    # Envelopes delivered by AWS list MessageAttributes in java.util.HashMap order, e.g. "Service",
    # "Region", "Source" (Service and Region share a bucket: insertion order), "attr2" before "attr1"
    # (AWS-validated snapshot), "publishedAt", "traceparent", "eventType".
    assert java_hash_order(["Service", "Region", "Source"]) == ("Service", "Region", "Source")
    assert java_hash_order(["attr1", "attr2"]) == ("attr2", "attr1")
    assert java_hash_order(["eventType", "publishedAt", "traceparent"]) == ("publishedAt", "traceparent", "eventType")
    assert java_hash_order(["code", "eventType", "publishedAt", "traceparent"]) == (
        "code",
        "publishedAt",
        "traceparent",
        "eventType",
    )
    assert java_hash_order(["eventType", "id", "timestamp", "traceparent"]) == ("traceparent", "eventType", "id", "timestamp")


def test_envelope_with_attributes_matches_a_delivered_message() -> None:
    # Body of a message AWS delivered (us-east-1, 2025), MessageAttributes indented four spaces and
    # written compact, in HashMap order.
    delivered = (
        '{\n  "Type" : "Notification",\n  "MessageId" : "ID",\n  "TopicArn" : "arn:aws:sns:us-east-1:123456789012:collector",\n'
        '  "Message" : "{}",\n  "Timestamp" : "2024-01-01T00:00:00.000Z",\n  "SignatureVersion" : "1",\n'
        '  "Signature" : "SIG",\n  "SigningCertURL" : "CERT",\n  "UnsubscribeURL" : "UNSUB",\n'
        '  "MessageAttributes" : {\n    "Service" : {"Type":"String","Value":"AWS::IAM::Policy"},\n'
        '    "Region" : {"Type":"String","Value":"global"},\n    "Source" : {"Type":"String","Value":"cidb2:inventory"}\n  }\n}'
    )
    sim = Simulation()
    topic = sim.sns.create_topic("collector")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue)
    topic.publish("{}", attributes={"Service": "AWS::IAM::Policy", "Region": "global", "Source": "cidb2:inventory"})
    sim.run_until_idle()
    body = queue.receive()[0].body
    envelope = json.loads(body)
    expected = _fill(
        delivered,
        {
            '"ID"': json.dumps(envelope["MessageId"]),
            '"SIG"': json.dumps(envelope["Signature"]),
            '"CERT"': json.dumps(envelope["SigningCertURL"]),
            '"UNSUB"': json.dumps(envelope["UnsubscribeURL"]),
        },
    )
    assert body == expected


def test_attribute_types_in_the_envelope() -> None:
    # Binary values are base64 ("AgME" for 02 03 04, AWS-validated snapshot); Number, String.Array and
    # custom types keep their DataType ("Number.java.lang.Long" seen in delivered messages).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue)
    topic.publish(
        "m",
        attributes={
            "b": b"\x02\x03\x04",
            "n": {"DataType": "Number.java.lang.Long", "StringValue": "1723202440316"},
            "a": ["x", 1, True, None],
        },
    )
    sim.run_until_idle()
    attributes = json.loads(queue.receive()[0].body)["MessageAttributes"]
    assert attributes["b"] == {"Type": "Binary", "Value": "AgME"}
    assert attributes["n"] == {"Type": "Number.java.lang.Long", "Value": "1723202440316"}
    assert attributes["a"] == {"Type": "String.Array", "Value": '["x",1,true,null]'}


def test_strings_are_escaped_as_jackson_escapes_them() -> None:
    # Quotes and backslashes escaped, control characters in short or \u00XX form, non-ASCII kept
    # (observed in delivered messages: Korean text, "\\u00f6" snapshot is the JSON of the body).
    assert json_string('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert json_string("a\tb\nc\rd\x08\x0c") == '"a\\tb\\nc\\rd\\b\\f"'
    assert json_string("\x01\x1f") == '"\\u0001\\u001F"'
    assert json_string("성공 ö / €") == '"성공 ö / €"'


def test_raw_delivery_sends_the_message_and_attributes_to_sqs() -> None:
    # RawMessageDelivery: the body is the message, attributes become SQS message attributes with
    # their types (AWS-validated snapshot: Number stays Number, Binary stays Binary).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    queue = sim.sqs.create_queue("q")
    topic.subscribe(queue, raw=True)
    topic.publish("Test msg", attributes={"attr1": 99.12, "bin": b"\x02\x03\x04", "arr": ["a"]})
    sim.run_until_idle()
    [message] = queue.receive(attribute_names=["All"], message_attribute_names=["All"])
    assert message.body == "Test msg"
    assert message.message_attributes["attr1"].data_type == "Number"
    assert message.message_attributes["attr1"].string_value == "99.12"
    assert message.message_attributes["bin"].binary_value == b"\x02\x03\x04"
    assert message.message_attributes["arr"].data_type == "String.Array"


def test_message_structure_json_sends_each_protocol_its_message_without_attributes() -> None:
    # MessageStructure=json: per-protocol messages; message attributes are not sent
    # (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html).
    sim = Simulation()
    topic = sim.sns.create_topic("t")
    sqs_queue = sim.sqs.create_queue("q")
    events: list[Any] = []
    topic.subscribe(sqs_queue)
    topic.subscribe(events.append)
    message = json.dumps({"default": "default text", "sqs": '{"field": "value"}'})
    topic.publish(message, structure="json", attributes={"k": "v"})
    sim.run_until_idle()
    envelope = json.loads(sqs_queue.receive()[0].body)
    assert envelope["Message"] == '{"field": "value"}'
    assert "MessageAttributes" not in envelope
    assert events[0]["Records"][0]["Sns"]["Message"] == "default text"
    assert events[0]["Records"][0]["Sns"]["MessageAttributes"] == {}


def test_lambda_event_has_the_documented_shape() -> None:
    # "Using Lambda with Amazon SNS": EventVersion, EventSubscriptionArn, EventSource, then Sns with
    # SigningCertUrl and UnsubscribeUrl; Number and String.Array attributes are passed as String.
    sim = Simulation(start="2019-01-02T12:45:07Z")
    topic = sim.sns.create_topic("sns-lambda")
    events: list[Any] = []
    subscription = topic.subscribe(events.append)
    result = topic.publish(
        "Hello from SNS!",
        subject="TestInvoke",
        attributes={"Test": "TestString", "TestBinary": b"TestBinary", "n": 5, "arr": ["a"]},
    )
    sim.run_until_idle()
    [event] = events
    [record] = event["Records"]
    assert list(record) == ["EventVersion", "EventSubscriptionArn", "EventSource", "Sns"]
    assert record["EventVersion"] == "1.0"
    assert record["EventSource"] == "aws:sns"
    assert record["EventSubscriptionArn"] == subscription.arn
    sns = record["Sns"]
    assert list(sns) == [
        "SignatureVersion",
        "Timestamp",
        "Signature",
        "SigningCertUrl",
        "MessageId",
        "Message",
        "MessageAttributes",
        "Type",
        "UnsubscribeUrl",
        "TopicArn",
        "Subject",
    ]
    assert sns["Timestamp"] == "2019-01-02T12:45:07.000Z"
    assert sns["MessageId"] == result.message_id
    assert sns["Message"] == "Hello from SNS!"
    assert sns["Type"] == "Notification"
    assert sns["Subject"] == "TestInvoke"
    assert sns["TopicArn"] == topic.arn
    assert sns["UnsubscribeUrl"] == f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription.arn}"
    assert sns["MessageAttributes"]["Test"] == {"Type": "String", "Value": "TestString"}
    assert sns["MessageAttributes"]["TestBinary"] == {"Type": "Binary", "Value": base64.b64encode(b"TestBinary").decode()}
    assert sns["MessageAttributes"]["n"] == {"Type": "String", "Value": "5"}
    assert sns["MessageAttributes"]["arr"] == {"Type": "String", "Value": '["a"]'}


def test_lambda_event_subject_is_null_and_signature_version_1() -> None:
    # AWS-validated snapshot: "Subject": null without a subject; SignatureVersion "1" even when the
    # topic signs with version 2.
    sim = Simulation()
    topic = sim.sns.create_topic("t", attributes={"SignatureVersion": "2"})
    events: list[Any] = []
    topic.subscribe(events.append)
    topic.publish("m")
    sim.run_until_idle()
    sns = events[0]["Records"][0]["Sns"]
    assert sns["Subject"] is None
    assert sns["SignatureVersion"] == "1"


def test_lambda_function_receives_the_event_as_inbound_event() -> None:
    # A function registered under a Lambda ARN gets Inbound.event = the SNS event, and the body as its JSON.
    from eventbus import Outcome
    from eventbus.services._delivery import Inbound

    sim = Simulation()
    received: list[Inbound] = []

    class Function:
        arn = sim.arn("lambda", "function:worker")

        def accept(self, message: Inbound, on_done: Any) -> None:
            received.append(message)
            on_done(Outcome(True, None))

    sim.registry.register(Function.arn, Function())
    topic = sim.sns.create_topic("t")
    subscription = topic.subscribe(Function.arn)
    assert subscription.protocol == "lambda"
    topic.publish("m")
    sim.run_until_idle()
    [message] = received
    assert message.event["Records"][0]["Sns"]["Message"] == "m"
    assert json.loads(message.body) == message.event
    assert message.source_arn == topic.arn
