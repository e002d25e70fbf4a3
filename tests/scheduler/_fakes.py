"""A fake delivery endpoint for the Scheduler tests: it records each Inbound and can be told to fail.

It honours the delivery contract of eventbus.services._delivery (an ``arn`` and ``accept``), so it
stands in for an SQS queue, an SNS topic or an event bus until (and besides) the real services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventbus import Outcome, Simulation
from eventbus.services._delivery import Inbound


class RecordingEndpoint:
    """An endpoint registered at ``arn:aws:<service>:<region>:<account>:<name>``.

    Args:
        sim: the simulation to register in.
        name: the resource part of the ARN.
        service: the ARN's service (``sqs`` by default).
        failures: how many first deliveries fail (with ``error``); -1 for all of them.
        error: the exception a failed delivery reports.
    """

    def __init__(
        self,
        sim: Simulation,
        name: str,
        *,
        service: str = "sqs",
        failures: int = 0,
        error: BaseException | None = None,
    ) -> None:
        self.sim = sim
        self._arn = sim.arn(service, name)
        self.failures = failures
        self.error = error if error is not None else ConnectionError("target unavailable")
        self.messages: list[Inbound] = []
        self.attempt_times: list[float] = []
        sim.registry.register(self._arn, self)

    @property
    def arn(self) -> str:
        return self._arn

    def accept(self, message: Inbound, on_done: Callable[[Outcome], None]) -> None:
        self.attempt_times.append(self.sim.time)
        if self.failures == -1 or len(self.attempt_times) <= self.failures:
            on_done(Outcome(False, None, self.error))
            return
        self.messages.append(message)
        on_done(Outcome(True))

    @property
    def bodies(self) -> list[str]:
        return [message.body for message in self.messages]

    def attribute(self, index: int, name: str) -> Any:
        return self.messages[index].attributes[name]["StringValue"]
