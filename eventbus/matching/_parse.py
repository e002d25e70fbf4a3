"""Parse and validate event patterns into branches, with AWS's exact reasons for refusing one.

A pattern compiles to a list of *branches* (``$or`` expands into several); a branch maps a dotted
field path to the tuple of conditions any of which must hold. The walk mirrors aws/event-ruler's
``JsonRuleCompiler`` (the compiler EventBridge runs), token by token, so the first error found is the
one AWS reports, worded as AWS words it (https://docs.aws.amazon.com/eventbridge/latest/userguide/
eb-event-patterns.html and event-ruler's ``JsonRuleCompiler``/``CIDR``/``WildcardParser``):

* document order decides which of two writes to one path wins (the later one), also across ``$or``;
* a pattern whose ``$or`` is not the operator (not an array of at least two objects, or a branch using
  a reserved name) is retried with ``$or`` read as an ordinary field name, as event-ruler's
  ``GenericMachine.addRule`` falls back to its pre-``$or`` compiler; if that fails too the first
  compiler's reason is reported.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final, NoReturn, TypeAlias

from eventbus.errors import InvalidEventPatternError

from ._conditions import (
    AnythingButIgnoreCase,
    AnythingButPrefix,
    AnythingButSuffix,
    AnythingButValues,
    AnythingButWildcard,
    Cidr,
    Condition,
    EqualsIgnoreCase,
    Exact,
    ExactIP,
    Exists,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
    ip_literal,
    wildcard_regex,
)
from ._wildcard_complexity import too_complex

__all__ = (
    "Branch",
    "JsonNumber",
    "JsonObject",
    "PatternError",
    "load_json",
    "parse_pattern",
    "to_tokens",
)

Branch: TypeAlias = dict[str, tuple[Condition, ...]]
"""One alternative of a pattern: dotted field path -> conditions, one of which must hold."""

OR_KEYWORD: Final = "$or"
RESERVED_IN_OR: Final = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
        "numeric", "cidr", "html", "=", "<", "<=", ">", ">=", "regex", "not-wildcard",
        "not-equals-ignore-case", "date-after", "date-on-or-after", "date-before",
        "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip
TOO_COMPLEX: Final = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)
INVALID_JSON: Final = "Filter is not valid JSON"


class PatternError(Exception):
    """Internal: a refusal reason (the text after ``Reason:``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fail(reason: str) -> NoReturn:
    raise PatternError(reason)


class JsonObject:
    """A JSON object as the ordered list of its members (duplicates kept), as a streaming parser sees it."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


class JsonNumber:
    """A JSON number with its source text (error messages quote it) and its double value."""

    __slots__ = ("text", "value")

    def __init__(self, text: str) -> None:
        self.text = text
        self.value = _to_double(text)


def _to_double(text: str) -> float:
    try:
        return float(text)
    except OverflowError:  # pragma: no cover - float() of a numeral string gives inf instead
        return math.inf if not text.startswith("-") else -math.inf


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def load_json(text: str | bytes | bytearray) -> Any:
    """Parse JSON text into tokens (:class:`JsonObject`, :class:`JsonNumber`, list, str, bool, None)."""
    return json.loads(
        text,
        object_pairs_hook=JsonObject,
        parse_int=JsonNumber,
        parse_float=JsonNumber,
        parse_constant=_reject_constant,
    )


def to_tokens(value: Any) -> Any:
    """Convert an already-decoded Python value (a Mapping pattern) into the token model."""
    if isinstance(value, Mapping):
        return JsonObject([(str(key), to_tokens(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return [to_tokens(item) for item in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return JsonNumber(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            _fail(INVALID_JSON)
        return JsonNumber(json.dumps(value))
    return value  # anything else is refused where it is used


def _text(token: Any) -> str:
    """The text Jackson's ``getText()`` gives for a token."""
    if isinstance(token, str):
        return token
    if isinstance(token, JsonNumber):
        return token.text
    if token is True:
        return "true"
    if token is False:
        return "false"
    if token is None:
        return "null"
    if isinstance(token, JsonObject):
        return "{"
    if isinstance(token, list):
        return "["
    return str(token)


_END: Final = object()  # the closing bracket of an array (text "]")


def parse_pattern(pattern: str | bytes | bytearray | Mapping[str, Any] | Any) -> list[Branch]:
    """Parse a pattern (JSON text or mapping) into branches, raising InvalidEventPatternError."""
    try:
        if isinstance(pattern, (str, bytes, bytearray)):
            try:
                root = load_json(pattern)
            except (ValueError, RecursionError):
                _fail(INVALID_JSON)
        else:
            try:
                root = to_tokens(pattern)
            except RecursionError:
                _fail(INVALID_JSON)
        try:
            return _compile(root)
        except RecursionError:  # nested more deeply than JSON parsers read (Jackson stops at 1,000)
            _fail(INVALID_JSON)
    except PatternError as error:
        raise InvalidEventPatternError(
            f"Event pattern is not valid. Reason: {error.reason}", reason=error.reason
        ) from None


def _compile(root: Any) -> list[Branch]:
    if not isinstance(root, JsonObject):
        _fail("Filter is not an object")
    try:
        branches = _Compiler(expand_or=True).run(root)
    except PatternError:
        if not _mentions_or(root):
            raise
        try:
            branches = _Compiler(expand_or=False).run(root)
        except PatternError:
            pass
        else:
            return _finish(branches)
        raise
    return _finish(branches)


def _mentions_or(token: Any) -> bool:
    if isinstance(token, JsonObject):
        return any(key == OR_KEYWORD or _mentions_or(value) for key, value in token.pairs)
    if isinstance(token, list):
        return any(_mentions_or(item) for item in token)
    return False


def _finish(branches: list[Branch]) -> list[Branch]:
    wildcards: dict[str, list[str]] = {}
    for branch in branches:
        for path, conditions in branch.items():
            for condition in conditions:
                if isinstance(condition, Wildcard):
                    wildcards.setdefault(path, []).append(condition.pattern)
                elif isinstance(condition, AnythingButWildcard):
                    wildcards.setdefault(path, []).extend(condition.patterns)
    for patterns in wildcards.values():
        if too_complex(patterns):
            _fail(TOO_COMPLEX)
    return branches


class _Compiler:
    """One pass of event-ruler's JSON rule compiler."""

    def __init__(self, *, expand_or: bool) -> None:
        self.expand_or = expand_or

    def run(self, root: JsonObject) -> list[Branch]:
        rules: list[Branch] = []
        self._object(rules, (), root, inside_or=False)
        return rules

    def _object(
        self, rules: list[Branch], path: tuple[str, ...], obj: JsonObject, *, inside_or: bool
    ) -> None:
        for key, value in obj.pairs:
            if key == OR_KEYWORD and self.expand_or:
                self._or(rules, path, value)
                continue
            if inside_or and key in RESERVED_IN_OR:
                _fail(f"{key} is Ruler reserved fieldName which cannot be used inside {OR_KEYWORD}.")
            if isinstance(value, JsonObject):
                self._object(rules, (*path, key), value, inside_or=inside_or)
            elif isinstance(value, list):
                _write_rules(rules, ".".join((*path, key)), value)
            else:
                _fail(f'"{key}" must be an object or an array')
        if not obj.pairs:
            _fail("Empty objects are not allowed")

    def _or(self, rules: list[Branch], path: tuple[str, ...], value: Any) -> None:
        current = [dict(rule) for rule in rules]
        rules.clear()
        if not isinstance(value, list):
            _fail(f"It must be an Array followed with {OR_KEYWORD}.")
        for member in value:
            if not isinstance(member, JsonObject):
                _fail(f"Only JSON object is allowed in array of {OR_KEYWORD} relationship.")
            forked = [dict(rule) for rule in current] or [{}]
            self._object(forked, path, member, inside_or=True)
            rules.extend(forked)
        if len(value) < 2:
            _fail(f"There must have at least 2 Objects in {OR_KEYWORD} relationship.")


def _write_rules(rules: list[Branch], name: str, values: list[Any]) -> None:
    conditions: list[Condition] = []
    for value in values:
        if isinstance(value, JsonObject):
            conditions.append(_match_expression(value))
        elif isinstance(value, str):
            address = ip_literal(value)
            conditions.append(Exact(value) if address is None else ExactIP(address[0], address[1], value))
        elif isinstance(value, JsonNumber):
            conditions.append(Exact(value.value))
        elif value is None or value is True or value is False:
            conditions.append(Exact(value))
        else:
            _fail("Match value must be String, number, true, false, or null")
    if not conditions:
        _fail("Empty arrays are not allowed")
    if not rules:
        rules.append({})
    deduplicated = tuple(dict.fromkeys(conditions))
    for rule in rules:
        rule[name] = deduplicated


def _only_one(rest: list[tuple[str, Any]]) -> None:
    if rest:
        _fail("Only one key allowed in match expression")


def _match_expression(obj: JsonObject) -> Condition:
    if not obj.pairs:
        _fail("Match expression name not found")
    (operator, operand), rest = obj.pairs[0], obj.pairs[1:]
    condition: Condition
    if operator == "exactly":
        if not isinstance(operand, str):
            _fail("exact match pattern must be a string")
        condition = Exact(operand)
    elif operator in ("prefix", "suffix"):
        condition = _affix(operator, operand)
    elif operator == "numeric":
        if not isinstance(operand, list):
            _fail("Value of numeric must be an array.")
        condition = _numeric(operand)
        if rest:
            _fail("Too many elements in numeric expression")
    elif operator == "anything-but":
        condition = _anything_but(operand)
        if rest:
            _fail("Too many elements in numeric expression")
    elif operator == "exists":
        if operand is not True and operand is not False:
            _fail("exists match pattern must be either true or false.")
        condition = Exists(operand)
    elif operator == "cidr":
        if not isinstance(operand, str):
            _fail("prefix match pattern must be a string")  # sic: event-ruler's text for cidr
        condition = _cidr(operand)
    elif operator == "equals-ignore-case":
        if not isinstance(operand, str):
            _fail("equals-ignore-case match pattern must be a string")
        condition = EqualsIgnoreCase(operand)
    elif operator == "wildcard":
        if not isinstance(operand, str):
            _fail("wildcard match pattern must be a string")
        _check_wildcard(operand)
        condition = Wildcard(operand, wildcard_regex(operand))
    else:
        _fail(f"Unrecognized match type {operator}")
    _only_one(rest)
    return condition


def _affix(operator: str, operand: Any) -> Condition:
    if isinstance(operand, JsonObject):
        label = operator.capitalize()
        if not operand.pairs:
            _fail(f"{label} expression name not found")
        (inner, value), inner_rest = operand.pairs[0], operand.pairs[1:]
        if inner != "equals-ignore-case":
            _fail(f"Unsupported {operator} pattern: {inner}")
        if not isinstance(value, str):
            _fail("equals-ignore-case match pattern must be a string")
        _only_one(inner_rest)
        return Prefix(value, True) if operator == "prefix" else Suffix(value, True)
    if not isinstance(operand, str):
        _fail(f"{operator} match pattern must be a string")
    return Prefix(operand) if operator == "prefix" else Suffix(operand)


def _numeric(items: list[Any]) -> Numeric:
    stream: Iterator[Any] = iter(items)

    def take() -> Any:
        return next(stream, _END)

    def text(token: Any) -> str:
        return "]" if token is _END else _text(token)

    operator = take()
    if not isinstance(operator, str):
        _fail(f"Invalid member in numeric match: {text(operator)}")
    operand = take()
    if operator == "=":
        if not isinstance(operand, JsonNumber):
            _fail("Value of equals must be numeric")
        if take() is not _END:
            _fail("Too many elements in numeric expression")
        return Numeric(operand.value, True, operand.value, True)
    if operator in (">=", ">"):
        if not isinstance(operand, JsonNumber):
            _fail(f"Value of {operator} must be numeric")
        bottom, open_bottom = operand.value, operator == ">"
        second = take()
        if second is _END:
            return Numeric(bottom, not open_bottom, math.inf, False)
        if not isinstance(second, str):
            _fail(f"Bad value in numeric range: {text(second)}")
        if second not in ("<", "<="):
            _fail(f"Bad numeric range operator: {second}")
        top_token = take()
        if not isinstance(top_token, JsonNumber):
            _fail(f"Value of {second} must be numeric")
        if take() is not _END:
            _fail("Too many terms in numeric range expression")
        if not bottom < top_token.value:
            _fail("Bottom must be less than top")
        return Numeric(bottom, not open_bottom, top_token.value, second == "<=")
    if operator in ("<=", "<"):
        if not isinstance(operand, JsonNumber):
            _fail(f"Value of {operator} must be numeric")
        if take() is not _END:
            _fail("Too many elements in numeric expression")
        return Numeric(-math.inf, False, operand.value, operator == "<=")
    _fail(f"Unrecognized numeric range operator: {operator}")


_AB_KINDS: Final = ("equals-ignore-case", "prefix", "suffix", "wildcard")


def _anything_but(operand: Any) -> Condition:
    kind: str | None = None
    inner_rest: list[tuple[str, Any]] = []
    value = operand
    if isinstance(operand, JsonObject):
        if not operand.pairs:
            _fail("Anything-But expression name not found")
        (kind, value), inner_rest = operand.pairs[0], operand.pairs[1:]
        if kind not in _AB_KINDS:
            _fail(f"Unsupported anything-but pattern: {kind}")
    if not isinstance(value, (list, str, JsonNumber)):
        _fail("Value of anything-but must be an array or single string/number value.")
    condition: Condition
    if kind is None:
        condition = _anything_but_values(value)
    else:
        condition = _anything_but_set(kind, value if isinstance(value, list) else [value])
        if inner_rest:
            _fail("Too many elements in numeric expression")
    return condition


def _anything_but_values(value: list[Any] | str | JsonNumber) -> AnythingButValues:
    items = value if isinstance(value, list) else [value]
    strings: set[str] = set()
    numbers: set[float] = set()
    for item in items:
        if isinstance(item, str):
            strings.add(item)
        elif isinstance(item, JsonNumber):
            numbers.add(item.value)
        else:
            _fail("Inside anything but list, start|null|boolean is not supported.")
    if bool(strings) == bool(numbers):
        _fail("Inside anything but list, either all values are number or string, mixed type is not supported")
    return AnythingButValues(frozenset(strings), frozenset(numbers))


def _anything_but_set(kind: str, items: list[Any]) -> Condition:
    values: list[str] = []
    for item in items:
        if not isinstance(item, str):
            if kind == "equals-ignore-case":
                _fail(
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                )
            if kind == "wildcard":
                _fail("wildcard match pattern must be a string")
            _fail("prefix/suffix match pattern must be a string")
        if kind in ("prefix", "suffix") and not item:
            _fail("Null prefix/suffix not allowed")
        values.append(item)
    unique = tuple(dict.fromkeys(values))
    if kind == "prefix":
        return AnythingButPrefix(unique)
    if kind == "suffix":
        return AnythingButSuffix(unique)
    if kind == "equals-ignore-case":
        return AnythingButIgnoreCase(unique)
    for pattern in unique:
        _check_wildcard(pattern)
    return AnythingButWildcard(unique, tuple(wildcard_regex(p) for p in unique))


def _check_wildcard(pattern: str) -> None:
    """event-ruler's WildcardParser over the quoted value's UTF-8 bytes (positions count the quote)."""
    data = ('"' + pattern + '"').encode("utf-8", "surrogatepass")
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x2A:  # *
            if i + 1 < len(data) and data[i + 1] == 0x2A:
                _fail(f"Consecutive wildcard characters at pos {i}")
        elif byte == 0x5C:  # backslash
            if i + 1 < len(data) and data[i + 1] in (0x2A, 0x5C):
                i += 2
                continue
            _fail(f"Invalid escape character at pos {i}")
        i += 1


_JAVA_INT: Final = re.compile(r"[+-]?[0-9]+")


def _cidr(text: str) -> Cidr:
    """event-ruler's ``CIDR.cidr``: Java ``split("/")`` (trailing empty parts dropped), then checks."""
    parts = text.split("/")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if len(parts) != 2:
        _fail("Malformed CIDR, one '/' required")
    address_text, mask_text = parts
    if not _JAVA_INT.fullmatch(mask_text) or not -(2**31) <= int(mask_text) < 2**31:
        _fail("Malformed CIDR, mask bits must be an integer")
    mask = int(mask_text)
    if mask < 0:
        _fail("Malformed CIDR, mask bits must not be negative")
    address = ip_literal(address_text)
    if address is None:
        looks_like_ip = bool(re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+", address_text)) or bool(
            re.fullmatch(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*", address_text)
        )
        if looks_like_ip:
            _fail(f"Invalid IP address: {address_text}")
        _fail(f"Nonstandard IP address: {address_text}")
    version, value = address
    if version == 4 and mask > 31:
        _fail("IPv4 mask bits must be < 32")
    if version == 6 and mask > 127:
        _fail("IPv6 mask bits must be < 128")
    host_bits = (32 if version == 4 else 128) - mask
    return Cidr(version, value, value | ((1 << host_bits) - 1), text)
