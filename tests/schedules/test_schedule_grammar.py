"""Which schedule expressions AWS accepts and refuses, and the exact error each dialect raises.

Rules: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html.
Scheduler: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html.
"""

from __future__ import annotations

import pytest

from eventbus._schedule import AtExpression, CronExpression, RateExpression, ScheduleExpression
from eventbus.errors import SimulationError, ValidationError

RULES_MESSAGE = "Parameter ScheduleExpression is not valid."

# The invalid rate forms listed in shared/docs/semantics.md (AWS-confirmed for PutRule), plus the two the
# eb-rate-expressions page names ("rate(1 hours) and rate(5 hour) aren't valid").
INVALID_RULE_RATES = [
    "rate(10 seconds)",
    "rate(1 minutes)",
    "rate(10 minute)",
    "rate(10 MINUTES)",
    "rate( 10 minutes )",
    "rate(0 minutes)",
    "rate()",
    "rate(1 hours)",
    "rate(5 hour)",
    "rate(3 minute)",  # PutRule error recorded in buildkite/buildkite-agent-scaler#100
    "rate(10  minutes)",
    "rate(10minutes)",
    " rate(10 minutes)",
    "rate(10 minutes) ",
    "RATE(10 minutes)",
    "rate(-10 minutes)",
    "rate(+10 minutes)",
    "rate(1.5 hours)",
    "rate(10 weeks)",
    "rate(1 day",
    "",
]

VALID_RULE_RATES = [
    ("rate(1 minute)", 1, "minute"),
    ("rate(5 minutes)", 5, "minute"),
    ("rate(1 hour)", 1, "hour"),
    ("rate(2 hours)", 2, "hour"),
    ("rate(1 day)", 1, "day"),
    ("rate(7 days)", 7, "day"),
]

# Examples from the rules page, each of which AWS accepts.
DOCUMENTED_CRONS = [
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0/30 20-2 ? * MON-FRI *)",
    "cron(0 12 * * ? *)",
    "cron(5,35 14 * * ? *)",
    "cron(15 10 ? * 6L 2019-2022)",
    "cron(0 20 * * ? *)",
]

# Accepted by AWS according to reports against the real service.
REPORTED_VALID_CRONS = [
    "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",  # localstack/localstack#13572 (checked on AWS)
    "cron(30-30 13-13 ? * 2,4,6 *)",  # same report
    "cron(1-31/30 1-1 ? * 1,7 *)",  # same report
    "cron(0 0 1/10,2,3/8 * ? *)",  # pitchblack408/pyawscron#61
    "cron(* * ? * mon-sun *)",  # AWS's event-driven-architecture workshop writes lower-case days
    "cron(10 7/5 ? * Wed-Fri 2020)",  # beemhq/aws-cron-parser#7 ("works in the console")
    "cron(0 21 LW * ? *)",  # serverless/serverless-local-schedule#12 (CloudWatch added LW)
    "cron(0 2 ? * 5L *)",  # grumBit/aws_cron_expression_validator#12 ("works in AWS")
]

# Further forms of the documented grammar (fields table and wildcard list of the rules page).
GRAMMAR_VALID_CRONS = [
    "cron(* * * * ? *)",
    "cron(0 0 ? * * *)",
    "cron(0 0 L * ? *)",
    "cron(0 0 15W * ? *)",
    "cron(0 0 1W * ? *)",
    "cron(0 0 31W * ? *)",
    "cron(0 0 ? * L *)",
    "cron(0 0 ? * FRIL *)",
    "cron(0 0 ? * 2#1 *)",
    "cron(0 0 ? * MON#5 *)",
    "cron(0 0 ? JAN,FEB,MAR * *)",
    "cron(0 0 1 JAN-MAR ? *)",
    "cron(0 0 1 jan-mar/2 ? *)",
    "cron(0 0 1 NOV-FEB ? *)",
    "cron(0 0 ? * FRI-MON *)",
    "cron(59 23 31 12 ? 2199)",
    "cron(0 0 1 1 ? 1970)",
    "cron(0 0 1 1 ? 1970-2199)",
    "cron(0 0 1 1 ? 2020/4)",
    "cron(0 0 1 1 ? */10)",
    "cron(05 07 01 01 ? *)",
    "cron(10-50/20 * * * ? *)",
    "cron(*/5 * * * ? *)",
    "cron(0 1-7/2,11-23/2,10 * * ? *)",
    "cron(0 0 l * ? *)",
    "cron(0 0 lw * ? *)",
    "cron(0  0  *  *  ?  *)",
    "cron(0 0 29 2 ? *)",
    "cron(0 0 30 2 ? *)",
]

INVALID_CRONS = [
    "cron(7 20 * * 1-7 *)",  # both day fields given: PutRule refuses (localstack/localstack#12156)
    "cron(*/60 * * * ? *)",  # increment past the field: PutRule refuses (aws/aws-sdk-js#4212)
    "cron(0/15 * * * * *)",  # '*' in both day fields (serverless/serverless#1163)
    "cron(* * * * *)",  # five fields (aws/aws-cdk#7514)
    "cron(0 1 * * * *)",  # the Scheduler snapshot cases below, which hold for rules too
    "cron(7 20 * * NOT *)",
    "cron(INVALID)",
    "cron(0 dummy ? * MON-FRI *)",
    "cron(71 8 1 * ? *)",
    "cron()",
    "cron(0 0 ? * ? *)",  # '?' in both day fields
    "cron(0 0 1 * 2 *)",  # a value in both day fields
    "cron(0 0 * * ? * *)",  # seven fields
    "cron(60 0 * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 0 0 * ? *)",
    "cron(0 0 32 * ? *)",
    "cron(0 0 1 0 ? *)",
    "cron(0 0 1 13 ? *)",
    "cron(0 0 ? * 0 *)",
    "cron(0 0 ? * 8 *)",
    "cron(0 0 1 1 ? 1969)",
    "cron(0 0 1 1 ? 2200)",
    "cron(0 0 1 1 ? 2020-2019)",  # years do not wrap
    "cron(0 0 1 JANUARY ? *)",
    "cron(0 0 ? * MONDAY *)",
    "cron(0 0 1 MON ? *)",  # MON is a day name, not a month
    "cron(0/0 * * * ? *)",
    "cron(0/ * * * ? *)",
    "cron(/5 * * * ? *)",
    "cron(0 */24 * * ? *)",
    "cron(0 0 */32 * ? *)",
    "cron(0 0 1 */13 ? *)",
    "cron(0 0 ? * 1/2 *)",  # no '/' in day-of-week
    "cron(0 0 ? * */2 *)",
    "cron(1,,2 * * * ? *)",
    "cron(1, * * * ? *)",
    "cron(*,5 * * * ? *)",
    "cron(1-2-3 * * * ? *)",
    "cron(-1 * * * ? *)",
    "cron(? * * * ? *)",
    "cron(L * * * ? *)",
    "cron(0 0 W * ? *)",
    "cron(0 0 0W * ? *)",
    "cron(0 0 32W * ? *)",
    "cron(0 0 1-15W * ? *)",
    "cron(0 0 L,15 * ? *)",
    "cron(0 0 L-3 * ? *)",  # Quartz's offset form; not in AWS's grammar (see notes/schedules.md)
    "cron(0 0 3L * ? *)",
    "cron(0 0 ? * 3#1,6#3 *)",  # "3#1,6#3 is not valid because it is interpreted as two expressions"
    "cron(0 0 ? * 3#0 *)",
    "cron(0 0 ? * 3#6 *)",
    "cron(0 0 ? * #2 *)",
    "cron(0 0 ? * 3# *)",
    "cron(0 0 ? * 5L,6 *)",
    "cron(0 0 ? * L-2 *)",
    "cron(0 0 ? * W *)",
    "cron(0 0 L * L *)",
    "cron(0 0 1 1 ? L)",
    "cron(0 0 1 1 ? ?)",
    "cron( 0 0 * * ? *)",
    "cron(0 0 * * ? * )",
    "cron(0\t0 * * ? *)",
    "CRON(0 0 * * ? *)",
    "cron 0 0 * * ? *",
    "cron(0 0 * * ? *",
    "cron(٣ 0 * * ? *)",
]


@pytest.mark.parametrize("text", INVALID_RULE_RATES)
def test_rules_refuse_invalid_rates_with_aws_message(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ScheduleExpression.parse(text)
    assert str(caught.value) == RULES_MESSAGE
    assert (caught.value.code, caught.value.status) == ("ValidationException", 400)


@pytest.mark.parametrize(("text", "value", "unit"), VALID_RULE_RATES)
def test_rules_accept_rates_singular_iff_one(text: str, value: int, unit: str) -> None:
    expression = ScheduleExpression.parse(text)
    assert isinstance(expression, RateExpression)
    assert (expression.value, expression.unit, expression.kind) == (value, unit, "rate")
    assert str(expression) == text


@pytest.mark.parametrize("text", DOCUMENTED_CRONS + REPORTED_VALID_CRONS + GRAMMAR_VALID_CRONS)
@pytest.mark.parametrize("dialect", ["events", "scheduler"])
def test_cron_forms_aws_accepts(text: str, dialect: str) -> None:
    expression = ScheduleExpression.parse(text, dialect="scheduler" if dialect == "scheduler" else "events")
    assert isinstance(expression, CronExpression)
    assert expression.kind == "cron"


@pytest.mark.parametrize("text", INVALID_CRONS)
def test_rules_refuse_invalid_crons_with_aws_message(text: str) -> None:
    with pytest.raises(ValidationError, match=r"^Parameter ScheduleExpression is not valid\.$"):
        ScheduleExpression.parse(text)


# LocalStack's snapshot of CreateSchedule against AWS (tests/aws/services/scheduler/
# test_scheduler.snapshot.json, recorded 2025-01-26): each answer is "Invalid Schedule Expression <x>."
SCHEDULER_SNAPSHOT_INVALID = [
    "cron(0 1 * * * *)",
    "cron(7 20 * * NOT *)",
    "cron(INVALID)",
    "cron(0 dummy ? * MON-FRI *)",
    "cron(71 8 1 * ? *)",
    "cron()",
    "rate(10 seconds)",
    "rate(10 years)",
    "rate()",
    "rate(10)",
    "rate(10 minutess)",
    "rate(foo minutes)",
    "rate(-10 minutes)",
    "rate( 10 minutes )",
    " rate(10 minutes)",
    "at(2021-12-31T23:59:59Z)",
    "at(2021-12-31)",
]


@pytest.mark.parametrize("text", SCHEDULER_SNAPSHOT_INVALID + INVALID_CRONS)
def test_scheduler_refuses_with_its_own_message(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ScheduleExpression.parse(text, dialect="scheduler")
    assert str(caught.value) == f"Invalid Schedule Expression {text}."
    assert (caught.value.code, caught.value.status) == ("ValidationException", 400)


@pytest.mark.parametrize(
    "text",
    [
        "at(2022-02-29T00:00:00)",
        "at(2022-13-01T00:00:00)",
        "at(2022-11-20T24:00:00)",
        "at(2022-11-20T13:60:00)",
        "at(2022-11-20T13:00:60)",
        "at(2022-11-20 13:00:00)",
        "at(2022-11-20t13:00:00)",
        "at(22-11-20T13:00:00)",
        "at(2022-11-20T13:00)",
        "at(2022-11-20T13:00:00.000)",
        "at(2022-11-20T13:00:00+01:00)",
        "at( 2022-11-20T13:00:00)",
        "AT(2022-11-20T13:00:00)",
    ],
)
def test_scheduler_refuses_malformed_at(text: str) -> None:
    with pytest.raises(ValidationError, match=r"^Invalid Schedule Expression "):
        ScheduleExpression.parse(text, dialect="scheduler")


def test_scheduler_accepts_the_documented_at_example() -> None:
    # schedule-types.html#one-time: at(2022-11-20T13:00:00) in America/Los_Angeles.
    expression = ScheduleExpression.parse(
        "at(2022-11-20T13:00:00)", dialect="scheduler", timezone="America/Los_Angeles"
    )
    assert isinstance(expression, AtExpression)
    assert expression.kind == "at"
    assert expression.timezone == "America/Los_Angeles"


def test_rules_have_no_at_expressions() -> None:
    with pytest.raises(ValidationError, match=r"^Parameter ScheduleExpression is not valid\.$"):
        ScheduleExpression.parse("at(2022-11-20T13:00:00)")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("rate(5 minutes)", True),
        ("rate(1 minute)", True),
        ("rate(1 days)", True),  # the Scheduler guide's own example (#daylist-savings-time)
        ("rate(1 hours)", True),
        ("rate(5 hour)", False),
        ("rate(0 minutes)", False),
    ],
)
def test_scheduler_rate_units(text: str, valid: bool) -> None:
    # The guide lists "minutes | hours | days"; the API reference lists the singular words too.
    if valid:
        assert isinstance(ScheduleExpression.parse(text, dialect="scheduler"), RateExpression)
    else:
        with pytest.raises(ValidationError, match=r"^Invalid Schedule Expression "):
            ScheduleExpression.parse(text, dialect="scheduler")


def test_rate_value_must_fit_a_java_int() -> None:
    assert ScheduleExpression.parse("rate(2147483647 minutes)").value == 2147483647  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        ScheduleExpression.parse("rate(2147483648 minutes)")
    with pytest.raises(ValidationError):
        ScheduleExpression.parse("rate(2147483647 days)")  # longer than any datetime can hold


def test_parse_on_a_subclass_refuses_other_kinds() -> None:
    assert isinstance(CronExpression.parse("cron(0 0 * * ? *)"), CronExpression)
    with pytest.raises(ValidationError, match=r"^Parameter ScheduleExpression is not valid\.$"):
        CronExpression.parse("rate(5 minutes)")


def test_rules_are_utc_only() -> None:
    with pytest.raises(SimulationError, match="UTC only"):
        ScheduleExpression.parse("cron(0 0 * * ? *)", timezone="Europe/London")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "america/new_york", "", "EST+5", "../etc/passwd"])
def test_scheduler_refuses_unknown_time_zones(zone: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ScheduleExpression.parse("cron(0 0 * * ? *)", dialect="scheduler", timezone=zone)
    assert caught.value.code == "ValidationException"


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Etc/GMT+5"])
def test_scheduler_accepts_iana_time_zones(zone: str) -> None:
    expression = ScheduleExpression.parse("cron(0 0 * * ? *)", dialect="scheduler", timezone=zone)
    assert expression.timezone == zone


def test_expressions_are_frozen_values() -> None:
    first = ScheduleExpression.parse("cron(0 8 1 * ? *)")
    assert first == ScheduleExpression.parse("cron(0 8 1 * ? *)")
    assert hash(first) == hash(ScheduleExpression.parse("cron(0 8 1 * ? *)"))
    assert first != ScheduleExpression.parse("cron(0 8 1 * ? *)", dialect="scheduler")
    with pytest.raises(AttributeError):
        first.text = "cron(0 9 1 * ? *)"  # type: ignore[misc]


def test_huge_rate_values_are_refused_quickly() -> None:
    with pytest.raises(ValidationError):
        ScheduleExpression.parse("rate(" + "1" * 20000 + " minutes)")


def test_unknown_dialect_is_a_programming_error() -> None:
    with pytest.raises(SimulationError, match="dialect"):
        ScheduleExpression.parse("rate(1 minute)", dialect="rules")  # type: ignore[arg-type]
