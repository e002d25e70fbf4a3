"""``InputTransformer``: variables taken from the event by JSON path, put into an ``InputTemplate``.

What EventBridge does, from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
and the ``InputTransformer`` API reference
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html), and what was
observed where the documentation is silent:

* ``InputPathsMap`` names up to 100 variables, each a JSON path into the event; keys match
  ``[A-Za-z0-9\\_\\-]+`` (1 to 256 characters), paths are at most 256 characters. ``InputTemplate``
  is 1 to 8,192 characters and refers to a variable as ``<name>``; ``<`` and ``>`` cannot be escaped.
* Predefined variables need no path: ``aws.events.rule-arn``, ``aws.events.rule-name``,
  ``aws.events.event.ingestion-time`` (strings), ``aws.events.event`` (the event without its
  ``detail``, with ``detail-type`` spelt ``detailType``) and ``aws.events.event.json`` (the whole
  event). The last two are objects and are accepted only in a template that is a JSON object.
* A placeholder *inside a JSON string* of the template inserts the value as string content, without
  escaping ("EventBridge doesn't escape values extracted by Input Path"). A placeholder *outside* a
  string inserts the value as JSON: a string arrives with its quotes (template
  ``{"instance": <instance>}`` gives ``{"instance": "i-0123456789"}``), numbers, booleans, ``null``,
  objects and arrays as JSON text.
* A variable whose path matches nothing is "not created": it renders as the empty string, so
  ``"... detail <command>"`` gives ``"... detail "`` and ``{"command": <command>}`` gives
  ``{"command": ""}`` (both recorded from AWS by LocalStack's parity tests).
* "The JSON that is passed to the target is minified": whitespace outside strings is dropped from a
  template that is a JSON object. Other templates (a JSON string such as ``"instance <i> is in <s>"``
  or several quoted lines) are passed as written, quotes included.
* PutTargets refuses a template naming an undefined variable (``InputTemplate for target <id>
  contains invalid placeholder <name>.``) and an object variable outside a JSON object template
  (``InputTemplate for target <id> contains placeholder aws.events.event.json valid only for JSON
  template.``).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

from ._transform_json import MISSING, constraint_error, java_map_text, to_json
from ._transform_path import JsonPath, compile_json_path
from .errors import ValidationError

__all__ = ("RESERVED_VARIABLES", "InputTransformer", "transformer_model_violations")

RULE_ARN: Final = "aws.events.rule-arn"
RULE_NAME: Final = "aws.events.rule-name"
INGESTION_TIME: Final = "aws.events.event.ingestion-time"
EVENT: Final = "aws.events.event"
EVENT_JSON: Final = "aws.events.event.json"

RESERVED_VARIABLES: Final = (RULE_ARN, RULE_NAME, EVENT, INGESTION_TIME, EVENT_JSON)
"""The predefined template variables, reserved: no ``InputPathsMap`` key may take these names."""

_OBJECT_VARIABLES: Final = frozenset({EVENT, EVENT_JSON})

MAX_VARIABLES: Final = 100
MAX_TEMPLATE_LENGTH: Final = 8192
MAX_KEY_LENGTH: Final = 256
MAX_PATH_LENGTH: Final = 256
_KEY_PATTERN_TEXT: Final = r"[A-Za-z0-9\_\-]+"
_KEY: Final = re.compile(_KEY_PATTERN_TEXT)

# A placeholder is "<" name ">" where the name holds no "<", ">", quote or whitespace. Anything of
# that shape is taken as a placeholder (AWS: "<" and ">" cannot be escaped), so "<p>" in a template
# names the variable "p".
_PLACEHOLDER: Final = re.compile(r'<([^<>\s"]+)>')
_JSON_WHITESPACE: Final = " \t\r\n"

# Order of the envelope fields in <aws.events.event>, as AWS delivers it.
_EVENT_FIELD_ORDER: Final = (
    "id",
    "account",
    "detail-type",
    "time",
    "source",
    "region",
    "resources",
    "version",
)


@final
class _Slot:
    """A placeholder in a compiled template: the variable name and whether it sits in a string."""

    __slots__ = ("name", "quoted")

    def __init__(self, name: str, quoted: bool) -> None:
        self.name = name
        self.quoted = quoted


def _scan(template: str, *, minify: bool) -> tuple[tuple[str | _Slot, ...], tuple[_Slot, ...]]:
    """Split ``template`` into literal text and placeholders, noting each placeholder's context.

    The context is found by following JSON string quoting through the template: a ``"`` opens or
    closes a string unless a backslash inside a string escapes it.
    """
    parts: list[str | _Slot] = []
    slots: list[_Slot] = []
    literal: list[str] = []
    in_string = False
    escaped = False
    position = 0
    end = len(template)
    while position < end:
        char = template[position]
        if char == "<":
            match = _PLACEHOLDER.match(template, position)
            if match is not None:
                if literal:
                    parts.append("".join(literal))
                    literal.clear()
                slot = _Slot(match.group(1), in_string)
                parts.append(slot)
                slots.append(slot)
                escaped = False
                position = match.end()
                continue
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif minify and char in _JSON_WHITESPACE:
            position += 1
            continue
        literal.append(char)
        position += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts), tuple(slots)


def _is_array(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def _as_json_value(value: Any) -> str:
    """Text for a placeholder outside a string: the value as JSON; a missing value is ``""``."""
    if value is MISSING:
        return '""'
    return to_json(value)


def _as_string_content(value: Any) -> str:
    """Text for a placeholder inside a JSON string.

    Strings go in as they are, unescaped. Numbers, booleans and ``null`` go in as their JSON text.
    Objects and arrays go in as JSON with their quotes dropped (``{"key": "value"}`` becomes
    ``{key:value}``), as the EventBridge Pipes page describes for a JSON payload put into text
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
    """
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{key}:{_as_string_content(member)}" for key, member in value.items()) + "}"
    if _is_array(value):
        return "[" + ",".join(_as_string_content(member) for member in value) + "]"
    return to_json(value)


def _event_without_detail(event: Mapping[str, Any]) -> dict[str, Any]:
    """``<aws.events.event>``: the envelope without ``detail``, ``detail-type`` spelt ``detailType``.

    Shape and field order as AWS delivered them in LocalStack's recorded parity test
    (tests/aws/services/events/test_events_inputs.snapshot.json, predefined variables case).
    """
    envelope: dict[str, Any] = {}
    for field in _EVENT_FIELD_ORDER:
        if field in event:
            envelope["detailType" if field == "detail-type" else field] = event[field]
    for field, value in event.items():
        if field != "detail" and field not in _EVENT_FIELD_ORDER:
            envelope[field] = value
    return envelope


def transformer_model_violations(
    input_paths_map: Mapping[str, str], input_template: str | None, member: str
) -> list[tuple[str | None, str, str]]:
    """Constraint violations AWS's request model reports for an ``InputTransformer``.

    Limits from https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html:
    at most 100 map entries; keys 1 to 256 characters matching ``[A-Za-z0-9\\_\\-]+`` (so no key can
    be an ``aws.events.*`` name); values at most 256 characters; template 1 to 8,192 characters.
    """
    violations: list[tuple[str | None, str, str]] = []
    location = f"{member}.inputTransformer"
    if input_paths_map:
        map_text = java_map_text(input_paths_map)
        map_location = f"{location}.inputPathsMap"
        if len(input_paths_map) > MAX_VARIABLES:
            violations.append(
                (map_text, map_location, f"Member must have length less than or equal to {MAX_VARIABLES}")
            )
        key_problems: list[str] = []
        value_problems: list[str] = []
        for key, path in input_paths_map.items():
            if len(key) > MAX_KEY_LENGTH:
                key_problems.append(f"Member must have length less than or equal to {MAX_KEY_LENGTH}")
            if not key:
                key_problems.append("Member must have length greater than or equal to 1")
            if _KEY.fullmatch(key) is None:
                key_problems.append(f"Member must satisfy regular expression pattern: {_KEY_PATTERN_TEXT}")
            if len(path) > MAX_PATH_LENGTH:
                value_problems.append(f"Member must have length less than or equal to {MAX_PATH_LENGTH}")
        if key_problems:
            listed = ", ".join(dict.fromkeys(key_problems))
            violations.append((map_text, map_location, f"Map keys must satisfy constraint: [{listed}]"))
        if value_problems:
            listed = ", ".join(dict.fromkeys(value_problems))
            violations.append((map_text, map_location, f"Map value must satisfy constraint: [{listed}]"))
    if input_template is None:
        violations.append((None, f"{location}.inputTemplate", "Member must not be null"))
    elif not input_template:
        violations.append(
            (
                input_template,
                f"{location}.inputTemplate",
                "Member must have length greater than or equal to 1",
            )
        )
    elif len(input_template) > MAX_TEMPLATE_LENGTH:
        violations.append(
            (
                input_template,
                f"{location}.inputTemplate",
                f"Member must have length less than or equal to {MAX_TEMPLATE_LENGTH}",
            )
        )
    return violations


@final
class InputTransformer:
    """A target's ``InputTransformer``, validated as PutTargets validates it and compiled for rendering.

    Args:
        input_paths_map: variable name to JSON path into the event (``InputPathsMap``); may be
            empty or ``None`` when the template uses only predefined variables.
        input_template: the ``InputTemplate``.
        target_id: the target's ``Id``, which AWS names in its error messages.
        member: where the target sits in the PutTargets request, for request-model error messages
            (``targets.1.member`` is the first target).

    Raises:
        ValidationError: ``ValidationException`` with AWS's message: a request-model constraint
            (``1 validation error detected: ...``), ``InputPath for target <id> is invalid.``,
            ``InputTemplate for target <id> contains invalid placeholder <name>.`` or
            ``InputTemplate for target <id> contains placeholder <name> valid only for JSON template.``

    Example:
        >>> t = InputTransformer({"state": "$.detail.state"}, '{"state": <state>}', target_id="t1")
        >>> t.render({"detail": {"state": "RUNNING"}}, rule_arn="arn", rule_name="r", ingestion_time="")
        '{"state":"RUNNING"}'
    """

    __slots__ = ("_is_json_template", "_parts", "_paths", "_paths_map", "_target_id", "_template")

    def __init__(
        self,
        input_paths_map: Mapping[str, str] | None,
        input_template: str,
        *,
        target_id: str,
        member: str = "targets.1.member",
    ) -> None:
        paths_map = dict(input_paths_map or {})
        violations = transformer_model_violations(paths_map, input_template, member)
        if violations:
            raise constraint_error(violations)
        paths: dict[str, JsonPath] = {}
        for key, text in paths_map.items():
            compiled = compile_json_path(text)
            if compiled is None:
                raise ValidationError(f"InputPath for target {target_id} is invalid.")
            paths[key] = compiled
        is_json_template = input_template.lstrip(_JSON_WHITESPACE).startswith("{")
        parts, slots = _scan(input_template, minify=is_json_template)
        for slot in slots:
            if slot.name in _OBJECT_VARIABLES:
                if not is_json_template:
                    raise ValidationError(
                        f"InputTemplate for target {target_id} contains placeholder {slot.name} "
                        "valid only for JSON template."
                    )
            elif slot.name not in paths and slot.name not in RESERVED_VARIABLES:
                raise ValidationError(
                    f"InputTemplate for target {target_id} contains invalid placeholder {slot.name}."
                )
        self._paths_map = types.MappingProxyType(paths_map)
        self._template = input_template
        self._target_id = target_id
        self._paths = paths
        self._parts = parts
        self._is_json_template = is_json_template

    @classmethod
    def from_aws(
        cls, spec: Mapping[str, Any], *, target_id: str, member: str = "targets.1.member"
    ) -> InputTransformer:
        """Build from the AWS shape ``{"InputPathsMap": {...}, "InputTemplate": "..."}``."""
        template = spec.get("InputTemplate")
        if template is None:
            raise constraint_error(transformer_model_violations({}, None, member))
        return cls(spec.get("InputPathsMap"), template, target_id=target_id, member=member)

    def to_aws(self) -> dict[str, Any]:
        """The AWS shape of this transformer, as DescribeTargets / ListTargetsByRule return it."""
        spec: dict[str, Any] = {}
        if self._paths_map:
            spec["InputPathsMap"] = dict(self._paths_map)
        spec["InputTemplate"] = self._template
        return spec

    @property
    def input_paths_map(self) -> Mapping[str, str]:
        """The ``InputPathsMap`` (read-only)."""
        return self._paths_map

    @property
    def input_template(self) -> str:
        """The ``InputTemplate`` as given."""
        return self._template

    @property
    def target_id(self) -> str:
        """The target ``Id`` the transformer was validated for."""
        return self._target_id

    @property
    def is_json_template(self) -> bool:
        """Whether the template is a JSON object (starts with ``{``), which AWS minifies."""
        return self._is_json_template

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The variable names the template uses, in order of first use."""
        names = (part.name for part in self._parts if isinstance(part, _Slot))
        return tuple(dict.fromkeys(names))

    def render(self, event: Mapping[str, Any], *, rule_arn: str, rule_name: str, ingestion_time: str) -> str:
        """Produce the text EventBridge delivers to the target for ``event``.

        Args:
            event: the event as delivered (envelope and ``detail``), decoded from JSON.
            rule_arn: the matching rule's ARN (``<aws.events.rule-arn>``).
            rule_name: the matching rule's name (``<aws.events.rule-name>``).
            ingestion_time: when EventBridge received the event, ISO 8601
                (``<aws.events.event.ingestion-time>``).

        Returns:
            The rendered template. A JSON template yields minified JSON, unless an unescaped value
            inserted into a string broke it (AWS does not escape such values); the text is then
            returned as rendered.
        """
        values: dict[str, Any] = {}
        out: list[str] = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
                continue
            name = part.name
            if name in values:
                value = values[name]
            else:
                path = self._paths.get(name)
                if path is not None:
                    value = path.find(event)
                elif name == RULE_ARN:
                    value = rule_arn
                elif name == RULE_NAME:
                    value = rule_name
                elif name == INGESTION_TIME:
                    value = ingestion_time
                elif name == EVENT:
                    value = _event_without_detail(event)
                else:  # EVENT_JSON: construction allowed nothing else
                    value = event
                values[name] = value
            out.append(_as_string_content(value) if part.quoted else _as_json_value(value))
        return "".join(out)

    def __repr__(self) -> str:
        return (
            f"eventbus.transform.InputTransformer({dict(self._paths_map)!r}, {self._template!r}, "
            f"target_id={self._target_id!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputTransformer):
            return NotImplemented
        return (self._template, dict(self._paths_map), self._target_id) == (
            other._template,
            dict(other._paths_map),
            other._target_id,
        )

    def __hash__(self) -> int:
        return hash((self._template, frozenset(self._paths_map.items()), self._target_id))
