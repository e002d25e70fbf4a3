"""The SQS service of a simulation: its queues by name, URL and ARN, and message move tasks.

``sim.sqs`` is the one instance of a simulation. Queues are registered in the simulation's
registry under their ARN, so other services (SNS subscriptions, EventBridge targets, Lambda event
source mappings, dead-letter configurations) find them by ARN at delivery time.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._simulation import Simulation, Timer
from ._sqs_errors import (
    InvalidParameterValueError,
    MoveTaskNotFoundError,
    QueueDeletedRecentlyError,
    QueueDoesNotExistError,
    QueueNameExistsError,
)
from ._sqs_model import MoveTask, SqsFaults
from ._sqs_queue import Queue
from ._sqs_validation import (
    QUEUE_REUSE_DELAY,
    RedriveAllowPolicy,
    RedrivePolicy,
    check_queue_name,
    check_range,
    parse_queue_attributes,
)

if TYPE_CHECKING:
    from ._sqs_api import SqsApi

__all__ = ("OPERATIONS", "SqsService")

#: Every SQS operation (the names AddPermission accepts as actions, and the API layer serves).
OPERATIONS = (
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
)

_ARN = re.compile(r"arn:[^:]+:sqs:[^:]*:[^:]*:[^:]+")
_SQS_HOST = re.compile(r"sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")
_LEGACY_HOST = re.compile(r"(?:([a-z0-9-]+)\.)?queue\.amazonaws\.com")
#: MaxNumberOfMessagesPerSecond's cap, and the rate used when it is not given.
MOVE_RATE_LIMIT = 500


class _MoveTaskState:
    __slots__ = (
        "destination_arn",
        "handle",
        "moved",
        "rate",
        "reason",
        "source_arn",
        "started_at",
        "status",
        "task_id",
        "timer",
        "to_move",
    )

    def __init__(self, task_id: str, handle: str, source_arn: str, destination_arn: str | None, rate: int | None, started_at: int) -> None:
        self.task_id = task_id
        self.handle = handle
        self.source_arn = source_arn
        self.destination_arn = destination_arn
        self.rate = rate
        self.status = "RUNNING"
        self.moved = 0
        self.to_move = 0
        self.reason: str | None = None
        self.started_at = started_at
        self.timer: Timer | None = None

    def describe(self) -> MoveTask:
        return MoveTask(
            self.handle if self.status == "RUNNING" else None,
            self.status,
            self.source_arn,
            self.destination_arn,
            self.rate,
            self.moved,
            self.to_move,
            self.reason,
            self.started_at,
        )


class SqsService:
    """Amazon SQS in a simulation: create, find, list and delete queues; move messages.

    Args:
        sim: the simulation it belongs to (use ``sim.sqs`` rather than building one).

    Attributes:
        faults: the :class:`SqsFaults` new standard queues commit unless ``create_queue`` is given
            others (None: no faults).
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.faults: SqsFaults | None = None
        self._queues: dict[str, Queue] = {}
        self._deleted_at: dict[str, float] = {}
        self._tasks: dict[str, _MoveTaskState] = {}
        self._api: SqsApi | None = None
        # QueueUrl -> the queue name it addresses (None: none here), for the region and account
        # in ``_url_names_for``: reading a URL is the same work on every call.
        self._url_names: dict[str, str | None] = {}
        self._url_names_for: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return f"eventbus.services.sqs.SqsService(queues={len(self._queues)})"

    @property
    def api(self) -> SqsApi:
        """The AWS-named operations (``api.call("SendMessage", {...})``), for the boto3 facade."""
        if self._api is None:
            from ._sqs_api import SqsApi

            self._api = SqsApi(self)
        return self._api

    # --------------------------------------------------------------- queues
    def create_queue(
        self,
        name: str,
        *,
        visibility_timeout: int | None = None,
        delay_seconds: int | None = None,
        retention_period: int | None = None,
        maximum_message_size: int | None = None,
        receive_wait_time: int | None = None,
        dead_letter: Queue | str | None = None,
        max_receive_count: int | None = None,
        redrive_allow: str | Iterable[Queue | str] | None = None,
        fifo: bool | None = None,
        content_based_deduplication: bool | None = None,
        deduplication_scope: str | None = None,
        fifo_throughput_limit: str | None = None,
        kms_master_key_id: str | None = None,
        kms_data_key_reuse_period: int | None = None,
        sqs_managed_sse: bool | None = None,
        policy: str | Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        faults: SqsFaults | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Queue:
        """Create a queue, or return the existing one if it has the same settings (CreateQueue).

        Every setting left as None keeps AWS's default: visibility timeout 30 s (0-43,200), delay
        0 s (0-900), retention 345,600 s = 4 days (60-1,209,600), maximum message size 1 MiB
        (1,024-1,048,576), receive wait 0 s (0-20). ``dead_letter`` (a queue, its ARN or its name)
        with ``max_receive_count`` (1-1,000, default 10) sets the RedrivePolicy; ``redrive_allow``
        (``"allowAll"``, ``"denyAll"`` or the source queues allowed) the RedriveAllowPolicy. A name
        ending in ``.fifo`` makes a FIFO queue (``fifo`` defaults to that). ``attributes`` takes
        AWS attribute names and string values directly.

        Raises:
            QueueNameExistsError: a queue of that name exists with a different value for one of
                the given settings.
            QueueDeletedRecentlyError: a queue of that name was deleted less than 60 seconds ago.
            InvalidParameterValueError, InvalidAttributeValueError, InvalidAttributeNameError:
                a setting AWS would refuse.

        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
        """
        attrs: dict[str, str] = dict(attributes or {})
        if fifo is None and "FifoQueue" not in attrs and isinstance(name, str) and name.endswith(".fifo"):
            fifo = True
        attrs.update(
            self._to_aws_attributes(
                visibility_timeout=visibility_timeout,
                delay_seconds=delay_seconds,
                retention_period=retention_period,
                maximum_message_size=maximum_message_size,
                receive_wait_time=receive_wait_time,
                dead_letter=dead_letter,
                max_receive_count=max_receive_count,
                redrive_allow=redrive_allow,
                fifo=fifo if fifo else None,
                content_based_deduplication=content_based_deduplication,
                deduplication_scope=deduplication_scope,
                fifo_throughput_limit=fifo_throughput_limit,
                kms_master_key_id=kms_master_key_id,
                kms_data_key_reuse_period=kms_data_key_reuse_period,
                sqs_managed_sse=sqs_managed_sse,
                policy=policy,
            )
        )
        return self._create(name, attrs, tags, faults)

    def _to_aws_attributes(
        self,
        *,
        visibility_timeout: int | None = None,
        delay_seconds: int | None = None,
        retention_period: int | None = None,
        maximum_message_size: int | None = None,
        receive_wait_time: int | None = None,
        dead_letter: Queue | str | None = None,
        max_receive_count: int | None = None,
        redrive_allow: str | Iterable[Queue | str] | None = None,
        fifo: bool | None = None,
        content_based_deduplication: bool | None = None,
        deduplication_scope: str | None = None,
        fifo_throughput_limit: str | None = None,
        kms_master_key_id: str | None = None,
        kms_data_key_reuse_period: int | None = None,
        sqs_managed_sse: bool | None = None,
        policy: str | Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """The AWS attribute map for the native keyword settings that are not None."""
        native: dict[str, Any] = {
            "VisibilityTimeout": visibility_timeout,
            "DelaySeconds": delay_seconds,
            "MessageRetentionPeriod": retention_period,
            "MaximumMessageSize": maximum_message_size,
            "ReceiveMessageWaitTimeSeconds": receive_wait_time,
            "FifoQueue": fifo,
            "ContentBasedDeduplication": content_based_deduplication,
            "DeduplicationScope": deduplication_scope,
            "FifoThroughputLimit": fifo_throughput_limit,
            "KmsMasterKeyId": kms_master_key_id,
            "KmsDataKeyReusePeriodSeconds": kms_data_key_reuse_period,
            "SqsManagedSseEnabled": sqs_managed_sse,
            "Policy": json.dumps(policy) if isinstance(policy, Mapping) else policy,
        }
        if dead_letter is not None:
            native["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": self._arn_of(dead_letter), "maxReceiveCount": 10 if max_receive_count is None else max_receive_count}
            )
        elif max_receive_count is not None:
            raise InvalidParameterValueError("max_receive_count needs dead_letter (the queue messages move to).")
        if redrive_allow is not None:
            native["RedriveAllowPolicy"] = self._redrive_allow_text(redrive_allow)
        return {
            key: (("true" if value else "false") if isinstance(value, bool) else str(value))
            for key, value in native.items()
            if value is not None
        }

    def _arn_of(self, queue: Queue | str) -> str:
        if isinstance(queue, Queue):
            return queue.arn
        if queue.startswith("arn:"):
            return queue
        return self.get_queue(queue).arn

    def _redrive_allow_text(self, redrive_allow: str | Iterable[Queue | str]) -> str:
        if isinstance(redrive_allow, str):
            return json.dumps({"redrivePermission": redrive_allow})
        return json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [self._arn_of(q) for q in redrive_allow]})

    def _create(self, name: str, attributes: Mapping[str, Any], tags: Mapping[str, str] | None, faults: SqsFaults | None) -> Queue:
        fifo_value = attributes.get("FifoQueue")
        fifo = str(fifo_value).lower() == "true" if fifo_value is not None else False
        check_queue_name(name, fifo)
        existing = self._queues.get(name)
        parsed = parse_queue_attributes(attributes, fifo=existing.fifo if existing is not None else fifo, creating=True)
        now = self.sim.time
        if existing is not None:
            if existing.fifo != fifo and "FifoQueue" in attributes:
                raise QueueNameExistsError("A queue already exists with the same name and a different value for attribute FifoQueue")
            for key, value in parsed.items():
                if not _same(value, existing.setting(key)):
                    raise QueueNameExistsError(f"A queue already exists with the same name and a different value for attribute {key}")
            return existing
        deleted = self._deleted_at.get(name)
        if deleted is not None and now - deleted < QUEUE_REUSE_DELAY:
            raise QueueDeletedRecentlyError("You must wait 60 seconds after deleting a queue before you can create another with the same name.")
        queue = Queue(self, name, fifo, faults if faults is not None else self.faults)
        redrive = parsed.get("RedrivePolicy")
        if redrive is not None:
            self._check_redrive(queue.arn, fifo, redrive, str(attributes["RedrivePolicy"]))
        queue._apply(parsed)
        self._queues[name] = queue
        self.sim.registry.register(queue.arn, queue)
        self.sim.record("sqs.queue_created", queue.arn, "", {"fifo": fifo})
        if tags:
            queue.tag(tags)
        return queue

    def _check_redrive(self, source_arn: str, fifo: bool, policy: RedrivePolicy, raw: str) -> None:
        """A RedrivePolicy must name an existing queue of the same type that accepts this source.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
        """

        def refuse(reason: str) -> InvalidParameterValueError:
            return InvalidParameterValueError(f"Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}")

        target = self.queue_by_arn(policy.dead_letter_target_arn)
        if target is None:
            raise refuse("Dead letter target does not exist.")  # (unverified wording)
        if target.arn == source_arn:
            raise refuse("Dead letter target cannot be the queue itself.")  # (unverified wording)
        if target.fifo != fifo:
            raise refuse("Dead-letter queue must be same type of queue as the source.")  # (unverified wording)
        allow = target.redrive_allow_policy
        if allow is not None and not allow.allows(source_arn):
            raise refuse("Queue " + target.arn + " does not allow this queue to use it as a dead-letter queue.")  # (unverified wording)

    def set_queue_attributes(self, queue: Queue, attributes: Mapping[str, Any]) -> None:
        """Change queue attributes by their AWS names (SetQueueAttributes).
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
        """
        queue._check_open()
        parsed = parse_queue_attributes(attributes, fifo=queue.fifo, creating=False)
        redrive = parsed.get("RedrivePolicy")
        if redrive is not None:
            self._check_redrive(queue.arn, queue.fifo, redrive, str(attributes["RedrivePolicy"]))
        parsed.pop("FifoQueue", None)
        queue._apply(parsed)
        self.sim.record("sqs.attributes_set", queue.arn, "", {"names": sorted(parsed)})

    def queue_by_arn(self, arn: str) -> Queue | None:
        """The live queue at ``arn``, or None."""
        queue = self.sim.registry.get(arn)
        return queue if isinstance(queue, Queue) and not queue.deleted else None

    def get_queue(self, queue: str) -> Queue:
        """A queue by name, URL (``https://sqs.<region>.amazonaws.com/<account>/<name>``, or any
        host with that path) or ARN.

        Raises:
            QueueDoesNotExistError: no such queue in this simulation's account and region.
        """
        if isinstance(queue, Queue):
            return queue
        if isinstance(queue, str):
            if queue.startswith("arn:"):
                found = self.queue_by_arn(queue)
                if found is not None:
                    return found
            elif "/" in queue:
                return self.queue_by_url(queue)
            else:
                existing = self._queues.get(queue)
                if existing is not None:
                    return existing
        raise QueueDoesNotExistError("The specified queue does not exist.")

    def queue_by_url(self, url: str) -> Queue:
        """The queue a QueueUrl addresses.

        AWS reads the account and the queue name from the URL's path and does not validate the
        rest ("http://whatever-incorrect-queue-address" is answered with NonExistentQueue, per moto's
        tests against AWS), so URLs built for local endpoints (``http://localhost:4566/<account>/<name>``)
        work too; a regional AWS host must name this simulation's region.
        """
        sim = self.sim
        where = (sim.region, sim.account_id)
        if self._url_names_for != where:
            self._url_names.clear()
            self._url_names_for = where
        try:
            name = self._url_names[url]
        except (KeyError, TypeError):
            name = self._queue_name_of(url)
            if isinstance(url, str) and len(self._url_names) < 1024:
                self._url_names[url] = name
        queue = self._queues.get(name) if name is not None else None
        if queue is None:
            raise QueueDoesNotExistError("The specified queue does not exist.")
        return queue

    def _queue_name_of(self, url: str) -> str | None:
        """The name of the queue ``url`` addresses in this account and region, or None."""
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is not None:
            host = (parts.hostname or "").lower()
            region = None
            match = _SQS_HOST.fullmatch(host)
            if match is not None:
                region = match.group(1)
            else:
                legacy = _LEGACY_HOST.fullmatch(host)
                if legacy is not None:
                    region = legacy.group(1) or "us-east-1"
            segments = [s for s in parts.path.split("/") if s]
            if segments and (region is None or region == self.sim.region):
                name = segments[-1]
                account = segments[-2] if len(segments) >= 2 else self.sim.account_id
                if account == self.sim.account_id:
                    return name
        return None

    def list_queues(self, prefix: str = "") -> list[Queue]:
        """The queues whose name starts with ``prefix``, in the order they were created."""
        return [q for name, q in self._queues.items() if name.startswith(prefix)]

    def dead_letter_sources(self, queue: Queue | str) -> list[Queue]:
        """The queues whose RedrivePolicy names ``queue`` (ListDeadLetterSourceQueues)."""
        target = self.get_queue(queue) if not isinstance(queue, Queue) else queue
        return [q for q in self._queues.values() if q.redrive_policy is not None and q.redrive_policy.dead_letter_target_arn == target.arn]

    def delete_queue(self, queue: Queue | str) -> None:
        """Delete a queue and its messages (DeleteQueue); its name is reusable after 60 seconds.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
        """
        target = self.get_queue(queue) if not isinstance(queue, Queue) else queue
        if target.deleted or self._queues.get(target.name) is not target:
            raise QueueDoesNotExistError("The specified queue does not exist.")
        dropped = target._close()
        del self._queues[target.name]
        self._deleted_at[target.name] = self.sim.time
        self.sim.registry.unregister(target.arn)
        self.sim.record("sqs.queue_deleted", target.arn, "", {"messages": dropped})

    # ---------------------------------------------------------- move tasks
    def start_message_move_task(
        self, source: Queue | str, destination: Queue | str | None = None, max_per_second: int | None = None
    ) -> str:
        """Move the messages of a dead-letter queue back to their source queues, or to
        ``destination`` (StartMessageMoveTask). Returns the task handle.

        The task moves at most ``max_per_second`` messages (1-500; 500 when not given) each second
        of simulation time, the messages visible when it starts; one task per source at a time.
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
        """
        source_arn = self._task_arn(source, "SourceArn")
        queue = self.queue_by_arn(source_arn)
        if queue is None:
            raise MoveTaskNotFoundError("The resource that you specified for the SourceArn parameter doesn't exist.")
        if not any(q.redrive_policy is not None and q.redrive_policy.dead_letter_target_arn == source_arn for q in self._queues.values()):
            raise InvalidParameterValueError("Source queue must be configured as a Dead Letter Queue.")
        destination_arn = None
        if destination is not None:
            destination_arn = self._task_arn(destination, "DestinationArn")
            if self.queue_by_arn(destination_arn) is None:
                raise MoveTaskNotFoundError("The resource that you specified for the DestinationArn parameter doesn't exist.")
        if max_per_second is not None:
            check_range("MaxNumberOfMessagesPerSecond", max_per_second, 1, MOVE_RATE_LIMIT, f"Must be between 1 and {MOVE_RATE_LIMIT}.")
        if any(t.source_arn == source_arn and t.status in ("RUNNING", "CANCELLING") for t in self._tasks.values()):
            raise InvalidParameterValueError(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
            )
        task_id = self.sim.new_uuid()
        handle = base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":")).encode()).decode()
        task = _MoveTaskState(task_id, handle, source_arn, destination_arn, max_per_second, self.sim.epoch_millis())
        task.to_move = queue.statistics().visible
        self._tasks[task_id] = task
        self.sim.record("sqs.move_task_started", source_arn, task_id, {"destination": destination_arn, "to_move": task.to_move})
        task.timer = self.sim.call_soon(self._move_tick, task)
        return handle

    def _task_arn(self, queue: Queue | str, parameter: str) -> str:
        if isinstance(queue, Queue):
            return queue.arn
        if not isinstance(queue, str) or not _ARN.fullmatch(queue):
            if isinstance(queue, str) and not queue.startswith("arn:"):
                return self.get_queue(queue).arn
            raise InvalidParameterValueError(
                f"You must use this format to specify the {parameter}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
            )
        return queue

    def _move_tick(self, task: _MoveTaskState) -> None:
        sim = self.sim
        task.timer = None
        if task.status == "CANCELLING":
            task.status = "CANCELLED"
            sim.record("sqs.move_task_cancelled", task.source_arn, task.task_id, {"moved": task.moved})
            return
        source = self.queue_by_arn(task.source_arn)
        if source is None:
            self._fail(task, "AWS.SimpleQueueService.NonExistentQueue")
            return
        limit = min(task.rate or MOVE_RATE_LIMIT, task.to_move - task.moved)
        taken = source._take_for_move(limit) if limit > 0 else []
        now = sim.time
        for entry in taken:
            target = self.queue_by_arn(task.destination_arn or entry.dlq_source or "")
            if target is None:
                source._arrive(entry, dlq_source=entry.dlq_source, enqueued_at=entry.enqueued_at, reset=False)
                self._fail(task, "AWS.SimpleQueueService.NonExistentQueue")
                return
            target._arrive(entry, dlq_source=None, enqueued_at=now, reset=True)
            task.moved += 1
            sim.record("sqs.moved", source.arn, entry.message_id, {"to": target.arn, "task": task.task_id})
        if not taken or task.moved >= task.to_move:
            task.status = "COMPLETED"
            sim.record("sqs.move_task_completed", task.source_arn, task.task_id, {"moved": task.moved})
            return
        task.timer = sim.call_later(1.0, self._move_tick, task)

    def _fail(self, task: _MoveTaskState, reason: str) -> None:
        task.status = "FAILED"
        task.reason = reason
        self.sim.record("sqs.move_task_failed", task.source_arn, task.task_id, {"reason": reason})

    def list_message_move_tasks(self, source: Queue | str, max_results: int = 1) -> list[MoveTask]:
        """The most recent move tasks of a source queue, newest first (ListMessageMoveTasks; 1-10)."""
        source_arn = self._task_arn(source, "SourceArn")
        if self.queue_by_arn(source_arn) is None:
            raise MoveTaskNotFoundError("The resource that you specified for the SourceArn parameter doesn't exist.")
        check_range("MaxResults", max_results, 1, 10, "You must enter a number that's between 1 and 10.")
        tasks = [t for t in self._tasks.values() if t.source_arn == source_arn]
        return [t.describe() for t in reversed(tasks)][:max_results]

    def cancel_message_move_task(self, task_handle: str) -> int:
        """Cancel a running move task (CancelMessageMoveTask); returns the messages moved so far."""
        try:
            document = json.loads(base64.b64decode(task_handle, validate=True))
            task_id = document["taskId"]
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise InvalidParameterValueError("Value for parameter TaskHandle is invalid.") from None
        task = self._tasks.get(task_id)
        if task is None:
            raise MoveTaskNotFoundError("Task does not exist.")
        if task.status != "RUNNING":
            raise InvalidParameterValueError(
                f"Value {task_handle} for parameter TaskHandle is invalid. Reason: Only active tasks can be cancelled."  # (unverified wording)
            )
        task.status = "CANCELLING"
        if task.timer is not None:
            task.timer.cancel()
        task.timer = self.sim.call_soon(self._move_tick, task)
        return task.moved


def _same(requested: Any, current: Any) -> bool:
    if isinstance(requested, (RedrivePolicy, RedriveAllowPolicy)) or isinstance(current, (RedrivePolicy, RedriveAllowPolicy)):
        return (requested.to_json() if requested is not None else None) == (current.to_json() if current is not None else None)
    if requested == "" and current is None:
        return True
    return bool(requested == current)
