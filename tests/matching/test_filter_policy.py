"""SNS filter policies: FilterPolicy and FilterPolicySet.

AWS documentation: "Amazon SNS subscription filter policies"
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html), "Filter policy
constraints" (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html),
"String value matching", "Numeric value matching", "Attribute key matching" and "Message body
filtering"; error texts as recorded against AWS by LocalStack's SNS snapshot tests.
"""

from __future__ import annotations

import json

import pytest

from eventbus.errors import ValidationError
from eventbus.matching import FilterPolicy, FilterPolicySet, InvalidFilterPolicyError

ATTRIBUTES = {
    "store": {"Type": "String", "Value": "example_corp"},
    "event": {"Type": "String", "Value": "order_placed"},
    "customer_interests": {"Type": "String.Array", "Value": '["soccer", "rugby", "hockey"]'},
    "price_usd": {"Type": "Number", "Value": "210.75"},
    "blob": {"Type": "Binary", "Value": "aGVsbG8="},
}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}]}, True),
        ({"customer_interests": ["rugby"]}, True),  # String.Array: element by element
        ({"customer_interests": [{"prefix": "hoc"}]}, True),
        ({"price_usd": [{"numeric": [">=", 100, "<", 300]}]}, True),  # Number attributes by value
        ({"price_usd": [210.75]}, True),
        ({"price_usd": ["210.75"]}, False),  # a Number attribute is not a string
        ({"store": [{"numeric": [">", 0]}]}, False),
        ({"blob": [{"exists": True}]}, False),  # Binary never matches
        ({"blob": [{"exists": False}]}, True),
        ({"missing": [{"exists": False}]}, True),
        ({"missing": [{"anything-but": "x"}]}, False),
        ({"store": [{"equals-ignore-case": "EXAMPLE_CORP"}]}, True),
        ({"store": [{"suffix": "_corp"}]}, True),
        ({"$or": [{"store": ["nope"]}, {"event": ["order_placed"]}]}, True),
    ],
)
def test_message_attributes_scope(policy: dict[str, object], expected: bool) -> None:
    assert FilterPolicy(policy).matches_attributes(ATTRIBUTES) is expected
    assert FilterPolicy(json.dumps(policy), scope="MessageAttributes").matches(ATTRIBUTES) is expected


def test_attribute_keys_data_type_and_string_value_are_accepted() -> None:
    """The SNS API spells attributes DataType/StringValue; the SQS envelope spells Type/Value."""
    attributes = {
        "store": {"DataType": "String", "StringValue": "x"},
        "n": {"DataType": "Number", "StringValue": "5"},
    }
    assert FilterPolicy({"store": ["x"], "n": [{"numeric": ["=", 5]}]}).matches_attributes(attributes)


def test_message_body_scope() -> None:
    policy = FilterPolicy(
        {"order": {"status": ["paid"], "items": {"sku": [{"prefix": "A"}]}}}, scope="MessageBody"
    )
    body = {"order": {"status": "paid", "items": [{"sku": "B1"}, {"sku": "A7"}]}}
    assert policy.matches_body(json.dumps(body))
    assert policy.matches_body(body)
    assert policy.matches(json.dumps(body))
    assert not policy.matches_body("not json")  # the body must be a JSON object
    assert not policy.matches_body("[1]")
    assert not FilterPolicy({"a": [{"exists": False}]}, scope="MessageBody").matches_body("plain text")


def _refusal(policy: object, scope: str = "MessageAttributes") -> InvalidFilterPolicyError:
    with pytest.raises(InvalidFilterPolicyError) as raised:
        FilterPolicy(policy if isinstance(policy, str) else json.dumps(policy), scope=scope)  # type: ignore[arg-type]
    error = raised.value
    assert isinstance(error, ValidationError)
    assert error.code == "InvalidParameter"
    return error


@pytest.mark.parametrize(
    ("policy", "scope", "message"),
    [
        (
            {f"k{i}": ["v"] for i in range(6)},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
        ),
        (
            {"k": [f"v{i}" for i in range(151)]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: Filter policy is too complex",
        ),
        (
            {"a": {"b": {"c": [f"v{i}" for i in range(51)]}}},
            "MessageBody",
            "Invalid parameter: FilterPolicy: Filter policy is too complex",
        ),
        (
            {"a": {"b": ["x"]}},
            "MessageAttributes",
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
        ),
        ({"k": []}, "MessageAttributes", "Invalid parameter: FilterPolicy: Empty arrays are not allowed"),
        ({"k": "v"}, "MessageBody", 'Invalid parameter: FilterPolicy: "k" must be an object or an array'),
        (
            {"k": [{"wildcard": "a*"}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: Unrecognized match type wildcard",
        ),
        (
            {"k": [{"anything-but": {"suffix": "x"}}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix",
        ),
        (
            {"k": [{"anything-but": {"prefix": False}}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: prefix match pattern must be a string",
        ),
        (
            {"k": [{"numeric": [">", 3, "<", 1]}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: Bottom must be less than top",
        ),
        (
            {"k": [{"exists": "no"}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.",
        ),
        (
            {"$or": [{"a": ["1"]}]},
            "MessageAttributes",
            "Invalid parameter: FilterPolicy: There must have at least 2 Objects in $or relationship.",
        ),
    ],
)
def test_refusals_constraints_page(policy: object, scope: str, message: str) -> None:
    assert str(_refusal(policy, scope)) == message


def test_subscribe_call_wording() -> None:
    error = _refusal({"k": []})
    assert (
        error.subscribe_message()
        == "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed"
    )


def test_limits_are_inclusive() -> None:
    FilterPolicy({f"k{i}": ["v"] for i in range(5)})
    FilterPolicy({"k": [f"v{i}" for i in range(150)]})
    FilterPolicy({"a": {"b": {"c": [f"v{i}" for i in range(50)]}}}, scope="MessageBody")


def test_filter_policy_set_fan_out() -> None:
    subscriptions = FilterPolicySet()
    subscriptions.add("sports", FilterPolicy({"customer_interests": ["rugby", "football"]}))
    subscriptions.add("cheap", FilterPolicy({"price_usd": [{"numeric": ["<", 100]}]}))
    subscriptions.add("body", FilterPolicy({"order": {"status": ["paid"]}}, scope="MessageBody"))
    assert subscriptions.match_attributes(ATTRIBUTES) == ["sports"]
    assert subscriptions.match(ATTRIBUTES, body='{"order": {"status": "paid"}}') == ["sports", "body"]
    assert subscriptions.match_body("nope") == []
    subscriptions.remove("sports")
    assert subscriptions.match_attributes(ATTRIBUTES) == []
    assert len(subscriptions) == 2
    assert "cheap" in subscriptions


def test_scope_must_be_known() -> None:
    with pytest.raises(ValueError, match="scope"):
        FilterPolicy({"a": ["b"]}, scope="Body")  # type: ignore[arg-type]


def test_body_too_deeply_nested_to_parse_matches_nothing_instead_of_crashing() -> None:
    # A body-scope policy on a message nested thousands of levels deep used to raise RecursionError
    # out of Publish / sim.advance(). A body SNS cannot parse as a JSON object matches no
    # MessageBody policy (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html).
    subscriptions = FilterPolicySet()
    subscriptions.add("body", FilterPolicy({"a": ["x"]}, scope="MessageBody"))
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    assert subscriptions.match_body(deep) == []
    assert FilterPolicy({"a": ["x"]}, scope="MessageBody").matches(deep) is False
