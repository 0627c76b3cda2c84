"""Interleaving experiments simulated against a known truth: labelled deals, two rankings per
deal, and reps and buyers who act as the click model says on the labels' grades. How often the
experiment reaches the right decision is what says it can be trusted with real traffic."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from enablement.events.clicks import ClickModel
from enablement.experiments.decision import DEFAULT_CONFIDENCE, Decision, decide
from enablement.experiments.interleave import (
    DEFAULT_WEIGHTS,
    Credit,
    CreditWeights,
    count_outcomes,
    credit,
    per_deal,
    team_draft,
)
from enablement.learn.metrics import ndcg

DEPTH = 10  # lists are shown, and rankings scored, to 10, as offline evaluation does


@dataclass(frozen=True)
class SimulatedDeal:
    """A labelled deal and what each ranking shows for it, best first. `grades` are the true
    grades (0-3) by asset id; an asset not in it is grade 0."""

    id: str
    grades: Mapping[str, int]
    control: tuple[str, ...]
    treatment: tuple[str, ...]


@dataclass(frozen=True)
class Simulation:
    """How an experiment is simulated: shown list depth, click model and credit weights."""

    k: int = DEPTH
    model: ClickModel = field(default_factory=ClickModel)
    weights: CreditWeights = DEFAULT_WEIGHTS
    confidence: float = DEFAULT_CONFIDENCE


def ndcg_difference(deals: Sequence[SimulatedDeal], *, k: int = DEPTH) -> float:
    """Mean nDCG@k of the treatment's rankings minus the control's, by the true grades: the
    difference the experiment should detect (positive: the treatment is better)."""
    if not deals:
        raise ValueError("no deals to score")
    total = sum(
        ndcg(deal.treatment, deal.grades, k) - ndcg(deal.control, deal.grades, k) for deal in deals
    )
    return total / len(deals)


def simulate(
    deals: Sequence[SimulatedDeal],
    *,
    impressions: int,
    rng: random.Random,
    options: Simulation = Simulation(),
) -> Decision:
    """One experiment of `impressions` shown lists: each for a deal drawn at random, interleaved
    by team draft, acted on by the click model at the items' true grades and credited; the
    credit is summed per deal and the deals' wins and losses decided. Raises ValueError with no
    deals or fewer than one impression."""
    if not deals:
        raise ValueError("no deals to simulate")
    if impressions < 1:
        raise ValueError(f"impressions must be 1 or more, not {impressions}")
    totals = per_deal(_impression(rng.choice(deals), rng, options) for _ in range(impressions))
    counts = count_outcomes(totals.values())
    return decide(counts.wins, counts.losses, ties=counts.ties, confidence=options.confidence)


def _impression(deal: SimulatedDeal, rng: random.Random, options: Simulation) -> tuple[str, Credit]:
    """One list shown for `deal`: interleaved, acted on at the true grades, credited."""
    shown = team_draft(deal.control, deal.treatment, options.k, rng)
    steps = options.model.act([deal.grades.get(item, 0) for item in shown.items], rng)
    return deal.id, credit(shown, steps, weights=options.weights)


def repeated(
    deals: Sequence[SimulatedDeal],
    *,
    runs: int,
    impressions: int,
    seed: int = 0,
    options: Simulation = Simulation(),
) -> list[Decision]:
    """`runs` independent experiments, run i seeded from (`seed`, i), so any run can be redone."""
    if runs < 1:
        raise ValueError(f"runs must be 1 or more, not {runs}")
    return [
        simulate(
            deals, impressions=impressions, rng=random.Random(f"{seed}:{run}"), options=options
        )
        for run in range(runs)
    ]
