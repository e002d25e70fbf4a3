"""What a rule target receives: the whole event, ``Input``, ``InputPath`` or ``InputTransformer``.

From the PutTargets API reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html)
and the Target reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html):
``Input``, ``InputPath`` and ``InputTransformer`` are mutually exclusive and optional. With none of
them the entire event is passed in JSON form; ``Input`` (valid JSON text, at most 8,192 characters)
replaces the event with that constant; ``InputPath`` (a JSON path, at most 256 characters) passes
only the part of the event it names; ``InputTransformer`` fills a template with values from the event.

Error messages observed at PutTargets (``ValidationException``):
``Only one of Input, InputPath, or InputTransformer must be provided for target <id>.``,
``JSON syntax error in input for target <id>: [Source: (String)"<input>"; line: L, column: C]``
(the location is the JSON parser's, Jackson's) and ``InputPath for target <id> is invalid.``
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal, final

from ._transform_json import MISSING, constraint_error, to_json
from ._transform_path import JsonPath, compile_json_path
from ._transform_template import (
    MAX_PATH_LENGTH,
    InputTransformer,
    transformer_model_violations,
)
from .errors import ValidationError

__all__ = ("TargetInput", "TargetInputKind", "apply_input_path")

MAX_INPUT_LENGTH: Final = 8192
_JACKSON_SOURCE_LIMIT: Final = 500

TargetInputKind = Literal["event", "input", "input_path", "input_transformer"]


class _NonStandardConstant(ValueError):
    """Python's json accepts NaN and Infinity; Jackson, which AWS uses, does not."""


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstant(name)


def _jackson_column(text: str, position: int, column: int, *, whole_word: bool) -> int:
    """Approximate where Jackson reports a syntax error: after what it read before giving up.

    Python reports the first character it could not accept. Jackson reports once it has read that
    character, or, where a value was expected, the whole unrecognised word (``Input=env:dev`` gives
    ``column: 4`` in AWS's message, ``{'db_name': ...}`` gives ``column: 3``).
    """
    if position >= len(text):
        return column
    if not whole_word or not _is_word_char(text[position]):
        return column + 1
    length = 1
    while position + length < len(text) and _is_word_char(text[position + length]):
        length += 1
    return column + length


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_$"


def _json_syntax_error(text: str, target_id: str) -> ValidationError | None:
    """Check ``Input`` is valid JSON; return AWS's error for it when it is not."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except _NonStandardConstant as error:
        position = max(text.find(str(error)), 0)
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        column = _jackson_column(text, position, column, whole_word=True)
    except json.JSONDecodeError as error:
        position, line = error.pos, error.lineno
        if error.msg.startswith("Unterminated string"):
            position = len(text)  # Jackson runs to the end of the input looking for the quote
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        else:
            whole_word = error.msg.startswith(("Expecting value", "Extra data"))
            column = _jackson_column(text, position, error.colno, whole_word=whole_word)
    else:
        return None
    shown = f'"{text}"'
    if len(text) > _JACKSON_SOURCE_LIMIT:
        shown = f'"{text[:_JACKSON_SOURCE_LIMIT]}"[truncated {len(text) - _JACKSON_SOURCE_LIMIT} chars]'
    return ValidationError(
        f"JSON syntax error in input for target {target_id}: [Source: (String){shown}; line: {line}, column: {column}]"
    )


def apply_input_path(event: Mapping[str, Any], input_path: str, *, target_id: str) -> Any:
    """Evaluate an ``InputPath`` against ``event``.

    Args:
        event: the event, decoded from JSON.
        input_path: a JSON path such as ``$.detail`` or ``$.detail.items[0]``.
        target_id: the target's ``Id``, named in the error message.

    Returns:
        The value the path names, a list of matches for a path with ``*``, or :data:`MISSING`.

    Raises:
        ValidationError: ``InputPath for target <id> is invalid.``
    """
    compiled = compile_json_path(input_path)
    if compiled is None:
        raise ValidationError(f"InputPath for target {target_id} is invalid.")
    return compiled.find(event)


@final
class TargetInput:
    """How a rule target's input is derived from a matched event, validated as PutTargets does.

    Args:
        target_id: the target's ``Id``, named in AWS's error messages.
        input: ``Input``, constant JSON text passed to the target verbatim.
        input_path: ``InputPath``, a JSON path naming the part of the event to pass.
        input_transformer: ``InputTransformer``, either an :class:`InputTransformer` or its AWS
            shape ``{"InputPathsMap": {...}, "InputTemplate": "..."}``.
        member: where the target sits in the PutTargets request, for request-model error messages.

    Raises:
        ValidationError: ``ValidationException`` with AWS's message (see the module docstring).

    Example:
        >>> TargetInput("t1", input_path="$.detail").payload(
        ...     {"detail": {"a": 1}}, rule_arn="arn", rule_name="r", ingestion_time=""
        ... )
        '{"a":1}'
    """

    __slots__ = ("_input", "_kind", "_path", "_target_id", "_transformer")

    def __init__(
        self,
        target_id: str,
        *,
        input: str | None = None,
        input_path: str | None = None,
        input_transformer: InputTransformer | Mapping[str, Any] | None = None,
        member: str = "targets.1.member",
    ) -> None:
        violations: list[tuple[str | None, str, str]] = []
        if input is not None and len(input) > MAX_INPUT_LENGTH:
            violations.append(
                (
                    input,
                    f"{member}.input",
                    f"Member must have length less than or equal to {MAX_INPUT_LENGTH}",
                )
            )
        if input_path is not None and len(input_path) > MAX_PATH_LENGTH:
            violations.append(
                (
                    input_path,
                    f"{member}.inputPath",
                    f"Member must have length less than or equal to {MAX_PATH_LENGTH}",
                )
            )
        if isinstance(input_transformer, Mapping):
            violations.extend(
                transformer_model_violations(
                    dict(input_transformer.get("InputPathsMap") or {}),
                    input_transformer.get("InputTemplate"),
                    member,
                )
            )
        if violations:
            raise constraint_error(violations)
        given = sum(value is not None for value in (input, input_path, input_transformer))
        if given > 1:
            raise ValidationError(
                f"Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}."
            )

        self._target_id = target_id
        self._input: str | None = None
        self._path: JsonPath | None = None
        self._transformer: InputTransformer | None = None
        self._kind: TargetInputKind = "event"
        if input is not None:
            error = _json_syntax_error(input, target_id)
            if error is not None:
                raise error
            self._input = input
            self._kind = "input"
        elif input_path is not None:
            compiled = compile_json_path(input_path)
            if compiled is None:
                raise ValidationError(f"InputPath for target {target_id} is invalid.")
            self._path = compiled
            self._kind = "input_path"
        elif input_transformer is not None:
            if isinstance(input_transformer, InputTransformer):
                if input_transformer.target_id != target_id:
                    input_transformer = InputTransformer(
                        input_transformer.input_paths_map,
                        input_transformer.input_template,
                        target_id=target_id,
                        member=member,
                    )
                self._transformer = input_transformer
            else:
                self._transformer = InputTransformer.from_aws(
                    input_transformer, target_id=target_id, member=member
                )
            self._kind = "input_transformer"

    @property
    def target_id(self) -> str:
        """The target's ``Id``."""
        return self._target_id

    @property
    def kind(self) -> TargetInputKind:
        """Which form of input the target uses: ``event``, ``input``, ``input_path`` or ``input_transformer``."""
        return self._kind

    @property
    def input(self) -> str | None:
        """The ``Input`` constant, when set."""
        return self._input

    @property
    def input_path(self) -> str | None:
        """The ``InputPath``, when set."""
        return None if self._path is None else self._path.text

    @property
    def input_transformer(self) -> InputTransformer | None:
        """The ``InputTransformer``, when set."""
        return self._transformer

    def to_aws(self) -> dict[str, Any]:
        """The input fields of the AWS ``Target`` shape (empty for the whole event)."""
        if self._input is not None:
            return {"Input": self._input}
        if self._path is not None:
            return {"InputPath": self._path.text}
        if self._transformer is not None:
            return {"InputTransformer": self._transformer.to_aws()}
        return {}

    def payload(
        self, event: Mapping[str, Any], *, rule_arn: str, rule_name: str, ingestion_time: str
    ) -> str | None:
        """The text EventBridge delivers to the target for ``event``.

        Args:
            event: the matched event as delivered (envelope and ``detail``), decoded from JSON.
            rule_arn: the matching rule's ARN.
            rule_name: the matching rule's name.
            ingestion_time: when EventBridge received the event (ISO 8601).

        Returns:
            The whole event as compact JSON; the ``Input`` text verbatim; the JSON of the value an
            ``InputPath`` names (``"baz"`` for a string, quotes included); or the rendered
            ``InputTransformer`` template. ``None`` when an ``InputPath`` matches nothing: AWS does
            not document what it delivers then.
        """
        if self._kind == "event":
            return to_json(event)
        if self._input is not None:
            return self._input
        if self._path is not None:
            value = self._path.find(event)
            return None if value is MISSING else to_json(value)
        assert self._transformer is not None
        return self._transformer.render(
            event, rule_arn=rule_arn, rule_name=rule_name, ingestion_time=ingestion_time
        )

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self.to_aws().items())
        return f"eventbus.transform.TargetInput({self._target_id!r}{', ' if fields else ''}{fields})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TargetInput):
            return NotImplemented
        return (self._target_id, self._kind, self.to_aws()) == (other._target_id, other._kind, other.to_aws())

    def __hash__(self) -> int:
        return hash((self._target_id, self._kind, self._input, self.input_path, self._transformer))
