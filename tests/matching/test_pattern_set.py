"""PatternSet: many named patterns compiled together (aws/event-ruler Machine.rulesForJSONEvent).

The property that matters: ``PatternSet.match`` returns exactly the names whose
``EventPattern.matches`` is true, here on the shared benchmark workload.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventbus.errors import InvalidEventPatternError
from eventbus.matching import EventPattern, PatternSet

WORKLOAD = Path(__file__).resolve().parents[3] / "shared" / "workloads" / "data"


def test_basic_add_match_remove() -> None:
    patterns = PatternSet()
    patterns.add("ec2", {"source": ["aws.ec2"]})
    patterns.add("s3", '{"source": ["aws.s3"]}')
    patterns.add("any", {"source": [{"prefix": "aws."}]})
    assert sorted(patterns.match({"source": "aws.ec2"})) == ["any", "ec2"]
    assert len(patterns) == 3
    assert "s3" in patterns
    patterns.remove("any")
    assert patterns.match({"source": "aws.ec2"}) == ["ec2"]
    with pytest.raises(KeyError):
        patterns.remove("any")


def test_invalid_pattern_leaves_set_unchanged() -> None:
    patterns = PatternSet()
    patterns.add("a", {"a": ["1"]})
    with pytest.raises(InvalidEventPatternError):
        patterns.add("b", {"a": []})
    assert len(patterns) == 1


def test_add_replaces_same_name() -> None:
    patterns = PatternSet()
    patterns.add("r", {"a": ["1"]})
    patterns.add("r", {"a": ["2"]})
    assert patterns.match({"a": "1"}) == []
    assert patterns.match({"a": "2"}) == ["r"]


def test_identical_patterns_share_a_branch_and_all_names_are_reported() -> None:
    patterns = PatternSet()
    for name in ("x", "y", "z"):
        patterns.add(name, {"a": ["1"]})
    assert sorted(patterns.match({"a": "1"})) == ["x", "y", "z"]


def test_or_pattern_is_reported_once() -> None:
    patterns = PatternSet()
    patterns.add("or", {"$or": [{"a": ["1"]}, {"b": ["2"]}]})
    assert patterns.match({"a": "1", "b": "2"}) == ["or"]


def test_true_and_one_stay_distinct() -> None:
    patterns = PatternSet()
    patterns.add("one", {"f": [1]})
    patterns.add("true", {"f": [True]})
    assert patterns.match({"f": True}) == ["true"]
    assert patterns.match({"f": 1}) == ["one"]


def test_array_consistency_in_pattern_set() -> None:
    patterns = PatternSet()
    patterns.add("same", {"employees": {"first": ["Anna"], "last": ["Smith"]}})
    patterns.add("cross", {"employees": {"first": ["Anna"], "last": ["Doe"]}})
    patterns.add("absent", {"employees": {"first": ["John"], "middle": [{"exists": False}]}})
    event = {
        "employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith", "middle": "M"}]
    }
    assert sorted(patterns.match(event)) == ["absent", "same"]


def test_several_anything_buts_sharing_a_branch() -> None:
    patterns = PatternSet()
    patterns.add("p", {"f": [{"anything-but": "a"}, {"anything-but": "b"}]})
    patterns.add("q", {"f": [{"anything-but": "a"}]})
    assert patterns.match({"f": "a"}) == ["p"]
    assert sorted(patterns.match({"f": "c"})) == ["p", "q"]


def test_numeric_ranges_index() -> None:
    patterns = PatternSet()
    patterns.add("gt5", {"n": [{"numeric": [">", 5]}]})
    patterns.add("le5", {"n": [{"numeric": ["<=", 5]}]})
    patterns.add("between", {"n": [{"numeric": [">=", 2, "<", 8]}]})
    patterns.add("eq5", {"n": [5]})
    assert sorted(patterns.match({"n": 5})) == ["between", "eq5", "le5"]
    assert sorted(patterns.match({"n": 8})) == ["gt5"]
    assert sorted(patterns.match({"n": 1})) == ["le5"]
    assert patterns.match({"n": "5"}) == []


def test_empty_set_matches_nothing() -> None:
    assert PatternSet().match({"a": 1}) == []


@pytest.mark.skipif(not WORKLOAD.exists(), reason="shared workload not present")
def test_pattern_set_equals_event_patterns_on_workload_sample() -> None:
    rules = json.loads((WORKLOAD / "eb_rules.json").read_text())
    events = [json.loads(line) for line in (WORKLOAD / "eb_events.jsonl").read_text().splitlines()[::10]]
    patterns = PatternSet()
    singles = {}
    for rule in rules:
        patterns.add(rule["id"], rule["pattern"])
        singles[rule["id"]] = EventPattern(rule["pattern"])
    for event in events:
        got = patterns.match(event)
        assert len(got) == len(set(got))
        assert set(got) == {name for name, pattern in singles.items() if pattern.matches(event)}


def test_order_is_deterministic() -> None:
    def build() -> PatternSet:
        patterns = PatternSet()
        for i in range(50):
            patterns.add(
                f"p{i}",
                {"a": [str(i % 5)], "$or": [{"b": ["1"]}, {"c": ["1"]}]}
                if i % 7 == 0
                else {"a": [str(i % 5)]},
            )
        return patterns

    event = {"a": "2", "b": "1"}
    assert build().match(event) == build().match(event)


TRICKY_EVENTS: list[dict[str, Any]] = [
    {"a": {"b": "x"}, "a.b": "y"},  # dotted key beside nesting: the general walk
    {"a": [[{"b": "x"}], [{"b": "y", "c": 1}]]},  # arrays of arrays of objects
    {"a": ({"b": "x"},)},  # a tuple where JSON has an array
    {"a": {"b": 10**400}},  # an integer beyond float64
    {"a": {"b": True, "c": None}},
    {"a": [{"b": "x", "c": 1}, {"b": "y"}]},
    {"a": [{"b": "y", "c": 2}, {"c": 1}], "d": []},
    {"a.b": ["x", "y"], "d": [1, "1", True, None]},
]
TRICKY_PATTERNS: dict[str, dict[str, Any]] = {
    "ab_x": {"a": {"b": ["x"]}},
    "ab_y_c1": {"a": {"b": ["y"], "c": [1]}},
    "ab_y_no_c": {"a": {"b": ["y"], "c": [{"exists": False}]}},
    "ab_num": {"a": {"b": [{"numeric": [">", 0]}]}},
    "ab_true": {"a.b": [True]},
    "c_null": {"a": {"c": [None]}},
    "d_one": {"d": [1]},
    "d_missing": {"d": [{"exists": False}]},
    "ab_not_x": {"a": {"b": [{"anything-but": "x"}]}},
}


@pytest.mark.parametrize("event", TRICKY_EVENTS)
def test_generated_fast_path_agrees_with_event_pattern(event: dict[str, Any]) -> None:
    """The generated fast path (or its fall-back to the general walk) answers as EventPattern does."""
    patterns = PatternSet()
    for name, pattern in TRICKY_PATTERNS.items():
        patterns.add(name, pattern)
    expected = {name for name, pattern in TRICKY_PATTERNS.items() if EventPattern(pattern).matches(event)}
    assert set(patterns.match(event)) == expected


def test_general_walk_gives_the_same_answers_as_the_generated_fast_path() -> None:
    """Without the generated fast path (too large a trie), PatternSet uses the general walk."""
    from eventbus.matching._fast import build_fast_path

    patterns = PatternSet()
    for name, pattern in TRICKY_PATTERNS.items():
        patterns.add(name, pattern)
    patterns.compile()
    compiled = patterns._compiled  # the private generation: swap its fast path out
    assert compiled is not None
    assert build_fast_path(compiled.trie, compiled.fields, compiled.words, max_lines=1) is None
    with_fast = [sorted(patterns.match(event)) for event in TRICKY_EVENTS]
    compiled.fast = None
    assert [sorted(patterns.match(event)) for event in TRICKY_EVENTS] == with_fast


def test_many_distinct_paths() -> None:
    patterns = PatternSet()
    for i in range(300):
        patterns.add(f"p{i}", {"detail": {f"k{i}": [i], "common": [{"exists": True}]}})
    event = {"detail": {"k7": 7, "k8": 9, "common": None}}
    assert patterns.match(event) == ["p7"]


# --------------------------------------------------------------------------- partitioned sets
# Above a few hundred branches, a PatternSet splits its branches by the exact values of the top-level
# field most of them require (``source`` here): an exact string matches only an equal string leaf
# (event-ruler ByteMachine), so an event is checked against the branches requiring its value plus
# the general ones. These sets are large enough to be partitioned; the answers must not change.
_SOURCES = ["aws.ec2", "aws.s3", "com.acme.orders", "com.acme.users", "partner.stripe"]


def _large_pattern_set(seed: int) -> dict[str, dict[str, Any]]:
    import random

    rng = random.Random(seed)
    patterns: dict[str, dict[str, Any]] = {}
    for i in range(420):
        detail = {
            "status": [rng.choice(["NEW", "PAID", "SHIPPED", {"prefix": "S"}, {"anything-but": "NEW"}])]
        }
        if rng.random() < 0.5:
            detail["amount"] = [{"numeric": [">", rng.randint(0, 100)]}]
        kind = rng.random()
        if kind < 0.55:
            pattern: dict[str, Any] = {"source": [rng.choice(_SOURCES)], "detail": detail}
        elif kind < 0.65:
            pattern = {"source": rng.sample(_SOURCES, 2), "detail": detail}
        elif kind < 0.75:  # $or whose branches fall into different partitions, or the general one
            pattern = {
                "$or": [
                    {"source": [rng.choice(_SOURCES)], "detail": detail},
                    {"source": [rng.choice(_SOURCES)], "detail-type": ["Created"]},
                    {"detail": {"items": {"sku": [{"prefix": "SKU-"}]}}},
                ]
            }
        elif kind < 0.82:
            pattern = {"source": [{"prefix": "com.acme."}], "detail": detail}
        elif kind < 0.88:
            pattern = {"source": [{"anything-but": rng.choice(_SOURCES)}], "detail": detail}
        elif kind < 0.93:
            pattern = {"source": [{"exists": False}], "detail": detail}
        else:
            pattern = {"detail": detail}
        patterns[f"p{i}"] = pattern
    return patterns


def _events_for_partitions(seed: int) -> list[dict[str, Any]]:
    import random

    rng = random.Random(seed)
    sources: list[Any] = [
        *_SOURCES,
        "aws.unknown",
        7,
        None,
        {"nested": "aws.ec2"},
        ["aws.ec2", "aws.s3"],
        ["com.acme.users"],
        [],
    ]
    events: list[dict[str, Any]] = []
    for i in range(300):
        event: dict[str, Any] = {
            "detail-type": rng.choice(["Created", "Updated"]),
            "detail": {
                "status": rng.choice(["NEW", "PAID", "SHIPPED", "SETTLED"]),
                "amount": rng.randint(0, 120),
                "items": [{"sku": rng.choice(["SKU-1", "X-2"])} for _ in range(rng.randint(0, 2))],
            },
        }
        if i % 11 != 0:  # some events have no source at all
            event["source"] = rng.choice(sources)
        events.append(event)
    return events


def _partitioned(definitions: dict[str, dict[str, Any]]) -> tuple[PatternSet, Any]:
    """A compiled set of these patterns, and its (partitioned) generation."""
    from eventbus.matching._pattern_set import _Partitioned

    patterns = PatternSet()
    for name, pattern in definitions.items():
        patterns.add(name, pattern)
    patterns.compile()
    compiled = patterns._compiled
    assert isinstance(compiled, _Partitioned)  # the set is large enough to be partitioned
    return patterns, compiled


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_partitioned_set_gives_the_answers_of_each_pattern(seed: int) -> None:
    definitions = _large_pattern_set(seed)
    patterns, compiled = _partitioned(definitions)
    # A partition holds only the general patterns its value leaves possible: a source prefix
    # "com.acme." or an exists:false on the source never matches an event whose source is "aws.ec2".
    held = set(compiled.parts["aws.ec2"].names)
    for name, pattern in definitions.items():
        source = pattern.get("source")
        if source in ([{"prefix": "com.acme."}], [{"exists": False}]):
            assert name not in held
            assert name in compiled.parts["com.acme.orders"].names or source == [{"exists": False}]
    singles = {name: EventPattern(pattern) for name, pattern in definitions.items()}
    for event in _events_for_partitions(seed):
        found = patterns.match(event)
        assert len(found) == len(set(found)), f"a name reported twice for {event}"
        assert set(found) == {name for name, single in singles.items() if single.matches(event)}, event


def test_partitioned_set_after_removals_and_replacements() -> None:
    definitions = _large_pattern_set(4)
    patterns = PatternSet()
    for name, pattern in definitions.items():
        patterns.add(name, pattern)
    for name in list(definitions)[::3]:
        patterns.remove(name)
        del definitions[name]
    definitions["p1"] = {"source": ["aws.s3"]}
    patterns.add("p1", definitions["p1"])
    singles = {name: EventPattern(pattern) for name, pattern in definitions.items()}
    for event in _events_for_partitions(4):
        assert sorted(patterns.match(event)) == sorted(
            name for name, single in singles.items() if single.matches(event)
        )


def test_generations_with_the_same_paths_compile_their_fast_path_once() -> None:
    """The generated source depends on the referenced paths only: a second generation (after an
    addition) reuses the compiled code, each with its own indexes, and answers for its own patterns."""
    from eventbus.matching import _fast

    patterns = PatternSet()
    patterns.add("a", {"source": ["x"], "detail": {"n": [{"numeric": [">", 1]}]}})
    patterns.compile()
    compiled_before = dict(_fast._compiled_sources)
    patterns.add("b", {"source": ["y"], "detail": {"n": [{"numeric": ["<", 1]}]}})
    patterns.compile()
    assert _fast._compiled_sources.keys() == compiled_before.keys()
    assert patterns.match({"source": "y", "detail": {"n": 0}}) == ["b"]
    assert patterns.match({"source": "x", "detail": {"n": 5}}) == ["a"]


# --------------------------------------------------------------------------- field groups
# In large generations, one-branch patterns constraining a single field (besides the partition key)
# and numerous on it are answered per value of that field (a _FieldGroup: names cached with the
# value) rather than through bits. Whether they match must not change: an event matches such a
# pattern when some value of the field satisfies it (event-ruler: any array element may match;
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html), and never
# when the field is absent (exists:false patterns are kept out of the groups).


def _grouped_patterns(seed: int) -> dict[str, dict[str, Any]]:
    import random

    rng = random.Random(seed)
    sources = ["aws.ec2", "aws.s3", "com.acme.orders"]
    patterns: dict[str, dict[str, Any]] = {}
    for i in range(700):
        source = rng.choice(sources)
        kind = rng.random()
        detail: dict[str, Any]
        if kind < 0.3:  # many distinct numeric thresholds on one field: a large group
            low = rng.randint(0, 100)
            detail = {"amount": [{"numeric": [">=", low, "<", low + rng.randint(1, 60)]}]}
        elif kind < 0.45:  # a field inside an array of objects: several values per event
            detail = {
                "items": {
                    "sku": [rng.choice([f"SKU-{rng.randint(0, 40)}", {"prefix": f"SKU-{rng.randint(1, 4)}"}])]
                }
            }
        elif kind < 0.55:  # true, false, null and numbers equal to ints
            detail = {"flag": [rng.choice([True, False, None, 1, 2.0, "true"])]}
        elif kind < 0.6:  # exists:false on one field: not grouped
            detail = {"note": [{"exists": False}]}
        elif kind < 0.65:  # nothing but the source: always matched in its partition
            patterns[f"p{i}"] = {"source": [source]}
            continue
        elif kind < 0.75:
            detail = {"status": [{"anything-but": rng.sample(["NEW", "PAID", "SHIPPED"], rng.randint(1, 2))}]}
        elif kind < 0.85:  # two fields: bits
            detail = {
                "amount": [{"numeric": [">", rng.randint(0, 100)]}],
                "status": [rng.choice(["NEW", "PAID"])],
            }
        elif kind < 0.92:  # $or: bits
            patterns[f"p{i}"] = {
                "source": [source],
                "$or": [
                    {"detail": {"amount": [{"numeric": ["<", rng.randint(0, 100)]}]}},
                    {"detail": {"flag": [True]}},
                ],
            }
            continue
        else:  # general: no exact source
            patterns[f"p{i}"] = {
                "source": [{"prefix": "aws."}],
                "detail": {"amount": [{"numeric": [">", rng.randint(0, 100)]}]},
            }
            continue
        patterns[f"p{i}"] = {"source": [source], "detail": detail}
    return patterns


def _grouped_events(seed: int) -> list[dict[str, Any]]:
    import random

    rng = random.Random(seed)
    amounts: list[Any] = [0, 5, 17.5, 42, 99, 100, 2**70, "42", True, None, [3, 57], [], {"x": 1}]
    flags: list[Any] = [True, False, None, 1, 1.0, 2, "true", [True, False], [None]]
    events: list[dict[str, Any]] = []
    for i in range(400):
        detail: dict[str, Any] = {
            "status": rng.choice(["NEW", "PAID", "SHIPPED", "SETTLED"]),
            "items": [{"sku": f"SKU-{rng.randint(0, 45)}"} for _ in range(rng.randint(0, 3))],
        }
        if rng.random() < 0.9:
            detail["amount"] = rng.choice(amounts) if rng.random() < 0.3 else rng.randint(0, 110)
        if rng.random() < 0.7:
            detail["flag"] = rng.choice(flags)
        if rng.random() < 0.3:
            detail["note"] = "n"
        event: dict[str, Any] = {"detail": detail}
        if i % 13:
            event["source"] = rng.choice(
                ["aws.ec2", "aws.s3", "com.acme.orders", "aws.other", ["aws.ec2", "aws.s3"], 7]
            )
        events.append(event)
    return events


@pytest.mark.parametrize("seed", [1, 2])
def test_field_groups_answer_as_each_pattern_and_as_the_general_walk(seed: int) -> None:
    definitions = _grouped_patterns(seed)
    patterns, compiled = _partitioned(definitions)
    parts = list(compiled.parts.values())
    assert all(part.groups and part.constant for part in parts)  # amount / sku / flag groups, source-only
    singles = {name: EventPattern(pattern) for name, pattern in definitions.items()}
    events = _grouped_events(seed)
    with_fast = []
    for event in events:
        found = patterns.match(event)
        assert len(found) == len(set(found)), f"a name reported twice for {event}"
        assert set(found) == {name for name, single in singles.items() if single.matches(event)}, event
        with_fast.append(found)
    # The general walk (used for unusual events) gives the same names in the same order.
    assert compiled.everything is not None  # built for the events whose source is a list
    for generation in [*parts, compiled.general, compiled.everything]:
        generation.fast = None
    assert [patterns.match(event) for event in events] == with_fast


def test_wide_generation_assembles_names_from_its_non_zero_words() -> None:
    """More than 16 64-bit words of branches (two-field patterns, no partition key): the names come
    from a loop over the non-zero words rather than the unrolled code; same answers as each pattern."""
    import random

    from eventbus.matching._pattern_set import _Partitioned

    rng = random.Random(5)
    definitions: dict[str, dict[str, Any]] = {}
    for i in range(1300):
        definitions[f"w{i}"] = {
            "detail": {
                "amount": [{"numeric": [">=", rng.randint(0, 1000)]}],
                "sku": [{"prefix": f"SKU-{rng.randint(0, 9)}"}],
            }
        }
    definitions["or"] = {"$or": [{"detail": {"amount": [5000]}}, {"detail": {"sku": ["SKU-99"]}}]}
    patterns = PatternSet()
    for name, pattern in definitions.items():
        patterns.add(name, pattern)
    patterns.compile()
    compiled = patterns._compiled
    assert compiled is not None
    assert not compiled.words.gets  # the wide form
    assert not isinstance(compiled, _Partitioned)
    singles = {name: EventPattern(pattern) for name, pattern in definitions.items()}
    for _ in range(60):
        event = {
            "detail": {"amount": rng.choice([rng.randint(0, 1100), 5000]), "sku": f"SKU-{rng.randint(0, 99)}"}
        }
        found = patterns.match(event)
        assert len(found) == len(set(found))
        assert set(found) == {name for name, single in singles.items() if single.matches(event)}, event


def test_array_consistency_only_where_one_array_holds_two_constrained_fields() -> None:
    """Array consistency binds the fields of one array of objects (event-ruler: two fields of one
    pattern must come from the same element; fields in two different arrays are independent;
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html). The fast
    path reports an array as needing the check only when some branch constrains two of its fields or
    uses exists:false there; answers must equal EventPattern's either way."""
    definitions: dict[str, dict[str, Any]] = {
        "same-element": {"detail": {"items": {"sku": ["A"], "qty": [2]}}},
        "two-arrays": {"detail": {"items": {"sku": ["A"]}, "parts": {"code": ["P1"]}}},
        "one-field": {"detail": {"parts": {"code": [{"prefix": "P"}]}}},
        "other-field": {"detail": {"parts": {"kind": ["spare"]}}},
        "absent-in-items": {"detail": {"items": {"gift": [{"exists": False}]}, "parts": {"code": ["P2"]}}},
    }
    events: list[dict[str, Any]] = [
        {"detail": {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}], "parts": [{"code": "P1"}]}},
        {"detail": {"items": [{"sku": "A", "qty": 2}], "parts": [{"code": "P2"}, {"code": "Q"}]}},
        {"detail": {"items": [{"sku": "A", "gift": True}, {"sku": "C"}], "parts": [{"code": "P2"}]}},
        {"detail": {"items": [{"sku": "A", "gift": True}], "parts": [{"code": "P2"}]}},
        {"detail": {"items": [], "parts": [{"code": "P1"}, {"code": "P2"}]}},
        {"detail": {"items": [{"sku": "A"}], "parts": [{"code": "P1", "kind": "main"}, {"kind": "spare"}]}},
    ]
    patterns = PatternSet()
    for name, pattern in definitions.items():
        patterns.add(name, pattern)
    singles = {name: EventPattern(pattern) for name, pattern in definitions.items()}
    for event in events:
        assert set(patterns.match(event)) == {name for name, p in singles.items() if p.matches(event)}, event
    compiled = patterns._compiled
    assert compiled is not None
    items, parts = (compiled.trie.children["detail"].children[key].subtree for key in ("items", "parts"))
    assert compiled._consistency(items)  # same-element constrains sku and qty
    assert compiled._consistency(items | parts)
    assert len(parts) == 2  # code and kind: an array of objects holding two referenced fields...
    assert not compiled._consistency(parts)  # ... that no branch constrains together
