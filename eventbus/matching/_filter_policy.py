"""SNS subscription filter policies on the event pattern engine.

A filter policy is an event pattern with SNS's own limits, operator subset and error messages
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html):

* at most 5 top-level keys; at most 150 value combinations, counted as AWS documents it in "Filter
  policy constraints" (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html):
  the product, over the value arrays, of the array's length times its nesting depth, a ``$or``
  contributing the sum of its branches;
* no ``wildcard``; ``anything-but`` takes values or ``{"prefix": ...}`` only;
* nested keys only with ``FilterPolicyScope`` ``MessageBody``;
* an invalid policy is an ``InvalidParameter`` error whose message is
  ``Invalid parameter: FilterPolicy: <reason>`` (the reasons are event-ruler's, as for EventBridge).
  The texts were recorded against AWS by LocalStack's SNS filter-policy snapshot tests.

Attribute scope (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html): a ``String``
attribute is a string, a ``Number`` attribute a number (compared by value), a ``String.Array``
attribute a JSON array whose elements are matched one by one, and a ``Binary`` attribute never
matches (it counts as absent). Body scope: the message must be a JSON object, otherwise no policy
matches it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from eventbus.errors import InvalidEventPatternError, ValidationError

from ._event import load_event
from ._match import EventPattern
from ._parse import INVALID_JSON, JsonObject, load_json, to_tokens
from ._pattern_set import PatternSet

__all__ = ("FilterPolicy", "FilterPolicySet", "InvalidFilterPolicyError", "Scope")

Scope = Literal["MessageAttributes", "MessageBody"]
MAX_KEYS: Final = 5
MAX_COMBINATIONS: Final = 150
_NESTED_IN_ATTRIBUTES: Final = "Filter policy scope MessageAttributes does not support nested filter policy"


class InvalidFilterPolicyError(ValidationError):
    """A filter policy SNS refuses: code ``InvalidParameter``; ``str()`` is SNS's message.

    ``reason`` is the part after ``FilterPolicy:``; :meth:`subscribe_message` gives the wording of the
    same refusal when the policy comes with a ``Subscribe`` call rather than
    ``SetSubscriptionAttributes``.
    """

    def __init__(self, reason: str, *, nested_scope: bool = False) -> None:
        self.reason = reason
        self.nested_scope = nested_scope
        super().__init__(self._message("Invalid parameter: "), code="InvalidParameter")

    def _message(self, prefix: str) -> str:
        if self.nested_scope:
            return prefix + self.reason
        return f"{prefix}FilterPolicy: {self.reason}"

    def subscribe_message(self) -> str:
        """The message SNS gives for the same policy passed to ``Subscribe``."""
        return self._message("Invalid parameter: Attributes Reason: ")


def _fail(reason: str) -> Any:
    raise InvalidFilterPolicyError(reason)


def _check_structure(root: JsonObject, scope: str) -> None:
    """SNS's own checks, in SNS's order: key count, structure and nesting, combinations."""
    if len(root.pairs) > MAX_KEYS:
        _fail("Filter policy can not have more than 5 keys")
    combinations = _combinations(root, scope, depth=1, combinations=1)
    if combinations > MAX_COMBINATIONS:
        _fail("Filter policy is too complex")
    _check_operators(root)


def _combinations(obj: JsonObject, scope: str, *, depth: int, combinations: int) -> int:
    for key, value in obj.pairs:
        if isinstance(value, JsonObject):
            combinations = _combinations(value, scope, depth=depth + 1, combinations=combinations)
        elif isinstance(value, list):
            if not value:
                _fail("Empty arrays are not allowed")
            if key == "$or" and all(isinstance(member, JsonObject) for member in value):
                combinations = sum(
                    _combinations(member, scope, depth=depth, combinations=combinations) for member in value
                )
            else:
                combinations *= len(value) * depth
        else:
            _fail(f'"{key}" must be an object or an array')
    if scope == "MessageAttributes" and depth > 1:
        raise InvalidFilterPolicyError(_NESTED_IN_ATTRIBUTES, nested_scope=True)
    return combinations


def _check_operators(token: Any) -> None:
    """The operators SNS leaves out of event-ruler's language."""
    if isinstance(token, list):
        for item in token:
            _check_operators(item)
        return
    if not isinstance(token, JsonObject):
        return
    for key, value in token.pairs:
        if key == "wildcard" and not isinstance(value, (JsonObject, list)):
            _fail("Unrecognized match type wildcard")
        if key == "anything-but" and isinstance(value, JsonObject):
            for inner, operand in value.pairs:
                if inner != "prefix":
                    _fail(f"Unsupported anything-but pattern: {inner}")
                if not isinstance(operand, str):
                    _fail("prefix match pattern must be a string")
        _check_operators(value)


class FilterPolicy:
    """An SNS subscription filter policy, compiled.

    Args:
        policy: the policy as JSON text or a mapping.
        scope: ``"MessageAttributes"`` (SNS's default) or ``"MessageBody"``.

    Raises:
        InvalidFilterPolicyError: (a :class:`eventbus.errors.ValidationError`, code
            ``InvalidParameter``) when SNS would refuse the policy.
    """

    __slots__ = ("_pattern", "_scope", "_wanted")

    def __init__(
        self,
        policy: str | bytes | bytearray | Mapping[str, Any],
        scope: Scope = "MessageAttributes",
    ) -> None:
        if scope not in ("MessageAttributes", "MessageBody"):
            raise ValueError(f"scope must be 'MessageAttributes' or 'MessageBody', not {scope!r}")
        self._scope: Scope = scope
        try:
            root = load_json(policy) if isinstance(policy, (str, bytes, bytearray)) else to_tokens(policy)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than JSON parsers go
            _fail(INVALID_JSON)
        if not isinstance(root, JsonObject):
            _fail("Filter is not an object")
        _check_structure(root, scope)
        try:
            self._pattern = EventPattern(policy)
        except InvalidEventPatternError as error:
            raise InvalidFilterPolicyError(error.reason) from None
        self._wanted = referenced_names([self._pattern])

    @property
    def scope(self) -> Scope:
        """``MessageAttributes`` or ``MessageBody``."""
        return self._scope

    @property
    def pattern(self) -> EventPattern:
        """The compiled policy as an event pattern (over the attribute view or the body)."""
        return self._pattern

    def matches(self, message: Mapping[str, Any] | str | bytes | bytearray) -> bool:
        """Match message attributes (attribute scope) or the message body (body scope)."""
        if self._scope == "MessageAttributes":
            if not isinstance(message, Mapping):
                raise TypeError("a MessageAttributes policy matches a mapping of message attributes")
            return self.matches_attributes(message)
        return self.matches_body(message)

    def matches_attributes(self, message_attributes: Mapping[str, Any] | None) -> bool:
        """Whether SNS message attributes (``{name: {"Type"|"DataType", "Value"|"StringValue"}}``) match."""
        return self._pattern.matches(attribute_view(message_attributes or {}, self._wanted))

    def matches_body(self, body: Mapping[str, Any] | str | bytes | bytearray) -> bool:
        """Whether the message body (JSON text or an already-decoded object) matches."""
        view = body_view(body)
        return view is not None and self._pattern.matches(view)

    def explain(self, message: Mapping[str, Any] | str | bytes | bytearray) -> Any:
        """Explain the match like :meth:`eventbus.EventPattern.explain`, on the scope's view."""
        if self._scope == "MessageAttributes":
            assert isinstance(message, Mapping)
            return self._pattern.explain(attribute_view(message))
        view = body_view(message)
        return self._pattern.explain(view if view is not None else {})

    def __repr__(self) -> str:
        return f"eventbus.FilterPolicy(<{self._scope}>)"


def referenced_names(patterns: Iterable[EventPattern]) -> frozenset[str]:
    """The attribute names some policy refers to (its paths and their first segments)."""
    names: set[str] = set()
    for pattern in patterns:
        for branch in pattern.branches:
            for path in branch:
                names.add(path)
                names.add(path.split(".", 1)[0])
    return frozenset(names)


def attribute_view(
    message_attributes: Mapping[str, Any], wanted: frozenset[str] | None = None
) -> dict[str, Any]:
    """The leaf values SNS matches for message attributes, keyed by attribute name (only the
    ``wanted`` names, when given: the others cannot change the answer)."""
    view: dict[str, Any] = {}
    for name, attribute in message_attributes.items():
        if wanted is not None and name not in wanted:
            continue
        if not isinstance(attribute, Mapping):
            continue
        data_type = attribute.get("DataType", attribute.get("Type", "String"))
        raw = attribute.get("StringValue", attribute.get("Value"))
        base = str(data_type).split(".", 1)[0] if data_type != "String.Array" else "String.Array"
        if base == "Binary" or raw is None:
            continue
        if base == "Number":
            view[name] = _number(raw)
        elif base == "String.Array":
            try:
                elements = json.loads(raw) if isinstance(raw, (str, bytes, bytearray)) else raw
            except ValueError:
                continue
            if isinstance(elements, list):
                view[name] = elements
        else:
            view[name] = raw if isinstance(raw, str) else str(raw)
    return view


def _number(raw: Any) -> Any:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw
    try:
        return float(str(raw))
    except ValueError:
        return str(raw)


def body_view(body: Mapping[str, Any] | str | bytes | bytearray) -> Mapping[str, Any] | None:
    """The decoded message body, or ``None`` when it is not a JSON object (then nothing matches)."""
    try:
        return load_event(body)
    except (ValueError, TypeError, RecursionError):  # RecursionError: nested deeper than JSON parsers go
        return None


class FilterPolicySet:
    """Many subscriptions' filter policies matched at once (SNS fan-out), on :class:`PatternSet`.

    ``match_attributes`` and ``match_body`` return the names of the policies of that scope that match;
    :meth:`match` takes both parts of a message and returns every matching name. Names are reported
    in a deterministic order.
    """

    __slots__ = ("_attributes", "_body", "_policies", "_wanted")

    def __init__(self) -> None:
        self._policies: dict[str, FilterPolicy] = {}
        self._attributes = PatternSet()
        self._body = PatternSet()
        self._wanted: frozenset[str] | None = None

    def add(self, name: str, policy: FilterPolicy) -> None:
        """Add (or replace) the policy of subscription ``name``."""
        if name in self._policies:
            self.remove(name)
        self._policies[name] = policy
        target = self._attributes if policy.scope == "MessageAttributes" else self._body
        target.add(name, policy.pattern)
        self._wanted = None

    def remove(self, name: str) -> None:
        """Remove the policy of ``name`` (``KeyError`` if none)."""
        policy = self._policies.pop(name)
        (self._attributes if policy.scope == "MessageAttributes" else self._body).remove(name)
        self._wanted = None

    def match_attributes(self, message_attributes: Mapping[str, Any] | None) -> list[str]:
        """Names of the attribute-scope policies the message attributes match."""
        if not len(self._attributes):
            return []
        if self._wanted is None:
            self._wanted = referenced_names(
                p.pattern for p in self._policies.values() if p.scope == "MessageAttributes"
            )
        return self._attributes.match(attribute_view(message_attributes or {}, self._wanted))

    def match_body(self, body: Mapping[str, Any] | str | bytes | bytearray) -> list[str]:
        """Names of the body-scope policies the message body matches."""
        if not len(self._body):
            return []
        view = body_view(body)
        return [] if view is None else self._body.match(view)

    def match(
        self,
        message_attributes: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | str | bytes | bytearray | None = None,
    ) -> list[str]:
        """Names of every policy the message matches (attribute-scope ones first)."""
        names = self.match_attributes(message_attributes)
        if body is not None:
            names += self.match_body(body)
        return names

    def __len__(self) -> int:
        return len(self._policies)

    def __contains__(self, name: object) -> bool:
        return name in self._policies
