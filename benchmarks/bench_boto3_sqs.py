"""The SQS loop through unchanged boto3: eventbus.mock_aws against moto's mock_aws, interleaved.

Run:  flock /tmp/eventbus-bench.lock .venv/bin/python benchmarks/bench_boto3_sqs.py [--rounds N]

Each round times moto (2,000 messages) then eventbus (5,000 messages) on the same loop:
send_message_batch of 10 200-byte messages, receive_message of 10, delete_message_batch of 10
(with --single-sends: ten send_message calls instead of the batch send, the workload README's
other variant, where moto makes about 430 msgs/s). With --depth: the receive 10 / delete batch drain
through boto3 from a queue 2,000 and 200,000 deep (moto: 100 and 1,000), per-message cost compared.
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
            client.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": body} for j in range(10)]
            )
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        client.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(messages)],
        )
    return n / (time.perf_counter() - start)


def _run(mock: Callable[[], AbstractContextManager[Any]], n: int, single: bool = False) -> float:
    with mock():
        client = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
        )
        url = client.create_queue(QueueName="bench")["QueueUrl"]
        _loop(client, url, 100, single)  # warm up: botocore loads its models on the first calls
        return _loop(client, url, n, single)


def _drain(client: Any, url: str, n: int) -> float:
    """receive_message(10) + delete_message_batch until ``n`` messages are gone: messages/s."""
    start = time.perf_counter()
    done = 0
    while done < n:
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        client.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(messages)],
        )
        done += len(messages)
    return done / (time.perf_counter() - start)


def _depth(
    mock: Callable[[], AbstractContextManager[Any]], depth: int, drained: int, native_fill: bool
) -> float:
    """Drain ``drained`` messages through boto3 from a queue ``depth`` deep (filled natively for
    eventbus, which is fast, and through boto3 for moto)."""
    body = "x" * 200
    with mock() as sim:
        client = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
        )
        url = client.create_queue(QueueName="deep")["QueueUrl"]
        _loop(client, url, 100)  # warm up
        if native_fill:
            queue = sim.sqs.queue_by_url(url)
            for _ in range(depth // 10):
                queue.send_batch([body] * 10)
        else:
            for _ in range(depth // 10):
                client.send_message_batch(
                    QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": body} for j in range(10)]
                )
        return _drain(client, url, drained)


def depth_main() -> None:
    """Per-message cost of the boto3 drain at depth (issue 8: no growth with queue depth)."""
    shallow, deep = [], []
    for _ in range(3):  # alternated, medians
        shallow.append(_depth(eventbus_mock_aws, 2_000, 2_000, native_fill=True))
        deep.append(_depth(eventbus_mock_aws, 200_000, 2_000, native_fill=True))
    ours = statistics.median(shallow), statistics.median(deep)
    print(
        f"eventbus through boto3: drain {ours[0]:,.0f} msgs/s at depth 2,000, {ours[1]:,.0f} at depth 200,000: "
        f"per-message cost deep / shallow {ours[0] / ours[1]:.2f}x",
        flush=True,
    )
    moto_shallow = _depth(moto_mock_aws, 100, 100, native_fill=False)
    moto_deep = _depth(moto_mock_aws, 1_000, 100, native_fill=False)
    print(
        f"moto through boto3: drain {moto_shallow:,.0f} msgs/s at depth 100, {moto_deep:,.0f} at depth 1,000: "
        f"per-message cost deep / shallow {moto_shallow / moto_deep:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--single-sends", action="store_true", help="send_message ten times instead of send_message_batch"
    )
    parser.add_argument("--depth", action="store_true", help="measure the drain's cost at depth instead")
    args = parser.parse_args()
    if args.depth:
        depth_main()
        return
    ratios = []
    for round_ in range(args.rounds):
        moto = _run(moto_mock_aws, 2000, args.single_sends)
        ours = _run(eventbus_mock_aws, 5000, args.single_sends)
        ratios.append(ours / moto)
        print(
            f"round {round_ + 1}: moto {moto:,.0f} msgs/s, eventbus {ours:,.0f} msgs/s, ratio {ours / moto:.1f}x",
            flush=True,
        )
    print(f"median ratio eventbus / moto: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
