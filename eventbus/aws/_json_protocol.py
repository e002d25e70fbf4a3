"""The AWS JSON 1.0 / 1.1 protocol (SQS, EventBridge), and the JSON bodies rest-json shares.

A request is ``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` and a JSON body of the
input shape; blobs travel as base64 text and timestamps as epoch seconds unless the model names
another format. A response is the output shape as JSON with an ``x-amzn-RequestId`` header; an error
is ``{"__type": ..., "message": ...}`` with its HTTP status. A service that moved from the query
protocol (SQS) also sends ``x-amzn-query-error: <query code>;<Sender|Receiver>`` so that SDKs keep
reporting the old error codes.

https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..errors import ServiceError
from ..services._wire_ready import WireReady
from ._shapes import (
    Convert,
    ConverterCache,
    decode_blob,
    decode_timestamp,
    encode_timestamp,
)
from ._wire import WireRequest, WireResponse

__all__ = ("JsonBody", "JsonOperation", "JsonProtocol", "query_compatible_codes")

_json_decode = msgspec.json.decode
_json_encode = msgspec.json.Encoder().encode


def _float_from_wire(value: Any) -> Any:
    return float(value) if isinstance(value, str) else value


def _float_to_wire(value: Any) -> Any:
    if value != value:  # NaN
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _blob_to_wire(value: Any) -> Any:
    # msgspec writes bytes as base64 text, as AWS does.
    return value.encode("utf-8") if isinstance(value, str) else value


class JsonBody:
    """Compiled converters between botocore's Python values and JSON documents, for one service.

    ``decoder(shape)`` turns a decoded JSON value into what botocore's serializer was given
    (bytes for blobs, aware datetimes for timestamps, member names for renamed members);
    ``encoder(shape)`` turns what a service returned into a JSON-ready value. Either is ``None``
    when the shape's values pass through unchanged.
    """

    def __init__(self, default_timestamp_format: str = "unixTimestamp") -> None:
        self._default_timestamp_format = default_timestamp_format
        self._decoders = ConverterCache()
        self._encoders = ConverterCache()
        #: The decoders that convert a JSON object in place, with the members they convert.
        self._in_place: dict[Convert, frozenset[str]] = {}
        #: The structure encoders that return an object holding none of these members and no null
        #: as it is, with the members.
        self._unchanged_without: dict[Convert, frozenset[str]] = {}

    # ------------------------------------------------------------ decoding
    def decoder(self, shape: Any) -> Convert | None:
        result: Convert | None = self._decoders.get(shape, self._compile_decoder)
        return result

    def decode_members(self, shape: Any, members: dict[str, Any]) -> Convert | None:
        """A decoder for a structure restricted to ``members`` (rest-json: the body members)."""
        renames: dict[str, str] = {}
        converters: dict[str, Convert] = {}
        for name, member in members.items():
            wire = member.serialization.get("name", name)
            if wire != name:
                renames[wire] = name
            converter = self.decoder(member)
            if converter is not None:
                converters[wire] = converter
        if not renames and not converters:
            return None
        if not renames:
            # The value is a freshly decoded JSON object (a request's body): converted in place.
            converting = tuple(converters.items())

            def decode_in_place(value: dict[str, Any]) -> dict[str, Any]:
                for key, converter in converting:
                    item = value.get(key)
                    if item is not None:
                        value[key] = converter(item)
                return value

            self._in_place[decode_in_place] = frozenset(converters)
            return decode_in_place
        get_name = renames.get
        get_converter = converters.get

        def decode_structure(value: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, item in value.items():
                converter = get_converter(key)
                out[get_name(key, key)] = (
                    converter(item) if converter is not None and item is not None else item
                )
            return out

        return decode_structure

    def _compile_decoder(self, shape: Any) -> Convert | None:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return None
            return self.decode_members(shape, shape.members)
        if kind == "list":
            item = self.decoder(shape.member)
            if item is None:
                return None
            keys = self._in_place.get(item)
            if keys is not None:
                # Structures converted in place: the list too; an item holding none of the members
                # to convert is left alone (a batch entry without message attributes, say).
                def decode_list_in_place(value: list[Any]) -> list[Any]:
                    for v in value:
                        if v is not None and (type(v) is not dict or not keys.isdisjoint(v)):
                            item(v)
                    return value

                return decode_list_in_place
            return lambda value: [item(v) if v is not None else v for v in value]
        if kind == "map":
            key_converter = self.decoder(shape.key)
            value_converter = self.decoder(shape.value)
            if value_converter is None and key_converter is None:
                return None
            kc = key_converter or _identity
            vc = value_converter or _identity
            return lambda value: {kc(k): vc(v) if v is not None else v for k, v in value.items()}
        if kind == "blob":
            return decode_blob
        if kind == "timestamp":
            return decode_timestamp
        if kind in ("float", "double"):
            return _float_from_wire
        return None

    # ------------------------------------------------------------ encoding
    def encoder(self, shape: Any) -> Convert | None:
        result: Convert | None = self._encoders.get(shape, self._compile_encoder)
        return result

    def encode_members(self, members: dict[str, Any]) -> Convert | None:
        """An encoder for a structure restricted to ``members`` (rest-json: the body members)."""
        renames: dict[str, str] = {}
        converters: dict[str, Convert] = {}
        for name, member in members.items():
            wire = member.serialization.get("name", name)
            if wire != name:
                renames[name] = wire
            converter = self.encoder(member)
            if converter is not None:
                converters[name] = converter
        if not renames and not converters:
            return None  # a null member is skipped by every JSON parser, as an absent one
        get_name = renames.get
        get_converter = converters.get
        converted = tuple(converters) if not renames else None

        def encode_structure(value: dict[str, Any]) -> dict[str, Any]:
            if converted is not None and (all(value.values()) or None not in value.values()):
                for key in converted:
                    if key in value:
                        break
                else:
                    return value  # nothing to convert, rename or leave out: written as it is
            out: dict[str, Any] = {}
            for key, item in value.items():
                if item is None:
                    continue
                converter = get_converter(key)
                out[get_name(key, key)] = converter(item) if converter is not None else item
            return out

        if converted is not None:
            self._unchanged_without[encode_structure] = frozenset(converted)
        return encode_structure

    def _compile_encoder(self, shape: Any) -> Convert | None:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return None
            return self.encode_members(shape.members)
        if kind == "list":
            item = self.encoder(shape.member)
            if item is None:
                return None
            members = self._unchanged_without.get(item)
            if members is not None:
                # Structures that stay as they are unless they hold a member to convert or a null:
                # a list of such is written as it is (received messages without attributes, say).
                # (All values truthy: none is None, tested cheaply first; one member: one lookup.)
                if len(members) == 1:
                    (member,) = members

                    def encode_list(value: list[Any]) -> list[Any]:
                        for v in value:
                            if type(v) is not dict or member in v or not (all(v.values()) or None not in v.values()):
                                return [item(v) if v is not None else v for v in value]
                        return value

                else:

                    def encode_list(value: list[Any]) -> list[Any]:
                        for v in value:
                            if type(v) is not dict or not members.isdisjoint(v) or not (all(v.values()) or None not in v.values()):
                                return [item(v) if v is not None else v for v in value]
                        return value

                return encode_list
            return lambda value: [item(v) if v is not None else v for v in value]
        if kind == "map":
            value_converter = self.encoder(shape.value)
            if value_converter is None:
                return None
            return lambda value: {k: value_converter(v) if v is not None else v for k, v in value.items()}
        if kind == "blob":
            return _blob_to_wire
        if kind == "timestamp":
            fmt = shape.serialization.get("timestampFormat", self._default_timestamp_format)
            return lambda value: encode_timestamp(value, fmt)
        if kind in ("float", "double"):
            return _float_to_wire
        return None


def _identity(value: Any) -> Any:
    return value


def query_compatible_codes(service_model: Any, error: ServiceError) -> tuple[str, str]:
    """The JSON ``__type`` code and the query-protocol code of an error of a query-compatible service.

    A service error may carry both (``code`` the modeled shape name such as ``QueueDoesNotExist``,
    ``query_code`` the legacy code such as ``AWS.SimpleQueueService.NonExistentQueue``). When it
    carries only one, the other is found from the model: a legacy ``AWS.<Service>.<Name>`` code
    maps to the modeled error shape ``<Name>`` where one exists.
    """
    code = error.code
    query_code = getattr(error, "query_code", None)
    if isinstance(query_code, str) and query_code:
        return code, query_code
    modeled = _modeled_error_names(service_model)
    if code in modeled:
        return code, code
    tail = code.rsplit(".", 1)[-1]
    shape_name = _LEGACY_SHAPE_NAMES.get(tail, tail)
    if shape_name in modeled:
        return shape_name, code
    return code, code


#: Legacy SQS query codes whose modeled exception has another name.
_LEGACY_SHAPE_NAMES = {"NonExistentQueue": "QueueDoesNotExist", "QueueAlreadyExists": "QueueNameExists"}

_ERROR_NAMES: dict[str, frozenset[str]] = {}


def _modeled_error_names(service_model: Any) -> frozenset[str]:
    key = f"{service_model.service_name}/{service_model.api_version}"
    names = _ERROR_NAMES.get(key)
    if names is None:
        names = frozenset(shape.name for shape in service_model.error_shapes)
        _ERROR_NAMES[key] = names
    return names


class _Operation:
    """The compiled converters of one operation (``JsonProtocol._operation``)."""

    __slots__ = ("decode", "encode", "has_output", "name")

    def __init__(self, name: str, decode: Convert | None, encode: Convert | None, has_output: bool) -> None:
        self.name = name
        self.decode = decode
        self.encode = encode
        self.has_output = has_output


JsonOperation = _Operation


class JsonProtocol:
    """Requests and responses of one JSON-protocol service model (``json``, versions 1.0 and 1.1)."""

    #: Whether decoding reads the URI, query string and headers (not only the body).
    reads_http = False

    def __init__(self, service_model: Any) -> None:
        self.service_model = service_model
        metadata = service_model.metadata
        self.content_type = f"application/x-amz-json-{metadata.get('jsonVersion', '1.0')}"
        self.target_prefix: str = metadata.get("targetPrefix", "")
        self.query_compatible = "awsQueryCompatible" in metadata
        # SQS names its error types with the Smithy namespace, as its documentation shows.
        self.type_namespace = "com.amazonaws.sqs#" if service_model.service_name == "sqs" else ""
        self._body = JsonBody()
        self._operations: dict[str, _Operation] = {}

    def operation_name(self, request: WireRequest) -> str | None:
        """The operation a request names in its ``X-Amz-Target`` header."""
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        return name if prefix == self.target_prefix and name else None

    def _operation(self, operation_model: Any) -> _Operation:
        """The converters of ``operation_model``, compiled on first use (by operation name)."""
        name: str = operation_model.name
        op = self._operations.get(name)
        if op is None:
            input_shape = operation_model.input_shape
            output_shape = operation_model.output_shape
            op = _Operation(
                name,
                self._body.decoder(input_shape) if input_shape is not None else None,
                self._body.encoder(output_shape) if output_shape is not None else None,
                output_shape is not None,
            )
            self._operations[name] = op
        return op

    def decode_request(self, operation_model: Any, request: WireRequest) -> dict[str, Any]:
        return self.decode_body(self._operation(operation_model), request.body)

    def decode_body(self, op: _Operation, body: bytes) -> dict[str, Any]:
        """The parameters of a request body of operation ``op`` (see ``_operation``)."""
        params: dict[str, Any] = _json_decode(body) if body else {}
        if not isinstance(params, dict):
            raise ValueError("the JSON body of a request must be an object")
        return op.decode(params) if op.decode is not None else params

    def answer(self, op: _Operation, body: bytes, api: Any) -> bytes:
        """The body of the response to a request body of ``op``: decoded, answered by
        ``api.call(name, params)``, encoded (``decode_body`` then ``encode_body``, in one frame)."""
        params: dict[str, Any] = _json_decode(body) if body else {}
        if not isinstance(params, dict):
            raise ValueError("the JSON body of a request must be an object")
        result = api.call(op.name, op.decode(params) if op.decode is not None else params)
        if result is None:
            result = {}
        if op.encode is not None and type(result) is not WireReady:  # (WireReady: already as written)
            result = op.encode(result)
        return _json_encode(result) if op.has_output else b"{}"

    def encode_result(self, operation_model: Any, result: dict[str, Any], request_id: str) -> WireResponse:
        return WireResponse(
            200,
            {"x-amzn-RequestId": request_id, "Content-Type": self.content_type},
            self.encode_body(self._operation(operation_model), result),
        )

    def encode_body(self, op: _Operation, result: dict[str, Any]) -> bytes:
        """The body of a successful response of operation ``op`` (its headers: ``encode_result``)."""
        if op.encode is not None and type(result) is not WireReady:
            result = op.encode(result)
        return _json_encode(result) if op.has_output else b"{}"

    def encode_error(self, error: ServiceError, request_id: str) -> WireResponse:
        headers = {"x-amzn-RequestId": request_id, "Content-Type": self.content_type}
        code = error.code
        if self.query_compatible:
            code, query_code = query_compatible_codes(self.service_model, error)
            fault = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{query_code};{fault}"
        body = _json_encode({"__type": self.type_namespace + code, "message": error.message})
        return WireResponse(error.status, headers, body)
