"""The replay input format: each line an EventBridge event (envelope or PutEvents entry), an SQS
send or an SNS publish, with an optional time; every bad line names its file and line number."""

from __future__ import annotations

import pytest

from eventbus.replay import InputError, parse_duration, parse_input_line, parse_inputs


def test_putevents_entry_keeps_the_apis_fields_and_encodes_an_object_detail() -> None:
    # PutEventsRequestEntry: Source, DetailType, Detail (a JSON string), Resources, Time, EventBusName
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
    line = parse_input_line(
        '{"EventBusName": "shop", "Source": "s", "DetailType": "d", "Detail": {"a": 1}, "Resources": ["arn:x"], "Time": "2024-01-01T00:00:05Z"}',
        1,
    )
    assert line is not None
    assert line.kind == "event"
    assert line.target == "shop"
    assert line.request == {"Source": "s", "DetailType": "d", "Detail": '{"a":1}', "Resources": ["arn:x"], "Time": "2024-01-01T00:00:05Z"}


def test_an_envelope_is_sent_with_putevents_fields_and_its_id_account_region_dropped() -> None:
    # the simulation assigns id, account and region, as PutEvents does
    # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
    line = parse_input_line(
        '{"version": "0", "id": "x", "account": "1", "region": "r", "source": "s", "detail-type": "d", "time": "2024-06-01T00:00:00Z", "resources": [], "detail": {"k": "v"}}',
        3,
    )
    assert line is not None
    assert line.target is None
    assert line.request == {"Source": "s", "DetailType": "d", "Detail": '{"k":"v"}', "Resources": [], "Time": "2024-06-01T00:00:00Z"}


def test_sqs_send_short_and_aws_spellings() -> None:
    # SendMessage parameters https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
    short = parse_input_line('{"queue": "q", "body": {"a": 1}, "attributes": {"k": "v"}, "group_id": "g", "delay": 5}', 1)
    aws = parse_input_line('{"queue": "q", "MessageBody": "{\\"a\\":1}", "MessageAttributes": {"k": "v"}, "MessageGroupId": "g", "DelaySeconds": 5}', 1)
    assert short is not None
    assert aws is not None
    assert short.request == aws.request == {"body": '{"a":1}', "attributes": {"k": "v"}, "group_id": "g", "delay_seconds": 5}


def test_sns_publish() -> None:
    # Publish parameters https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
    line = parse_input_line('{"topic": "t", "message": "hi", "subject": "s", "MessageStructure": "json"}', 1)
    assert line is not None
    assert line.kind == "sns"
    assert line.request == {"message": "hi", "subject": "s", "message_structure": "json"}


@pytest.mark.parametrize(
    ("text", "at", "after"),
    [
        ('{"queue": "q", "body": "b"}', None, None),
        ('{"queue": "q", "body": "b", "at": 30}', 30.0, None),
        ('{"queue": "q", "body": "b", "at": "1h30m"}', 5400.0, None),
        ('{"queue": "q", "body": "b", "at": "2024-01-01T00:05:00Z"}', "2024-01-01T00:05:00Z", None),
        ('{"queue": "q", "body": "b", "after": "250ms"}', None, 0.25),
        ('{"queue": "q", "body": "b", "after": 2.5}', None, 2.5),
    ],
)
def test_times(text: str, at: object, after: object) -> None:
    line = parse_input_line(text, 1)
    assert line is not None
    assert (line.at, line.after) == (at, after)


def test_blank_and_comment_lines_are_skipped() -> None:
    assert parse_input_line("", 1) is None
    assert parse_input_line("   # a comment", 2) is None
    inputs, errors = parse_inputs(["# head", "", '{"queue": "q", "body": "b"}'], "f.jsonl")
    assert [line.line for line in inputs] == [3]
    assert errors == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"queue": "q", "body": ', "f.jsonl:7: not JSON: "),
        ("[1, 2]", "f.jsonl:7: expected a JSON object, got an array"),
        ('{"hello": 1}', "f.jsonl:7: not an input: expected an EventBridge event"),
        ('{"queue": "q", "topic": "t", "body": "b"}', "f.jsonl:7: ambiguous line"),
        ('{"queue": "q", "body": "b", "attrs": {}}', "f.jsonl:7: unknown field 'attrs' in an SQS send"),
        ('{"queue": "q"}', "f.jsonl:7: an SQS send needs 'body' (or 'MessageBody')"),
        ('{"queue": "q", "body": "b", "MessageBody": "c"}', "f.jsonl:7: give 'body' or 'MessageBody', not both"),
        ('{"queue": "q", "body": "b", "at": 1, "after": 2}', "f.jsonl:7: give 'at' or 'after', not both"),
        ('{"queue": "q", "body": "b", "after": -1}', "f.jsonl:7: 'after': not a duration"),
        ('{"queue": "q", "body": "b", "after": "soon"}', "f.jsonl:7: 'after': not a duration: 'soon'"),
        ('{"queue": "q", "body": "b", "delay": "5"}', "f.jsonl:7: 'delay' must be a whole number of seconds, not a string"),
        ('{"Source": "s", "DetailType": "d"}', "f.jsonl:7: a PutEvents entry needs 'Source', 'DetailType' and 'Detail' ('Detail' is missing)"),
        ('{"Source": "s", "DetailType": "d", "Detail": 5}', "f.jsonl:7: 'Detail' must be JSON text or an object, not a number"),
        ('{"source": "s", "detail-type": "d", "detail": []}', "f.jsonl:7: 'detail' must be an object, not an array"),
        ('{"source": "s", "detail-type": "d", "detial": {}}', "f.jsonl:7: unknown field 'detial' in an EventBridge event envelope"),
        ('{"source": "s", "DetailType": "d", "Detail": {}}', "f.jsonl:7: ambiguous line"),
        ('{"Source": 5, "DetailType": "d", "Detail": {}}', "f.jsonl:7: 'Source' must be a string, not a number"),
        ('{"Source": "s", "DetailType": "d", "Detail": {}, "Resources": "arn"}', "f.jsonl:7: 'Resources' must be an array of strings"),
        ('{"topic": "t", "message": "m", "attributes": {"k": true}}', "f.jsonl:7: attribute 'k' must be a string"),
        ('{"topic": "", "message": "m"}', "f.jsonl:7: 'topic' must not be empty"),
    ],
)
def test_bad_lines_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_input_line(text, 7, "f.jsonl")
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.line == 7


def test_keep_going_collects_every_bad_line() -> None:
    inputs, errors = parse_inputs(['{"queue": "q", "body": "b"}', "{oops", '{"queue": 1, "body": "b"}'], "f.jsonl", keep_going=True)
    assert [line.line for line in inputs] == [1]
    assert [error.line for error in errors] == [2, 3]


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("1h30m", 5400.0), ("1d", 86400.0), ("250ms", 0.25), (3, 3.0)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1x", "h", "-5", "nan", "inf"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_durations_beyond_a_century_are_refused_with_a_clear_error() -> None:
    assert parse_duration("36500d") == 36500 * 86400
    with pytest.raises(ValueError, match="at most 100 years"):
        parse_duration(1e308)
