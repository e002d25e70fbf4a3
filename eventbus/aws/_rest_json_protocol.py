"""The AWS rest-json protocol (Lambda, EventBridge Scheduler).

Each operation has an HTTP method and a URI template (``/2015-03-31/functions/{FunctionName}``);
input members are bound to URI labels, query-string parameters, headers, or the JSON body (or, when
the model names a ``payload`` member, the raw body). A response carries the modeled status code,
header members, and the JSON body (or the raw payload, as Lambda's ``Invoke`` does). An error has the
error code in the ``x-amzn-ErrorType`` header and the message in the JSON body.

https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

import msgspec

from ..errors import ServiceError
from ._json_protocol import JsonBody
from ._shapes import Convert, decode_blob, decode_timestamp, encode_blob_text, encode_timestamp
from ._wire import WireRequest, WireResponse

__all__ = ("RestJsonProtocol",)

_json_decode = msgspec.json.decode
_json_encode = msgspec.json.Encoder().encode
_LABEL = re.compile(r"\{([^}]+)\}")


def _text_reader(shape: Any, default_timestamp_format: str) -> Callable[[str], Any]:
    """Reads a scalar carried as text (URI label, query parameter or header)."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int
    if kind in ("float", "double"):
        return float
    if kind == "boolean":
        return lambda text: text.lower() == "true"
    if kind == "timestamp":
        return decode_timestamp
    if kind == "blob":
        return decode_blob
    if shape.serialization.get("jsonvalue"):
        return lambda text: json.loads(base64.b64decode(text).decode("utf-8"))
    return str


def _list_reader(item: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    return lambda text: [item(t) for t in _split_header_list(text)]


def _split_header_list(text: str) -> list[str]:
    """A comma-separated header list; items with commas or quotes are quoted (RFC 7230)."""
    items: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(text[i])
                i += 1
            items.append("".join(chars))
            i = text.find(",", i)
            i = n if i < 0 else i + 1
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            items.append(text[i:end].strip())
            i = end + 1
    return items


def _text_writer(shape: Any, default_timestamp_format: str) -> Callable[[Any], str]:
    """Writes a scalar as header text."""
    kind = shape.type_name
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", default_timestamp_format)
        return lambda value: str(encode_timestamp(value, fmt))
    if kind == "blob":
        return encode_blob_text
    if kind == "list":
        item = _text_writer(shape.member, default_timestamp_format)

        def write_list(value: list[Any]) -> str:
            texts = [item(v) for v in value if v is not None]
            return ",".join('"' + t.replace('"', '\\"') + '"' if ('"' in t or "," in t) else t for t in texts)

        return write_list
    if shape.serialization.get("jsonvalue"):
        return lambda value: base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    return str


class _Operation:
    """What one rest-json operation needs, compiled once."""

    def __init__(self, operation_model: Any, body: JsonBody) -> None:
        http = operation_model.http
        self.name: str = operation_model.name
        self.method: str = http.get("method", "POST")
        self.status: int = http.get("responseCode", 200)
        template: str = http.get("requestUri", "/")
        path_template, _, literal_query = template.partition("?")
        self.literal_query = {k for k, _ in parse_qsl(literal_query, keep_blank_values=True)}
        self.labels: dict[str, tuple[str, Callable[[str], Any]]] = {}
        self.query: dict[str, tuple[str, Callable[[str], Any], bool]] = {}
        self.query_map: str | None = None
        self.headers: dict[str, tuple[str, Callable[[str], Any]]] = {}
        self.header_maps: list[tuple[str, str]] = []
        self.payload: tuple[str, str, Convert | None] | None = None
        self.body: Convert | None = None
        self.has_body_members = False
        shape = operation_model.input_shape
        pattern = self._compile_path(path_template, shape)
        self.path_pattern = re.compile(pattern)
        if shape is not None:
            self._compile_input(shape, body)
        self._compile_output(operation_model.output_shape, body)

    def _compile_path(self, path_template: str, shape: Any) -> str:
        members = shape.members if shape is not None else {}
        by_label = {m.serialization.get("name", n): (n, m) for n, m in members.items()}
        pattern: list[str] = ["^"]
        last = 0
        for index, match in enumerate(_LABEL.finditer(path_template)):
            pattern.append(re.escape(path_template[last : match.start()]))
            label = match.group(1)
            greedy = label.endswith("+")
            label = label.rstrip("+")
            group = f"g{index}"
            pattern.append(f"(?P<{group}>.+)" if greedy else f"(?P<{group}>[^/]+)")
            name, member = by_label[label]
            self.labels[group] = (name, _text_reader(member, "iso8601"))
            last = match.end()
        pattern.append(re.escape(path_template[last:]))
        pattern.append("$")
        return "".join(pattern)

    def _compile_input(self, shape: Any, body: JsonBody) -> None:
        body_members: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                continue
            if location == "querystring":
                if member.type_name == "map":
                    self.query_map = name
                elif member.type_name == "list":
                    self.query[wire] = (name, _text_reader(member.member, "iso8601"), True)
                else:
                    self.query[wire] = (name, _text_reader(member, "iso8601"), False)
            elif location == "header":
                if member.type_name == "list":
                    self.headers[wire.lower()] = (name, _list_reader(_text_reader(member.member, "rfc822")))
                else:
                    self.headers[wire.lower()] = (name, _text_reader(member, "rfc822"))
            elif location == "headers":
                self.header_maps.append((name, wire.lower()))
            else:
                body_members[name] = member
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            self.payload = (
                payload,
                member.type_name,
                body.decoder(member) if member.type_name not in ("blob", "string") else None,
            )
        elif body_members:
            self.has_body_members = True
            self.body = body.decode_members(shape, body_members)

    def _compile_output(self, shape: Any, body: JsonBody) -> None:
        self.out_status_member: str | None = None
        self.out_headers: dict[str, tuple[str, Callable[[Any], str]]] = {}
        self.out_header_maps: dict[str, str] = {}
        self.out_payload: tuple[str, str, Convert | None] | None = None
        self.out_body: Convert | None = None
        self.out_body_members: frozenset[str] = frozenset()
        self.has_output = shape is not None
        if shape is None:
            return
        body_members: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "statusCode":
                self.out_status_member = name
            elif location == "header":
                self.out_headers[name] = (wire, _text_writer(member, "rfc822"))
            elif location == "headers":
                self.out_header_maps[name] = wire
            else:
                body_members[name] = member
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            self.out_payload = (
                payload,
                member.type_name,
                body.encoder(member) if member.type_name not in ("blob", "string") else None,
            )
        else:
            self.out_body_members = frozenset(body_members)
            self.out_body = body.encode_members(body_members)

    # ------------------------------------------------------------ requests
    def decode(self, request: WireRequest) -> dict[str, Any]:
        params: dict[str, Any] = {}
        match = self.path_pattern.match(request.path)
        if match is None:
            raise ValueError(f"{request.method} {request.path} does not match operation {self.name}")
        for group, (name, read) in self.labels.items():
            params[name] = read(unquote(match.group(group)))
        if request.query:
            leftovers: dict[str, Any] = {}
            for key, value in parse_qsl(request.query, keep_blank_values=True):
                spec = self.query.get(key)
                if spec is not None:
                    name, read, is_list = spec
                    if is_list:
                        params.setdefault(name, []).append(read(value))
                    else:
                        params[name] = read(value)
                elif self.query_map is not None and key not in self.literal_query:
                    existing = leftovers.get(key)
                    if existing is None:
                        leftovers[key] = value
                    elif isinstance(existing, list):
                        existing.append(value)
                    else:
                        leftovers[key] = [existing, value]
            if self.query_map is not None and leftovers:
                params[self.query_map] = leftovers
        headers = request.headers
        for header, (name, read) in self.headers.items():
            text = headers.get(header)
            if text is not None:
                params[name] = read(text)
        for name, prefix in self.header_maps:
            found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            if found:
                params[name] = found
        body = request.body
        if self.payload is not None:
            name, kind, decode = self.payload
            if kind == "blob":
                if body:
                    params[name] = body
            elif kind == "string":
                if body:
                    params[name] = body.decode("utf-8")
            elif body:
                value = _json_decode(body)
                if value:  # botocore sends an absent structure payload as {}
                    params[name] = decode(value) if decode is not None else value
        elif self.has_body_members and body:
            document = _json_decode(body)
            if document:
                params.update(self.body(document) if self.body is not None else document)
        return params

    # ----------------------------------------------------------- responses
    def encode(self, result: dict[str, Any], request_id: str) -> WireResponse:
        status = self.status
        headers: dict[str, str] = {"x-amzn-RequestId": request_id}
        if self.out_status_member is not None:
            value = result.get(self.out_status_member)
            if value is not None:
                status = int(value)
        for name, (wire, write) in self.out_headers.items():
            value = result.get(name)
            if value is not None:
                headers[wire] = write(value)
        for name, prefix in self.out_header_maps.items():
            value = result.get(name)
            if value:
                for key, text in value.items():
                    headers[prefix + key] = str(text)
        body = b""
        if self.out_payload is not None:
            name, kind, encode = self.out_payload
            value = result.get(name)
            if kind == "blob":
                if value is not None:
                    body = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                headers["Content-Type"] = "application/octet-stream"
            elif kind == "string":
                if value is not None:
                    body = value.encode("utf-8")
                headers["Content-Type"] = "text/plain"
            else:
                if value is not None:
                    body = _json_encode(encode(value) if encode is not None else value)
                headers["Content-Type"] = "application/json"
        elif self.has_output and status != 204:
            members = self.out_body_members
            document = {k: v for k, v in result.items() if k in members and v is not None}
            if self.out_body is not None:
                document = self.out_body(document)
            body = _json_encode(document)
            headers["Content-Type"] = "application/json"
        return WireResponse(status, headers, body)


class RestJsonProtocol:
    """Requests and responses of one rest-json service model."""

    #: Whether decoding reads the URI, query string and headers (not only the body).
    reads_http = True

    def __init__(self, service_model: Any) -> None:
        self.service_model = service_model
        self._body = JsonBody()
        self._operations: dict[str, _Operation] = {}
        self._routes: list[tuple[str, re.Pattern[str], int, str]] | None = None

    def _operation(self, operation_model: Any) -> _Operation:
        name: str = operation_model.name
        op = self._operations.get(name)
        if op is None:
            op = _Operation(operation_model, self._body)
            self._operations[name] = op
        return op

    def operation_name(self, request: WireRequest) -> str | None:
        """The operation whose method and URI template match a request (the most literal match wins)."""
        if self._routes is None:
            routes = []
            for name in self.service_model.operation_names:
                op = self._operation(self.service_model.operation_model(name))
                literal = len(
                    _LABEL.sub("", self.service_model.operation_model(name).http.get("requestUri", ""))
                )
                routes.append((op.method, op.path_pattern, literal, name))
            routes.sort(key=lambda route: -route[2])
            self._routes = routes
        query_keys = {k for k, _ in parse_qsl(request.query, keep_blank_values=True)}
        for method, pattern, _, name in self._routes:
            if method == request.method and pattern.match(request.path):
                op = self._operations[name]
                if op.literal_query <= query_keys:
                    return name
        return None

    def decode_request(self, operation_model: Any, request: WireRequest) -> dict[str, Any]:
        return self._operation(operation_model).decode(request)

    def encode_result(self, operation_model: Any, result: dict[str, Any], request_id: str) -> WireResponse:
        return self._operation(operation_model).encode(result, request_id)

    def encode_error(self, error: ServiceError, request_id: str) -> WireResponse:
        shape = None
        for candidate in self.service_model.error_shapes:
            if candidate.error_code == error.code:
                shape = candidate
                break
        members = shape.members if shape is not None else {}
        document: dict[str, Any] = {}
        if "Type" in members:  # Lambda says whose fault it was
            document["Type"] = "User" if error.sender_fault else "Service"
        document["Message" if "Message" in members else "message"] = error.message
        headers = {
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": error.code,
            "Content-Type": "application/json",
        }
        return WireResponse(error.status, headers, _json_encode(document))
