"""Where botocore meets the simulation: the HTTP send of every client, answered in process.

botocore turns a call into an HTTP request with its real serializers, signs it, and hands it to
``Endpoint._send``; the response it gets back goes through its real parsers, checksum and MD5
checks, and error factory. While a :func:`~eventbus.aws.mock_aws` block is active, ``_send`` of
every endpoint (of clients made before the block as well as inside it) is answered here instead of
by the network: the request is decoded into the operation's input shape, handed to
``sim.<service>.api.call(operation, params)``, and the result (or the :class:`ServiceError`) is
encoded as AWS would send it. Retries are switched off for these calls: the simulation is
deterministic, so a retry would see the same answer, and botocore would sleep on the wall clock.

These class attributes are replaced while a block is active and restored when the last block exits:
``Endpoint._do_get_response`` (to learn which operation is being sent), ``Endpoint._send``,
``Endpoint._needs_retry``, and ``RequestSigner.get_auth_instance``: requests are not signed (the
simulation checks no signature, signing is the largest single cost of a boto3 call, and a client made
before the block without credentials, at import time in CI say, would otherwise raise
``NoCredentialsError``); and the exact memoizations of :mod:`._botocore_memo` (endpoint ruleset
parameters), which change nothing a client or an event handler can observe.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse, HeadersDict, _HeaderKey  # type: ignore[import-untyped]
from botocore.endpoint import Endpoint  # type: ignore[import-untyped]
from botocore.signers import RequestSigner  # type: ignore[import-untyped]

from .._simulation import Simulation, uuid_text
from ..errors import ServiceError, SimulationError
from ._botocore_memo import MEMO_PATCHES
from ._botocore_memo import clear as clear_memo
from ._json_protocol import JsonOperation, JsonProtocol
from ._query_protocol import QueryProtocol
from ._rest_json_protocol import RestJsonProtocol
from ._wire import WireRequest, WireResponse

__all__ = (
    "SIMULATED_SERVICES",
    "OperationApi",
    "UnsupportedServiceError",
    "activate",
    "active_simulation",
    "deactivate",
    "serve",
)

logger = logging.getLogger("eventbus.aws")


#: botocore service name -> the Simulation attribute whose ``.api`` serves it.
SIMULATED_SERVICES: dict[str, str] = {
    "sqs": "sqs",
    "sns": "sns",
    "events": "events",
    "scheduler": "scheduler",
    "lambda": "lambda_",
}


class UnsupportedServiceError(SimulationError):
    """A boto3 call, inside ``mock_aws``, to a service the simulation does not serve.

    It is raised to the caller at call time (not returned as an AWS error, so that code handling
    ``ClientError`` does not swallow it); no request is ever sent to AWS. ``.service`` is the
    botocore name of the service that was called.
    """

    __module__ = "eventbus.aws"

    def __init__(self, message: str, service: str) -> None:
        super().__init__(message)
        self.service = service

    def __repr__(self) -> str:
        return f"eventbus.aws.UnsupportedServiceError({str(self)!r})"


class OperationApi(Protocol):
    """The AWS-named operation layer a simulated service exposes as ``sim.<service>.api``."""

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]: ...


Codec = JsonProtocol | QueryProtocol | RestJsonProtocol

_codecs: dict[tuple[str, str], Codec] = {}


def _codec(service_model: Any) -> Codec:
    key = (service_model.service_name, service_model.api_version)
    codec = _codecs.get(key)
    if codec is None:
        protocol = service_model.resolved_protocol
        if protocol == "json":
            codec = JsonProtocol(service_model)
        elif protocol == "query":
            codec = QueryProtocol(service_model)
        elif protocol == "rest-json":
            codec = RestJsonProtocol(service_model)
        else:  # pragma: no cover - none of the simulated services uses another protocol
            raise SimulationError(f"eventbus.mock_aws cannot decode the {protocol!r} protocol of {key[0]!r}")
        _codecs[key] = codec
    return codec


class _RawBody(io.BytesIO):
    """The ``raw`` of a response: what urllib3's response offers botocore (``read`` and ``stream``)."""

    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Iterator[bytes]:
        while True:
            chunk = self.read(amt)
            if not chunk:
                return
            yield chunk


def _request_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        position = body.tell() if hasattr(body, "tell") else None
        data = body.read()
        if position is not None and hasattr(body, "seek"):
            body.seek(position)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return bytes(body)


def _wire_request(request: Any, *, full: bool = True) -> WireRequest:
    """The request as the codecs read it; without ``full``, only the body (all the RPC protocols
    need once the operation is known: reading botocore's headers costs more than decoding)."""
    body = _request_body(request.body)
    if not full:
        return WireRequest(request.method, "/", "", {}, body)
    url = urlsplit(request.url)
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers[name.lower()] = value.decode("latin-1") if isinstance(value, bytes) else value
    return WireRequest(request.method, url.path or "/", url.query, headers, body)


def _internal_failure(service: str, operation: str, exc: BaseException) -> ServiceError:
    logger.error("eventbus.mock_aws: %s.%s failed inside the simulation", service, operation, exc_info=exc)
    return ServiceError(
        f"The simulation failed while serving {service}.{operation}: {type(exc).__name__}: {exc} "
        "(the traceback is logged to the 'eventbus.aws' logger)",
        code="InternalFailure",
        status=500,
    )


class _Route:
    """What serving an operation needs that depends on its model alone, worked out once."""

    __slots__ = ("attribute", "codec", "full", "json", "name", "service", "streams")

    def __init__(self, operation_model: Any) -> None:
        service_model = operation_model.service_model
        service: str = service_model.service_name
        attribute = SIMULATED_SERVICES.get(service)
        if attribute is None:
            raise UnsupportedServiceError(
                f"eventbus.mock_aws does not simulate {service!r} ({service_model.service_id}.{operation_model.name} "
                f"was called inside a mock_aws block); it simulates {', '.join(sorted(SIMULATED_SERVICES))}. "
                "No request was sent to AWS.",
                service,
            )
        self.service = service
        self.attribute = attribute
        self.name: str = operation_model.name
        self.codec = _codec(service_model)
        self.full = self.codec.reads_http
        #: The JSON protocol's compiled converters of the operation (its requests are read from the
        #: body alone), None for the other protocols.
        self.json: JsonOperation | None = (
            self.codec._operation(operation_model) if isinstance(self.codec, JsonProtocol) else None
        )
        #: Whether botocore streams the response body (then it reads ``raw`` itself).
        self.streams: bool = operation_model.has_streaming_output or operation_model.has_event_stream_output


#: Routes by operation model (botocore keeps one model per operation of a loaded service): emptied
#: when the last block exits, and bounded.
_routes: dict[Any, _Route] = {}


def _route(operation_model: Any) -> _Route:
    route = _routes.get(operation_model)
    if route is None:
        route = _Route(operation_model)
        if len(_routes) >= 1024:
            _routes.clear()
        _routes[operation_model] = route
    return route


def _api(sim: Simulation, route: _Route, operation_model: Any) -> OperationApi:
    holder = getattr(sim, route.attribute, None)
    api: OperationApi | None = getattr(holder, "api", None)
    if api is None:
        raise UnsupportedServiceError(
            f"eventbus.mock_aws: this simulation has no {route.service!r} service (sim.{route.attribute}.api) yet, "
            f"so {operation_model.service_model.service_id}.{route.name} cannot be served. No request was sent to AWS.",
            route.service,
        )
    return api


def serve(sim: Simulation, operation_model: Any, request: Any, apis: dict[str, OperationApi] | None = None) -> WireResponse:
    """Answer one prepared botocore request from the simulation, as AWS would on the wire.

    ``apis`` remembers ``sim.<service>.api`` by service attribute for a simulation whose services
    are fixed once made (a plain :class:`Simulation`: each service is created once, and its ``api``
    once); without it the attributes are read on every call.
    """
    route = _routes.get(operation_model) or _route(operation_model)
    return WireResponse(*_serve(sim, route, operation_model, request, apis))


def _serve(
    sim: Simulation, route: _Route, operation_model: Any, request: Any, apis: dict[str, OperationApi] | None
) -> tuple[int, dict[str, str], bytes]:
    """:func:`serve` once the route is known: (status, headers, body)."""
    if apis is None:
        api = _api(sim, route, operation_model)
    else:
        known = apis.get(route.attribute)
        api = known if known is not None else apis.setdefault(route.attribute, _api(sim, route, operation_model))
    codec = route.codec
    # A plain Simulation: its new_uuid without the method call (the same draw and text).
    request_id = sim.new_uuid() if apis is None else uuid_text(sim.rng.getrandbits(128))
    try:
        op = route.json
        if op is not None:  # the JSON protocol: the body is the request, the result the body
            json: JsonProtocol = codec  # type: ignore[assignment]
            body = request.body
            content = json.answer(op, body if type(body) is bytes else _request_body(body), api)
            return 200, {"x-amzn-RequestId": request_id, "Content-Type": json.content_type}, content
        params = codec.decode_request(operation_model, _wire_request(request, full=route.full))
        result = api.call(route.name, params)
        return codec.encode_result(operation_model, result if result is not None else {}, request_id)
    except ServiceError as error:
        return codec.encode_error(error, request_id)
    except (SimulationError, NotImplementedError):
        raise
    except Exception as exc:
        return codec.encode_error(_internal_failure(route.service, route.name, exc), request_id)


# --------------------------------------------------------------------------- botocore hook
_stack: list[Simulation] = []
#: Beside each simulation of ``_stack``: its services' ``api`` objects as ``serve`` finds them (None
#: for a subclass of Simulation, whose service properties may answer differently from call to call).
_apis: list[dict[str, OperationApi] | None] = []
_local = threading.local()
_originals: dict[tuple[type, str], Any] = {}


def active_simulation() -> Simulation | None:
    """The simulation the innermost active ``mock_aws`` block serves calls from."""
    return _stack[-1] if _stack else None


def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
    previous = getattr(_local, "operation", None)
    _local.operation = operation_model
    try:
        return _originals[(Endpoint, "_do_get_response")](self, request, operation_model, context)
    finally:
        _local.operation = previous


def _send(self: Any, request: Any) -> Any:
    sim = _stack[-1] if _stack else None
    if sim is None:  # pragma: no cover - patched only while a block is active
        return _originals[(Endpoint, "_send")](self, request)
    operation_model = getattr(_local, "operation", None)
    if operation_model is None:
        operation_model = _operation_from_wire(self, request)
    route = _routes.get(operation_model) or _route(operation_model)
    apis = _apis[-1]
    status, headers, body = _serve(sim, route, operation_model, request, apis)
    headers["Content-Length"] = str(len(body))
    # A plain Simulation's epoch(), inline.
    epoch = sim._start_epoch + sim.clock.now() if apis is not None else sim.epoch()
    last = _last_date
    headers["Date"] = last[1] if last[0] == epoch else _http_date(epoch)
    raw = _RawBody(body)
    if _DIRECT_RESPONSE:
        http_response = _response(request.url, status, headers, raw)
    else:  # pragma: no cover - a botocore whose response classes changed
        http_response = AWSResponse(request.url, status, headers, raw)
    if not route.streams:
        # What ``AWSResponse.content`` would read from ``raw`` (botocore reads all of it for every
        # response that does not stream), handed over read, as urllib3's response would be.
        http_response._content = body
        raw.seek(len(body))
    return http_response


_new = object.__new__
#: botocore's header keys by header name (immutable: botocore never changes one once made).
_header_keys: dict[str, Any] = {}


def _header_key(name: str) -> Any:
    key = _header_keys.get(name)
    if key is None:
        key = _HeaderKey(name)
        if len(_header_keys) < 256:
            _header_keys[name] = key
    return key


def _response(url: str, status: int, headers: dict[str, str], raw: Any) -> Any:
    """``AWSResponse(url, status, headers, raw)`` built directly: the same attributes in the same
    order, the headers a ``HeadersDict`` of the same keys and values in the same order (equal names
    under case folding keep the first key and the last value, as ``HeadersDict.update`` keeps them),
    with botocore's own key objects (``_HeaderKey``) remembered by name instead of made afresh for
    every response. ``_DIRECT_RESPONSE`` says whether this botocore builds them this way."""
    keys = _header_keys
    items: dict[Any, str] = {}
    for name, value in headers.items():
        items[keys.get(name) or _header_key(name)] = value
    mapping = _new(HeadersDict)
    mapping._dict = items
    response = _new(AWSResponse)
    response.url = url
    response.status_code = status
    response.headers = mapping
    response.raw = raw
    response._content = None
    return response


def _builds_like_botocore() -> bool:
    """Whether :func:`_response` builds what ``AWSResponse(...)`` builds in this botocore (checked
    once, on import): the same attributes of the response, of its headers and of their keys."""
    try:
        headers = {"x-amzn-RequestId": "r", "Content-Type": "t", "content-type": "u", "Date": "d"}
        made = AWSResponse("https://example.com/", 200, headers, None)
        ours = _response("https://example.com/", 200, headers, None)
        if type(made.headers) is not HeadersDict or list(vars(made)) != list(vars(ours)):
            return False
        if list(vars(made.headers)) != ["_dict"] or any(type(key) is not _HeaderKey for key in made.headers._dict):
            return False
        made_items = [(vars(key), value) for key, value in made.headers._dict.items()]
        our_items = [(vars(key), value) for key, value in ours.headers._dict.items()]
        return made_items == our_items and [
            getattr(made, name) for name in vars(made) if name != "headers"
        ] == [getattr(ours, name) for name in vars(ours) if name != "headers"]
    except Exception:  # pragma: no cover - botocore internals renamed
        return False


_DIRECT_RESPONSE = _builds_like_botocore()


_last_date: tuple[float, str] = (float("nan"), "")


def _http_date(epoch: float) -> str:
    """The ``Date`` header of simulation time ``epoch``: remembered while the clock stands still."""
    global _last_date
    last = _last_date
    if last[0] == epoch:
        return last[1]
    text = formatdate(epoch, usegmt=True)
    _last_date = (epoch, text)
    return text


def _operation_from_wire(endpoint: Any, request: Any) -> Any:
    """The operation of a request sent without botocore's usual path (from the wire alone)."""
    import botocore.session  # type: ignore[import-untyped]

    prefix: str = endpoint._endpoint_prefix
    try:
        service_model = botocore.session.get_session().get_service_model(prefix)
    except Exception as exc:
        raise UnsupportedServiceError(f"eventbus.mock_aws does not simulate {prefix!r}", prefix) from exc
    name = _codec(service_model).operation_name(_wire_request(request))
    if name is None:
        raise SimulationError(f"eventbus.mock_aws could not tell which {prefix} operation {request.url} is")
    return service_model.operation_model(name)


def _needs_retry(self: Any, *args: Any, **kwargs: Any) -> bool:
    return False


class _NoSignature:
    """Stands in for SigV4 inside a block: the simulation checks no signature, and signing is
    about 40% of the cost of a boto3 call. The request still carries an ``Authorization`` header."""

    def add_auth(self, request: Any) -> None:
        request.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=eventbus-simulation"


_NO_SIGNATURE = _NoSignature()


def _get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
    # Presigned URLs (``expires``) are still signed for real: they may be handed to other code.
    if "expires" in kwargs:
        return _originals[(RequestSigner, "get_auth_instance")](self, *args, **kwargs)
    return _NO_SIGNATURE


_PATCHES: dict[tuple[type, str], Any] = {
    (Endpoint, "_do_get_response"): _do_get_response,
    (Endpoint, "_send"): _send,
    (Endpoint, "_needs_retry"): _needs_retry,
    (RequestSigner, "get_auth_instance"): _get_auth_instance,
    **MEMO_PATCHES,
}


def activate(sim: Simulation) -> None:
    """Serve botocore calls from ``sim`` until the matching :func:`deactivate`."""
    if not _stack:
        for (owner, name), replacement in _PATCHES.items():
            _originals[(owner, name)] = owner.__dict__[name]
            setattr(owner, name, replacement)
    _stack.append(sim)
    _apis.append({} if type(sim) is Simulation else None)


def deactivate(sim: Simulation) -> None:
    """Stop serving from ``sim``; the last deactivation restores botocore as it was."""
    for index in range(len(_stack) - 1, -1, -1):
        if _stack[index] is sim:
            del _stack[index]
            del _apis[index]
            break
    else:
        raise SimulationError("mock_aws was exited more often than it was entered")
    if not _stack:
        for (owner, name), original in _originals.items():
            setattr(owner, name, original)
        _originals.clear()
        _routes.clear()
        clear_memo()
