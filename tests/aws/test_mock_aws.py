"""How ``mock_aws`` takes over boto3: which clients it serves, when, and what it leaves behind.

The pattern (a global hook on botocore's HTTP send, fake credentials in the environment) is the one
moto documents: https://docs.getmoto.org/en/latest/docs/getting_started.html
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.endpoint  # type: ignore[import-untyped]
import botocore.exceptions  # type: ignore[import-untyped]
import botocore.signers  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation
from eventbus.aws import MockAws, UnsupportedServiceError, mock_aws
from eventbus.aws._transport import active_simulation
from eventbus.errors import SimulationError

from .conftest import FakeApi, FakeSimulation

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"


def answer_create_queue(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"QueueUrl": QUEUE_URL} if operation == "CreateQueue" else {}


def test_client_made_inside_the_block_is_served_by_the_simulation() -> None:
    sim = FakeSimulation(FakeApi(answer_create_queue))
    with mock_aws(sim) as active:
        assert active is sim
        response = boto3.client("sqs").create_queue(QueueName="orders", Attributes={"DelaySeconds": "5"})
    assert response["QueueUrl"] == QUEUE_URL
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sim.fake.calls == [("CreateQueue", {"QueueName": "orders", "Attributes": {"DelaySeconds": "5"}})]


def test_client_made_before_the_block_is_served_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    sqs = boto3.client("sqs", region_name="eu-west-1")
    sim = FakeSimulation(FakeApi(answer_create_queue))
    with mock_aws(sim):
        assert sqs.create_queue(QueueName="orders")["QueueUrl"] == QUEUE_URL
    assert [op for op, _ in sim.fake.calls] == ["CreateQueue"]


def test_client_made_at_import_time_without_credentials_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module of the application under test, imported (as CI does) with no credentials configured.
    (tmp_path / "orders_app.py").write_text(
        "import boto3\n"
        "sqs = boto3.client('sqs', region_name='us-east-1')\n"
        "def place(order_id):\n"
        "    url = sqs.create_queue(QueueName='orders')['QueueUrl']\n"
        "    return sqs.send_message(QueueUrl=url, MessageBody=order_id)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    orders_app = importlib.import_module("orders_app")
    try:
        sim = FakeSimulation(FakeApi(answer_create_queue))
        with mock_aws(sim):
            orders_app.place("order-1")
        assert sim.fake.calls[1] == ("SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "order-1"})
    finally:
        sys.modules.pop("orders_app", None)


def test_resource_api_is_served() -> None:
    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation == "GetQueueUrl":
            return {"QueueUrl": QUEUE_URL}
        if operation == "GetQueueAttributes":
            return {"Attributes": {"VisibilityTimeout": "30"}}
        return {}

    sim = FakeSimulation(FakeApi(answer))
    with mock_aws(sim):
        queue = boto3.resource("sqs").get_queue_by_name(QueueName="orders")
        assert queue.url == QUEUE_URL
        assert queue.attributes["VisibilityTimeout"] == "30"


def test_decorator_on_a_sync_function_activates_for_each_call() -> None:
    sim = FakeSimulation(FakeApi(answer_create_queue))

    @mock_aws(sim)
    def create() -> str:
        url: str = boto3.client("sqs").create_queue(QueueName="orders")["QueueUrl"]
        return url

    assert create() == QUEUE_URL
    assert create() == QUEUE_URL
    assert len(sim.fake.calls) == 2
    assert botocore.endpoint.Endpoint._send.__module__ == "botocore.endpoint"


def test_decorator_on_an_async_function_stays_active_across_awaits() -> None:
    sim = FakeSimulation(FakeApi(answer_create_queue))

    @mock_aws(sim)
    async def create() -> str:
        await asyncio.sleep(0)
        url: str = boto3.client("sqs").create_queue(QueueName="orders")["QueueUrl"]
        return url

    assert asyncio.run(create()) == QUEUE_URL


def test_bare_decorator_gives_each_call_a_fresh_simulation() -> None:
    seen: list[Any] = []

    @mock_aws
    def call() -> None:
        seen.append(active_simulation())

    call()
    call()
    assert all(isinstance(sim, Simulation) for sim in seen)
    assert seen[0] is not seen[1]
    assert active_simulation() is None


def test_context_manager_without_a_simulation_creates_one() -> None:
    with mock_aws() as sim:
        assert isinstance(sim, Simulation)


def test_nothing_stays_patched_after_the_block() -> None:
    endpoint_send = botocore.endpoint.Endpoint.__dict__["_send"]
    needs_retry = botocore.endpoint.Endpoint.__dict__["_needs_retry"]
    get_response = botocore.endpoint.Endpoint.__dict__["_do_get_response"]
    auth = botocore.signers.RequestSigner.__dict__["get_auth_instance"]
    before = dict(os.environ)
    with mock_aws(FakeSimulation()):
        assert botocore.endpoint.Endpoint.__dict__["_send"] is not endpoint_send
        assert os.environ["AWS_ACCESS_KEY_ID"]
    assert botocore.endpoint.Endpoint.__dict__["_send"] is endpoint_send
    assert botocore.endpoint.Endpoint.__dict__["_needs_retry"] is needs_retry
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is get_response
    assert botocore.signers.RequestSigner.__dict__["get_auth_instance"] is auth
    assert dict(os.environ) == before
    assert boto3.DEFAULT_SESSION is None


def test_patches_are_restored_when_the_block_raises() -> None:
    endpoint_send = botocore.endpoint.Endpoint.__dict__["_send"]
    with pytest.raises(KeyError), mock_aws(FakeSimulation()):
        raise KeyError("boom")
    assert botocore.endpoint.Endpoint.__dict__["_send"] is endpoint_send


def test_after_the_block_clients_go_back_to_the_network_path(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []

    def refuse(self: Any, request: Any) -> Any:
        sent.append(request.url)
        raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)

    sim = FakeSimulation(FakeApi(answer_create_queue))
    with mock_aws(sim):
        sqs = boto3.client("sqs")
        sqs.create_queue(QueueName="orders")
    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", refuse)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    client = boto3.client(
        "sqs", region_name="us-east-1", config=botocore.config.Config(retries={"max_attempts": 0})
    )
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        client.create_queue(QueueName="orders")
    assert sent  # the real send path was taken, not the simulation
    assert len(sim.fake.calls) == 1


def test_nested_blocks_serve_from_the_innermost_simulation() -> None:
    outer = FakeSimulation(FakeApi(answer_create_queue))
    inner = FakeSimulation(FakeApi(answer_create_queue))
    with mock_aws(outer):
        sqs = boto3.client("sqs")
        sqs.create_queue(QueueName="a")
        with mock_aws(inner):
            sqs.create_queue(QueueName="b")
        sqs.create_queue(QueueName="c")
    assert [p["QueueName"] for _, p in outer.fake.calls] == ["a", "c"]
    assert [p["QueueName"] for _, p in inner.fake.calls] == ["b"]


def test_the_same_mock_can_be_entered_again() -> None:
    sim = FakeSimulation(FakeApi(answer_create_queue))
    mocked = mock_aws(sim)
    assert isinstance(mocked, MockAws)
    with mocked:
        boto3.client("sqs").create_queue(QueueName="a")
    with mocked, mocked:
        assert mocked.sim is sim
        boto3.client("sqs").create_queue(QueueName="b")
    assert len(sim.fake.calls) == 2


def test_exiting_more_often_than_entering_is_refused() -> None:
    with pytest.raises(SimulationError):
        mock_aws(FakeSimulation()).__exit__(None, None, None)


def test_mock_aws_refuses_what_is_not_a_simulation() -> None:
    with pytest.raises(SimulationError, match=r"expects an eventbus\.Simulation"):
        mock_aws(42)  # type: ignore[call-overload]


def test_unsupported_service_fails_at_call_time_naming_the_service() -> None:
    with mock_aws(FakeSimulation()):
        dynamodb = boto3.client("dynamodb")  # making the client is fine
        with pytest.raises(UnsupportedServiceError, match="does not simulate 'dynamodb'") as raised:
            dynamodb.list_tables()
    assert raised.value.service == "dynamodb"
    assert isinstance(raised.value, SimulationError)
    assert not isinstance(raised.value, botocore.exceptions.ClientError)
    assert "eventbus.aws.UnsupportedServiceError" in repr(raised.value)


def test_simulated_service_missing_from_the_simulation_fails_clearly() -> None:
    class Bare(Simulation):
        @property
        def sns(self) -> Any:
            return None

    with mock_aws(Bare()), pytest.raises(UnsupportedServiceError, match="no 'sns' service"):
        boto3.client("sns").list_topics()


def test_fake_credentials_and_region_are_supplied_when_none_are_configured() -> None:
    # Amazon's SDKs read credentials and region from these variables:
    # https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    with mock_aws(FakeSimulation()):
        client = boto3.client("sqs")
        credentials = client._request_signer._credentials
        assert credentials is not None
        assert credentials.access_key == os.environ["AWS_ACCESS_KEY_ID"]
        assert client.meta.region_name == "us-east-1"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_region_defaults_to_the_simulations_region() -> None:
    sim = Simulation(region="eu-central-1")
    with mock_aws(sim):
        assert boto3.client("sqs").meta.region_name == "eu-central-1"


def test_configured_credentials_and_region_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_aws(FakeSimulation()):
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALLOOKINGKEY00"
        assert boto3.client("sqs").meta.region_name == "ap-southeast-2"


def test_request_ids_come_from_the_simulations_generator() -> None:
    def request_ids(seed: int) -> list[str]:
        sim = FakeSimulation()
        sim.rng.seed(seed)
        with mock_aws(sim):
            sqs = boto3.client("sqs")
            return [sqs.list_queues()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    assert request_ids(7) == request_ids(7)
    assert len(set(request_ids(7))) == 3


def test_date_header_is_the_simulations_time() -> None:
    sim = FakeSimulation()
    with mock_aws(sim):
        sim.advance(90)
        headers = boto3.client("sqs").list_queues()["ResponseMetadata"]["HTTPHeaders"]
    assert headers["date"] == "Mon, 01 Jan 2024 00:01:30 GMT"


def test_public_names_of_eventbus_aws() -> None:
    import eventbus.aws

    assert isinstance(eventbus.aws.__all__, tuple)
    for name in eventbus.aws.__all__:
        assert hasattr(eventbus.aws, name)
    assert set(eventbus.aws.SIMULATED_SERVICES) == {"sqs", "sns", "events", "scheduler", "lambda"}


def test_a_request_sent_without_botocores_usual_path_is_routed_from_the_wire() -> None:
    # X-Amz-Target names a JSON-protocol operation:
    # https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]

    sim = FakeSimulation(FakeApi(lambda operation, params: {"QueueUrls": [QUEUE_URL]}))
    with mock_aws(sim):
        client = boto3.client("sqs")
        request = AWSRequest(
            method="POST",
            url="https://sqs.us-east-1.amazonaws.com/",
            headers={"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"},
            data=b'{"QueueNamePrefix": "ord"}',
        ).prepare()
        response = client._endpoint._send(request)
    assert response.status_code == 200
    assert sim.fake.calls == [("ListQueues", {"QueueNamePrefix": "ord"})]
