"""What the transport remembers between calls, and when it reads afresh.

Per operation model it remembers the route (service, codec, operation name); per active block of a
plain :class:`Simulation` the ``sim.<service>.api`` it found (a plain simulation makes each service
once, and each service its ``api`` once). A subclass of Simulation may answer its service
properties differently from call to call, so they are read on every call there. Both are forgotten
when the last block exits. The pattern of patching botocore's send is moto's:
https://docs.getmoto.org/en/latest/docs/getting_started.html
"""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]

from eventbus import Simulation
from eventbus.aws import _transport, mock_aws

from .conftest import FakeApi, FakeService, FakeSimulation


def _names(client: Any) -> list[str]:
    return sorted(url.rsplit("/", 1)[-1] for url in client.list_queues().get("QueueUrls", []))


def test_nested_plain_simulations_each_answer_from_their_own_services() -> None:
    outer, inner = Simulation(seed=1), Simulation(seed=2)
    with mock_aws(outer):
        sqs = boto3.client("sqs")
        sqs.create_queue(QueueName="a")
        with mock_aws(inner):
            sqs.create_queue(QueueName="b")
            assert _names(sqs) == ["b"]
            with mock_aws(outer):  # the same simulation entered again, innermost
                assert _names(sqs) == ["a"]
            assert _names(sqs) == ["b"]
        sqs.create_queue(QueueName="c")
        assert _names(sqs) == ["a", "c"]
    assert [q.name for q in outer.sqs.list_queues()] == ["a", "c"]
    assert [q.name for q in inner.sqs.list_queues()] == ["b"]
    assert _transport._routes == {}
    assert _transport._apis == []


def test_a_subclass_service_property_is_read_on_every_call() -> None:
    first, second = FakeApi(lambda op, params: {}), FakeApi(lambda op, params: {})
    sim = FakeSimulation(first)
    with mock_aws(sim):
        sqs = boto3.client("sqs")
        sqs.list_queues()
        sim._fake_service = FakeService(second)  # the property now answers another service
        sqs.list_queues()
    assert [op for op, _ in first.calls] == ["ListQueues"]
    assert [op for op, _ in second.calls] == ["ListQueues"]


def test_a_plain_simulation_is_served_by_its_service_api() -> None:
    sim = Simulation(seed=3)
    with mock_aws(sim):
        sqs = boto3.client("sqs")
        sqs.create_queue(QueueName="q")
        assert _transport._apis[-1] == {"sqs": sim.sqs.api}
        sqs.create_queue(QueueName="r")
    assert [q.name for q in sim.sqs.list_queues()] == ["q", "r"]


def test_a_json_request_is_answered_as_the_codec_encodes_its_result() -> None:
    # The JSON protocol's requests are read from the body and answered with the body and the two
    # headers its codec writes (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html);
    # the transport's shortcut for it gives what decode_request / encode_result give.
    answer = {"Messages": [{"MessageId": "m", "ReceiptHandle": "h", "MD5OfBody": "d", "Body": "b"}]}
    sim = FakeSimulation(FakeApi(lambda op, params: answer))
    seen: list[tuple[int, dict[str, str], bytes]] = []
    with mock_aws(sim):
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.meta.events.register(
            "after-call.sqs",
            lambda http_response, **_: seen.append(
                (http_response.status_code, dict(http_response.headers), http_response.content)
            ),
        )
        sqs.receive_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q", MaxNumberOfMessages=10)
        operation_model = sqs.meta.service_model.operation_model("ReceiveMessage")
        codec = _transport._codec(sqs.meta.service_model)
    [(operation, params)] = sim.fake.calls
    assert (operation, params) == ("ReceiveMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MaxNumberOfMessages": 10})
    status, headers, body = seen[0]
    expected = codec.encode_result(operation_model, answer, headers["x-amzn-RequestId"])
    assert status == expected.status == 200
    assert body == expected.body
    assert list(headers)[:2] == list(expected.headers) == ["x-amzn-RequestId", "Content-Type"]
    assert headers["Content-Type"] == expected.headers["Content-Type"]
    assert list(headers)[2:] == ["Content-Length", "Date"]


def test_a_plain_simulation_answers_with_its_new_uuid_and_its_epoch() -> None:
    # For a plain Simulation the transport draws the request id and reads the clock inline; both must
    # be what sim.new_uuid() and sim.epoch() give (x-amzn-RequestId and Date, as AWS sends them).
    import random
    from email.utils import formatdate

    sim = Simulation(seed=4)
    with mock_aws(sim):
        sqs = boto3.client("sqs", region_name="us-east-1")
        state = sim.rng.getstate()
        seen = []
        for step in (0.0, 0.0, 61.5):
            sim.advance(step)
            metadata = sqs.list_queues()["ResponseMetadata"]
            seen.append((metadata["RequestId"], metadata["HTTPHeaders"]["date"], formatdate(sim.epoch(), usegmt=True)))
    replay = Simulation(seed=4)
    replay.rng = random.Random()
    replay.rng.setstate(state)
    assert [request_id for request_id, _, _ in seen] == [replay.new_uuid() for _ in range(3)]
    assert all(date == expected for _, date, expected in seen)
    assert seen[0][1] == seen[1][1] != seen[2][1]


def test_responses_are_built_as_botocore_builds_them() -> None:
    # The transport builds botocore's AWSResponse directly (header keys remembered by name); it must
    # hold what AWSResponse(url, status, headers, raw) holds: the same attributes, the same headers
    # in the same order, equal names under case folding keeping the first name and the last value.
    from botocore.awsrequest import AWSResponse  # type: ignore[import-untyped]

    assert _transport._DIRECT_RESPONSE
    for headers in (
        {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.0", "Content-Length": "2", "Date": "d"},
        {"X-Amzn-RequestId": "r", "x-amzn-requestid": "s", "content-length": "0"},
        {},
    ):
        for _ in range(2):  # the second time with the keys remembered
            made = AWSResponse("https://sqs.us-east-1.amazonaws.com/", 400, headers, b"raw")
            ours = _transport._response("https://sqs.us-east-1.amazonaws.com/", 400, headers, b"raw")
            assert type(ours) is AWSResponse
            assert type(ours.headers) is type(made.headers)
            assert list(vars(ours)) == list(vars(made))
            assert [(vars(k), v) for k, v in ours.headers._dict.items()] == [(vars(k), v) for k, v in made.headers._dict.items()]
            assert list(ours.headers.items()) == list(made.headers.items())
            assert {k: v for k, v in vars(ours).items() if k != "headers"} == {k: v for k, v in vars(made).items() if k != "headers"}
            assert ours.headers.get("X-AMZN-REQUESTID") == made.headers.get("X-AMZN-REQUESTID")
