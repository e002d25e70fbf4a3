"""A Hypothesis state machine: random sends, receives, deletes, visibility changes and time advances on a
standard queue and a FIFO queue, each with a dead-letter queue, checked against a small reference model.

Invariants after every step:
* no message is lost: every message sent is still stored in its queue, deleted, moved to the
  dead-letter queue (and there stored, deleted or expired), or expired by retention; each queue's
  visible + in flight + delayed equals the messages the model says it stores;
* FIFO order: a message is returned only when every earlier message of its group is gone or comes
  before it in the same receive;
* FIFO deduplication: within 5 minutes a repeated (group, deduplication id) returns the first
  message's id and adds nothing; after 5 minutes it is a new message;
* a source queue never returns a message received more than maxReceiveCount times.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-lifecycle.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from eventbus import Record, Simulation
from eventbus.services.sqs import InvalidParameterValueError, Message, Queue

MAX_RECEIVES = 3
GROUPS = ("a", "b", "c")


class SqsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim: Simulation | None = None

    @initialize(seed=st.integers(0, 2**32 - 1))
    def setup(self, seed: int) -> None:
        sim = self.sim = Simulation(seed=seed)
        self.dlq = sim.sqs.create_queue("dlq", retention_period=900)
        self.std = sim.sqs.create_queue("std", dead_letter=self.dlq, max_receive_count=MAX_RECEIVES, visibility_timeout=10, retention_period=600)
        self.fifo_dlq = sim.sqs.create_queue("dlq.fifo")
        self.fifo = sim.sqs.create_queue("jobs.fifo", dead_letter=self.fifo_dlq, max_receive_count=MAX_RECEIVES, visibility_timeout=10)
        self.queues = [self.std, self.dlq, self.fifo, self.fifo_dlq]
        # reference model: where each message is
        self.home: dict[str, str] = {}  # message id -> ARN of the queue storing it
        self.gone: dict[str, str] = {}  # message id -> why it left ("deleted", "expired", "purged")
        self.sent_ids: list[str] = []
        self.fifo_order: dict[str, list[str]] = {g: [] for g in GROUPS}  # send order per group (FIFO source)
        self.dedup: dict[str, tuple[float, str]] = {}
        self.handles: list[tuple[Queue, Message]] = []
        sim.journal.subscribe(self._observe)

    def _observe(self, record: Record) -> None:
        if record.kind == "sqs.dead_lettered":
            self.home[record.id] = record.detail["dlq"]
        elif record.kind == "sqs.deleted":
            self.gone[record.id] = "deleted"
        elif record.kind == "sqs.retention_expired":
            self.gone[record.id] = "expired"

    # ------------------------------------------------------------------ rules
    @rule(body=st.text(alphabet="abc", min_size=1, max_size=5), delay=st.sampled_from([None, 0, 3]))
    def send_standard(self, body: str, delay: int | None) -> None:
        result = self.std.send(body, delay_seconds=delay)
        assert result.message_id not in self.home
        self.home[result.message_id] = self.std.arn
        self.sent_ids.append(result.message_id)

    @rule(group=st.sampled_from(GROUPS), dedup=st.sampled_from(["d1", "d2", "d3", "d4", "d5", "d6"]))
    def send_fifo(self, group: str, dedup: str) -> None:
        assert self.sim is not None
        now = self.sim.time
        result = self.fifo.send(f"{group}:{dedup}", group_id=group, deduplication_id=dedup)
        seen = self.dedup.get(dedup)  # DeduplicationScope "queue": the id alone
        if seen is not None and now - seen[0] < 300:
            assert result.message_id == seen[1], "a duplicate within 5 minutes returns the first message's id"
            return
        assert result.message_id not in self.home, "outside the window a send makes a new message"
        self.dedup[dedup] = (now, result.message_id)
        self.home[result.message_id] = self.fifo.arn
        self.fifo_order[group].append(result.message_id)
        self.sent_ids.append(result.message_id)

    @rule(n=st.integers(1, 10), visibility=st.sampled_from([None, 0, 5, 30]), which=st.sampled_from(["std", "dlq"]))
    def receive_standard(self, n: int, visibility: int | None, which: str) -> None:
        queue = self.std if which == "std" else self.dlq
        for message in queue.receive(n, visibility_timeout=visibility):
            assert self.home.get(message.message_id) == queue.arn
            assert message.message_id not in self.gone
            if queue is self.std:
                assert message.receive_count <= MAX_RECEIVES
            self.handles.append((queue, message))

    @rule(n=st.integers(1, 10), visibility=st.sampled_from([None, 0, 5, 30]), which=st.sampled_from(["fifo", "fifo_dlq"]))
    def receive_fifo(self, n: int, visibility: int | None, which: str) -> None:
        queue = self.fifo if which == "fifo" else self.fifo_dlq
        messages = queue.receive(n, visibility_timeout=visibility)
        returned: set[str] = set()
        for message in messages:
            mid = message.message_id
            assert self.home.get(mid) == queue.arn
            assert mid not in self.gone
            if queue is self.fifo:
                assert message.receive_count <= MAX_RECEIVES
                order = self.fifo_order[message.attributes["MessageGroupId"]]
                for earlier in order[: order.index(mid)]:
                    assert earlier in returned or earlier in self.gone or self.home[earlier] != queue.arn, (
                        f"{mid} returned before earlier message {earlier} of its group left the queue"
                    )
            returned.add(mid)
            self.handles.append((queue, message))

    @precondition(lambda self: bool(self.handles))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        queue, message = self.handles.pop(data.draw(st.integers(0, len(self.handles) - 1)))
        refused = ""
        try:
            queue.delete(message.receipt_handle)
        except InvalidParameterValueError as error:
            refused = str(error)
        if refused:  # only FIFO queues refuse handles whose visibility timeout ended
            assert queue.fifo
            assert "The receipt handle has expired." in refused

    @precondition(lambda self: bool(self.handles))
    @rule(data=st.data())
    def delete_batch(self, data: st.DataObject) -> None:
        queue = self.handles[-1][0]
        mine = [i for i, (q, _) in enumerate(self.handles) if q is queue]
        chosen = data.draw(st.lists(st.sampled_from(mine), min_size=1, max_size=10, unique=True))
        picked = [self.handles[i][1] for i in chosen]
        for i in sorted(chosen, reverse=True):
            del self.handles[i]
        result = queue.delete_batch([m.receipt_handle for m in picked])
        assert len(result.successful) + len(result.failed) == len(picked)
        for failure in result.failed:  # only FIFO queues refuse handles whose visibility timeout ended
            assert queue.fifo
            assert "The receipt handle has expired." in failure.message

    @precondition(lambda self: bool(self.handles))
    @rule(data=st.data(), timeout=st.sampled_from([0, 1, 20, 100]))
    def change_visibility(self, data: st.DataObject, timeout: int) -> None:
        queue, message = self.handles[data.draw(st.integers(0, len(self.handles) - 1))]
        refused = ""
        try:
            queue.change_visibility(message.receipt_handle, timeout)
        except InvalidParameterValueError as error:
            refused = str(error)
        if refused:
            assert "not available for visibility timeout change" in refused or "beyond the limit" in refused

    @rule(seconds=st.sampled_from([0.5, 1, 3, 10, 31, 120, 301, 650]))
    def advance(self, seconds: float) -> None:
        assert self.sim is not None
        self.sim.advance(seconds)

    # ------------------------------------------------------------- invariants
    @invariant()
    def no_message_is_lost(self) -> None:
        if self.sim is None:
            return
        stored: dict[str, int] = {q.arn: 0 for q in self.queues}
        for mid in self.sent_ids:
            if mid in self.gone:
                continue
            stored[self.home[mid]] += 1
        for queue in self.queues:
            stats = queue.statistics()
            assert stats.visible + stats.in_flight + stats.delayed == stored[queue.arn], (queue.name, stats, stored[queue.arn])

    @invariant()
    def counts_are_never_negative(self) -> None:
        if self.sim is None:
            return
        for queue in self.queues:
            stats = queue.statistics()
            assert min(stats.visible, stats.in_flight, stats.delayed) >= 0


SqsMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSqsStateMachine = SqsMachine.TestCase
