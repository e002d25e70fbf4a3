"""design.md principle 1: the same seed and the same inputs give the same journal, byte for byte,
through EventBridge's retries (jitter), schedules, archives and replays."""

from __future__ import annotations

from eventbus import Simulation

from ._fakes import RecordingEndpoint


def scenario(seed: int) -> bytes:
    sim = Simulation(seed=seed)
    bus = sim.events.bus("shop")
    flaky = RecordingEndpoint(sim, "flaky", failures=4)
    dlq = RecordingEndpoint(sim, "dlq")
    bus.rule("orders", pattern={"source": ["shop"]}).target(flaky, dead_letter=dlq, max_retries=2)
    bus.archive("all")
    sim.events.default_bus.rule("tick", schedule="rate(1 minute)").target(flaky)
    for n in range(5):
        bus.put(source="shop", detail_type="OrderPlaced", detail={"n": n})
        sim.advance(30)
    sim.events.start_replay("again", archive="all", start="2024-01-01T00:00:00Z", end=sim.now)
    sim.advance(600)
    return sim.journal.dumps()


def test_same_seed_same_journal() -> None:
    assert scenario(11) == scenario(11)
    assert scenario(11) != scenario(12)
