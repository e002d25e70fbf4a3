"""The simulation kernel: one clock, one seeded random generator, a timer heap, a registry of
resources by ARN, a task runner for async handlers, and the journal.

Everything that happens in a simulation happens because a timer came due: a message's delay ends, a
visibility timeout expires, a retry is scheduled, a schedule fires. ``advance(seconds)`` runs every
timer due up to that point in time order (ties in the order they were scheduled) and leaves the
clock exactly there; ``run_until_idle()`` runs what is due now without moving time. This is the
design of simpy's event loop (a heap of ``(time, sequence, callback)``) with trio's mock-clock idea
that time jumps to the next deadline instead of being waited for.

Async handlers run as simulation tasks: ``await sim.sleep(s)`` suspends one on the virtual clock. A
task driven from the async twins (``advance_async`` and friends, under asyncio or trio) may also
await the host event loop's own primitives; from the synchronous methods it may not, since there is
no event loop to drive them.
"""

from __future__ import annotations

import heapq
import inspect
import math
import operator
import random
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

import msgspec

from ._journal import Journal
from .arn import build_arn
from .clock import Clock, SystemClock, VirtualClock
from .errors import ResourceNotFoundError, SimulationError

if TYPE_CHECKING:
    from .faults import FaultInjector
    from .services.events import EventsService
    from .services.lambda_ import LambdaService
    from .services.scheduler import SchedulerService
    from .services.sns import SnsService
    from .services.sqs import SqsService

__all__ = ("DEFAULT_START", "Future", "Outcome", "Registry", "Simulation", "Task", "Timer")

T = TypeVar("T")

#: The instant a simulation starts at unless told otherwise: fixed, never "now".
DEFAULT_START = "2024-01-01T00:00:00Z"


def _parse_start(start: str | datetime) -> datetime:
    if isinstance(start, datetime):
        if start.tzinfo is None:
            raise SimulationError("start must be an aware datetime (with a time zone), e.g. datetime(2024, 1, 1, tzinfo=UTC)")
        return start.astimezone(UTC)
    text = start.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SimulationError(f"start {start!r} is not an ISO-8601 date-time such as '2024-01-01T00:00:00Z'") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _check_advance(seconds: float) -> None:
    # NaN compares false with every deadline and infinity is never reached: either would run
    # repeating schedules forever, so both are refused like a negative time.
    if seconds < 0:
        raise SimulationError(f"cannot advance by a negative time ({seconds!r}); time only moves forward")
    if not math.isfinite(seconds):
        raise SimulationError(f"cannot advance by {seconds!r}: give a finite number of seconds")


class Timer(msgspec.Struct, order=True):
    """A callback scheduled on the simulation's clock. ``cancel()`` stops it from running.

    Timers order by deadline, then by the order they were scheduled in (``seq``), so the heap can
    hold them directly.
    """

    when: float
    seq: int
    callback: Callable[..., object] | None
    args: tuple[Any, ...]

    def cancel(self) -> None:
        """Stop the timer from firing; cancelling twice, or after it fired, does nothing."""
        self.callback = None
        self.args = ()

    @property
    def cancelled(self) -> bool:
        """True once the timer was cancelled or has fired."""
        return self.callback is None

    def __repr__(self) -> str:
        state = "done" if self.callback is None else getattr(self.callback, "__qualname__", repr(self.callback))
        return f"eventbus.Timer(when={self.when!r}, {state})"


class Outcome(msgspec.Struct, frozen=True):
    """What calling a user's handler came to: a value, or the exception it raised.

    Attributes:
        ok: True when the handler returned normally.
        value: what it returned (None when it raised).
        error: the exception it raised, or None.
    """

    ok: bool
    value: Any = None
    error: BaseException | None = None

    @property
    def error_type(self) -> str:
        return type(self.error).__name__ if self.error is not None else ""

    @property
    def error_message(self) -> str:
        return str(self.error) if self.error is not None else ""


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)
# The 8-4-4-4-12 groups of a UUID's 32 hex digits, cut in C.
_UUID_GROUPS = operator.itemgetter(slice(0, 8), slice(8, 12), slice(12, 16), slice(16, 20), slice(20, 32))


def uuid_text(bits: int) -> str:
    """The text of the version-4 UUID made of 128 random ``bits``: ``str(uuid.UUID(int=bits,
    version=4))`` (version and variant bits set), without building a UUID."""
    return "-".join(_UUID_GROUPS(((bits & _UUID_CLEAR) | _UUID_SET).to_bytes(16, "big").hex()))


class _Sleep:
    """What ``sim.sleep`` awaits: asks the task runner to resume after ``seconds``."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


_PENDING = object()


class Future(Generic[T]):
    """A result that some later timer will provide; simulation tasks may ``await`` it."""

    __slots__ = ("_callbacks", "_error", "_result")

    def __init__(self) -> None:
        self._result: object = _PENDING
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], None]] = []

    def done(self) -> bool:
        return self._result is not _PENDING or self._error is not None

    def set_result(self, value: T) -> None:
        if self.done():
            raise SimulationError("this future already has a result")
        self._result = value
        self._fire()

    def set_exception(self, error: BaseException) -> None:
        if self.done():
            raise SimulationError("this future already has a result")
        self._error = error
        self._fire()

    def _fire(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def add_done_callback(self, callback: Callable[[Future[T]], None]) -> None:
        if self.done():
            callback(self)
        else:
            self._callbacks.append(callback)

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        if self._result is _PENDING:
            raise SimulationError("this future has no result yet")
        return cast(T, self._result)

    def exception(self) -> BaseException | None:
        return self._error

    def __await__(self) -> Generator[Any, Any, T]:
        if not self.done():
            yield self
        return self.result()


class Task(Future[T]):
    """A coroutine the simulation drives; it is itself a future of the coroutine's result."""

    __slots__ = ("_coro", "_sim", "name")

    def __init__(self, sim: Simulation, coro: Coroutine[Any, Any, T], name: str) -> None:
        super().__init__()
        self._sim = sim
        self._coro = coro
        self.name = name

    def _step(self, value: Any = None, error: BaseException | None = None) -> None:
        try:
            yielded = self._coro.throw(error) if error is not None else self._coro.send(value)
        except StopIteration as stop:
            self.set_result(stop.value)
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            self.set_exception(exc)
            return
        self._sim._task_yielded(self, yielded)

    def _resume_from(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self._sim.call_soon(self._step, None, error)
        else:
            self._sim.call_soon(self._step, future.result())

    def __repr__(self) -> str:
        return f"eventbus.Task({self.name!r}, done={self.done()})"


class _ForeignAwait:
    """Passes what a task awaits from the host event loop (asyncio or trio) through to that loop."""

    def __init__(self, sim: Simulation, task: Task[Any], first: object) -> None:
        self.sim, self.task, self.first = sim, task, first

    def __await__(self) -> Generator[Any, Any, None]:
        coro = self.task._coro
        yielded = self.first
        while True:
            sent: Any = None
            thrown: BaseException | None = None
            try:
                sent = yield yielded
            except BaseException as exc:  # forwarded into the task, as an event loop would
                thrown = exc
            try:
                yielded = coro.throw(thrown) if thrown is not None else coro.send(sent)
            except StopIteration as stop:
                self.task.set_result(stop.value)
                return
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                self.task.set_exception(exc)
                return
            if isinstance(yielded, (_Sleep, Future)):
                self.sim._task_yielded(self.task, yielded)
                return


class Registry:
    """The simulation's resources by ARN, so that services find each other without importing each other."""

    __slots__ = ("_by_arn",)

    def __init__(self) -> None:
        self._by_arn: dict[str, object] = {}

    def register(self, arn: str, resource: object) -> None:
        """Make ``resource`` reachable at ``arn`` (replacing whatever was there)."""
        self._by_arn[arn] = resource

    def unregister(self, arn: str) -> None:
        """Forget ``arn``; forgetting an unknown ARN does nothing."""
        self._by_arn.pop(arn, None)

    def get(self, arn: str) -> object | None:
        return self._by_arn.get(arn)

    def resolve(self, arn: str, kind: type[T] | None = None) -> T:
        """The resource at ``arn``.

        Raises:
            ResourceNotFoundError: when nothing (or nothing of type ``kind``) is registered there.
        """
        resource = self._by_arn.get(arn)
        if resource is None or (kind is not None and not isinstance(resource, kind)):
            raise ResourceNotFoundError(f"Resource {arn} does not exist.")
        return cast(T, resource)

    def __contains__(self, arn: object) -> bool:
        return arn in self._by_arn

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._by_arn))

    def __len__(self) -> int:
        return len(self._by_arn)


class Simulation:
    """A deterministic world of AWS event-driven services on one clock and one random generator.

    Args:
        seed: seeds the one ``random.Random`` every id and random choice is drawn from. The same
            seed and the same inputs give the same journal, byte for byte.
        start: the instant the simulation starts at: an ISO-8601 string or an aware datetime.
            Defaults to a fixed instant (2024-01-01T00:00:00Z), never the wall clock.
        account_id: the AWS account id in ARNs and envelopes.
        region: the AWS region in ARNs and envelopes.
        clock: ``"virtual"`` (default: time moves only when the simulation is advanced),
            ``"real"`` (timers fire at wall-clock time, for demos and served endpoints), or a
            :class:`~eventbus.clock.Clock`.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        start: str | datetime = DEFAULT_START,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        clock: Literal["virtual", "real"] | Clock = "virtual",
    ) -> None:
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise SimulationError(f"account_id must be 12 digits, got {account_id!r}")
        self.seed = seed
        self.start = _parse_start(start)
        self._start_epoch = self.start.timestamp()
        self.account_id = account_id
        self.region = region
        if clock == "virtual":
            self.clock: Clock = VirtualClock()
        elif clock == "real":
            self.clock = SystemClock()
        elif isinstance(clock, str):
            raise SimulationError(f"clock must be 'virtual', 'real' or a Clock, got {clock!r}")
        else:
            self.clock = clock
        self.rng = random.Random(seed)
        self.journal = Journal()
        self.registry = Registry()
        self._heap: list[Timer] = []
        self._seq = 0
        self._running = False
        self._async_host = False
        self._foreign: list[tuple[Task[Any], object]] = []
        self._services: dict[str, object] = {}
        # The fault plan (eventbus.faults), None until ``sim.faults`` is first used: services test
        # this one attribute at their decision points, so a run without faults pays nothing more.
        self._faults: FaultInjector | None = None
        self.record(
            "simulation.started",
            detail={"seed": seed, "start": self.iso(0.0), "account": account_id, "region": region},
        )

    def __repr__(self) -> str:
        return f"eventbus.Simulation(seed={self.seed!r}, now={self.iso()!r})"

    # ------------------------------------------------------------------ time
    @property
    def time(self) -> float:
        """Seconds since the simulation's start (virtual unless the clock is real)."""
        return self.clock.now()

    @property
    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        return self.start + timedelta(seconds=self.clock.now())

    def epoch(self, at: float | None = None) -> float:
        """Unix epoch seconds of simulation time ``at`` (default: now)."""
        return self._start_epoch + (self.clock.now() if at is None else at)

    def epoch_millis(self, at: float | None = None) -> int:
        """Unix epoch milliseconds of simulation time ``at`` (default: now), as SQS timestamps are."""
        return round(self.epoch(at) * 1000)

    def iso(self, at: float | None = None, *, millis: bool = False) -> str:
        """ISO-8601 UTC text of simulation time ``at`` (default: now), ``Z``-suffixed.

        Seconds precision as in EventBridge envelopes, or milliseconds as in SNS envelopes.
        """
        instant = self.start + timedelta(seconds=self.clock.now() if at is None else at)
        if millis:
            return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")

    # ------------------------------------------------------------ randomness
    def new_uuid(self) -> str:
        """A version-4 UUID drawn from the simulation's generator (message ids, event ids, request ids)."""
        return uuid_text(self.rng.getrandbits(128))

    def new_hex(self, length: int) -> str:
        """``length`` hexadecimal digits drawn from the simulation's generator."""
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def new_token(self, nbytes: int = 32) -> str:
        """A URL-safe token of ``nbytes`` random bytes (receipt handles and the like)."""
        import base64

        return base64.urlsafe_b64encode(self.rng.getrandbits(8 * nbytes).to_bytes(nbytes, "big")).decode().rstrip("=")

    # --------------------------------------------------------------- journal
    def record(self, kind: str, resource: str = "", id: str = "", detail: dict[str, Any] | None = None) -> None:
        """Append a record to the journal at the current time."""
        self.journal.append(self.clock.now(), kind, resource, id, detail)

    # ------------------------------------------------------------------ ARNs
    def arn(self, service: str, resource: str) -> str:
        """An ARN in this simulation's account and region."""
        return build_arn(service, self.region, self.account_id, resource)

    # ---------------------------------------------------------------- timers
    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Timer:
        """Run ``callback(*args)`` at simulation time ``when`` (now, if that has passed).

        ``callback`` may be an async function: its coroutine then runs as a simulation task.
        """
        now = self.clock.now()
        if when < now:
            when = now
        self._seq = seq = self._seq + 1
        timer = Timer(when, seq, callback, args)
        heapq.heappush(self._heap, timer)
        return timer

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay`` seconds from now (ties run in scheduling order)."""
        if delay < 0:
            raise SimulationError(f"delay must not be negative, got {delay!r}")
        when = self.clock.now() + delay
        self._seq = seq = self._seq + 1
        timer = Timer(when, seq, callback, args)
        heapq.heappush(self._heap, timer)
        return timer

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Timer:
        """Run ``callback(*args)`` at the current time, after what is already due."""
        return self.call_at(self.clock.now(), callback, *args)

    def next_deadline(self) -> float | None:
        """The time of the earliest pending timer, or None when nothing is scheduled."""
        heap = self._heap
        while heap and heap[0].callback is None:
            heapq.heappop(heap)
        return heap[0].when if heap else None

    @property
    def pending(self) -> int:
        """How many timers are scheduled and not cancelled."""
        return sum(1 for t in self._heap if t.callback is not None)

    # ----------------------------------------------------------------- tasks
    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> Task[T]:
        """Run a coroutine as a simulation task, starting at the current time."""
        task: Task[T] = Task(self, coro, name or str(getattr(coro, "__qualname__", "task")))
        self.call_soon(task._step)
        return task

    def sleep(self, seconds: float) -> Awaitable[None]:
        """In a simulation task: ``await sim.sleep(s)`` resumes ``s`` seconds later on the simulation's clock."""
        if seconds < 0:
            raise SimulationError(f"sleep time must not be negative, got {seconds!r}")
        return _Sleep(seconds)

    def _task_yielded(self, task: Task[Any], yielded: object) -> None:
        if isinstance(yielded, _Sleep):
            self.call_later(yielded.seconds, task._step)
        elif isinstance(yielded, Future):
            yielded.add_done_callback(task._resume_from)
        elif self._async_host:
            self._foreign.append((task, yielded))
        else:
            error = SimulationError(
                f"task {task.name!r} awaited {type(yielded).__name__}, which only an event loop can drive; "
                "await sim.sleep() for simulated time, or drive the simulation with the async methods "
                "(await sim.advance_async(...)) from inside asyncio or trio"
            )
            self.call_soon(task._step, None, error)

    def invoke(
        self,
        handler: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Outcome], None],
        resource: str = "",
        name: str = "",
    ) -> None:
        """Call a user's handler (sync or async) and hand what it came to to ``on_done``.

        A handler that raises never crashes the simulation: the exception is journaled
        (``handler.raised``) and given to ``on_done`` as a failed :class:`Outcome`, for the
        invoking service's delivery policy (retries, dead letters) to act on. A sync handler runs at
        once; an async one runs as a task, and ``on_done`` is called when it finishes.
        """

        def finish(outcome: Outcome) -> None:
            if not outcome.ok:
                self.record(
                    "handler.raised",
                    resource,
                    name,
                    {"error_type": outcome.error_type, "error_message": outcome.error_message},
                )
            on_done(outcome)

        try:
            result = handler(*args)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            finish(Outcome(False, None, exc))
            return
        if inspect.isawaitable(result):
            task = self.spawn(_await(result), name=name or getattr(handler, "__qualname__", "handler"))

            def done(fut: Future[Any]) -> None:
                error = fut.exception()
                finish(Outcome(True, fut.result()) if error is None else Outcome(False, None, error))

            task.add_done_callback(done)
        else:
            finish(Outcome(True, result))

    # ------------------------------------------------------------- services
    def service(self, name: str, factory: Callable[[Simulation], T]) -> T:
        """The simulation's instance of a service, created by ``factory`` on first use."""
        existing = self._services.get(name)
        if existing is None:
            existing = factory(self)
            self._services[name] = existing
        return cast(T, existing)

    @property
    def events(self) -> EventsService:
        """The simulation's EventBridge (buses, rules, targets, archives, replays), created on first use."""
        from .services.events import EventsService

        return self.service("events", EventsService)

    @property
    def faults(self) -> FaultInjector:
        """The simulation's fault plan (:mod:`eventbus.faults`), created empty on first use.

        Off by default: until a fault is added, nothing is injected and nothing is drawn from the
        generator. Every decision is drawn from ``sim.rng``, so the same seed gives the same faults.
        """
        injector = self._faults
        if injector is None:
            from .faults import FaultInjector

            injector = self._faults = FaultInjector(self)
        return injector

    @property
    def lambda_(self) -> LambdaService:
        """The simulation's AWS Lambda (functions, event source mappings, async invoke), created on first use."""
        from .services.lambda_ import LambdaService

        return self.service("lambda", LambdaService)

    @property
    def scheduler(self) -> SchedulerService:
        """The simulation's EventBridge Scheduler (schedule groups and schedules), created on first use."""
        from .services.scheduler import SchedulerService

        return self.service("scheduler", SchedulerService)

    @property
    def sns(self) -> SnsService:
        """The simulation's Amazon SNS (standard and FIFO topics, subscriptions), created on first use."""
        from .services.sns import SnsService

        return self.service("sns", SnsService)

    @property
    def sqs(self) -> SqsService:
        """The simulation's Amazon SQS (standard and FIFO queues), created on first use."""
        from .services.sqs import SqsService

        return self.service("sqs", SqsService)

    # ---------------------------------------------------------------- running
    def _enter(self) -> None:
        if self._running:
            raise SimulationError(
                "the simulation is already running: a handler cannot advance or settle it; "
                "schedule work with sim.call_later() or await sim.sleep() instead"
            )
        self._running = True

    @property
    def running(self) -> bool:
        """True while the simulation is running timers (inside a handler or callback)."""
        return self._running

    def _run(self, until: float | None, condition: Callable[[], bool] | None) -> bool:
        """Run due timers in order up to ``until`` (None: until none is left) or until ``condition``.

        Returns True when ``condition`` became true. With a real clock, waits for timers to come due.
        This loop is the hot path of every simulation: keep it lean.
        """
        heap = self._heap
        clock = self.clock
        real = clock.real
        virtual = clock if isinstance(clock, VirtualClock) else None
        limit = math.inf if until is None else until
        pop = heapq.heappop
        iscoroutine = inspect.iscoroutine
        if condition is not None and condition():
            return True
        while heap:
            timer = heap[0]
            when = timer.when
            if when > limit:
                break
            callback = timer.callback
            if callback is None:
                pop(heap)
                continue
            if virtual is not None:
                if when > virtual._now:
                    virtual._now = when
            elif real:
                delay = when - clock.now()
                if delay > 0:
                    clock.sleep(delay)
            else:
                clock.jump(when)
            pop(heap)
            timer.callback = None
            result = callback(*timer.args)
            if result is not None and iscoroutine(result):
                self.spawn(result)
            if condition is not None and condition():
                return True
            if self._foreign:
                return False  # the async driver passes these to the host loop, then calls again
        if until is not None:
            if real:
                delay = until - clock.now()
                if delay > 0:
                    clock.sleep(delay)
            else:
                clock.jump(until)
        return False

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running every timer due on the way in time order.

        The clock ends ``seconds`` later, even if nothing was due. The target is rounded to the
        nanosecond, so that steps that add up in decimal add up on the clock: ten
        ``advance(0.1)`` reach a timer due at 1.0 (in floating point they sum to 0.9999999999999999).
        """
        _check_advance(seconds)
        self._enter()
        try:
            self._run(self._target(seconds), None)
        finally:
            self._running = False

    def _target(self, seconds: float) -> float:
        now = self.clock.now()
        return max(now, round(now + seconds, 9))

    def advance_to(self, when: datetime | str | float) -> None:
        """Move time forward to an instant (datetime, ISO text or seconds since start)."""
        target = self._to_seconds(when)
        self.advance(max(0.0, target - self.clock.now()))

    def run_until_idle(self) -> None:
        """Run everything due now, including what that schedules for now, without moving time."""
        self._enter()
        try:
            self._run(self.clock.now(), None)
        finally:
            self._running = False

    def run_until(
        self, condition: Callable[[], bool] | None = None, *, timeout: float | None = None
    ) -> bool:
        """Run timers in order until ``condition()`` is true or ``timeout`` seconds have passed.

        With no timeout, runs until the condition holds or no timer is left (at most: forever-repeating
        schedules make a timeout necessary). Returns whether the condition held. When it does, the
        clock stays at the instant it became true; when the timeout runs out, the clock is at the
        deadline.
        """
        if timeout is not None:
            _check_advance(timeout)
        self._enter()
        try:
            until = None if timeout is None else self.clock.now() + timeout
            return self._run(until, condition)
        finally:
            self._running = False

    def _to_seconds(self, when: datetime | str | float) -> float:
        if isinstance(when, (int, float)):
            return float(when)
        instant = _parse_start(when)
        return (instant - self.start).total_seconds()

    # ----------------------------------------------------------- async twins
    async def _run_async(self, until: float | None, condition: Callable[[], bool] | None) -> bool:
        import anyio.lowlevel

        self._enter()
        self._async_host = True
        try:
            while True:
                if self.clock.real:
                    # Wait in the host loop (not time.sleep) so that its other tasks run meanwhile.
                    deadline = self.next_deadline()
                    if deadline is None or (until is not None and deadline > until):
                        if until is None:
                            return bool(condition is not None and condition())
                        await self.clock.sleep_async(until - self.clock.now())
                        return bool(condition is not None and condition())
                    await self.clock.sleep_async(deadline - self.clock.now())
                    met = self._run(self.clock.now(), condition)
                else:
                    met = self._run(until, condition)
                if met:
                    return True
                if not self._foreign and not self.clock.real:
                    return False
                while self._foreign:
                    task, yielded = self._foreign.pop(0)
                    await _ForeignAwait(self, task, yielded)
                    if condition is not None and condition():
                        return True
                await anyio.lowlevel.checkpoint()
        finally:
            self._async_host = False
            self._running = False

    async def advance_async(self, seconds: float) -> None:
        """``advance`` for code inside an event loop (asyncio or trio): tasks may await the host loop."""
        _check_advance(seconds)
        await self._run_async(self._target(seconds), None)

    async def run_until_idle_async(self) -> None:
        """``run_until_idle`` for code inside an event loop (asyncio or trio)."""
        await self._run_async(self.clock.now(), None)

    async def run_until_async(
        self,
        condition: Callable[[], bool] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - virtual seconds, not a wall-clock timeout
    ) -> bool:
        """``run_until`` for code inside an event loop (asyncio or trio)."""
        if timeout is not None:
            _check_advance(timeout)
        until = None if timeout is None else self.clock.now() + timeout
        return await self._run_async(until, condition)


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable
