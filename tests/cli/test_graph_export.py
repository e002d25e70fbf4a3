"""``eventbus graph`` (a Mermaid flowchart of the topology) and ``eventbus export`` (CloudFormation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from eventbus import Simulation
from eventbus.report import mermaid

from .conftest import QUICKSTART, SHOP, Run

Eventbus = Callable[..., Run]


def _node(text: str, label: str) -> str:
    match = re.search(rf'^    (n\d+)\W+{re.escape(label)}(?:"|<br/>)', text, re.MULTILINE)
    assert match is not None, f"no node {label!r} in\n{text}"
    return match.group(1)


def test_graph_of_the_quickstart(eventbus: Eventbus) -> None:
    run = eventbus("graph", str(QUICKSTART / "topology.yaml"))
    assert run.code == 0, run
    text = run.out
    assert text.startswith("flowchart LR\n")
    bus, orders, dlq = _node(text, "bus shop"), _node(text, "queue orders"), _node(text, "queue orders-dlq")
    new_orders, fulfil = _node(text, "rule shop/new-orders"), _node(text, "function fulfil")
    notify, notify_dlq = _node(text, "function notify-sales"), _node(text, "queue notify-dlq")
    assert f"    {bus} --> {new_orders}\n" in text  # a bus's rule
    assert f"    {new_orders} --> {orders}\n" in text  # a rule's target
    assert f'    {orders} -.->|"after 3 receives"| {dlq}\n' in text  # the queue's RedrivePolicy
    assert f'    {orders} -->|"batch 1"| {fulfil}\n' in text  # the event source mapping
    assert f'    {notify} -.->|"dead letters"| {notify_dlq}\n' in text  # the function's DLQ
    assert "classDef queue" in text


def test_graph_of_topics_subscriptions_and_target_dead_letters(eventbus: Eventbus) -> None:
    run = eventbus("graph", SHOP)
    assert run.code == 0, run
    text = run.out
    topic, urgent = _node(text, "topic alerts"), _node(text, "queue urgent")
    assert f'    {topic} -->|"filter (attributes): {{level:[high]}}"| {urgent}\n' in text
    big, events_dlq = _node(text, "rule shop/big-orders"), _node(text, "queue events-dlq")
    assert f'    {big} -.->|"dead letters for function notify"| {events_dlq}\n' in text
    assert "max 2 retries" in text


def test_graph_of_schedules_and_escaping() -> None:
    sim = Simulation()
    queue = sim.sqs.create_queue("jobs")
    sim.scheduler.create_schedule("hourly", "rate(1 hour)", target=queue.arn, role_arn="arn:aws:iam::123456789012:role/r")
    bus = sim.events.create_bus("quotes")
    bus.rule("q", pattern={"detail": {"text": ['say "hi" <b>']}}).target(queue)
    text = mermaid(sim)
    schedule = _node(text, "schedule hourly")
    assert f"    {schedule} --> {_node(text, 'queue jobs')}\n" in text
    assert "rate(1 hour)" in text
    assert '"hi"' not in text.split("\n", 1)[1].replace('|"', "").replace('"|', "")  # quotes inside labels are entities
    assert "#lt;b#gt;" in text


def test_graph_errors(tmp_path: Path, eventbus: Eventbus) -> None:
    run = eventbus("graph", str(tmp_path / "missing.yaml"))
    assert run.code == 2
    assert "missing.yaml: no such file" in run.err


def test_graph_to_a_file(tmp_path: Path, eventbus: Eventbus) -> None:
    target = tmp_path / "graph.mmd"
    run = eventbus("graph", SHOP, "-o", str(target))
    assert run.code == 0
    assert run.out == ""
    assert target.read_text().startswith("flowchart LR")


def test_export_writes_cloudformation(tmp_path: Path, eventbus: Eventbus) -> None:
    target = tmp_path / "template.yaml"
    run = eventbus("export", str(QUICKSTART / "topology.yaml"), "-o", str(target))
    assert run.code == 0, run
    text = target.read_text()
    assert "AWS::SQS::Queue" in text
    assert "AWS::Events::Rule" in text
