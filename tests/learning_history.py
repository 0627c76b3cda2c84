"""A simulated history to learn from: the sample library's labelled deals served through the
real path, clicks from the click model on their grades, a fifth of the lists explored."""

from __future__ import annotations

from datetime import datetime

from enablement.events.simulate import SimulationOptions, simulate
from enablement.learn.evaluate import load_labelled
from enablement.service import EnablementService
from tests.conftest import REPO


def simulate_labelled(
    service: EnablementService, deals: int = 800, *, now: datetime | None = None
) -> None:
    labels = load_labelled(REPO / "eval" / "deals.jsonl")
    options = SimulationOptions(deals=deals, seed=4, explore_share=0.2)
    simulate(service.usage, service.recommender, options, now=now, labels=labels)
