"""Every operation of sqs (json 1.0), events (json 1.1), sns (query), scheduler and lambda (rest-json):

* requests: botocore's own serializer writes the wire request of drawn parameters; our decoder must
  give back exactly those parameters, and our router must name the operation from the wire alone;
* responses: our encoder writes the wire response of drawn results; botocore's own parser must read
  back exactly those results.

The wire formats are the ones the Smithy AWS protocol specifications define:
https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
"""

from __future__ import annotations

import io
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.awsrequest import AWSPreparedRequest, HeadersDict, create_request_object, prepare_request_dict  # type: ignore[import-untyped]
from botocore.parsers import create_parser  # type: ignore[import-untyped]
from botocore.response import StreamingBody  # type: ignore[import-untyped]
from botocore.serialize import create_serializer  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventbus.aws._transport import _codec, _wire_request

from ._shape_values import input_params, output_values

SERVICES = ("sqs", "events", "sns", "scheduler", "lambda")
_session = botocore.session.get_session()
MODELS = {name: _session.get_service_model(name) for name in SERVICES}

OPERATIONS = [
    pytest.param(service, name, id=f"{service}.{name}")
    for service, model in MODELS.items()
    for name in model.operation_names
    if not model.operation_model(name).has_event_stream_output
]

ROUND_TRIP = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def wire_request(service: str, operation: str, params: dict[str, Any]) -> AWSPreparedRequest:
    """The request a botocore client would send for ``params`` (its serializer, its URL joining)."""
    model = MODELS[service]
    operation_model = model.operation_model(operation)
    request_dict = create_serializer(model.resolved_protocol, include_validation=False).serialize_to_request(
        params, operation_model
    )
    request_dict["context"] = {}
    prepare_request_dict(
        request_dict, endpoint_url=f"https://{model.endpoint_prefix}.us-east-1.amazonaws.com"
    )
    return create_request_object(request_dict).prepare()


def parse_response(service: str, operation: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    """What botocore's parser makes of a response (without the metadata it adds)."""
    model = MODELS[service]
    operation_model = model.operation_model(operation)
    content: Any = body
    if operation_model.has_streaming_output and status < 300:
        content = StreamingBody(io.BytesIO(body), len(body))  # as botocore's endpoint hands it over
    response = {"status_code": status, "headers": HeadersDict(headers), "body": content, "context": {}}
    parsed = create_parser(model.resolved_protocol).parse(response, operation_model.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@ROUND_TRIP
@given(data=st.data())
def test_request_decodes_to_the_parameters_botocore_serialized(
    service: str, operation: str, data: Any
) -> None:
    operation_model = MODELS[service].operation_model(operation)
    params = data.draw(input_params(operation_model), label="params")
    prepared = wire_request(service, operation, params)
    codec = _codec(MODELS[service])
    wire = _wire_request(prepared)
    assert codec.operation_name(wire) == operation
    assert codec.decode_request(operation_model, wire) == params


def _streaming_payload(operation_model: Any) -> str | None:
    shape = operation_model.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload is not None and shape.members[payload].type_name in ("blob", "string"):
        return str(payload)
    return None


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@ROUND_TRIP
@given(data=st.data())
def test_response_parses_to_the_result_the_service_returned(service: str, operation: str, data: Any) -> None:
    operation_model = MODELS[service].operation_model(operation)
    result = data.draw(output_values(operation_model), label="result")
    codec = _codec(MODELS[service])
    response = codec.encode_result(operation_model, result, "11111111-2222-4333-8444-555555555555")
    parsed = parse_response(service, operation, response.status, response.headers, response.body)
    payload = _streaming_payload(operation_model)
    if payload is not None:
        # botocore hands a streamed payload (Lambda Invoke's) to the caller as a stream to read.
        assert parsed.pop(payload).read() == result.get(payload, b"")
        result = {k: v for k, v in result.items() if k != payload}
    assert parsed == result
