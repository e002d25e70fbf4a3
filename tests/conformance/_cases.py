"""Loading the JSONL conformance cases of tests/conformance/cases/.

Case files are data, one JSON object a line. Files named ``eventbridge_*.jsonl`` hold EventBridge
event-pattern cases, files named ``sns_*.jsonl`` hold SNS filter-policy cases. Every case has a
unique ``name`` (the pytest id) and a ``source`` citing the AWS documentation page/section or the
aws/event-ruler (or AWS-recorded LocalStack snapshot) behaviour it comes from. A ``doubt`` field says
why the expectation is not AWS-confirmed. Case shapes:

EventBridge:
  ``{"name", "source", "pattern", "event", "match": bool}`` -- the pattern matches the event or not;
  ``{"name", "source", "pattern", "error": reason}`` -- compiling the pattern fails with exactly
  ``Event pattern is not valid. Reason: <reason>``.
  Optional ``pattern_json`` / ``event_json`` give the exact JSON text when the text itself matters
  (for example ``3.0e2``); ``pattern`` / ``event`` are then the parsed equivalents.

SNS (``scope`` is ``MessageAttributes`` or ``MessageBody``):
  ``{"name", "source", "scope", "policy", "attributes": {...}, "match": bool}``;
  ``{"name", "source", "scope", "policy", "body": value, "match": bool}`` (``body_text`` gives the
  raw message when it is not the JSON of ``body``, or when there is no ``body``);
  ``{"name", "source", "scope", "policy", "error": reason}`` -- an ``InvalidParameter`` error whose
  message starts with ``Invalid parameter: `` and ends with ``reason``;
  ``{"name", "source", "scope", "policy", "valid": true}`` -- the policy is accepted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"

Case = dict[str, Any]


def load_cases(prefix: str) -> list[Case]:
    """Every case of the files ``cases/<prefix>*.jsonl``, in file and line order."""
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob(f"{prefix}*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                case = json.loads(line)
                case["_file"] = f"{path.name}:{number}"
                cases.append(case)
    return cases


def pattern_text(case: Case) -> str:
    """The JSON text of an EventBridge case's pattern."""
    text = case.get("pattern_json")
    return text if text is not None else json.dumps(case["pattern"])


def event_text(case: Case) -> str:
    """The JSON text of an EventBridge case's event."""
    text = case.get("event_json")
    return text if text is not None else json.dumps(case["event"])


def body_text(case: Case) -> str:
    """The raw SNS message of a MessageBody case."""
    text = case.get("body_text")
    return text if text is not None else json.dumps(case["body"])


def describe(case: Case) -> str:
    """A failure message naming where the case is and what it relies on."""
    parts = [f"case {case['name']} ({case['_file']})", f"source: {case['source']}"]
    if "doubt" in case:
        parts.append(f"doubt: {case['doubt']}")
    return "\n".join(parts)


EVENTBRIDGE_CASES = load_cases("eventbridge_")
SNS_CASES = load_cases("sns_")
