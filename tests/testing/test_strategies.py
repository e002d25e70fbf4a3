"""eventbus.testing.strategies (issue 10): events, patterns and SQS messages for Hypothesis.

The core property: for every valid pattern of the conformance corpus (tests/conformance/cases and
the shared seed file) and for generated patterns, ``events_matching`` builds only events the engine
matches and ``events_not_matching`` only events it does not. Pattern semantics:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html.

Runs are derandomized (the same examples every run); a failure prints the Hypothesis reproduction.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from eventbus import InvalidEventPatternError, Simulation, matching
from eventbus.matching import EventPattern
from eventbus.testing.strategies import (
    event_patterns,
    events,
    events_matching,
    events_not_matching,
    filter_policies,
    sns_messages_matching,
    sqs_messages,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = [
    *sorted((ROOT / "tests" / "conformance").rglob("eventbridge_*.jsonl")),
    Path("/work/shared/conformance/eventbridge_patterns.jsonl"),
]


def _corpus_patterns() -> list[tuple[str, str]]:
    """(case name, pattern JSON text) of every distinct valid pattern in the corpus files."""
    found: dict[str, str] = {}
    for path in CORPUS_FILES:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if "error" in case or "pattern" not in case:
                continue
            text = case.get("pattern_json") or json.dumps(case["pattern"])
            found.setdefault(text, case["name"])
    return [(name, text) for text, name in found.items()]


CORPUS = _corpus_patterns()

# Patterns every event matches: events_not_matching must refuse them, naming why.
MATCH_EVERYTHING = {
    "exists_true_and_false_both_listed_present": "accepts both a missing field",
}

FEW = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _json_round_trip(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(event, allow_nan=False))
    return result


def test_the_corpus_is_read() -> None:
    """The corpus files exist where the conformance suite keeps them (tests/conformance/cases)."""
    assert len(CORPUS) > 250


# ----------------------------------------------------------------------------- the corpus
@pytest.mark.parametrize(("name", "pattern"), CORPUS, ids=[name for name, _ in CORPUS])
def test_constructed_events_agree_with_the_engine_on_corpus_patterns(name: str, pattern: str) -> None:
    """Every valid pattern of the conformance corpus (each case cites its AWS doc section)."""
    engine = EventPattern(pattern)
    matching = events_matching(pattern)
    if name in MATCH_EVERYTHING:
        with pytest.raises(InvalidArgument, match=MATCH_EVERYTHING[name]):
            events_not_matching(pattern)
        not_matching = None
    else:
        not_matching = events_not_matching(pattern)

    @FEW
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event = data.draw(matching, label="matching event")
        assert engine.matches(event)
        assert engine.matches(json.dumps(event)), "the event must survive JSON encoding"
        if not_matching is not None:
            miss = data.draw(not_matching, label="non-matching event")
            assert not engine.matches(miss)
            assert not engine.matches(json.dumps(miss))

    check()


# ----------------------------------------------------------------------------- generated patterns
@settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(event_patterns(), st.data())
def test_generated_patterns_compile_and_constructed_events_agree(
    pattern: dict[str, Any], data: st.DataObject
) -> None:
    """Every operator of the AWS operator page, combined; every pattern must compile."""
    engine = EventPattern(pattern)
    assert EventPattern(json.dumps(pattern)).branches == engine.branches
    assert engine.matches(data.draw(events_matching(pattern), label="matching event"))
    try:
        not_matching = events_not_matching(pattern)
    except InvalidArgument as error:
        note(str(error))
        refusal = str(error)
    else:
        assert not engine.matches(data.draw(not_matching, label="non-matching event"))
        return
    assert "every event matches" in refusal


def _operators(pattern: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            found.add(key)
            if key == "anything-but" and isinstance(value, dict):
                found |= {f"anything-but/{inner}" for inner in value}
            elif key in ("prefix", "suffix") and isinstance(value, dict):
                found.add(f"{key}/equals-ignore-case")
            found |= _operators(value)
    elif isinstance(pattern, list):
        for item in pattern:
            found |= _operators(item)
    return found


def test_generated_patterns_use_every_operator() -> None:
    """The operators of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html."""
    wanted = {
        "prefix", "suffix", "prefix/equals-ignore-case", "suffix/equals-ignore-case", "equals-ignore-case",
        "wildcard", "anything-but", "anything-but/prefix", "anything-but/suffix",
        "anything-but/equals-ignore-case", "anything-but/wildcard", "numeric", "exists", "cidr", "$or",
    }  # fmt: skip
    seen: set[str] = set()

    @settings(max_examples=150, derandomize=True, database=None, deadline=None)
    @given(event_patterns())
    def collect(pattern: dict[str, Any]) -> None:
        seen.update(_operators(pattern))
        seen.update("dotted key" for key in pattern if "." in key)

    collect()
    assert wanted | {"dotted key"} <= seen, sorted(wanted - seen)


# ----------------------------------------------------------------------------- construction details
ARRAY_CONSISTENCY = {"detail": {"items": {"sku": [{"prefix": "A-"}], "qty": [{"numeric": [">", 10]}]}}}


def test_matching_fields_inside_arrays_of_objects_stay_in_one_element() -> None:
    """event-ruler's array consistency (README "JSON Array Matching"): decoy elements appear, and the
    matched fields of one branch are satisfied by a single element."""
    engine = EventPattern(ARRAY_CONSISTENCY)
    shapes: set[str] = set()

    @settings(max_examples=80, derandomize=True, database=None, deadline=None)
    @given(events_matching(ARRAY_CONSISTENCY))
    def check(event: dict[str, Any]) -> None:
        assert engine.matches(event)
        items = event["detail"]["items"]
        shapes.add(type(items).__name__)
        if isinstance(items, list):
            assert any(isinstance(e, dict) and engine.matches({"detail": {"items": e}}) for e in items), (
                "one element must satisfy both fields"
            )

    check()
    assert shapes == {"dict", "list"}


def test_or_patterns_fail_every_branch() -> None:
    """$or (eb-create-pattern-operators.html, "Or matching"): a non-match fails each branch."""
    members: list[dict[str, Any]] = [
        {"source": ["a"]},
        {"detail-type": ["b"]},
        {"detail": {"n": [{"numeric": ["<", 0]}]}},
    ]
    pattern = {"$or": members}
    engine = EventPattern(pattern)
    branches = [EventPattern(member) for member in members]

    @settings(max_examples=40, derandomize=True, database=None, deadline=None)
    @given(events_not_matching(pattern))
    def check(event: dict[str, Any]) -> None:
        assert not engine.matches(event)
        assert not any(branch.matches(event) for branch in branches)

    check()


def test_non_matches_keep_envelope_strings_when_a_string_violates() -> None:
    """A source that fails ``{"prefix": "aws."}`` is still a string (a usable PutEvents entry)."""
    pattern = {"source": [{"prefix": "aws."}], "detail-type": [{"anything-but": ["x"]}]}

    @settings(max_examples=40, derandomize=True, database=None, deadline=None)
    @given(events_not_matching(pattern), events_matching(pattern))
    def check(miss: dict[str, Any], hit: dict[str, Any]) -> None:
        assert isinstance(hit["source"], str)
        assert hit["source"].startswith("aws.")
        assert isinstance(hit["detail-type"], str)
        for field in ("source", "detail-type"):
            assert isinstance(miss[field], str)
        assert not EventPattern(pattern).matches(miss)

    check()


def test_exists_false_fields_are_left_out_and_present_when_violated() -> None:
    """exists (eb-create-pattern-operators.html, "Exists matching")."""
    pattern = {"detail": {"gone": [{"exists": False}]}}

    @settings(max_examples=30, derandomize=True, database=None, deadline=None)
    @given(events_matching(pattern), events_not_matching(pattern))
    def check(hit: dict[str, Any], miss: dict[str, Any]) -> None:
        assert "gone" not in hit["detail"]
        assert "gone" in miss["detail"]

    check()


def test_unsatisfiable_condition_is_refused_with_a_reason() -> None:
    """A numeric range with no double strictly inside it compiles (bottom < top) but matches nothing."""
    pattern = {"detail": {"n": [{"numeric": [">", 1, "<", 1.0000000000000002]}]}}
    EventPattern(pattern)
    with pytest.raises(InvalidArgument, match="no event can match"):
        events_matching(pattern)


def test_pattern_as_json_text_keeps_number_spelling() -> None:
    """Numbers compare by value: ``3.0e2`` matches 300 (semantics.md, AWS-confirmed)."""
    pattern = '{"detail": {"n": [3.0e2]}}'
    found = find(
        events_matching(pattern),
        lambda event: isinstance(event["detail"]["n"], int),
        settings=settings(database=None, derandomize=True),
    )
    assert found["detail"]["n"] == 300


# ----------------------------------------------------------------------------- events()
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ARN = re.compile(r"arn:aws:[a-z0-9-]+:[a-z0-9-]+:\d{12}:.+")


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(events())
def test_events_are_valid_envelopes(event: dict[str, Any]) -> None:
    """Envelope fields of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html."""
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert event["version"] == "0"
    assert str(uuid.UUID(event["id"])) == event["id"]
    assert isinstance(event["source"], str)
    assert event["source"]
    assert isinstance(event["detail-type"], str)
    assert event["detail-type"]
    assert re.fullmatch(r"\d{12}", event["account"])
    assert TIME.fullmatch(event["time"])
    assert re.fullmatch(r"[a-z]{2}-[a-z]+-\d", event["region"])
    for resource in event["resources"]:
        assert ARN.fullmatch(resource)
        assert resource.split(":")[3:5] == [event["region"], event["account"]]
    assert isinstance(event["detail"], dict)
    assert _json_round_trip(event) == event


def _walk(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for inner in value.values():
            found += _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _walk(inner)
    return found


SHAPES: dict[str, Callable[[Any], bool]] = {
    "nested object": lambda v: isinstance(v, dict) and any(isinstance(x, dict) for x in v.values()),
    "array of scalars": lambda v: (
        isinstance(v, list) and len(v) > 1 and not any(isinstance(x, (dict, list)) for x in v)
    ),
    "array of objects": lambda v: isinstance(v, list) and len(v) > 1 and all(isinstance(x, dict) for x in v),
    "negative int": lambda v: type(v) is int and v < 0,
    "float": lambda v: type(v) is float and not v.is_integer(),
    "exponent float": lambda v: type(v) is float and "e" in repr(v),
    "boolean": lambda v: v is True or v is False,
    "null": lambda v: v is None,
    "empty string": lambda v: v == "",
    "non-ASCII string": lambda v: isinstance(v, str) and not v.isascii(),
}


def test_event_details_cover_json_shapes() -> None:
    """``detail`` is any JSON object (eb-events-structure.html): every JSON shape shows up."""
    seen: set[str] = set()

    @settings(max_examples=150, derandomize=True, database=None, deadline=None)
    @given(events())
    def collect(event: dict[str, Any]) -> None:
        values = _walk(event["detail"])
        seen.update(name for name, wanted in SHAPES.items() if any(wanted(v) for v in values))

    collect()
    assert seen == set(SHAPES), sorted(set(SHAPES) - seen)


@settings(max_examples=30, derandomize=True, database=None, deadline=None)
@given(events(sources=["shop", "billing"], detail_types=st.just("Order Placed"), detail={"k": [1]}))
def test_events_arguments_fix_source_detail_type_and_detail(event: dict[str, Any]) -> None:
    """``source``, ``detail-type`` and ``detail`` as the caller fixes them (eb-events-structure.html)."""
    assert event["source"] in ("shop", "billing")
    assert event["detail-type"] == "Order Placed"
    assert event["detail"] == {"k": [1]}
    event["detail"]["k"].append(2)  # each event has its own copy


# ----------------------------------------------------------------------------- argument validation
# Typed as Any so the deliberately wrong arguments below reach the run-time checks.
loose_events: Any = events
loose_matching: Any = events_matching
loose_not_matching: Any = events_not_matching
loose_sqs: Any = sqs_messages


@pytest.mark.parametrize(
    "call",
    [
        lambda: loose_events(sources="aws.ec2"),
        lambda: loose_events(sources=[]),
        lambda: loose_events(sources=[1]),
        lambda: loose_events(detail_types=[""]),
        lambda: loose_events(detail=5),
        lambda: loose_matching(5),
        lambda: loose_matching(["source"]),
        lambda: loose_not_matching(None),
        lambda: loose_sqs(max_body_size=0),
        lambda: loose_sqs(max_body_size=2**21),
        lambda: loose_sqs(max_attributes=11),
        lambda: loose_sqs(max_attributes=True),
        lambda: loose_sqs(delay="yes"),
    ],
)
def test_bad_arguments_are_refused_when_the_strategy_is_made(call: Any) -> None:
    """Arguments are checked when the strategy is made, as Hypothesis's own strategies do."""
    with pytest.raises(InvalidArgument):
        call()


@pytest.mark.parametrize("strategy", [events_matching, events_not_matching])
@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ({"source": "aws.ec2"}, '"source" must be an object or an array'),
        ({"source": []}, "Empty arrays are not allowed"),
        ('{"source": [', "Filter is not valid JSON"),
        ({"n": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
    ],
)
def test_invalid_patterns_raise_the_engines_error(strategy: Any, pattern: Any, reason: str) -> None:
    """Messages from eb-event-patterns.html / event-ruler's JsonRuleCompiler, via the engine."""
    with pytest.raises(InvalidEventPatternError) as caught:
        strategy(pattern)
    assert str(caught.value) == f"Event pattern is not valid. Reason: {reason}"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ({"detail": {"c": [{"exists": True}, {"exists": False}]}}, "'detail.c' accepts both a missing field"),
        (
            {"detail": {"c": [{"exists": False}, {"anything-but": "a"}, {"anything-but": "b"}]}},
            "no value fails",
        ),
        (
            {"$or": [{"a": [{"exists": True}]}, {"a": [{"exists": False}]}]},
            "no single event fails every \\$or branch",
        ),
    ],
)
def test_patterns_every_event_matches_are_refused_by_events_not_matching(pattern: Any, why: str) -> None:
    """exists true/false together, or anything-but lists with exists: false, accept every event
    (eb-create-pattern-operators.html, "Exists matching" and "Anything-but matching")."""
    with pytest.raises(InvalidArgument, match=why):
        events_not_matching(pattern)


# ----------------------------------------------------------------------------- sqs_messages()
ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
INVALID_BODY_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(sqs_messages())
def test_sqs_messages_are_within_aws_limits(message: dict[str, Any]) -> None:
    """https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html and
    .../SQSDeveloperGuide/sqs-message-metadata.html (attribute names, types and values)."""
    body = message["MessageBody"]
    assert body
    assert not INVALID_BODY_CHARACTER.search(body)
    assert 0 <= message.get("DelaySeconds", 0) <= 900
    attributes = message.get("MessageAttributes", {})
    assert len(attributes) <= 10
    size = len(body.encode())
    for name, value in attributes.items():
        assert ATTRIBUTE_NAME.fullmatch(name)
        assert not name.lower().startswith(("aws.", "amazon."))
        assert not name.startswith(".")
        assert not name.endswith(".")
        assert ".." not in name
        kind = value["DataType"].split(".", 1)[0]
        assert kind in ("String", "Number", "Binary")
        assert len(value["DataType"]) < 256
        if kind == "Binary":
            assert isinstance(value["BinaryValue"], bytes)
            assert value["BinaryValue"]
            size += len(value["BinaryValue"])
        else:
            text = value["StringValue"]
            assert text
            assert not INVALID_BODY_CHARACTER.search(text)
            size += len(text.encode())
        if kind == "Number":
            from decimal import Decimal

            number = Decimal(value["StringValue"])
            assert len(number.as_tuple().digits) <= 38
            assert number == 0 or Decimal("1e-128") <= abs(number) <= Decimal("1e126")
        size += len(name) + len(value["DataType"])
    assert size <= 1_048_576


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(sqs_messages(delay=False, max_attributes=0))
def test_sqs_message_options_for_fifo_queues(message: dict[str, Any]) -> None:
    """FIFO queues refuse per-message DelaySeconds (API_SendMessage.html)."""
    assert set(message) == {"MessageBody"}


@settings(max_examples=80, derandomize=True, database=None, deadline=None)
@given(sqs_messages())
def test_sqs_messages_pass_the_simulators_own_validation(message: dict[str, Any]) -> None:
    """The SendMessage checks of eventbus.services (API_SendMessage.html) accept every message."""
    validation = pytest.importorskip("eventbus.services._sqs_validation")
    _, attributes_size = validation.normalize_message_attributes(message.get("MessageAttributes"))
    validation.check_body(message["MessageBody"], validation.MAX_MESSAGE_SIZE, attributes_size)


# ----------------------------------------------------------------------------- SNS filter policies
needs_filter_policy = pytest.mark.skipif(
    not hasattr(matching, "FilterPolicy"), reason="eventbus.matching.FilterPolicy not available"
)


def _sns_corpus() -> list[tuple[str, str, str]]:
    found: dict[tuple[str, str], str] = {}
    for path in sorted((ROOT / "tests" / "conformance").rglob("sns_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line) if line.strip() else {}
            if "policy" in case and "error" not in case:
                found.setdefault((json.dumps(case["policy"]), case["scope"]), case["name"])
    return [(name, policy, scope) for (policy, scope), name in found.items()]


SNS_CORPUS = _sns_corpus()


def _sns_matches(policy: Any, scope: Any, message: dict[str, Any]) -> bool:
    compiled = matching.FilterPolicy(policy, scope)
    if scope == "MessageAttributes":
        result: bool = compiled.matches_attributes(message["MessageAttributes"])
    else:
        result = compiled.matches_body(message["Message"])
    return result


@needs_filter_policy
@pytest.mark.parametrize(("name", "policy", "scope"), SNS_CORPUS, ids=[name for name, _, _ in SNS_CORPUS])
def test_sns_messages_match_corpus_policies(name: str, policy: str, scope: str) -> None:
    """Each SNS case cites https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
    or an AWS-recorded answer; messages built for its policy must pass it."""

    @FEW
    @given(sns_messages_matching(policy, scope))  # type: ignore[arg-type]
    def check(message: dict[str, Any]) -> None:
        assert _sns_matches(policy, scope, message)
        assert len(message.get("MessageAttributes", {})) <= 10

    check()


@needs_filter_policy
@pytest.mark.parametrize("scope", ["MessageAttributes", "MessageBody"])
def test_generated_filter_policies_compile_and_messages_match(scope: Any) -> None:
    """Filter policy constraints: https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html."""

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(filter_policies(scope), st.data())
    def check(policy: dict[str, Any], data: st.DataObject) -> None:
        assert len(policy) <= 5
        if scope == "MessageAttributes":
            assert not any(isinstance(v, dict) for v in policy.values())
        assert _sns_matches(policy, scope, data.draw(sns_messages_matching(policy, scope)))

    check()


@needs_filter_policy
def test_sns_strategies_refuse_bad_arguments() -> None:
    """SNS's refusals (sns-subscription-filter-policies.html): nesting in attribute scope, wildcard."""
    with pytest.raises(InvalidArgument):
        filter_policies(scope="Body")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        sns_messages_matching({"a": ["x"]}, scope="Attributes")  # type: ignore[arg-type]
    with pytest.raises(matching.InvalidFilterPolicyError, match="nested"):
        sns_messages_matching({"a": {"b": ["x"]}})
    with pytest.raises(matching.InvalidFilterPolicyError, match="Unrecognized match type wildcard"):
        sns_messages_matching({"a": [{"wildcard": "x*"}]})


# ----------------------------------------------------------------------------- Hypothesis integration
def test_simulation_strategy_is_registered_through_the_entry_point() -> None:
    """Hypothesis runs the ``hypothesis`` entry points at import ("Third-party extensions")."""
    names = {entry.value for entry in importlib.metadata.entry_points(group="hypothesis")}
    assert "eventbus.testing._hypothesis:_hypothesis_setup_hook" in names
    simulation = find(st.from_type(Simulation), lambda sim: True, settings=settings(database=None))
    assert isinstance(simulation, Simulation)


def test_simulation_seed_is_drawn_and_shrinks_to_zero() -> None:
    """The seed (the simulation's one random generator) is Hypothesis's choice, so it shrinks."""
    found = find(st.from_type(Simulation), lambda sim: True, settings=settings(database=None))
    assert found.seed == 0
    big = find(st.from_type(Simulation), lambda sim: sim.seed > 1000, settings=settings(database=None))
    assert big.seed == 1001


_BLOCK_HYPOTHESIS = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ImportError("No module named 'hypothesis'")
        return None
sys.meta_path.insert(0, Block())
"""


_BLOCK_PYTEST = _BLOCK_HYPOTHESIS.replace('"hypothesis"', '"pytest"').replace('"hypothesis."', '"_pytest"')


def test_importing_hypothesis_without_pytest_works() -> None:
    code = _BLOCK_PYTEST + "import hypothesis\nprint('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr[-300:]


def test_importing_eventbus_does_not_import_hypothesis() -> None:
    """Hypothesis is a test extra (pyproject ``[test]``), not a runtime dependency."""
    code = "import sys, eventbus, eventbus.matching\nprint('hypothesis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_strategies_without_hypothesis_say_what_to_install() -> None:
    """An optional extra fails with a message saying what to install (style.md, httpx)."""
    code = _BLOCK_HYPOTHESIS + (
        "import eventbus\n"
        "try:\n"
        "    import eventbus.testing.strategies\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install eventbus[test]" in result.stdout
