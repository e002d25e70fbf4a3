"""The event pattern engine: EventBridge event patterns and SNS filter policies, compiled.

Stands alone (no clock, no services): ``EventPattern(pattern).matches(event)``,
``PatternSet`` to match one event against many named patterns at a cost that depends on the event,
not on the number of patterns, and ``FilterPolicy`` for SNS subscription filter policies.
"""

from ._match import EventPattern
from ._pattern_set import PatternSet

__all__ = ("EventPattern", "PatternSet")
