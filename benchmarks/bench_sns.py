"""SNS benchmark: publish-to-delivered throughput with 1, 10 and 100 filtered SQS subscriptions.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_sns.py

Workload: the first N filter policies of /work/shared/workloads/data/sns_policies.json (MessageAttributes
scope), each on its own SQS queue subscribed to one standard topic (JSON envelope delivery, no raw),
and the 2,000 messages of sns_messages.jsonl published one Publish call at a time with their message
attributes. A message is "delivered" when every queue whose policy accepts it holds its envelope.

Paths timed, in the same run:
  * eventbus native: ``topic.publish(body, attributes=...)``, ``sim.run_until_idle()`` after every 10;
  * eventbus API:    ``sim.sns.api.call("Publish", {...})``, the same;
  * eventbus boto3:  ``boto3.client("sns").publish(...)`` under ``eventbus.aws.mock_aws`` (botocore
                     serialises and parses the query protocol), the same;
  * moto boto3:      the same boto3 calls under ``moto.mock_aws`` with the same topic, queues and
                     policies (moto delivers to its queues inside Publish), on a subset of the
                     messages because it is slow.
Medians of ROUNDS rounds for eventbus; moto runs once per subscription count. Every eventbus round
checks that the deliveries equal what ``FilterPolicy`` accepts; for moto the table shows its
deliveries beside what FilterPolicy accepts on its subset ("moto deliveries": moto/expected).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/workloads/data")
SUBSCRIPTION_COUNTS = (1, 10, 100)
ROUNDS = 3
MOTO_MESSAGES = {1: 600, 10: 300, 100: 100}
FLUSH_EVERY = 10


def load(count: int) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    policies = [json.dumps(entry["policy"]) for entry in json.loads((DATA / "sns_policies.json").read_text())[:count]]
    messages = []
    for line in (DATA / "sns_messages.jsonl").read_text().splitlines():
        entry = json.loads(line)
        attributes = {
            name: {"DataType": value["Type"], "StringValue": value["Value"]} for name, value in entry["attributes"].items()
        }
        messages.append((entry["body"], attributes))
    return policies, messages


def expected_deliveries(policies: list[str], messages: list[tuple[str, dict[str, Any]]]) -> int:
    from eventbus import FilterPolicy

    compiled = [FilterPolicy(policy) for policy in policies]
    return sum(policy.matches_attributes(attributes) for _, attributes in messages for policy in compiled)


def eventbus_run(policies: list[str], messages: list[tuple[str, dict[str, Any]]], path: str) -> tuple[float, int]:
    """Messages per second through one eventbus path, and the number of queue deliveries."""
    from eventbus import Simulation

    context: Any = None
    if path == "boto3":
        import boto3  # type: ignore[import-untyped]

        from eventbus.aws import mock_aws

        context = mock_aws()
        sim = context.__enter__()
        client = boto3.client("sns", region_name="us-east-1")
        topic_arn = client.create_topic(Name="bench")["TopicArn"]
        for index, policy in enumerate(policies):
            queue = sim.sqs.create_queue(f"q{index}")
            client.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn, Attributes={"FilterPolicy": policy})

        def send(body: str, attributes: dict[str, Any]) -> Any:
            return client.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attributes)

    else:
        sim = Simulation()
        topic = sim.sns.create_topic("bench")
        for index, policy in enumerate(policies):
            topic.subscribe(sim.sqs.create_queue(f"q{index}"), filter_policy=policy)
        if path == "api":
            call = sim.sns.api.call
            arn = topic.arn

            def send(body: str, attributes: dict[str, Any]) -> Any:
                return call("Publish", {"TopicArn": arn, "Message": body, "MessageAttributes": attributes})

        else:

            def send(body: str, attributes: dict[str, Any]) -> Any:
                return topic.publish(body, attributes=attributes)

    try:
        send(*messages[0])  # warm-up: compiles the topic's policy index
        sim.run_until_idle()
        before = sum(1 for r in sim.journal if r.kind == "sns.delivery.delivered")
        run: Callable[[], None] = sim.run_until_idle
        rest = messages[1:]
        start = time.perf_counter()
        for index, (body, attributes) in enumerate(rest, start=1):
            send(body, attributes)
            if index % FLUSH_EVERY == 0:
                run()
        run()
        elapsed = time.perf_counter() - start
        delivered = sum(1 for r in sim.journal if r.kind == "sns.delivery.delivered") - before
    finally:
        if context is not None:
            context.__exit__(None, None, None)
    return len(rest) / elapsed, delivered


def moto_run(policies: list[str], messages: list[tuple[str, dict[str, Any]]]) -> tuple[float, int]:
    """Messages per second through boto3's publish under moto's mock_aws, and moto's deliveries."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic_arn = sns.create_topic(Name="bench")["TopicArn"]
        urls = []
        for index, policy in enumerate(policies):
            url = sqs.create_queue(QueueName=f"q{index}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": policy})
            urls.append(url)
        body, attributes = messages[0]
        sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attributes)
        start = time.perf_counter()
        for body, attributes in messages[1:]:
            sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attributes)
        elapsed = time.perf_counter() - start
        delivered = sum(
            int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
            for url in urls
        )
    first = expected_deliveries(policies, messages[:1])
    return (len(messages) - 1) / elapsed, delivered - first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--subscriptions", type=int, nargs="*", default=list(SUBSCRIPTION_COUNTS))
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; messages/s published and delivered, medians of {args.rounds} rounds (moto: one round)")
    print(
        f"{'subs':>5} {'deliv/msg':>9} {'native':>9} {'api':>9} {'boto3':>9} {'moto':>8} {'moto deliveries':>16}"
        f" {'native/moto':>11} {'boto3/moto':>10}"
    )
    for count in args.subscriptions:
        policies, messages = load(count)
        expected = expected_deliveries(policies, messages[1:])
        figures: dict[str, float] = {}
        for path in ("native", "api", "boto3"):
            rates = []
            for _ in range(args.rounds):
                rate, delivered = eventbus_run(policies, messages, path)
                assert delivered == expected, (path, delivered, expected)
                rates.append(rate)
            figures[path] = statistics.median(rates)
        moto, moto_delivered = (0.0, 0)
        subset = messages[: MOTO_MESSAGES.get(count, 100) + 1]
        if not args.no_moto:
            moto, moto_delivered = moto_run(policies, subset)
        per_message = expected / (len(messages) - 1)
        subset_expected = expected_deliveries(policies, subset[1:])
        moto_deliveries = f"{moto_delivered}/{subset_expected}" if moto else "-"
        native_ratio = f"{figures['native'] / moto:,.0f}x" if moto else "-"
        boto3_ratio = f"{figures['boto3'] / moto:,.1f}x" if moto else "-"
        print(
            f"{count:>5} {per_message:>9.2f} {figures['native']:>9,.0f} {figures['api']:>9,.0f} {figures['boto3']:>9,.0f}"
            f" {moto:>8,.1f} {moto_deliveries:>16} {native_ratio:>11} {boto3_ratio:>10}"
        )


if __name__ == "__main__":
    main()
