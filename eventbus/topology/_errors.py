"""The one error a topology load raises, and where in the input it points.

A :class:`TopologyError` names the file, the line (when the input came from a file PyYAML could
mark), the resource's logical id and what is wrong, and lists what was created in the simulation
before the load stopped: nothing half-built is hidden, and nothing is rolled back (the simulation
has no transactions, as CloudFormation's rollback would be).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import EventBusError

__all__ = ("TopologyError",)


class TopologyError(EventBusError, ValueError):
    """A topology that cannot be loaded: malformed, referring to nothing, or refused by a service.

    ``str(error)`` reads ``<file>, line <n>, <resource>: <what is wrong>``, followed by what had been
    created before the load stopped, if anything.

    Attributes:
        file: the file (or ``<mapping>``, or the ``module:build`` name) the problem is in.
        line: the 1-based line, when known.
        resource: the logical id of the resource concerned (``queue 'orders'``,
            ``OrdersQueue (AWS::SQS::Queue)``), when there is one.
        reason: what is wrong, alone.
        created: the logical ids of the resources created in the simulation before the error.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        resource: str | None = None,
        created: Sequence[str] = (),
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.resource = resource
        self.created = tuple(created)
        super().__init__(self._text())

    def _text(self) -> str:
        where = [
            part for part in (self.file, f"line {self.line}" if self.line else None, self.resource) if part
        ]
        text = f"{', '.join(where)}: {self.reason}" if where else self.reason
        if self.created:
            text += f"\n(created in the simulation before this error: {', '.join(self.created)})"
        return text

    def with_context(
        self,
        *,
        file: str | None = None,
        line: int | None = None,
        resource: str | None = None,
        created: Sequence[str] | None = None,
    ) -> TopologyError:
        """A copy with the blanks filled in (the fields already set are kept)."""
        return TopologyError(
            self.reason,
            file=self.file or file,
            line=self.line or line,
            resource=self.resource or resource,
            created=self.created or tuple(created or ()),
        )

    def __reduce__(self) -> tuple[object, ...]:  # pickling keeps the keyword fields
        return (_rebuild, (self.reason, self.file, self.line, self.resource, self.created))


def _rebuild(
    reason: str, file: str | None, line: int | None, resource: str | None, created: Sequence[str]
) -> TopologyError:
    return TopologyError(reason, file=file, line=line, resource=resource, created=created)
