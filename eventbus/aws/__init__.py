"""Run unchanged boto3 code against an eventbus simulation.

``with mock_aws() as sim:`` (or ``@mock_aws`` on a test) serves every boto3 client's SQS, SNS,
EventBridge, EventBridge Scheduler and Lambda calls from a :class:`~eventbus.Simulation`, through
botocore's real request serializers and response parsers, on virtual time and without a network.
"""

from __future__ import annotations

from ._mock import MockAws, mock_aws
from ._transport import SIMULATED_SERVICES, OperationApi, UnsupportedServiceError

__all__ = ("SIMULATED_SERVICES", "MockAws", "OperationApi", "UnsupportedServiceError", "mock_aws")
