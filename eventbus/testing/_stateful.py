"""``ArchitectureMachine``: a Hypothesis state machine over a user's topology (internal; see
:mod:`eventbus.testing.stateful`)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from .._faults import FaultKind, FaultPlan
from .._simulation import Simulation
from ..errors import ServiceError
from ._invariants import assert_invariants
from ._strategies_build import events_matching
from ._strategies_faults import fault_plans
from ._strategies_sqs import body_characters, sqs_messages

__all__ = ("ArchitectureMachine",)

#: Seeds the machine draws for its simulation.
_SEEDS = st.integers(0, 2**32 - 1)


def _note(text: str) -> None:
    """``hypothesis.note`` when running under Hypothesis (a machine driven by hand has no test to note in)."""
    with contextlib.suppress(InvalidArgument):
        note(text)


class ArchitectureMachine(RuleBasedStateMachine):
    """A Hypothesis state machine that drives your architecture and checks its invariants after
    every step.

    Subclass it with your topology, as a :meth:`build` method or a :attr:`topology` file (anything
    :func:`eventbus.topology.load` reads). Hypothesis then draws a seed and a fault plan
    (:func:`~eventbus.testing.strategies.fault_plans`), and runs sequences of steps: SendMessage to
    the entry queues (:func:`~eventbus.testing.strategies.sqs_messages`), PutEvents to the buses
    (events built by :func:`~eventbus.testing.strategies.events_matching` for one of the bus's
    rules), Publish to the topics, and advances of virtual time, small (up to 5 s) and large (up to
    an hour). After every step the journal invariants hold (:func:`~eventbus.testing.invariants.assert_invariants`)
    and so does your :meth:`check`; at the end the simulation runs :attr:`settle_seconds` more and
    :meth:`check_settled` runs.

    A failure prints the steps with the seed and the fault plan they ran under, and the error names
    the message that broke the invariant with its life::

        class Orders(ArchitectureMachine):
            fault_kinds = ("duplicate_delivery", "crash_after")

            def build(self, sim):
                self.charges = []
                ...  # queues, functions, buses, rules

            def check_settled(self):
                super().check_settled()
                assert_effects_exactly_once(self.charges, key=lambda c: c["message_id"])

        TestOrders = Orders.TestCase

    Attributes:
        topology: a topology file to load when :meth:`build` is not overridden.
        parameters: parameters for the topology (CloudFormation ``Parameters``).
        fault_kinds: the faults the plan may draw (None: every kind; ``()``: none).
        max_fault_rate: the highest rate a fault is drawn with.
        queues, buses, topics: names of the entry points to drive; None: every queue that is nobody's
            dead-letter queue, every bus with a rule that has an event pattern, every topic.
        fifo_groups: the message group ids sends to FIFO queues and topics choose from.
        settle_seconds: virtual time run at the end before :meth:`check_settled`.
        sim: the simulation of the current run (None before the first step).
    """

    topology: ClassVar[str | None] = None
    parameters: ClassVar[Mapping[str, Any] | None] = None
    fault_kinds: ClassVar[Sequence[FaultKind] | None] = None
    max_fault_rate: ClassVar[float] = 0.2
    queues: ClassVar[Sequence[str] | None] = None
    buses: ClassVar[Sequence[str] | None] = None
    topics: ClassVar[Sequence[str] | None] = None
    fifo_groups: ClassVar[Sequence[str]] = ("g1", "g2", "g3")
    settle_seconds: ClassVar[float] = 86_400.0

    def __init__(self) -> None:
        super().__init__()
        self.sim: Simulation | None = None
        self.fault_plan = FaultPlan()
        self._queues: list[str] = []
        self._buses: list[str] = []
        self._topics: list[str] = []
        self._sent = 0

    # ------------------------------------------------------------ to override
    def build(self, sim: Simulation) -> None:
        """Create the architecture in ``sim``. By default, load :attr:`topology`."""
        if self.topology is None:
            raise NotImplementedError(f"{type(self).__name__}: override build(sim) or set topology = 'path/to/topology.yaml'")
        from ..topology import load

        load(self.topology, sim, parameters=self.parameters)

    def check(self) -> None:
        """Your own invariants, checked after every step (the journal ones run before). None by default."""

    def check_settled(self) -> None:
        """Checked once at the end, after :attr:`settle_seconds` of virtual time: by default every
        journal invariant with nothing left pending. Override (calling ``super()``) to add yours."""
        assert self.sim is not None
        assert_invariants(self.sim, settled=True)

    def message_strategy(self, queue: str, fifo: bool) -> st.SearchStrategy[dict[str, Any]]:
        """SendMessage requests for ``queue`` (default: :func:`sqs_messages`, without per-message delay on FIFO)."""
        return sqs_messages(max_body_size=200, max_attributes=3, delay=not fifo)

    def event_strategy(self, bus: str, pattern: str) -> st.SearchStrategy[dict[str, Any]]:
        """Events for ``bus`` built to match ``pattern`` (one of its rules'); default :func:`events_matching`."""
        return events_matching(pattern)

    def publish_strategy(self, topic: str) -> st.SearchStrategy[str]:
        """Messages to publish to ``topic`` (default: text SNS accepts)."""
        return st.text(body_characters, min_size=1, max_size=200)

    # ---------------------------------------------------------------- set-up
    @initialize(seed=_SEEDS, data=st.data())
    def start(self, seed: int, data: st.DataObject) -> None:
        """A fresh simulation with the drawn seed, the architecture, and a drawn fault plan."""
        sim = self.sim = Simulation(seed=seed)
        _note(f"eventbus seed {seed}")
        self.build(sim)
        self._queues, self._buses, self._topics = self._entry_points(sim)
        if self.fault_kinds is not None and not self.fault_kinds:
            return
        scopes = sorted({*(q.name for q in sim.sqs.list_queues()), *sim.lambda_.functions})
        strategy = fault_plans(kinds=self.fault_kinds, max_rate=self.max_fault_rate, resources=scopes or None)
        plan = data.draw(strategy, label="fault plan")
        self.fault_plan = plan
        sim.faults.add(plan)

    def _entry_points(self, sim: Simulation) -> tuple[list[str], list[str], list[str]]:
        dead_letters: set[str] = set()
        for queue in sim.sqs.list_queues():
            if queue.redrive_policy is not None:
                dead_letters.add(queue.redrive_policy.dead_letter_target_arn)
        for function in sim.lambda_.functions.values():
            if function.dead_letter_arn:
                dead_letters.add(function.dead_letter_arn)
        for bus in sim.events.buses.values():
            for each in bus.rules.values():
                for target in each.targets.values():
                    if target.dead_letter_arn:
                        dead_letters.add(target.dead_letter_arn)
        for subscription in sim.sns.list_subscriptions():
            if subscription.redrive_policy:
                dead_letters.add(subscription.redrive_policy.get("deadLetterTargetArn", ""))
        queues = (
            list(self.queues)
            if self.queues is not None
            else [q.name for q in sim.sqs.list_queues() if q.arn not in dead_letters]
        )
        buses = (
            list(self.buses)
            if self.buses is not None
            else [name for name, bus in sim.events.buses.items() if any(r.event_pattern for r in bus.rules.values())]
        )
        topics = list(self.topics) if self.topics is not None else [t.arn.rsplit(":", 1)[1] for t in sim.sns.list_topics()]
        return sorted(queues), sorted(buses), sorted(topics)

    # ----------------------------------------------------------------- steps
    @precondition(lambda self: bool(self._queues))
    @rule(data=st.data())
    def send_message(self, data: st.DataObject) -> None:
        """SendMessage to an entry queue."""
        sim = self.sim
        assert sim is not None
        name = data.draw(st.sampled_from(self._queues), label="queue")
        queue = sim.sqs.get_queue(name)
        request = data.draw(self.message_strategy(name, queue.fifo), label="message")
        group = data.draw(st.sampled_from(self.fifo_groups), label="group") if queue.fifo else None
        self._sent += 1
        dedup = None if not queue.fifo or queue.content_based_deduplication else f"send-{self._sent}"
        try:
            queue.send(
                request["MessageBody"],
                attributes=request.get("MessageAttributes"),
                delay_seconds=request.get("DelaySeconds"),
                group_id=group,
                deduplication_id=dedup,
            )
        except ServiceError as error:  # what SQS refuses is not the architecture's fault
            _note(f"SendMessage to {name} refused: {error.code}: {error}")
        sim.run_until_idle()

    @precondition(lambda self: bool(self._buses))
    @rule(data=st.data())
    def put_event(self, data: st.DataObject) -> None:
        """PutEvents to a bus, with an event built to match one of its rules."""
        sim = self.sim
        assert sim is not None
        name = data.draw(st.sampled_from(self._buses), label="bus")
        bus = sim.events.buses[name]
        patterns = sorted(r.event_pattern for r in bus.rules.values() if r.event_pattern)
        if not patterns:
            return
        pattern = data.draw(st.sampled_from(patterns), label="pattern")
        event = data.draw(self.event_strategy(name, pattern), label="event")
        entry: dict[str, Any] = {
            "Source": event.get("source", "eventbus.test"),
            "DetailType": event.get("detail-type", "test"),
            "Detail": json.dumps(event.get("detail", {})),
            "EventBusName": name,
        }
        if event.get("resources"):
            entry["Resources"] = event["resources"]
        if event.get("time"):
            entry["Time"] = event["time"]
        try:
            [result] = sim.events.put_events([entry]).entries
        except ServiceError as error:
            _note(f"PutEvents to {name} refused: {error.code}: {error}")
        else:
            if not result.ok:
                _note(f"PutEvents entry refused by {name}: {result.error_code}: {result.error_message}")
        sim.run_until_idle()

    @precondition(lambda self: bool(self._topics))
    @rule(data=st.data())
    def publish(self, data: st.DataObject) -> None:
        """Publish to a topic."""
        sim = self.sim
        assert sim is not None
        name = data.draw(st.sampled_from(self._topics), label="topic")
        topic = sim.sns.topic(name)
        message = data.draw(self.publish_strategy(name), label="message")
        self._sent += 1
        group = data.draw(st.sampled_from(self.fifo_groups), label="group") if topic.fifo else None
        try:
            topic.publish(message, group_id=group, deduplication_id=f"publish-{self._sent}" if topic.fifo else None)
        except ServiceError as error:
            _note(f"Publish to {name} refused: {error.code}: {error}")
        sim.run_until_idle()

    @precondition(lambda self: self.sim is not None)
    @rule(seconds=st.floats(0.0, 5.0, allow_nan=False))
    def advance_a_little(self, seconds: float) -> None:
        """Advance virtual time by up to 5 seconds (handlers run, batching windows close)."""
        assert self.sim is not None
        self.sim.advance(seconds)

    @precondition(lambda self: self.sim is not None)
    @rule(seconds=st.sampled_from([30.0, 60.0, 300.0, 900.0, 3600.0]))
    def advance_a_lot(self, seconds: float) -> None:
        """Advance virtual time by 30 s to an hour (visibility timeouts, retries, redrives)."""
        assert self.sim is not None
        self.sim.advance(seconds)

    # ------------------------------------------------------------- checking
    @invariant()
    def invariants_hold(self) -> None:
        """The journal invariants (nothing lost, deliveries ended or pending, FIFO order, DLQs) and yours."""
        if self.sim is None:
            return
        assert_invariants(self.sim)
        self.check()

    def teardown(self) -> None:
        """Settle (run :attr:`settle_seconds` of virtual time) and run :meth:`check_settled`, unless a
        step already failed (its error is the one to report)."""
        if self.sim is None or sys.exc_info()[1] is not None:
            return
        self.sim.advance(self.settle_seconds)
        self.check_settled()
