"""Fixtures for the boto3 facade: an environment with no AWS configuration, and fake services."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from eventbus import Simulation

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


class FakeApi:
    """A stand-in for ``sim.<service>.api``: records each call and answers with ``handler``."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.handler: Handler = handler or (lambda operation, params: {})

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, params))
        return self.handler(operation, params)


class FakeService:
    def __init__(self, api: FakeApi) -> None:
        self.api = api


class FakeSimulation(Simulation):
    """A simulation whose sqs, sns, events, scheduler and lambda are fakes sharing one ``FakeApi``."""

    def __init__(self, api: FakeApi | None = None) -> None:
        super().__init__()
        self.fake = api or FakeApi()
        self._fake_service = FakeService(self.fake)

    # Properties, so that they also replace the real services' properties of Simulation.
    @property
    def sqs(self) -> Any:
        return self._fake_service

    @property
    def sns(self) -> Any:
        return self._fake_service

    @property
    def events(self) -> Any:
        return self._fake_service

    @property
    def scheduler(self) -> Any:
        return self._fake_service

    @property
    def lambda_(self) -> Any:
        return self._fake_service


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, region, profile or config file from the machine; no instance metadata."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "BOTO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def fake_sim() -> FakeSimulation:
    return FakeSimulation()
