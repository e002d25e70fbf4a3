"""The AWS query protocol (SNS): form-encoded requests, XML responses.

A request is ``POST /`` with a form body: ``Action``, ``Version`` and the input members flattened to
dotted keys. A list is ``Name.member.N`` (or ``Name.N`` when the model marks it flattened, with the
list member's location name replacing the last part); a map is ``Name.entry.N.key`` /
``Name.entry.N.value`` (location names may rename ``key`` and ``value``); an empty list is sent as
``Name=``. A response is ``<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>``; an
error is ``<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
<RequestId>..</RequestId></ErrorResponse>``.

https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from ..errors import ServiceError
from ._shapes import ConverterCache, decode_blob, decode_timestamp, encode_blob_text, encode_timestamp
from ._wire import WireRequest, WireResponse

__all__ = ("QueryProtocol",)

#: A parsed form: nested dicts keyed by the parts of the dotted names; leaves are text.
Node = Any
#: Writes a value as XML text into ``parts`` under element ``tag``.
Writer = Callable[[list[str], Any, str], None]


def _form_tree(body: bytes) -> dict[str, Node]:
    tree: dict[str, Node] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        parts = key.split(".")
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        last = parts[-1]
        if not isinstance(node.get(last), dict):
            node[last] = value
    return tree


def _indexed(node: Node) -> list[Node]:
    """The children of ``Name.1``, ``Name.2`` ... in index order (an empty list is ``Name=``)."""
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted(node, key=lambda k: int(k) if k.isdigit() else 0)]


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


class QueryProtocol:
    """Requests and responses of one query-protocol service model."""

    #: Whether decoding reads the URI, query string and headers (not only the body).
    reads_http = False

    def __init__(self, service_model: Any) -> None:
        self.service_model = service_model
        self.namespace: str = service_model.metadata.get("xmlNamespace", "")
        self._readers = ConverterCache()
        self._writers = ConverterCache()
        self._xmlns = f' xmlns="{self.namespace}"' if self.namespace else ""

    def operation_name(self, request: WireRequest) -> str | None:
        """The operation a request names in its ``Action`` field."""
        for key, value in parse_qsl(request.body.decode("utf-8"), keep_blank_values=True):
            if key == "Action":
                return value
        return None

    # ------------------------------------------------------------ requests
    def decode_request(self, operation_model: Any, request: WireRequest) -> dict[str, Any]:
        tree = _form_tree(request.body)
        tree.pop("Action", None)
        tree.pop("Version", None)
        shape = operation_model.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = self._reader(shape)(tree)
        return params

    def _reader(self, shape: Any) -> Callable[[Node], Any]:
        reader: Callable[[Node], Any] = self._readers.get(shape, self._compile_reader)
        return reader

    def _compile_reader(self, shape: Any) -> Callable[[Node], Any]:
        kind = shape.type_name
        if kind == "structure":
            fields = [
                (name, _request_key(member, name), self._reader(member))
                for name, member in shape.members.items()
            ]

            def read_structure(node: Node) -> dict[str, Any]:
                out: dict[str, Any] = {}
                if not isinstance(node, dict):
                    return out
                for name, key, read in fields:
                    child = node.get(key)
                    if child is not None:
                        out[name] = read(child)
                return out

            return read_structure
        if kind == "list":
            read_item = self._reader(shape.member)
            if shape.serialization.get("flattened"):
                return lambda node: [read_item(item) for item in _indexed(node)]
            item_name = shape.member.serialization.get("name", "member")
            return lambda node: [
                read_item(item) for item in _indexed(node.get(item_name) if isinstance(node, dict) else node)
            ]
        if kind == "map":
            read_key = self._reader(shape.key)
            read_value = self._reader(shape.value)
            key_name = shape.key.serialization.get("name", "key")
            value_name = shape.value.serialization.get("name", "value")
            flattened = bool(shape.serialization.get("flattened"))

            def read_map(node: Node) -> dict[Any, Any]:
                entries = _indexed(node if flattened or not isinstance(node, dict) else node.get("entry"))
                return {
                    read_key(entry.get(key_name, "")): read_value(entry.get(value_name, ""))
                    for entry in entries
                    if isinstance(entry, dict)
                }

            return read_map
        return _SCALAR_READERS.get(kind, _read_text)

    # ----------------------------------------------------------- responses
    def encode_result(self, operation_model: Any, result: dict[str, Any], request_id: str) -> WireResponse:
        name = operation_model.name
        parts = [f'<?xml version="1.0"?>\n<{name}Response{self._xmlns}>']
        shape = operation_model.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
            self._writer(shape)(parts, result, wrapper)
        parts.append(
            f"<ResponseMetadata><RequestId>{_text(request_id)}</RequestId></ResponseMetadata></{name}Response>"
        )
        return WireResponse(
            200, {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}, "".join(parts).encode()
        )

    def encode_error(self, error: ServiceError, request_id: str) -> WireResponse:
        fault = "Sender" if error.sender_fault else "Receiver"
        body = (
            f'<?xml version="1.0"?>\n<ErrorResponse{self._xmlns}><Error><Type>{fault}</Type>'
            f"<Code>{_text(error.code)}</Code><Message>{_text(error.message)}</Message></Error>"
            f"<RequestId>{_text(request_id)}</RequestId></ErrorResponse>"
        )
        return WireResponse(
            error.status, {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}, body.encode()
        )

    def _writer(self, shape: Any) -> Writer:
        writer: Writer = self._writers.get(shape, self._compile_writer)
        return writer

    def _compile_writer(self, shape: Any) -> Writer:
        kind = shape.type_name
        if kind == "structure":
            fields = {
                name: (_response_key(member, name), self._writer(member))
                for name, member in shape.members.items()
            }

            def write_structure(parts: list[str], value: dict[str, Any], tag: str) -> None:
                parts.append(f"<{tag}>")
                for name, item in value.items():
                    if item is None:
                        continue
                    field = fields.get(name)
                    if field is not None:
                        field[1](parts, item, field[0])
                parts.append(f"</{tag}>")

            return write_structure
        if kind == "list":
            write_item = self._writer(shape.member)
            if shape.serialization.get("flattened"):

                def write_flat_list(parts: list[str], value: list[Any], tag: str) -> None:
                    for item in value:
                        write_item(parts, item, tag)

                return write_flat_list
            item_tag = shape.member.serialization.get("name", "member")

            def write_list(parts: list[str], value: list[Any], tag: str) -> None:
                parts.append(f"<{tag}>")
                for item in value:
                    write_item(parts, item, item_tag)
                parts.append(f"</{tag}>")

            return write_list
        if kind == "map":
            write_key = self._writer(shape.key)
            write_value = self._writer(shape.value)
            key_tag = shape.key.serialization.get("name", "key")
            value_tag = shape.value.serialization.get("name", "value")
            flattened = bool(shape.serialization.get("flattened"))

            def write_map(parts: list[str], value: dict[Any, Any], tag: str) -> None:
                if not flattened:
                    parts.append(f"<{tag}>")
                for k, v in value.items():
                    parts.append(f"<{tag}>" if flattened else "<entry>")
                    write_key(parts, k, key_tag)
                    if v is not None:
                        write_value(parts, v, value_tag)
                    parts.append(f"</{tag}>" if flattened else "</entry>")
                if not flattened:
                    parts.append(f"</{tag}>")

            return write_map
        if kind == "timestamp":
            fmt = shape.serialization.get("timestampFormat", "iso8601")

            def write_timestamp(parts: list[str], value: Any, tag: str) -> None:
                parts.append(f"<{tag}>{encode_timestamp(value, fmt)}</{tag}>")

            return write_timestamp
        return _SCALAR_WRITERS.get(kind, _write_text)


def _request_key(member: Any, name: str) -> str:
    """The dotted-name part a member is sent under (botocore's QuerySerializer naming)."""
    key: str = member.serialization.get("name", name)
    if member.type_name == "list" and member.serialization.get("flattened"):
        item_name = member.member.serialization.get("name")
        if item_name:
            return str(item_name)
    return key


def _response_key(member: Any, name: str) -> str:
    """The XML element a member is returned in (botocore's XML parser naming)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        item_name = member.member.serialization.get("name")
        if item_name is not None:
            return str(item_name)
    return str(member.serialization.get("name", name))


def _read_text(node: Node) -> Any:
    return node if isinstance(node, str) else ""


def _read_float(node: Node) -> float:
    return float(node)


_SCALAR_READERS: dict[str, Callable[[Node], Any]] = {
    "string": _read_text,
    "character": _read_text,
    "integer": int,
    "long": int,
    "boolean": lambda node: node == "true",
    "float": _read_float,
    "double": _read_float,
    "blob": decode_blob,
    "timestamp": decode_timestamp,
}


def _write_text(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{_text(str(value))}</{tag}>")


def _write_boolean(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{'true' if value else 'false'}</{tag}>")


def _write_number(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{value!r}</{tag}>")


def _write_blob(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{encode_blob_text(value)}</{tag}>")


_SCALAR_WRITERS: dict[str, Writer] = {
    "string": _write_text,
    "character": _write_text,
    "integer": _write_number,
    "long": _write_number,
    "float": _write_number,
    "double": _write_number,
    "boolean": _write_boolean,
    "blob": _write_blob,
}
