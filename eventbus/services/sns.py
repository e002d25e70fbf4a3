"""Amazon SNS, simulated: standard and FIFO topics, subscriptions, filter policies and fan-out.

``sim.sns`` is the service; ``sim.sns.create_topic("orders")`` a :class:`Topic`::

    sim = Simulation()
    orders = sim.sns.create_topic("orders")
    shipping = sim.sqs.create_queue("shipping")
    dlq = sim.sqs.create_queue("shipping-dlq")
    orders.subscribe(shipping, filter_policy={"kind": ["order"]}, dead_letter=dlq)
    orders.subscribe(lambda event: print(event["Records"][0]["Sns"]["Message"]))
    orders.publish("order 1", subject="New order", attributes={"kind": "order"})
    sim.run_until_idle()
    [message] = shipping.receive()          # the JSON envelope, as AWS writes it

Queues receive SNS's JSON envelope (or, with ``raw=True``, the message itself with its attributes as
SQS message attributes), functions and callables the Lambda event, HTTP/S endpoints and email
addresses are recorded in ``sim.sns.outbox``. Deliveries are retried on the simulation's clock with
SNS's schedule for the protocol, and end in the subscription's dead-letter queue when the retries run
out.

``sim.sns.api.call("Publish", {...})`` serves the AWS-named operations with botocore's shapes (what
the boto3 facade routes to). Errors carry SNS's codes, messages and HTTP statuses.
https://docs.aws.amazon.com/sns/latest/dg/welcome.html
"""

from __future__ import annotations

from ._sns_api import SnsApi
from ._sns_errors import (
    AuthorizationError,
    BatchEntryIdsNotDistinctError,
    BatchRequestTooLongError,
    EmptyBatchRequestError,
    InvalidBatchEntryIdError,
    InvalidParameterError,
    InvalidParameterValueError,
    NotFoundError,
    SnsResourceNotFoundError,
    SnsValidationError,
    TagLimitExceededError,
    TooManyEntriesInBatchRequestError,
    TopicLimitExceededError,
)
from ._sns_format import Notification
from ._sns_model import BatchResult, BatchResultEntry, BatchResultErrorEntry, PublishResult
from ._sns_policies import SMTP_MANAGED, SNS_MANAGED
from ._sns_service import HttpHandler, SnsService
from ._sns_subscription import OutboundMessage, Subscription
from ._sns_topic import Topic

__all__ = (
    "SMTP_MANAGED",
    "SNS_MANAGED",
    "AuthorizationError",
    "BatchEntryIdsNotDistinctError",
    "BatchRequestTooLongError",
    "BatchResult",
    "BatchResultEntry",
    "BatchResultErrorEntry",
    "EmptyBatchRequestError",
    "HttpHandler",
    "InvalidBatchEntryIdError",
    "InvalidParameterError",
    "InvalidParameterValueError",
    "NotFoundError",
    "Notification",
    "OutboundMessage",
    "PublishResult",
    "SnsApi",
    "SnsResourceNotFoundError",
    "SnsService",
    "SnsValidationError",
    "Subscription",
    "TagLimitExceededError",
    "TooManyEntriesInBatchRequestError",
    "Topic",
    "TopicLimitExceededError",
)
