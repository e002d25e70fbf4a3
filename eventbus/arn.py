"""Amazon Resource Names: parse and build them.

Resources in a simulation address each other by ARN, as in AWS (a rule target, a subscription
endpoint, a dead-letter queue all hold ARNs), resolved through the simulation's registry when a
delivery happens. Format: ``arn:partition:service:region:account-id:resource``, where the resource
part may itself contain ``:`` or ``/``.
See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import msgspec

from .errors import ValidationError

__all__ = ("Arn", "build_arn", "parse_arn")


class Arn(msgspec.Struct, frozen=True):
    """A parsed ARN. ``str(arn)`` rebuilds the text."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """The part of ``resource`` before the first ``/`` or ``:`` ('' when there is none)."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[:i]
        return ""

    @property
    def resource_name(self) -> str:
        """The part of ``resource`` after its type (the whole resource when it has no type)."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[i + 1 :]
        return self.resource


def parse_arn(text: str) -> Arn:
    """Parse ``text`` as an ARN.

    Raises:
        ValidationError: when ``text`` does not have the six ``:``-separated parts of an ARN.
    """
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ValidationError(f"Invalid ARN: {text!r} is not of the form arn:partition:service:region:account:resource")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def build_arn(service: str, region: str, account: str, resource: str, partition: str = "aws") -> str:
    """Build an ARN string, e.g. ``build_arn("sqs", "us-east-1", "123456789012", "orders")``."""
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"
