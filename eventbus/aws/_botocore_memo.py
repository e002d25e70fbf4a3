"""Exact memoization of pure botocore computations, while a ``mock_aws`` block is active.

Inside a block the network is gone, so a boto3 call costs what botocore computes around it. Some of
that work gives, for the same inputs, the same answer on every call; this module remembers those
answers (and only those), keyed by every input the computation reads. Every event still fires and
every side effect botocore makes is replayed, so user handlers see what they would see without it.

Endpoint parameters (``EndpointRulesetResolver._get_provider_params``): botocore fires
``before-endpoint-resolution.<service>`` (handlers may change the builtins), then reads, for each
parameter of the service's endpoint ruleset, an operation's static context value, a member of the
call's arguments, a client context value or a builtin, in that order, and registers the User-Agent
feature ids of what it found. The event fires here too, with botocore's own method; what is
remembered is the reading that follows, keyed by the operation and by every value it can read
(the named call-argument members, client context values and builtins). It is not remembered when
an input could differ from call to call under an equal key: an operation-context parameter (a
JMESPath search over the arguments), a callable builtin (botocore calls it), an unhashable value.
The feature ids are registered again on each call from the remembered parameters, as botocore
registers them. botocore itself treats the step after this one (``EndpointProvider.resolve_endpoint``)
as a pure function of these parameters: it caches it in an LRU cache keyed by them. So the endpoint
``construct_endpoint`` makes of them (that step, then the same rewrites of the URL and headers for
the same resolver) is remembered too, keyed by the parameters, and handed out with a fresh headers
dict and botocore's two debug log lines, as botocore hands it out; on a miss botocore's own method
computes it (reading the parameters already read instead of firing the event a second time).
https://github.com/boto/botocore/blob/develop/botocore/regions.py

User-Agent header (``UserAgentString.to_string``, built twice per call: for the request and again
by a ``request-created`` handler): botocore caches the parts that do not change and builds, on every
call, the ``m/`` component from the client's and the call's feature ids (a set union, joined in its
iteration order). The whole text is remembered here keyed by botocore's cached static parts and by
that union as a tuple in the same iteration order, so two calls share a text only when botocore
would build the same one. A customized ``modify_components`` (botocore's hook that rewrites the
components) bypasses the memo, as it bypasses botocore's own cache.
https://github.com/boto/botocore/blob/develop/botocore/useragent.py
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import botocore.regions  # type: ignore[import-untyped]
import botocore.useragent  # type: ignore[import-untyped]
from botocore.regions import EndpointRulesetResolver
from botocore.useragent import UserAgentString

try:
    from botocore.context import get_context  # type: ignore[import-untyped]
except ImportError:  # an older botocore: no memo at all (see _supported)
    get_context = None
_REGIONS_LOG = botocore.regions.LOG

__all__ = ("MEMO_PATCHES", "clear")

#: Where the parameters of an operation's ruleset come from: the call-argument members, the client
#: context variables and the builtins read (each in ruleset order; a parameter reads any of them).
_Plan = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

_MAX_REMEMBERED = 1024


class _Remembered:
    """What is remembered for one resolver: the plan of each operation model, and by the values a
    plan reads, ``[parameters, the endpoint made of them once known]``."""

    __slots__ = ("params", "plans")

    def __init__(self) -> None:
        self.plans: dict[Any, _Plan | None] = {}
        self.params: dict[tuple[Any, ...], list[Any]] = {}


_params: weakref.WeakKeyDictionary[Any, _Remembered] = weakref.WeakKeyDictionary()
#: The resolver of the last call and what is remembered for it (most calls come from one client).
_last: tuple[Any, _Remembered] | None = None


def clear() -> None:
    """Forget everything remembered (called when the last block exits)."""
    global _last
    _last = None
    _params.clear()
    _endpoints.clear()
    _user_agents.clear()


def _plan(resolver: Any, operation_model: Any, plans: dict[Any, _Plan | None]) -> _Plan | None:
    """Where each ruleset parameter of ``operation_model`` comes from, or None when not memoizable."""
    try:
        return plans[operation_model]
    except KeyError:
        pass
    dynamic = resolver._get_dynamic_context_params(operation_model)
    operation_context = operation_model.operation_context_parameters
    client = resolver._get_client_context_params()
    members: list[str] = []
    variables: list[str] = []
    builtins: list[str] = []
    plan: _Plan | None = None
    for name, definition in resolver._param_definitions.items():
        if name in operation_context:
            break
        for source, found in ((members, dynamic.get(name)), (variables, client.get(name)), (builtins, definition.builtin)):
            if found is not None:
                source.append(found)
    else:
        plan = (tuple(members), tuple(variables), tuple(builtins))
    plans[operation_model] = plan
    return plan


def _read_params(
    resolver: Any, operation_model: Any, call_args: Any, builtins: dict[str, Any]
) -> dict[str, Any]:
    """The loop of botocore's ``_get_provider_params`` after its event, with its own methods."""
    provider_params: dict[str, Any] = {}
    for name, definition in resolver._param_definitions.items():
        value = resolver._resolve_param_from_context(
            param_name=name, operation_model=operation_model, call_args=call_args
        )
        if value is None and definition.builtin is not None:
            value = resolver._resolve_param_as_builtin(builtin_name=definition.builtin, builtins=builtins)
        if value is not None:
            provider_params[name] = value
            resolver._register_endpoint_feature_ids(name, value)
    return provider_params


def _get_provider_params(
    self: Any, operation_model: Any, call_args: Any, request_context: Any
) -> dict[str, Any]:
    handed = _handoff.params
    if handed is not None and handed[0] is self:  # read already by _construct_endpoint for this call
        _handoff.params = None
        return handed[1]
    return _provider_params(self, operation_model, call_args, request_context)[0]


def _provider_params(
    self: Any, operation_model: Any, call_args: Any, request_context: Any
) -> tuple[dict[str, Any], list[Any] | None]:
    """The parameters as botocore reads them, and the memo entry ``[parameters, endpoint or None]``
    they came from (None when they cannot be remembered)."""
    # The event fires (and handlers may change the builtins) exactly as in botocore.
    builtins = self._get_customized_builtins(operation_model, call_args, request_context)
    global _last
    last = _last
    if last is not None and last[0] is self:
        remembered = last[1]
    else:
        found = _params.get(self)
        remembered = found if found is not None else _params.setdefault(self, _Remembered())
        _last = (self, remembered)
    plan = _plan(self, operation_model, remembered.plans)
    if plan is None:
        return _read_params(self, operation_model, call_args, builtins), None
    members, variables, names = plan
    values = tuple(map(builtins.get, names))
    if any(map(callable, values)):
        return _read_params(self, operation_model, call_args, builtins), None
    if members or variables:
        key = (operation_model, *map(call_args.get, members), *map(self._client_context.get, variables), *values)
    else:  # builtins alone (most rulesets' parameters, SQS's all)
        key = (operation_model, *values)
    params = remembered.params
    try:
        entry = params.get(key)
    except TypeError:  # an unhashable value: read it the long way
        return _read_params(self, operation_model, call_args, builtins), None
    if entry is None:
        if len(params) >= _MAX_REMEMBERED:  # keys carry argument values: keep the memo bounded
            params.clear()
        entry = params[key] = [_read_params(self, operation_model, call_args, builtins), None]
        return dict(entry[0]), entry
    register = self._register_endpoint_feature_ids
    for name, value in entry[0].items():
        register(name, value)
    return dict(entry[0]), entry


class _Handoff(threading.local):
    params: tuple[Any, dict[str, Any]] | None = None


_handoff = _Handoff()
_endpoints: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()
_construct_endpoint_original: Callable[..., Any] = EndpointRulesetResolver.construct_endpoint


def _construct_endpoint(self: Any, operation_model: Any, call_args: Any, request_context: Any) -> Any:
    if call_args is None:
        call_args = {}
    if request_context is None:
        request_context = {}
    params, entry = _provider_params(self, operation_model, call_args, request_context)
    cached = entry[1] if entry is not None else None
    if cached is None:
        remembered = _endpoints.get(self)
        if remembered is None:
            remembered = _endpoints[self] = {}
        key: tuple[Any, ...] | None = tuple(params.items())
        try:
            cached = remembered.get(key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable parameter value
            key = cached = None
        if cached is None:
            # botocore's own method computes it, reading these parameters instead of firing the event again.
            _handoff.params = (self, params)
            try:
                result = _construct_endpoint_original(self, operation_model, call_args, request_context)
            finally:
                _handoff.params = None
            if key is not None:
                if len(remembered) >= _MAX_REMEMBERED:
                    remembered.clear()
                remembered[key] = _with_fresh_headers(result)
            return result
        if entry is not None:  # the same parameters make the same endpoint
            entry[1] = cached
    _REGIONS_LOG.debug("Calling endpoint provider with parameters: %s", params)
    _REGIONS_LOG.debug("Endpoint provider result: %s", cached.url)
    return _with_fresh_headers(cached)


#: The fields of botocore's ``RuleSetEndpoint`` named tuple this module rebuilds directly.
_ENDPOINT_FIELDS = ("url", "properties", "headers")
_new_tuple = tuple.__new__


def _with_fresh_headers(endpoint: Any) -> Any:
    """``endpoint._replace(headers=dict(endpoint.headers))``, as botocore hands out a fresh headers
    dict: a named tuple of exactly these fields is rebuilt the way ``_replace`` builds it (the
    class's ``tuple.__new__``), in a third of the time."""
    if type(endpoint)._fields != _ENDPOINT_FIELDS:
        return endpoint._replace(headers=dict(endpoint.headers))
    url, properties, headers = endpoint
    return _new_tuple(type(endpoint), (url, properties, dict(headers)))


_user_agents: dict[tuple[Any, ...], str] = {}
_user_agent_original: Callable[[Any], str] = UserAgentString.to_string


def _user_agent_to_string(self: Any) -> str:
    module = botocore.useragent
    if module.modify_components is not module._default_modify_components:
        return _user_agent_original(self)  # botocore builds every component afresh then: so do we
    static = self._get_static_parts()
    if static.legacy is not None:
        return str(static.legacy)
    context = get_context()
    # The union botocore's ``_build_feature_metadata`` makes, in the order it would join it.
    features = (self._client_features or set()).union(set() if context is None else context.features)
    key = (static.prefix, static.suffix, *features)
    text = _user_agents.get(key)
    if text is None:
        if len(_user_agents) >= _MAX_REMEMBERED:
            _user_agents.clear()
        text = _user_agents[key] = _user_agent_original(self)
    return text


def _supported() -> bool:
    """Whether this botocore has the private methods the memos call (checked once, on import): a
    botocore that renamed them gets no memo, and mock_aws keeps working at botocore's own speed."""
    needed = {
        EndpointRulesetResolver: (
            "_get_provider_params",
            "_get_customized_builtins",
            "_get_dynamic_context_params",
            "_get_client_context_params",
            "_resolve_param_from_context",
            "_resolve_param_as_builtin",
            "_register_endpoint_feature_ids",
        ),
        UserAgentString: ("to_string", "_get_static_parts"),
    }
    return (
        get_context is not None
        and all(hasattr(owner, name) for owner, names in needed.items() for name in names)
        and all(
            hasattr(botocore.useragent, name) for name in ("modify_components", "_default_modify_components")
        )
    )


#: (class, attribute) -> replacement, installed by the transport while a block is active (none on a
#: botocore without the internals they rely on).
MEMO_PATCHES: dict[tuple[type, str], Callable[..., Any]] = (
    {
        (EndpointRulesetResolver, "_get_provider_params"): _get_provider_params,
        (EndpointRulesetResolver, "construct_endpoint"): _construct_endpoint,
        (UserAgentString, "to_string"): _user_agent_to_string,
    }
    if _supported()
    else {}
)
