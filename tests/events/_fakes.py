"""A fake delivery endpoint for the EventBridge tests: a target that can be told to fail.

A :class:`RecordingEndpoint` honours the delivery contract of eventbus.services._delivery: it is
registered under an ARN, records each :class:`Inbound` it accepts and the time of every attempt, and
fails its first N deliveries (or all) with a chosen error. Tests that only need a working queue or a
dead-letter queue use the simulated SQS (``sim.sqs.create_queue``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventbus import Outcome, Simulation
from eventbus.services._delivery import Inbound


class RecordingEndpoint:
    """A queue-like endpoint that records what it receives.

    Args:
        sim: the simulation to register in.
        name: the resource name; the ARN is ``arn:aws:<service>:<region>:<account>:<name>``.
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
