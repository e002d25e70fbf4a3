"""``mock_aws``: run unchanged boto3 code against a simulation."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast, overload

from .._simulation import Simulation
from ..errors import SimulationError
from ._transport import activate, deactivate

__all__ = ("MockAws", "mock_aws")

F = TypeVar("F", bound=Callable[..., Any])

#: Credentials botocore finds inside a block when none are configured: never sent anywhere.
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAEVENTBUSSIMULATE",
    "AWS_SECRET_ACCESS_KEY": "eventbus-simulation-secret",
}


class _Entry:
    """What one entry into a block changed, to be undone on exit."""

    __slots__ = ("boto3_session", "environ", "sim")

    def __init__(self, sim: Simulation, environ: dict[str, str | None], boto3_session: object) -> None:
        self.sim = sim
        self.environ = environ
        self.boto3_session = boto3_session


def _boto3_default_session() -> object:
    boto3 = sys.modules.get("boto3")
    return getattr(boto3, "DEFAULT_SESSION", None)


def _restore_boto3_default_session(session: object) -> None:
    """Forget a boto3 default session made inside the block: it holds the fake credentials."""
    boto3 = sys.modules.get("boto3")
    if boto3 is not None and getattr(boto3, "DEFAULT_SESSION", None) is not session:
        boto3.DEFAULT_SESSION = session  # type: ignore[attr-defined]


def _fake_environment(sim: Simulation) -> dict[str, str | None]:
    """Set fake credentials and the simulation's region where none are configured; return the old values."""
    changes: dict[str, str] = {}
    if not (os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY")):
        changes.update(_FAKE_CREDENTIALS)
        changes["AWS_SESSION_TOKEN"] = ""
    if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
        changes["AWS_DEFAULT_REGION"] = sim.region
    # Nothing inside a block may reach the instance metadata service for credentials or a region.
    changes.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    previous: dict[str, str | None] = {}
    for key, value in changes.items():
        previous[key] = os.environ.get(key)
        if key == "AWS_SESSION_TOKEN":
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    return previous


def _restore_environment(previous: dict[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@overload
def mock_aws(sim: F) -> F: ...


@overload
def mock_aws(sim: Simulation | None = None) -> MockAws: ...


def mock_aws(sim: Any = None) -> Any:
    """Serve every boto3 client's sqs, sns, events, scheduler and lambda calls from a simulation.

    Use it as a context manager (``with mock_aws() as sim:``; ``with mock_aws(sim) as sim:`` uses a
    simulation you made) or as a decorator of a sync or async function (``@mock_aws`` or
    ``@mock_aws(sim)``; each call of the decorated function gets a fresh simulation unless one was
    given). Inside it:

    * requests go through botocore's real serializers, and responses through its real parsers,
      MD5 checks and error factory, so ``ClientError`` and modeled exceptions such as
      ``sqs.exceptions.QueueDoesNotExist`` carry what AWS would send; no request leaves the process;
    * clients made before the block (at import time of your modules, say) are served as well;
    * a call to any other AWS service raises :class:`~eventbus.aws.UnsupportedServiceError`;
    * when no credentials are configured in the environment, fake ones are set, and the region
      defaults to the simulation's (``us-east-1`` unless you chose another); instance metadata is
      never queried. The environment is restored on exit;
    * botocore does not retry (the simulation answers the same way again, and retries would sleep on
      the wall clock), and requests are not SigV4-signed (nothing checks a signature; signing was
      the largest single cost of a call). Presigned URLs are still signed.

    Blocks nest: the innermost active one's simulation answers. Nothing stays patched after the last
    block exits. The same pattern of patching botocore's HTTP send is what moto's ``mock_aws`` does:
    https://docs.getmoto.org/en/latest/docs/getting_started.html
    """

    if sim is None or isinstance(sim, Simulation):
        return MockAws(sim)
    if callable(sim):  # used bare: @mock_aws
        return MockAws(None)(sim)
    raise SimulationError(f"mock_aws expects an eventbus.Simulation or nothing, got {type(sim).__name__}")


class MockAws:
    """What :func:`mock_aws` returns: a context manager and decorator (see there)."""

    def __init__(self, sim: Simulation | None = None) -> None:
        self._given = sim
        self._entries: list[_Entry] = []

    @property
    def sim(self) -> Simulation:
        """The simulation of the innermost active entry (or the one given, before entry)."""
        if self._entries:
            return self._entries[-1].sim
        if self._given is not None:
            return self._given
        raise SimulationError("this mock_aws block is not active and was not given a simulation")

    def __enter__(self) -> Simulation:
        sim = self._given if self._given is not None else Simulation()
        session = _boto3_default_session()
        environ = _fake_environment(sim)
        try:
            activate(sim)
        except BaseException:
            _restore_environment(environ)
            raise
        self._entries.append(_Entry(sim, environ, session))
        return sim

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._entries:
            raise SimulationError("mock_aws was exited more often than it was entered")
        entry = self._entries.pop()
        try:
            deactivate(entry.sim)
        finally:
            _restore_environment(entry.environ)
            _restore_boto3_default_session(entry.boto3_session)

    def __call__(self, function: F) -> F:
        if inspect.isclass(function):
            raise SimulationError("mock_aws decorates functions, not classes; decorate each test method")
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with MockAws(self._given):
                    return await function(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with MockAws(self._given):
                return function(*args, **kwargs)

        return cast(F, run)

    def __repr__(self) -> str:
        state = "active" if self._entries else "inactive"
        return f"eventbus.mock_aws({self._given!r}, {state})"
