"""Loading the topology a replay runs against, through :mod:`eventbus.topology` when it is installed.

``eventbus.topology.load`` reads eventbus YAML/JSON, SAM/CloudFormation templates and ``module:build``
Python factories. This module adds what the command line needs around it: a Python factory given as
a file (``topology.py`` or ``path/to/topology.py:build``), a Python callable given directly, and the
default topology next to an events file. When :mod:`eventbus.topology` is not available it still
loads Python factories, so replays of Python-built topologies work on their own.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from ._simulation import Simulation
from .errors import EventBusError

__all__ = ("LoadedTopology", "TopologyLoadError", "default_topology", "load_topology")

#: Files looked for next to an events file, in this order, when :mod:`eventbus.topology` has no opinion.
DEFAULT_NAMES = ("topology.yaml", "topology.yml", "topology.json", "template.yaml", "template.yml", "template.json", "topology.py")


class TopologyLoadError(EventBusError, ValueError):
    """A topology that cannot be loaded; the message names the file (and line when known)."""


class LoadedTopology(msgspec.Struct, frozen=True, kw_only=True):
    """What a loaded topology is, for reports.

    Attributes:
        source: the topology as named by the caller.
        kind: ``"python"`` for a factory, else what :mod:`eventbus.topology` reports
            (``"eventbus"``, ``"sam"``, ``"cloudformation"`` ...).
        resources: logical names to ARNs, when the loader reports them.
        warnings: what the loader could not model (unsupported resources ...).
    """

    source: str
    kind: str
    resources: dict[str, str] = msgspec.field(default_factory=dict)
    warnings: list[str] = msgspec.field(default_factory=list)


def _topology_module() -> Any | None:
    try:
        module = importlib.import_module("eventbus.topology")
    except ModuleNotFoundError as exc:
        if exc.name in ("eventbus.topology",):
            return None
        raise
    # A package still being written (no ``load`` yet) counts as absent.
    return module if callable(getattr(module, "load", None)) and callable(getattr(module, "find_default", None)) else None


def _python_file(path: Path, function: str, sim: Simulation, source: str) -> LoadedTopology:
    if not path.is_file():
        raise TopologyLoadError(f"{source}: no such file")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"_eventbus_topology_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TopologyLoadError(f"{source}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise TopologyLoadError(f"{source}:{exc.lineno}: {exc.msg}") from None
        except ImportError as exc:
            raise TopologyLoadError(f"{source}: {exc}") from None
        factory = getattr(module, function, None)
        if not callable(factory):
            raise TopologyLoadError(f"{source}: has no function {function!r} (a factory build(sim) that creates the topology)")
        return _run_factory(factory, sim, source)
    finally:
        if sys.path and sys.path[0] == folder:
            del sys.path[0]


def _run_factory(factory: Callable[..., Any], sim: Simulation, source: str) -> LoadedTopology:
    name = getattr(factory, "__name__", "factory")
    try:
        result = factory(sim)
    except EventBusError as exc:  # an AWS error from a service (a name it refuses ...): AWS's message
        raise TopologyLoadError(f"{source}: {name}(sim): {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise TopologyLoadError(f"{source}: {name}(sim) raised {type(exc).__name__}: {exc}") from exc
    resources = dict(result) if isinstance(result, dict) and all(isinstance(v, str) for v in result.values()) else {}
    return LoadedTopology(source=source, kind="python", resources=resources)


def _split_factory(source: str) -> tuple[str, str]:
    """``"path.py:build"`` or ``"module:build"`` into its two parts (Windows drive letters kept)."""
    head, sep, tail = source.rpartition(":")
    if sep and tail.isidentifier() and head and not (len(head) == 1 and head.isalpha()):
        return head, tail
    return source, "build"


def load_topology(
    source: str | os.PathLike[str] | Callable[[Simulation], object],
    sim: Simulation,
    *,
    parameters: dict[str, str] | None = None,
) -> LoadedTopology:
    """Build the topology ``source`` names into ``sim``.

    Args:
        source: a file (eventbus YAML/JSON, SAM or CloudFormation template, or a ``.py`` file with a
            ``build(sim)`` factory, optionally ``file.py:function``), a ``module:function`` factory, or a
            Python callable taking the simulation.
        sim: the simulation to build it in.
        parameters: template parameter overrides (SAM/CloudFormation only).

    Raises:
        TopologyLoadError: the source cannot be found or imported; errors from
            :mod:`eventbus.topology` (``TopologyError``) pass through unchanged.
    """
    if callable(source) and not isinstance(source, (str, os.PathLike)):
        return _run_factory(source, sim, getattr(source, "__qualname__", "factory"))
    text = os.fspath(source)
    target, function = _split_factory(text)
    if target.endswith(".py"):
        return _python_file(Path(target), function, sim, text)
    module = _topology_module()
    if module is not None:
        loaded = module.load(text, sim, parameters=parameters)
        return LoadedTopology(
            source=text,
            kind=str(getattr(loaded, "kind", "")),
            resources=dict(getattr(loaded, "resources", {}) or {}),
            warnings=[str(w) for w in getattr(loaded, "warnings", []) or []],
        )
    if ":" in text and not Path(text).exists():
        module_name, function = text.rsplit(":", 1)
        try:
            factory_module = importlib.import_module(module_name)
        except ImportError as exc:
            raise TopologyLoadError(f"{text}: cannot import {module_name!r}: {exc}") from None
        factory = getattr(factory_module, function, None)
        if not callable(factory):
            raise TopologyLoadError(f"{text}: module {module_name!r} has no function {function!r}")
        return _run_factory(factory, sim, text)
    raise TopologyLoadError(
        f"{text}: cannot load this topology: eventbus.topology (YAML, JSON, SAM and CloudFormation) is not "
        "installed; use a Python factory (file.py or module:build)"
    )


def default_topology(events: str | os.PathLike[str]) -> Path | None:
    """The topology next to an events file: what :func:`eventbus.topology.find_default` finds, else
    the first of :data:`DEFAULT_NAMES` in the events file's folder."""
    module = _topology_module()
    if module is not None:
        found = module.find_default(Path(events))
        if found is not None:
            return Path(found)
    folder = Path(events).parent
    for name in DEFAULT_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
