"""Target input transformation for EventBridge rules: ``Input``, ``InputPath``, ``InputTransformer``.

Pure functions of the event: no clock, no services. A rule's target takes one of four inputs
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html):

* nothing: the whole event, as compact JSON;
* ``Input``: constant JSON text, passed verbatim;
* ``InputPath``: the part of the event a JSON path names (``$.detail``);
* ``InputTransformer``: ``InputPathsMap`` variables put into an ``InputTemplate``
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).

:class:`TargetInput` validates a target's input settings as PutTargets does, raising
:class:`eventbus.errors.ValidationError` with AWS's message, and precompiles paths and template so
that :meth:`TargetInput.payload`, run once per delivery, does no parsing::

    target_input = TargetInput(
        "t1",
        input_transformer={
            "InputPathsMap": {"instance": "$.detail.instance-id", "state": "$.detail.state"},
            "InputTemplate": '"instance <instance> is in <state>"',
        },
    )
    target_input.payload(event, rule_arn=rule_arn, rule_name="example", ingestion_time=ingested)
    # '"instance i-0123456789 is in RUNNING"'
"""

from __future__ import annotations

from ._transform_json import MISSING, Missing
from ._transform_path import JsonPath
from ._transform_target import TargetInput, TargetInputKind, apply_input_path
from ._transform_template import RESERVED_VARIABLES, InputTransformer

__all__ = (
    "MISSING",
    "RESERVED_VARIABLES",
    "InputTransformer",
    "JsonPath",
    "Missing",
    "TargetInput",
    "TargetInputKind",
    "apply_input_path",
)
