"""The event pattern engine: EventBridge event patterns and SNS filter policies, compiled.

Stands alone (no clock, no services):

* :class:`EventPattern` -- one pattern: ``EventPattern(pattern).matches(event)`` and ``.explain(event)``;
* :class:`PatternSet` -- many named patterns matched at once, at a cost set by the event's fields,
  not by the number of patterns;
* :class:`FilterPolicy` / :class:`FilterPolicySet` -- SNS subscription filter policies (attribute and
  body scope), alone or indexed for fan-out.

Semantics and error texts follow aws/event-ruler, the engine EventBridge runs
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).
"""

from ._filter_policy import FilterPolicy, FilterPolicySet, InvalidFilterPolicyError
from ._match import EventPattern
from ._pattern_set import PatternSet
from .explain import Explanation

__all__ = (
    "EventPattern",
    "Explanation",
    "FilterPolicy",
    "FilterPolicySet",
    "InvalidFilterPolicyError",
    "PatternSet",
)
