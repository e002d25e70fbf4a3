"""``load``: a topology file, template, factory or mapping into a simulation; ``find_default``."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from .._simulation import Simulation
from ..errors import EventBusError
from ._build import Builder, build_eventbus
from ._errors import TopologyError
from ._format import parse_eventbus
from ._handlers import HandlerImporter, import_factory
from ._yaml import mark, read_file

__all__ = ("DEFAULT_NAMES", "Topology", "find_default", "is_cloudformation", "load")

#: The files ``find_default`` looks for next to an events file, in this order.
DEFAULT_NAMES = (
    "topology.yaml",
    "topology.yml",
    "topology.json",
    "template.yaml",
    "template.yml",
    "template.json",
)

_FACTORY = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


@dataclass(frozen=True)
class Topology:
    """What a load created.

    Attributes:
        source: the file, ``module:build`` or ``<mapping>`` loaded.
        kind: ``"eventbus"`` (eventbus's own format), ``"cloudformation"`` (CloudFormation or SAM)
            or ``"python"`` (a factory).
        resources: logical id -> ARN (queues, topics, buses, rules, functions, schedules ...;
            for CloudFormation, also the resources SAM generates), in creation order.
        warnings: resources (and SAM events) not simulated, by logical id and type.
        notes: what was accepted with no effect in the simulation (IAM roles, policies, permissions).
        outputs: a template's ``Outputs``, resolved.
        modules: the handler modules imported: by module name (``shop.handlers``) when imported
            from the load's base directory, else by directory and name (``src/orders:app``), or by
            logical id and name for inline code (``InlineFunction:index``); see
            :mod:`eventbus.topology._handlers`.
        sim: the simulation the resources live in.
    """

    source: str
    kind: Literal["eventbus", "cloudformation", "python"]
    resources: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, ModuleType] = field(default_factory=dict, repr=False, compare=False)
    sim: Simulation | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"eventbus.topology.Topology(source={self.source!r}, kind={self.kind!r}, "
            f"resources={len(self.resources)}, warnings={len(self.warnings)})"
        )


def is_cloudformation(document: Any) -> bool:
    """Whether a parsed document is a CloudFormation or SAM template rather than eventbus's format."""
    if not isinstance(document, Mapping):
        return False
    transform = document.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    return "AWSTemplateFormatVersion" in document or "Resources" in document or _SAM_TRANSFORM in transforms


def find_default(events_path: str | os.PathLike[str]) -> Path | None:
    """The topology next to an events file: the first of ``topology.yaml``, ``topology.yml``,
    ``topology.json``, ``template.yaml``, ``template.yml``, ``template.json`` in its directory (or in
    ``events_path`` itself when it is a directory), or None."""
    path = Path(events_path)
    directory = path if path.is_dir() else path.parent
    for name in DEFAULT_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load(
    source: str | os.PathLike[str] | Mapping[str, Any],
    sim: Simulation,
    *,
    parameters: Mapping[str, Any] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Topology:
    """Create a topology's resources in ``sim`` and say what was created.

    Args:
        source: a YAML or JSON file in eventbus's format or an AWS SAM/CloudFormation template
            (recognised by ``AWSTemplateFormatVersion``, ``Resources`` or the SAM ``Transform``); a
            ``"module:build"`` string naming a Python factory, called with the simulation (and
            ``parameters``, when given and it takes a second argument), which may return nothing or
            a mapping of names to resources or ARNs; or an already-parsed mapping of either format.
        sim: the simulation to create the resources in.
        parameters: CloudFormation parameter values overriding the template's defaults
            (``AWS::StackName`` too); for a factory, its second argument.
        base_dir: where handler modules (``module:function``, SAM ``CodeUri``) are imported from;
            default: the file's directory (for a mapping or a factory, the current directory).

    Returns:
        The :class:`Topology`: resources by logical id, warnings, notes, outputs.

    Raises:
        TopologyError: a file that cannot be read or is malformed, an unknown key or resource type,
            a handler that cannot be imported, a reference to nothing, a dependency cycle, or a
            service refusing a resource; the message names the file, line, resource and what was
            created before.
    """
    if isinstance(source, Mapping):
        directory = Path(base_dir) if base_dir is not None else Path.cwd()
        return _load_document(mark(source), sim, name="<mapping>", base_dir=directory, parameters=parameters)
    if isinstance(source, str) and not Path(source).exists() and _FACTORY.fullmatch(source):
        return _load_factory(
            source,
            sim,
            parameters=parameters,
            base_dir=Path(base_dir) if base_dir is not None else Path.cwd(),
        )
    if not isinstance(source, str | os.PathLike):
        raise TopologyError(
            f"a topology is a path, a 'module:build' name or a mapping, not {type(source).__name__}"
        )
    path = Path(source)
    if path.is_dir():
        found = find_default(path)
        if found is None:
            raise TopologyError(
                f"no topology file in this directory (looked for {', '.join(DEFAULT_NAMES)})", file=str(path)
            )
        path = found
    document = read_file(path)
    directory = Path(base_dir) if base_dir is not None else path.parent
    return _load_document(document, sim, name=str(path), base_dir=directory, parameters=parameters)


def _load_document(
    document: Any, sim: Simulation, *, name: str, base_dir: Path, parameters: Mapping[str, Any] | None
) -> Topology:
    importer = HandlerImporter(base_dir)
    builder = Builder(sim, file=name, importer=importer)
    if is_cloudformation(document):
        from ._cfn import build_template

        outputs = build_template(document, builder, base_dir=base_dir, parameters=parameters)
        kind: Literal["eventbus", "cloudformation"] = "cloudformation"
    else:
        if parameters:
            raise TopologyError(
                "parameters apply to CloudFormation templates and factories, not to eventbus's format",
                file=name,
            )
        build_eventbus(parse_eventbus(document, name), builder, base_dir)
        outputs = {}
        kind = "eventbus"
    return Topology(
        source=name,
        kind=kind,
        resources=dict(builder.resources),
        warnings=list(builder.warnings),
        notes=list(builder.notes),
        outputs=outputs,
        modules=dict(importer.modules),
        sim=sim,
    )


def _inventory(sim: Simulation) -> dict[str, str]:
    """ARN -> name of what the simulation holds: registered resources and the rules of its buses."""
    out: dict[str, str] = {}
    for arn in sim.registry:
        if arn.startswith(f"arn:aws:python:{sim.region}:"):
            continue  # plain Python callables registered as endpoints
        resource = sim.registry.get(arn)
        name = getattr(resource, "name", None)
        if name == "default" or not isinstance(name, str):
            continue  # the default bus and schedule group exist in every account
        out[arn] = name
    if sim.arn("events", "event-bus/default") in sim.registry:
        for bus in sim.events.buses.values():
            for rule in bus.rules.values():
                if rule.managed_by is None:
                    out[rule.arn] = f"{bus.name}/{rule.name}"
    return out


def _load_factory(
    spec: str, sim: Simulation, *, parameters: Mapping[str, Any] | None, base_dir: Path
) -> Topology:
    factory = import_factory(spec, base_dir)
    before = _inventory(sim)
    args: list[Any] = [sim]
    if parameters is not None:
        try:
            takes = len(inspect.signature(factory).parameters)
        except (TypeError, ValueError):
            takes = 2
        if takes < 2:
            raise TopologyError(f"parameters were given but {spec}() takes only the simulation", file=spec)
        args.append(dict(parameters))
    try:
        returned = factory(*args)
    except EventBusError as error:
        created = [name for arn, name in _inventory(sim).items() if arn not in before]
        raise TopologyError(
            f"the factory raised {type(error).__name__}: {error}", file=spec, created=created
        ) from error
    if returned is None:
        resources = _new_resources(sim, before)
    elif isinstance(returned, Mapping):
        resources = {str(key): _arn_of(key, value, spec) for key, value in returned.items()}
    else:
        raise TopologyError(
            f"the factory returned a {type(returned).__name__}; return nothing or a mapping of names to resources",
            file=spec,
        )
    return Topology(source=spec, kind="python", resources=resources, sim=sim)


def _arn_of(key: Any, value: Any, spec: str) -> str:
    if isinstance(value, str):
        return value
    for attribute in ("arn", "url"):
        found = getattr(value, attribute, None)
        if isinstance(found, str):
            return found
    raise TopologyError(
        f"the factory returned {key!r}: {value!r}, which is neither an ARN nor a resource with an arn",
        file=spec,
    )


def _new_resources(sim: Simulation, before: Mapping[str, str]) -> dict[str, str]:
    """What a factory that returned nothing created, keyed by name (``bus/rule`` for rules; the
    ARN when two resources share a name)."""
    out: dict[str, str] = {}
    for arn, name in _inventory(sim).items():
        if arn not in before:
            out[name if name not in out else arn] = arn
    return out
