"""What mock_aws remembers of botocore's own work changes nothing a client or a handler can see.

Each memoized step (eventbus/aws/_botocore_memo.py, _transport.py) is checked against botocore
computing it afresh, and the events around it are checked to fire on every call.
"""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from botocore.regions import EndpointRulesetResolver  # type: ignore[import-untyped]

from eventbus import Simulation
from eventbus.aws import _transport, mock_aws


def _original_provider_params() -> Any:
    return _transport._originals[(EndpointRulesetResolver, "_get_provider_params")]


def test_before_endpoint_resolution_fires_on_every_call_and_its_changes_count() -> None:
    # botocore's documented hook for endpoint builtins: handlers change them in place.
    # https://github.com/boto/botocore/blob/develop/botocore/regions.py (_get_customized_builtins)
    fired: list[str] = []
    urls: list[str] = []

    def customize(builtins: dict[str, Any], **kwargs: Any) -> None:
        fired.append(kwargs["model"].name)
        if len(fired) >= 3:
            builtins["SDK::Endpoint"] = "http://localhost:4566"

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.meta.events.register("before-endpoint-resolution.sqs", customize)
        sqs.meta.events.register("before-send.sqs", lambda request, **_: urls.append(request.url))
        for _ in range(4):
            sqs.list_queues()
    assert fired == ["ListQueues"] * 4
    assert urls == ["https://sqs.us-east-1.amazonaws.com/"] * 2 + ["http://localhost:4566/"] * 2


@pytest.mark.parametrize(
    ("service", "operation", "args"),
    [
        ("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}),
        ("sqs", "ListQueues", {}),
        ("events", "PutEvents", {"Entries": [], "EndpointId": "abcde.veo"}),
        ("events", "PutEvents", {"Entries": []}),
        ("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
    ],
)
def test_endpoint_parameters_are_botocores_on_first_and_later_calls(
    service: str, operation: str, args: dict[str, Any]
) -> None:
    with mock_aws():
        client = boto3.client(service, region_name="eu-west-1")
        resolver = client._ruleset_resolver
        model = client.meta.service_model.operation_model(operation)
        fresh = _original_provider_params()(resolver, model, args, {})
        for _ in range(3):
            assert resolver._get_provider_params(model, args, {}) == fresh


def test_endpoint_feature_ids_are_registered_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore registers a User-Agent feature id per endpoint parameter it resolves; a remembered
    # answer registers the same ones again.
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        resolver = sqs._ruleset_resolver
        registered: list[tuple[str, Any]] = []
        monkeypatch.setattr(resolver, "_register_endpoint_feature_ids", lambda name, value: registered.append((name, value)))
        model = sqs.meta.service_model.operation_model("ListQueues")
        first = resolver._get_provider_params(model, {}, {})
        once = list(registered)
        second = resolver._get_provider_params(model, {}, {})
    assert first == second
    assert once == list(first.items())
    assert registered == once * 2


def test_a_callable_builtin_is_called_on_every_call() -> None:
    # botocore calls a callable builtin each time (the account id builtin resolves credentials).
    calls: list[int] = []

    def region() -> str:
        calls.append(1)
        return "us-west-2"

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.meta.events.register(
            "before-endpoint-resolution.sqs", lambda builtins, **_: builtins.__setitem__("AWS::Region", region)
        )
        model = sqs.meta.service_model.operation_model("ListQueues")
        for _ in range(2):
            assert sqs._ruleset_resolver._get_provider_params(model, {}, {})["Region"] == "us-west-2"
    assert len(calls) == 2


def test_nothing_of_the_memo_stays_patched_or_remembered_after_the_block() -> None:
    from eventbus.aws import _botocore_memo

    before = {key: key[0].__dict__[key[1]] for key in _botocore_memo.MEMO_PATCHES}
    with mock_aws():
        boto3.client("sqs", region_name="us-east-1").list_queues()
        assert all(key[0].__dict__[key[1]] is not original for key, original in before.items())
        assert _botocore_memo._user_agents
    assert all(key[0].__dict__[key[1]] is original for key, original in before.items())
    assert not _botocore_memo._user_agents
    assert not _botocore_memo._params
    assert not _botocore_memo._endpoints


def test_response_content_is_the_body_and_raw_is_read_as_after_urllib3() -> None:
    # botocore reads the whole body of a non-streaming response (AWSResponse.content); the raw
    # stream is then exhausted, as urllib3's is.
    seen: list[tuple[bytes, bytes]] = []

    def after_call(http_response: Any, **_: Any) -> None:
        seen.append((http_response.content, http_response.raw.read()))

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.meta.events.register("after-call.sqs", after_call)
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert seen == [(b'{"QueueUrl":"' + url.encode() + b'"}', b"")]


def test_date_header_follows_the_clock_between_calls() -> None:
    sim = Simulation()
    with mock_aws(sim):
        sqs = boto3.client("sqs", region_name="us-east-1")
        dates = []
        for _ in range(2):
            dates.append(sqs.list_queues()["ResponseMetadata"]["HTTPHeaders"]["date"])
            dates.append(sqs.list_queues()["ResponseMetadata"]["HTTPHeaders"]["date"])
            sim.advance(1.5)
    assert dates[0] == dates[1] != dates[2] == dates[3]


def _user_agents_sent(setup: Any = None, calls: int = 3) -> list[tuple[str, str]]:
    """(header sent, what botocore builds afresh at that moment) for each call."""
    from botocore.useragent import UserAgentString

    seen: list[tuple[str, str]] = []
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        fresh = _transport._originals[(UserAgentString, "to_string")]
        sqs.meta.events.register(
            "before-send.sqs",
            lambda request, **_: seen.append(
                (request.headers["User-Agent"].decode(), fresh(sqs._user_agent_creator))
            ),
        )
        if setup is not None:
            setup(sqs)
        for _ in range(calls):
            sqs.list_queues()
    return seen


def test_user_agent_is_the_one_botocore_builds() -> None:
    # botocore's User-Agent 2.1 header: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ua.html
    seen = _user_agents_sent()
    assert all(sent == fresh for sent, fresh in seen)
    assert seen[0][0].startswith("Boto3/")


def test_user_agent_carries_a_feature_registered_during_one_call_only() -> None:
    from botocore.useragent import register_feature_id  # type: ignore[import-untyped]

    count = {"calls": 0}

    def on_second_call(**_: Any) -> None:
        count["calls"] += 1
        if count["calls"] == 2:
            register_feature_id("WAITER")

    seen = _user_agents_sent(lambda sqs: sqs.meta.events.register("before-parameter-build.sqs", on_second_call))
    features = [sent.split(" m/")[1].split(" ")[0].split(",") for sent, _ in seen]
    assert ["B" in f for f in features] == [False, True, False]  # WAITER is "B"
    assert all(sent == fresh for sent, fresh in seen)


def test_user_agent_of_a_customized_modify_components_is_built_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.useragent  # type: ignore[import-untyped]

    stamps = iter(range(100))

    def modify(components: list[Any]) -> list[Any]:
        return [*components, botocore.useragent.RawStringUserAgentComponent(f"stamp/{next(stamps)}")]

    monkeypatch.setattr(botocore.useragent, "modify_components", modify)
    seen = _user_agents_sent(calls=2)
    stamps_sent = [sent.rsplit(" ", 1)[1] for sent, _ in seen]
    assert len(set(stamps_sent)) == 2  # a new stamp on each call: nothing remembered


@pytest.mark.parametrize(
    ("service", "operation", "args"),
    [
        ("sqs", "ReceiveMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}),
        ("events", "PutEvents", {"Entries": [], "EndpointId": "abcde.veo"}),
        ("events", "PutEvents", {"Entries": []}),
        ("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
        ("lambda", "Invoke", {"FunctionName": "f"}),
    ],
)
def test_constructed_endpoints_are_botocores_with_a_fresh_headers_dict_each_time(
    service: str, operation: str, args: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with mock_aws():
        client = boto3.client(service, region_name="eu-west-1")
        resolver = client._ruleset_resolver
        model = client.meta.service_model.operation_model(operation)
        fresh = _transport._originals[(EndpointRulesetResolver, "construct_endpoint")]
        expected = fresh.__get__(resolver)(model, args, {})
        with caplog.at_level("DEBUG", logger="botocore.regions"):
            results = [resolver.construct_endpoint(model, args, {}) for _ in range(3)]
    assert all(result == expected for result in results)
    assert len({id(result.headers) for result in results}) == 3
    messages = [r.getMessage() for r in caplog.records if r.name == "botocore.regions"]
    assert sum(m.startswith("Calling endpoint provider with parameters") for m in messages) == 3
    assert sum(m.startswith("Endpoint provider result") for m in messages) == 3


def test_a_failing_endpoint_resolution_raises_botocores_error_every_time() -> None:
    # A FIPS endpoint with a custom endpoint URL is refused by every ruleset.
    import botocore.exceptions  # type: ignore[import-untyped]

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.meta.events.register("before-endpoint-resolution.sqs", lambda builtins, **_: builtins.update({"AWS::UseFIPS": True, "SDK::Endpoint": "http://localhost:1"}))
        for _ in range(2):
            with pytest.raises(botocore.exceptions.BotoCoreError):
                sqs.list_queues()


def test_a_botocore_without_the_internals_gets_no_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memos call private botocore methods; a botocore that renamed one is served without them."""
    from botocore.useragent import UserAgentString  # type: ignore[import-untyped]

    from eventbus.aws import _botocore_memo

    assert _botocore_memo._supported()
    monkeypatch.delattr(UserAgentString, "_get_static_parts")
    assert not _botocore_memo._supported()


def test_clients_called_in_turn_each_get_their_own_endpoints() -> None:
    # The memo keeps the last resolver at hand; calls alternating between two clients (two
    # regions) must still each be answered from their own client's parameters.
    from eventbus.aws import _botocore_memo

    urls: list[str] = []
    with mock_aws():
        clients = [boto3.client("sqs", region_name=region) for region in ("us-east-1", "eu-west-1")]
        for client in clients:
            client.meta.events.register("before-send.sqs", lambda request, **_: urls.append(request.url))
        for _ in range(3):
            for client in clients:
                client.list_queues()
    assert urls == ["https://sqs.us-east-1.amazonaws.com/", "https://sqs.eu-west-1.amazonaws.com/"] * 3
    assert _botocore_memo._last is None  # forgotten with the rest when the block exits


def test_an_endpoint_handed_out_is_replace_with_a_fresh_headers_dict() -> None:
    from collections import namedtuple

    from botocore.endpoint_provider import RuleSetEndpoint  # type: ignore[import-untyped]

    from eventbus.aws._botocore_memo import _with_fresh_headers

    endpoint = RuleSetEndpoint(url="https://x", properties={"authSchemes": []}, headers={"h": "v"})
    other_shape = namedtuple("other_shape", ["headers", "url", "extra"])(headers={"h": "v"}, url="u", extra=1)
    for given in (endpoint, other_shape):
        fresh = _with_fresh_headers(given)
        assert fresh == given._replace(headers=dict(given.headers))
        assert type(fresh) is type(given)
        assert fresh.headers == given.headers
        assert fresh.headers is not given.headers
