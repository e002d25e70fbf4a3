"""A small order-processing service written for AWS, as an application would be.

It knows nothing of eventbus: module-level boto3 clients made at import time, a queue URL looked up
lazily, a producer and a worker that receives, processes and deletes in batches.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3  # type: ignore[import-untyped]

REGION = os.environ.get("AWS_REGION", "us-east-1")
sqs = boto3.client("sqs", region_name=REGION)  # made when the module is imported
QUEUE_NAME = "orders"


def queue_url() -> str:
    try:
        url: str = sqs.get_queue_url(QueueName=QUEUE_NAME)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        url = sqs.create_queue(QueueName=QUEUE_NAME, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    return url


def place_order(order_id: str, items: list[str], priority: str = "normal") -> str:
    response = sqs.send_message(
        QueueUrl=queue_url(),
        MessageBody=json.dumps({"order_id": order_id, "items": items}),
        MessageAttributes={"priority": {"DataType": "String", "StringValue": priority}},
    )
    message_id: str = response["MessageId"]
    return message_id


def process_orders(handle: Any, wait_seconds: int = 20) -> int:
    """Receive up to 10 orders, hand each to ``handle``, delete the ones it accepted."""
    client = boto3.client("sqs", region_name=REGION)  # made inside a function, as many apps do
    url = queue_url()
    messages = client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds, MessageAttributeNames=["All"]
    ).get("Messages", [])
    done = [
        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
        for index, message in enumerate(messages)
        if handle(json.loads(message["Body"]), message["MessageAttributes"]["priority"]["StringValue"])
    ]
    if done:
        client.delete_message_batch(QueueUrl=url, Entries=done)
    return len(done)
