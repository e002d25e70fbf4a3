"""Handlers of the example shop topologies (imported fresh by each topology load)."""
