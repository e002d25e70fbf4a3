"""The JSON path subset EventBridge accepts in InputPath and InputPathsMap, and what paths yield.

Supported syntax per https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html:
dot notation ($.detail), dashes, underscores, alphanumerics, array indices, wildcards (*), forward
slashes. Observed at PutTargets (2026-09-07, us-east-1, as recorded in a public CloudFormation
pre-flight rule set): a path without the leading $ and quoted bracket notation ($.detail['key']) are
refused with "InputPath for target <id> is invalid."; a bare $ and numeric indices are accepted.
"""

from __future__ import annotations

from typing import Any

import pytest

from eventbus.errors import ValidationError
from eventbus.transform import MISSING, JsonPath, apply_input_path

EVENT: dict[str, Any] = {
    "version": "0",
    "detail-type": "Order Placed",
    "detail": {
        "order_id": "o-1",
        "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}],
        "ship-to": {"city": "Lyon"},
        "path/with/slashes": "ok",
        "nothing": None,
        "empty": [],
    },
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", EVENT),
        ("$.version", "0"),
        ("$.detail-type", "Order Placed"),
        ("$.detail.order_id", "o-1"),
        ("$.detail.ship-to.city", "Lyon"),
        ("$.detail.path/with/slashes", "ok"),
        ("$.detail.items[0]", {"sku": "a", "qty": 1}),
        ("$.detail.items[1].qty", 2),
        ("$.detail.nothing", None),
        ("$.detail.empty", []),
    ],
)
def test_definite_paths_name_one_value(path: str, expected: Any) -> None:
    assert apply_input_path(EVENT, path, target_id="t1") == expected


@pytest.mark.parametrize(
    "path",
    [
        "$.nope",
        "$.detail.order_id.deeper",
        "$.detail.items[2]",
        "$.detail.items.sku",
        "$[0]",
        "$.detail.empty[0]",
    ],
)
def test_definite_paths_matching_nothing_are_missing(path: str) -> None:
    assert apply_input_path(EVENT, path, target_id="t1") is MISSING


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.detail.items[*].sku", ["a", "b"]),
        ("$.detail.items[*]", [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]),
        ("$.detail.items.*.qty", [1, 2]),
        ("$.detail.ship-to.*", ["Lyon"]),
        ("$.detail.ship-to[*]", ["Lyon"]),
        ("$.detail.items[*].missing", []),
        ("$.detail.empty[*]", []),
        ("$.detail.order_id[*]", []),
    ],
)
def test_wildcard_paths_list_every_match_in_document_order(path: str, expected: list[Any]) -> None:
    assert apply_input_path(EVENT, path, target_id="t1") == expected


@pytest.mark.parametrize(
    "path",
    [
        "",
        "detail",
        "detail.order_id",
        ".detail",
        "$.",
        "$..detail",
        "$.detail.",
        "$detail",
        "$.detail['order_id']",
        '$.detail["order_id"]',
        "$['detail']",
        "$.detail.items[-1]",
        "$.detail.items[0:1]",
        "$.detail.items[0,1]",
        "$.detail.items[?(@.qty > 1)]",
        "$.detail.items[]",
        "$.detail.items[0",
        "$.detail.a b",
        "$ .detail",
    ],
)
def test_unsupported_paths_are_refused_with_aws_message(path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        apply_input_path(EVENT, path, target_id="t-7")
    assert str(raised.value) == "InputPath for target t-7 is invalid."
    assert raised.value.code == "ValidationException"


def test_compiled_paths_compare_by_text_and_report_definiteness() -> None:
    from eventbus._transform_path import compile_json_path

    compiled = compile_json_path("$.detail.items[*].sku")
    assert isinstance(compiled, JsonPath)
    assert compiled == compile_json_path("$.detail.items[*].sku")
    assert compiled.text == "$.detail.items[*].sku"
    assert not compiled.definite
    definite = compile_json_path("$.detail")
    assert definite is not None
    assert definite.definite
    assert repr(definite) == "eventbus.transform.JsonPath('$.detail')"


def test_paths_work_on_read_only_mappings_and_tuples() -> None:
    from types import MappingProxyType

    event = MappingProxyType({"detail": MappingProxyType({"xs": (1, 2, 3)})})
    assert apply_input_path(event, "$.detail.xs[2]", target_id="t1") == 3
    assert apply_input_path(event, "$.detail.xs[*]", target_id="t1") == [1, 2, 3]


def test_strings_are_not_indexable_arrays() -> None:
    assert apply_input_path({"s": "abc"}, "$.s[0]", target_id="t1") is MISSING
    assert apply_input_path({"s": "abc"}, "$.s[*]", target_id="t1") == []
