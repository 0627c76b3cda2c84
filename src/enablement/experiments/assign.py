"""Which arm of an experiment a deal is in: a stable hash of the experiment and the deal, so the
answer is the same in every worker, after every restart, and for every request of the deal."""

from __future__ import annotations

import hashlib
from typing import Literal

from enablement.experiments.model import Experiment

Arm = Literal["control", "live", "interleave"]
_SCALE = float(2**64)


def position(experiment_id: str, deal_id: str) -> float:
    """Where the deal falls in [0, 1) for this experiment: the first 8 bytes of the SHA-256 of
    the two ids. Not Python's hash(), which is salted per process; and the experiment's id is in
    the hash, so each experiment holds out its own deals, not the same ones every time."""
    digest = hashlib.sha256(f"{experiment_id}\x1f{deal_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def arm_for(experiment: Experiment, deal_id: str | None) -> Arm | None:
    """The deal's arm while `experiment` runs: a holdout serves `control` (its baseline) to the
    deals whose position is below its `share`, `live` (the serving ranker) to the rest; an
    interleave experiment puts every deal in `interleave` (the team draft happens per request).

    None when the deal is not in the experiment: the experiment is stopped, or the request has
    no deal id (without one, nothing keeps its arm sticky, so it is served live and logged
    without an experiment)."""
    if not experiment.running or not deal_id:
        return None
    if experiment.kind == "interleave":
        return "interleave"
    share = experiment.share or 0.0
    return "control" if position(experiment.id, deal_id) < share else "live"
