"""EventBridge event envelopes and the JSON documents inside them.

The envelope is the one EventBridge delivers to rules and targets
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html): ``version``
``"0"``, ``id`` (a UUID), ``detail-type``, ``source``, ``account`` (12 digits), ``time`` (ISO-8601
UTC to the second, ``Z``), ``region``, ``resources`` (ARNs) and ``detail`` (a JSON object).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._strategies_values import leaves

__all__ = ("REGIONS", "accounts", "arns", "event_times", "events", "json_objects", "keys", "one_of_given")

T = TypeVar("T")

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1",
)  # fmt: skip
_AWS_SOURCES = ("aws.ec2", "aws.s3", "aws.autoscaling", "aws.codepipeline", "aws.health", "aws.events")
_DETAIL_TYPES = (
    "EC2 Instance State-change Notification",
    "Object Created",
    "Scheduled Event",
    "AWS API Call via CloudTrail",
    "Order Placed",
)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + "0123456789"
_SERVICES = ("ec2", "s3", "sqs", "sns", "lambda", "dynamodb", "events")

_words = st.text(_LOWER, min_size=1, max_size=8)

#: Object keys: common names, readable words and any Unicode without ``.`` (a dot in a key is the
#: same path as nesting, which is the business of patterns, not of plain events).
keys: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(("state", "status", "id", "count", "price", "name", "items", "tags", "ip", "user")),
    st.text(_ALNUM + "-_", min_size=1, max_size=10),
    st.text(st.characters(exclude_characters="."), max_size=6),
)


def json_objects(max_leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects with nested objects, arrays of scalars and arrays of objects."""
    scalar_lists = st.lists(leaves, max_size=4)

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        objects = st.dictionaries(keys, children, max_size=4)
        return st.one_of(objects, st.lists(children, max_size=4), st.lists(objects, min_size=1, max_size=3))

    values = st.recursive(st.one_of(leaves, scalar_lists), extend, max_leaves=max_leaves)
    return st.dictionaries(keys, values, max_size=6)


accounts: st.SearchStrategy[str] = st.text("0123456789", min_size=12, max_size=12)
event_times: st.SearchStrategy[str] = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59)
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


_resource_ids = st.text(_ALNUM + "-", min_size=1, max_size=17)
_services = st.sampled_from(_SERVICES)
_regions = st.sampled_from(REGIONS)
#: ``(service, resource type, resource id)`` of an ARN whose region and account are the event's.
_resources = st.tuples(_services, _words, _resource_ids)
arns: st.SearchStrategy[str] = st.builds(
    lambda service, region, account, resource: (
        f"arn:aws:{service}:{region}:{account}:{resource[1]}/{resource[2]}"
    ),
    _services,
    _regions,
    accounts,
    _resources,
)
"""ARNs of the shape ``arn:aws:<service>:<region>:<account>:<type>/<id>``."""


def one_of_given(name: str, value: Any, default: st.SearchStrategy[T], kind: type) -> st.SearchStrategy[T]:
    """A strategy argument that may be None (the default), a strategy, or a non-empty collection of
    values of ``kind`` to choose from; anything else is refused now, not at the first draw."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
        raise InvalidArgument(
            f"{name} must be None, a strategy or a non-empty collection of {kind.__name__}, got {value!r}"
        )
    choices = list(value)
    if not choices:
        raise InvalidArgument(f"{name} must not be empty (pass None for the default)")
    for choice in choices:
        if not isinstance(choice, kind) or (kind is str and not choice):
            raise InvalidArgument(f"{name} must hold non-empty {kind.__name__} values, got {choice!r}")
    return st.sampled_from(choices)


_default_sources = st.one_of(
    st.sampled_from(_AWS_SOURCES), st.builds(lambda a, b: f"com.{a}.{b}", _words, _words)
)
_default_detail_types = st.one_of(
    st.sampled_from(_DETAIL_TYPES),
    st.lists(_words, min_size=1, max_size=4).map(lambda words: " ".join(w.capitalize() for w in words)),
)


_default_details = json_objects()


def _detail_argument(detail: Any) -> st.SearchStrategy[dict[str, Any]]:
    if detail is None:
        return _default_details
    if isinstance(detail, st.SearchStrategy):
        return detail
    if isinstance(detail, Mapping):
        fixed = dict(detail)
        return st.just(fixed).map(copy.deepcopy)
    raise InvalidArgument(f"detail must be None, a strategy of JSON objects or a mapping, got {detail!r}")


def events(
    sources: st.SearchStrategy[str] | Collection[str] | None = None,
    detail_types: st.SearchStrategy[str] | Collection[str] | None = None,
    detail: st.SearchStrategy[dict[str, Any]] | Mapping[str, Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """EventBridge events as rules see them: complete envelopes with a JSON ``detail``.

    Envelope fields follow https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html.
    The default ``detail`` holds nested objects, arrays of scalars and of objects, integers, floats
    (negative, tiny and huge), booleans, null, empty strings and Unicode.

    Args:
        sources: strategy or collection of ``source`` values (default: AWS and custom sources).
        detail_types: strategy or collection of ``detail-type`` values.
        detail: strategy of ``detail`` objects, or one fixed mapping (copied into every event).

    Returns:
        A strategy of ``dict`` events, fresh for every draw.
    """
    if sources is None and detail_types is None and detail is None:
        return _default_events
    source_values = one_of_given("sources", sources, _default_sources, str)
    detail_type_values = one_of_given("detail_types", detail_types, _default_detail_types, str)
    detail_values = _detail_argument(detail)
    return _envelopes(source_values, detail_type_values, detail_values)


_resource_lists = st.lists(_resources, max_size=3)


@st.composite
def _envelopes(
    draw: st.DrawFn,
    sources: st.SearchStrategy[str],
    detail_types: st.SearchStrategy[str],
    details: st.SearchStrategy[dict[str, Any]],
) -> dict[str, Any]:
    region = draw(_regions)
    account = draw(accounts)
    body = draw(details)
    if not isinstance(body, dict):
        raise InvalidArgument(f"the detail strategy must produce dicts (JSON objects), it produced {body!r}")
    return {
        "version": "0",
        "id": str(draw(st.uuids())),
        "detail-type": draw(detail_types),
        "source": draw(sources),
        "account": account,
        "time": draw(event_times),
        "region": region,
        "resources": [
            f"arn:aws:{service}:{region}:{account}:{kind}/{name}"
            for service, kind, name in draw(_resource_lists)
        ],
        "detail": body,
    }


_default_events = _envelopes(_default_sources, _default_detail_types, _default_details)
