"""The SQS loop through unchanged boto3: eventbus.mock_aws against moto's mock_aws, interleaved.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_boto3_sqs.py [--rounds N]

Each round times moto (2,000 messages) then eventbus (5,000 messages) on the same loop:
send_message_batch of 10 200-byte messages, receive_message of 10, delete_message_batch of 10
(with --single-sends: ten send_message calls instead of the batch send, the workload README's
other variant, where moto makes about 430 msgs/s).
Prints messages per second for each and their ratio per round, then the median ratio (issue 8's
target: eventbus at least 20 times moto).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import boto3
from moto import mock_aws as moto_mock_aws

from eventbus import mock_aws as eventbus_mock_aws


def _loop(client: Any, url: str, n: int, single: bool = False) -> float:
    body = "x" * 200
    start = time.perf_counter()
    for _ in range(n // 10):
        if single:
            for _ in range(10):
                client.send_message(QueueUrl=url, MessageBody=body)
        else:
            client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": body} for j in range(10)])
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        client.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(messages)]
        )
    return n / (time.perf_counter() - start)


def _run(mock: Callable[[], AbstractContextManager[Any]], n: int, single: bool = False) -> float:
    with mock():
        client = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        url = client.create_queue(QueueName="bench")["QueueUrl"]
        _loop(client, url, 100, single)  # warm up: botocore loads its models on the first calls
        return _loop(client, url, n, single)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--single-sends", action="store_true", help="send_message ten times instead of send_message_batch"
    )
    args = parser.parse_args()
    ratios = []
    for round_ in range(args.rounds):
        moto = _run(moto_mock_aws, 2000, args.single_sends)
        ours = _run(eventbus_mock_aws, 5000, args.single_sends)
        ratios.append(ours / moto)
        print(f"round {round_ + 1}: moto {moto:,.0f} msgs/s, eventbus {ours:,.0f} msgs/s, ratio {ours / moto:.1f}x", flush=True)
    print(f"median ratio eventbus / moto: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
