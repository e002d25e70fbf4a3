"""SQS event source mappings: pollers on the simulation's clock, batches, partial failures (internal).

Lambda long-polls the queue. When messages are available it reads batches and invokes the function
synchronously with ``{"Records": [...]}``, one batch per invocation, with up to five batches at a
time at first; while messages remain it adds up to 300 concurrent batches a minute, up to 1,000, or
to the mapping's ``MaximumConcurrency`` (2..1000). A batch is sent when it holds ``BatchSize``
messages, when the batching window (``MaximumBatchingWindowInSeconds``) ends, or when the next
message would take the event past 6 MB.

Messages stay in the queue while a batch is processed, invisible for the queue's visibility timeout
(when ``window + function timeout`` exceeds it, Lambda uses ``window + timeout + 30 s``). A batch
whose invocation succeeds is deleted. A batch whose invocation fails (an exception, a timeout, a
malformed partial-batch response) is left alone: its messages become visible again when their
visibility timeout ends, and the queue's redrive policy moves them to its dead-letter queue after
``maxReceiveCount`` receives. With ``ReportBatchItemFailures`` the listed messages are left and the
others deleted; on FIFO queues a failure also leaves the later messages of its message group.
A throttled invocation is retried with backoff until the batch's visibility timeout would pass.
Messages that match none of the ``FilterCriteria`` are deleted without invoking the function.

https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._simulation import Future
from ..errors import ServiceError
from ..matching import EventPattern
from ._lambda_errors import TooManyRequestsError
from ._lambda_records import filter_view, read_batch_response, sqs_record
from ._lambda_runtime import Invocation

if TYPE_CHECKING:
    from ._lambda_function import Function
    from ._lambda_service import LambdaService
    from .sqs import Message, Queue

__all__ = ("MAX_EVENT_BYTES", "EventSourceMapping")

#: The synchronous invocation payload quota that bounds a batch.
MAX_EVENT_BYTES = 6 * 1024 * 1024
#: Batches a mapping starts with, how many more it may add per minute, and its ceiling.
INITIAL_POLLERS, SCALE_STEP, SCALE_INTERVAL, MAX_POLLERS = 5, 300, 60.0, 1000


class _Poller:
    __slots__ = ("alive", "leftover", "number", "waiter")

    def __init__(self, number: int) -> None:
        self.number = number
        self.alive = True
        self.waiter: Future[None] | None = None
        self.leftover: list[Message] = []

    def stop(self) -> None:
        self.alive = False
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class EventSourceMapping:
    """An SQS event source mapping (``eventbus.services.lambda_.EventSourceMapping``).

    Create one with ``sim.lambda_.event_source_mapping(queue, function, ...)``; change it with
    :meth:`update`, stop it with ``update(enabled=False)`` and remove it with
    ``sim.lambda_.delete_event_source_mapping(uuid)``.

    Attributes:
        uuid: the mapping's id.
        queue_arn: ``EventSourceArn``.
        function: the :class:`Function` it invokes.
        batch_size: ``BatchSize``.
        window: ``MaximumBatchingWindowInSeconds``.
        max_concurrency: ``ScalingConfig.MaximumConcurrency`` or None.
        report_batch_item_failures: whether ``FunctionResponseTypes`` has ``ReportBatchItemFailures``.
        filters: the ``FilterCriteria`` patterns (JSON text).
        state: ``Creating``, ``Enabled``, ``Disabling``, ``Disabled``, ``Enabling``, ``Updating`` or ``Deleting``.
    """

    def __init__(
        self,
        service: LambdaService,
        uuid: str,
        queue: Queue,
        function: Function,
        *,
        batch_size: int,
        window: int,
        max_concurrency: int | None,
        report_batch_item_failures: bool,
        filters: tuple[tuple[str, EventPattern], ...],
        enabled: bool,
    ) -> None:
        self._service = service
        self._sim = service.sim
        self.uuid = uuid
        self.arn = self._sim.arn("lambda", f"event-source-mapping:{uuid}")
        self.queue_arn = queue.arn
        self.fifo = queue.fifo
        self.function = function
        self.batch_size = batch_size
        self.window = window
        self.max_concurrency = max_concurrency
        self.report_batch_item_failures = report_batch_item_failures
        self._filters = filters
        self.enabled = enabled
        self.state = "Creating"
        self.state_reason = "USER_INITIATED"
        self.last_modified_at = self._sim.time
        self._pollers: list[_Poller] = []
        self._next_poller = 0
        self._busy = 0
        self._last_scale = self._sim.time
        self._n_batches = 0
        self._n_deleted = 0
        self._n_failed_batches = 0
        self._n_filtered = 0
        self._sim.call_soon(self._settle_state)

    def __repr__(self) -> str:
        return f"eventbus.services.lambda_.EventSourceMapping({self.uuid!r}, {self.queue_arn!r} -> {self.function.name!r}, {self.state})"

    @property
    def filters(self) -> tuple[str, ...]:
        return tuple(text for text, _ in self._filters)

    # --------------------------------------------------------------- state
    def _settle_state(self) -> None:
        if self.state == "Deleting":
            return
        self.state = "Enabled" if self.enabled else "Disabled"
        self._sim.record("lambda.esm.state", self.arn, self.uuid, {"state": self.state})
        if self.enabled:
            self._start()
        else:
            self._stop()

    def _cap(self) -> int:
        return self.max_concurrency if self.max_concurrency is not None else MAX_POLLERS

    def _start(self) -> None:
        while len(self._pollers) < min(INITIAL_POLLERS, self._cap()):
            self._add_poller()

    def _add_poller(self) -> None:
        self._next_poller += 1
        poller = _Poller(self._next_poller)
        self._pollers.append(poller)
        self._sim.spawn(self._poll(poller), name=f"esm:{self.uuid}:{poller.number}")

    def _stop(self) -> None:
        for poller in self._pollers:
            poller.stop()
        self._pollers.clear()

    def update(
        self,
        *,
        enabled: bool | None = None,
        batch_size: int | None = None,
        window: int | None = None,
        max_concurrency: int | bool | None = False,
        report_batch_item_failures: bool | None = None,
        filters: Sequence[str | dict[str, Any]] | bool | None = False,
        function: Function | None = None,
    ) -> None:
        """Change the mapping (UpdateEventSourceMapping); checked as on creation."""
        self._service._update_mapping(
            self,
            enabled=enabled,
            batch_size=batch_size,
            window=window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=report_batch_item_failures,
            filters=filters,
            function=function,
        )

    def _apply_update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.last_modified_at = self._sim.time
        if "enabled" in changes:
            self.state = "Enabling" if self.enabled else "Disabling"
        else:
            self.state = "Updating"
        self._sim.record("lambda.esm.updated", self.arn, self.uuid, {"changes": sorted(changes)})
        self._stop()
        self._sim.call_soon(self._settle_state)

    def _delete(self) -> None:
        self.state = "Deleting"
        self._stop()
        self._sim.record("lambda.esm.deleted", self.arn, self.uuid)

    def statistics(self) -> dict[str, int]:
        """Counts since creation: batches invoked, messages deleted, failed batches, filtered out, pollers now."""
        return {
            "batches": self._n_batches,
            "deleted": self._n_deleted,
            "failed_batches": self._n_failed_batches,
            "filtered": self._n_filtered,
            "pollers": len(self._pollers),
        }

    # ------------------------------------------------------------- polling
    def _queue(self) -> Queue | None:
        from .sqs import Queue

        queue = self._sim.registry.get(self.queue_arn)
        if isinstance(queue, Queue) and not queue.deleted:
            return queue
        return None

    def _visibility(self, queue: Queue) -> int:
        visibility = queue.visibility_timeout
        if self.window and self.window + self.function.timeout > visibility:
            return self.window + self.function.timeout + 30
        return visibility

    async def _poll(self, poller: _Poller) -> None:
        sim = self._sim
        while poller.alive:
            queue = self._queue()
            if queue is None:
                sim.record("lambda.esm.source_missing", self.arn, self.uuid, {"queue": self.queue_arn})
                poller.alive = False
                break
            if not poller.leftover:
                waiter = queue.when_receivable()
                poller.waiter = waiter
                await waiter
                poller.waiter = None
                if not poller.alive:
                    break
                if queue.deleted:
                    continue
            batch = await self._gather(queue, poller)
            if not batch:
                continue
            self._busy += 1
            self._maybe_scale(queue)
            try:
                await self._process(queue, batch)
            finally:
                self._busy -= 1
            if len(self._pollers) > INITIAL_POLLERS and poller.alive and not queue.statistics().visible:
                poller.alive = False  # traffic is low again: scale back down
                self._pollers.remove(poller)
        if poller in self._pollers and not poller.alive:
            self._pollers.remove(poller)

    def _maybe_scale(self, queue: Queue) -> None:
        sim = self._sim
        if self._busy < len(self._pollers) or not self.enabled:
            return
        if len(self._pollers) >= self._cap() or not queue.statistics().visible:
            return
        if sim.time - self._last_scale < SCALE_INTERVAL:
            return
        self._last_scale = sim.time
        added = min(SCALE_STEP, self._cap() - len(self._pollers))
        for _ in range(added):
            self._add_poller()
        sim.record("lambda.esm.scaled", self.arn, self.uuid, {"pollers": len(self._pollers)})

    async def _gather(self, queue: Queue, poller: _Poller) -> list[Message]:
        """Receive one batch: until it is full, the window ends, or the next message passes 6 MB."""
        sim = self._sim
        batch: list[Message] = []
        size = 16
        carried, poller.leftover = poller.leftover, []
        for message in carried:
            size += self._size(message) + 2
            batch.append(message)
        visibility = self._visibility(queue)
        deadline: float | None = sim.time + self.window if self.window and batch else None
        while len(batch) < self.batch_size and poller.alive and not queue.deleted:
            want = min(10, self.batch_size - len(batch))
            got = await queue.receive_async(want, wait_time_seconds=1, visibility_timeout=visibility)
            for message in got:
                grown = size + self._size(message) + 2
                if grown > MAX_EVENT_BYTES and batch:
                    poller.leftover.append(message)
                    continue
                size = grown
                batch.append(message)
            if poller.leftover:
                break
            if not self.window:
                break
            if deadline is None:
                if not batch:
                    break
                deadline = sim.time + self.window
            if len(batch) >= self.batch_size or sim.time >= deadline:
                break
            if not got:
                await _first(sim, queue.when_receivable(), deadline)
                if sim.time >= deadline:
                    break
        return batch

    async def _process(self, queue: Queue, batch: list[Message]) -> None:
        sim = self._sim
        records = [sqs_record(message, self.queue_arn, sim.region) for message in batch]
        if self._filters:
            kept: list[tuple[Message, dict[str, Any]]] = []
            for message, record in zip(batch, records, strict=True):
                view = filter_view(record)
                if any(pattern.matches(view) for _, pattern in self._filters):
                    kept.append((message, record))
                else:
                    self._n_filtered += 1
                    sim.record("lambda.esm.filtered", self.arn, message.message_id)
                    self._delete_message(queue, message)
            if not kept:
                return
            batch = [message for message, _ in kept]
            records = [record for _, record in kept]
        ids = [message.message_id for message in batch]
        self._n_batches += 1
        sim.record("lambda.esm.batch", self.arn, self.uuid, {"function": self.function.name, "messages": ids})
        plan = sim._faults
        if plan is not None:  # an injected fault may let the batch's visibility run out during the handler
            plan._expire_during_handler(queue, batch, self.function.arn)
        invocation = await self._invoke({"Records": records}, queue, batch)
        if invocation is None:
            return
        if not invocation.ok:
            self._n_failed_batches += 1
            sim.record(
                "lambda.esm.batch_failed",
                self.arn,
                self.uuid,
                {"error_type": invocation.error_type, "messages": ids},
            )
            return
        failed: set[str] = set()
        if self.report_batch_item_failures:
            reported = read_batch_response(invocation.payload, ids)
            if reported is None:
                self._n_failed_batches += 1
                sim.record("lambda.esm.batch_failed", self.arn, self.uuid, {"error_type": "InvalidBatchResponse", "messages": ids})
                return
            failed = reported
            if self.fifo and failed:
                failed = _fifo_failures(batch, failed)
            if failed:
                sim.record("lambda.esm.partial", self.arn, self.uuid, {"failed": [i for i in ids if i in failed]})
        for message in batch:
            if message.message_id not in failed:
                self._delete_message(queue, message)

    async def _invoke(self, event: dict[str, Any], queue: Queue, batch: list[Message]) -> Invocation | None:
        """Invoke synchronously; retry throttles with backoff while the batch is still invisible."""
        sim = self._sim
        received = sim.time
        visibility = self._visibility(queue)
        delay = 1.0
        while True:
            function = self.function
            future: Future[Invocation] = Future()
            try:
                function.start(event, future.set_result)
            except TooManyRequestsError:
                if sim.time + delay >= received + visibility:
                    sim.record("lambda.esm.throttled", self.arn, self.uuid, {"gave_up": True})
                    return None
                sim.record("lambda.esm.throttled", self.arn, self.uuid, {"retry_in": delay})
                await sim.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            except ServiceError as error:  # the function was deleted meanwhile
                sim.record("lambda.esm.invoke_failed", self.arn, self.uuid, {"error": str(error)})
                return None
            return await future

    def _size(self, message: Message) -> int:
        """Bytes the message's record adds to the event's JSON."""
        return len(json.dumps(sqs_record(message, self.queue_arn, self._sim.region)).encode("utf-8"))

    def _delete_message(self, queue: Queue, message: Message) -> None:
        try:
            queue.delete(message.receipt_handle)
        except ServiceError as error:  # a FIFO handle that expired while the batch ran
            self._sim.record("lambda.esm.delete_failed", self.arn, message.message_id, {"error": str(error)})
            return
        self._n_deleted += 1


def _fifo_failures(batch: Sequence[Message], failed: set[str]) -> set[str]:
    """On FIFO queues, a failed message also fails the messages after it in its group (order is kept)."""
    out = set(failed)
    stopped: set[str | None] = set()
    for message in batch:
        group = message.attributes.get("MessageGroupId")
        if group in stopped:
            out.add(message.message_id)
        elif message.message_id in failed:
            stopped.add(group)
    return out




async def _first(sim: Any, waiter: Future[None], deadline: float) -> None:
    """Wait until ``waiter`` completes or the simulation reaches ``deadline``, whichever is first."""
    gate: Future[None] = Future()

    def open_gate(_: object = None) -> None:
        if not gate.done():
            gate.set_result(None)

    waiter.add_done_callback(open_gate)
    timer = sim.call_at(deadline, open_gate)
    await gate
    timer.cancel()
    if not waiter.done():
        waiter.set_result(None)
