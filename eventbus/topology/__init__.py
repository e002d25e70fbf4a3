"""Topologies: the architecture under test, loaded into a simulation and exported to CloudFormation.

``load`` reads eventbus's own concise YAML/JSON format (documented in
:mod:`eventbus.topology._format` and ``schema.json``), AWS SAM and CloudFormation templates, and
Python factories (``"module:build"``), and creates every queue, topic, bus, rule, target, archive,
schedule, function and event source mapping in a :class:`~eventbus.Simulation` through the services'
own APIs::

    from eventbus import Simulation
    from eventbus.topology import load, export_yaml

    sim = Simulation(seed=1)
    topology = load("patterns/fan-out/template.yaml", sim, parameters={"Stage": "test"})
    topology.resources["OrdersQueue"]      # 'arn:aws:sqs:us-east-1:123456789012:...'
    topology.warnings                      # resources not simulated, never silently dropped

    print(export_yaml(sim))                # the CloudFormation template of what sim holds

``export`` writes what a simulation holds as a CloudFormation template that passes cfn-lint, so
that what was tested offline is what gets deployed (design.md, "Scale beyond one machine").
"""

from __future__ import annotations

from ._errors import TopologyError
from ._export import export, export_yaml
from ._format import schema
from ._load import DEFAULT_NAMES, Topology, find_default, load

__all__ = (
    "DEFAULT_NAMES",
    "Topology",
    "TopologyError",
    "export",
    "export_yaml",
    "find_default",
    "load",
    "schema",
)
