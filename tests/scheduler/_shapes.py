"""Check a result dict against botocore's output shape for a ``scheduler`` operation.

Every key must be a member of the shape (recursively) with a value of the member's type, and every
required member present: the boto3 facade hands these dicts to botocore's serializers.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import botocore.session  # type: ignore[import-untyped]


@cache
def _model() -> Any:
    return botocore.session.get_session().get_service_model("scheduler")


def _check(value: Any, shape: Any, where: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{where}: expected a structure, got {value!r}"
        for key, item in value.items():
            assert key in shape.members, f"{where}: {key!r} is not a member of {shape.name}"
            _check(item, shape.members[key], f"{where}.{key}")
        for key in shape.required_members:
            assert key in value, f"{where}: required member {key!r} missing"
    elif kind == "list":
        assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
        for index, item in enumerate(value):
            _check(item, shape.member, f"{where}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{where}: expected a map, got {value!r}"
    elif kind == "string":
        assert isinstance(value, str), f"{where}: expected a string, got {value!r}"
        if shape.enum:
            assert value in shape.enum, f"{where}: {value!r} not in {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int), f"{where}: expected an integer, got {value!r}"
        assert not isinstance(value, bool), f"{where}: expected an integer, got {value!r}"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{where}: expected a boolean, got {value!r}"
    elif kind == "timestamp":
        assert isinstance(value, datetime), f"{where}: expected a datetime, got {value!r}"
        assert value.tzinfo is not None, f"{where}: expected an aware datetime"


def assert_output_shape(operation: str, result: dict[str, Any]) -> None:
    """Fail unless ``result`` fits the output shape of ``operation``."""
    output = _model().operation_model(operation).output_shape
    if output is None:
        assert result == {}, f"{operation} has no output, got {result!r}"
        return
    _check(result, output, operation)
