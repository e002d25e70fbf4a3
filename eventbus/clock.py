"""Clocks: where a simulation's notion of "now" comes from.

A :class:`VirtualClock` only moves when the simulation moves it: a 12-hour visibility timeout costs
no wall time at all. A :class:`SystemClock` follows the wall clock (monotonic) from the moment it is
created, for demos and for a served endpoint; a simulation using it waits for timers to come due.

Both report time as float seconds since the simulation's start; the simulation turns that into
aware UTC datetimes. Prior art: trio's ``MockClock`` (``trio/_core/_mock_clock.py``).
"""

from __future__ import annotations

import time as _time
from typing import Protocol

__all__ = ("Clock", "SystemClock", "VirtualClock")


class Clock(Protocol):
    """What a simulation needs of a clock."""

    #: Whether the clock follows wall time (and so timers must be waited for).
    real: bool

    def now(self) -> float:
        """Seconds elapsed since the simulation's start."""
        ...

    def jump(self, to: float) -> None:
        """Move the clock forward to ``to`` seconds (a no-op for wall-time clocks)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block until ``seconds`` have passed on this clock (only called on real clocks)."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Wait in the running event loop until ``seconds`` have passed (only called on real clocks)."""
        ...


class VirtualClock:
    """A clock that stands still until the simulation moves it. It never goes backwards."""

    real = False
    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def jump(self, to: float) -> None:
        if to > self._now:
            self._now = to

    def sleep(self, seconds: float) -> None:
        self.jump(self._now + seconds)

    async def sleep_async(self, seconds: float) -> None:
        self.jump(self._now + seconds)

    def __repr__(self) -> str:
        return f"eventbus.VirtualClock(now={self._now!r})"


class SystemClock:
    """A clock that follows the wall clock (``time.monotonic``), starting at zero when created.

    ``jump`` does nothing: with this clock the simulation sleeps until a timer is due.
    """

    real = True
    __slots__ = ("_origin",)

    def __init__(self) -> None:
        self._origin = _time.monotonic()

    def now(self) -> float:
        return _time.monotonic() - self._origin

    def jump(self, to: float) -> None:
        return None

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    async def sleep_async(self, seconds: float) -> None:
        import anyio

        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"eventbus.SystemClock(now={self.now():.3f})"
