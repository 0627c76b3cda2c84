"""A realistic event history over a catalog, with a hidden effect planted on a few assets.

Deals move through the stages, losing some at each one. At every stage the rep asks the real
recommender, opens some of what it shows (more often near the top), sends some of that, and the
buyer opens some links. Deals that reach the end are won with a vertical's base rate, raised for
each planted asset sent in the deal. The truth returned for each planted asset is its average
effect on the win probability of the deals it was sent in (what the influence view estimates).

Given labelled deals, each deal is one of them instead, served once at its stage, and the rep's
and buyer's actions follow the click model on the true grades (`events.labelled`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from enablement.events.clicks import ClickModel
from enablement.events.impressions import Served, log_entry
from enablement.events.labelled import Truth, cycle, serve_labelled
from enablement.events.model import EventType, NewEvent
from enablement.events.service import Usage
from enablement.learn.evaluate import LabelledDeal
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import scorer_name

QUESTIONS = (
    "how long does implementation take?",
    "do you integrate with our CRM and single sign-on?",
    "what does it cost compared to what we use today?",
    "can you show a customer like us that got results?",
    "how do you handle security and compliance?",
    "what ROI should we expect in the first year?",
    "how does onboarding and training work?",
    "what makes you different from the competition?",
)
DROP_PER_STAGE = 0.22
MAX_WIN = 0.95


@dataclass(frozen=True)
class SimulationOptions:
    deals: int = 400
    reps: int = 12
    days: int = 180
    planted: int = 3
    effect: float = 0.3  # added to the win probability at close when a planted asset was sent
    seed: int = 7
    eta: float = 1.0  # with labels: the click model's position bias, examination (1/k) ** eta
    explore_share: float = 0.05  # with labels: the share of lists with an adjacent pair swapped


@dataclass
class SimulationResult:
    deals: int = 0
    won: int = 0
    events: int = 0
    recommendations: int = 0
    planted: dict[str, float] = field(default_factory=dict)  # asset -> true effect on the treated
    truth: Truth | None = None  # with labels: the click model and what it implies

    def to_dict(self) -> dict[str, Any]:
        out = {
            "deals": self.deals,
            "won": self.won,
            "events": self.events,
            "recommendations": self.recommendations,
            "planted": {k: round(v, 4) for k, v in self.planted.items()},
        }
        return out if self.truth is None else {**out, "truth": self.truth.to_dict()}


@dataclass
class _Deal:
    id: str
    rep: str
    vertical: str | None
    start: datetime
    base: float
    sent: dict[str, int] = field(default_factory=dict)  # asset -> stage index first sent
    events: list[NewEvent] = field(default_factory=list)
    reached: int = 0


def simulate(
    usage: Usage,
    recommender: Recommender,
    options: SimulationOptions,
    *,
    now: datetime | None = None,
    labels: Sequence[LabelledDeal] | None = None,
) -> SimulationResult:
    """Simulate `options.deals` deals, store their events and return the counts and the truth;
    with `labels` (a labelled deals file's deals, not empty), over those deals and the click
    model. With labels, raises ValueError for an eta under 0 or an explore share outside
    [0, 0.5]."""
    rng = random.Random(options.seed)
    now = now or datetime.now(UTC)
    stages = list(recommender.taxonomy.stages.ids)[:-1]  # the last one is the close
    base = {v: rng.uniform(0.3, 0.5) for v in recommender.taxonomy.verticals.ids}
    result = SimulationResult()
    if labels:
        result.truth = Truth(ClickModel(eta=options.eta), len(labels), options.explore_share)
        picks = enumerate(cycle(labels, options.deals, rng))
        args = (stages, base, options, rng, result, now)
        deals = [_run_labelled(usage, recommender, n, deal, *args) for n, deal in picks]
    else:
        deals = [
            _run_deal(usage, recommender, number, stages, base, options, rng, result, now)
            for number in range(options.deals)
        ]
    planted = _choose_planted(deals, options, rng)
    for deal in deals:
        _close(deal, stages, planted, options, rng, now)
        result.deals += 1
        result.won += any(e.outcome == "won" for e in deal.events)
    for user in sorted({d.rep for d in deals}):
        events = [e for d in deals if d.rep == user for e in d.events]
        usage.events.record(events, user_id=user, known_asset=lambda _asset: True)
        result.events += len(events)
    usage.log.flush()
    result.planted = _true_effects(deals, planted, stages, options)
    return result


def _run_deal(
    usage: Usage, recommender: Recommender, number: int, stages: list[str],
    base: dict[str, float], options: SimulationOptions, rng: random.Random,
    result: SimulationResult, now: datetime,
) -> _Deal:  # fmt: skip
    """One deal (of a vertical with win rate `base`) through the stages until it drops out or
    reaches the close."""
    vertical = rng.choice(list(base))
    start = now - timedelta(days=options.days) + timedelta(days=rng.uniform(0, options.days * 0.7))
    deal = _Deal(
        f"sim-{options.seed}-{number:05d}", f"rep{rng.randrange(options.reps):02d}@example.com",
        vertical, start, base[vertical],
    )  # fmt: skip
    for index, stage in enumerate(stages):
        deal.reached = index
        _stage(usage, recommender, deal, index, stage, rng, result)
        if rng.random() < DROP_PER_STAGE:
            return deal
    deal.reached = len(stages)
    return deal


def _run_labelled(
    usage: Usage, recommender: Recommender, number: int, labelled: LabelledDeal,
    stages: list[str], base: dict[str, float], options: SimulationOptions, rng: random.Random,
    result: SimulationResult, now: datetime,
) -> _Deal:  # fmt: skip
    """One labelled deal served once at its stage (the first when it has none), then on
    through the remaining stages until it drops out or reaches the close."""
    assert result.truth is not None
    taxonomy = recommender.taxonomy
    vertical = taxonomy.verticals.resolve_optional(labelled.deal.get("vertical"))
    stage = taxonomy.stages.resolve_optional(labelled.deal.get("stage"))
    index = stages.index(stage) if stage in stages else 0
    start = now - timedelta(days=options.days) + timedelta(days=rng.uniform(0, options.days * 0.7))
    rate = base[vertical] if vertical in base else sum(base.values()) / len(base)
    deal = _Deal(
        f"sim-{options.seed}-{number:05d}", f"rep{rng.randrange(options.reps):02d}@example.com",
        vertical, start, rate,
    )  # fmt: skip
    at = deal.start + timedelta(days=index * 9 + rng.uniform(0, 6))
    deal.events = serve_labelled(usage, recommender, labelled, deal_id=deal.id, rep=deal.rep,
                                 at=at, truth=result.truth, rng=rng)  # fmt: skip
    result.recommendations += 1
    for event in deal.events:
        if event.type is EventType.sent and event.asset_id:
            deal.sent.setdefault(event.asset_id, index)
    for deal.reached in range(index, len(stages)):
        if rng.random() < DROP_PER_STAGE:
            return deal
    deal.reached = len(stages)
    return deal


def _stage(
    usage: Usage, recommender: Recommender, deal: _Deal, index: int, stage: str,
    rng: random.Random, result: SimulationResult,
) -> None:  # fmt: skip
    at = deal.start + timedelta(days=index * 9 + rng.uniform(0, 6))
    questions = rng.sample(QUESTIONS, k=rng.choice((0, 1, 1, 2)))
    raw = {"deal_id": deal.id, "stage": stage, "vertical": deal.vertical, "questions": questions,
           "already_shared": sorted(deal.sent), "k": 5}  # fmt: skip
    asked = resolve_deal(raw, recommender.taxonomy)
    served = Served(f"{deal.id}-{index}", recommender.recommend(asked))
    ranker, model = scorer_name(recommender.config.ranker), recommender.encoder.name
    entry = log_entry(served, deal.rep, model=model, ranker=ranker, at=at, deal=asked)
    usage.log.submit(entry)
    result.recommendations += 1

    def event(kind: EventType, asset: str, minutes: float, **extra: Any) -> None:
        deal.events.append(NewEvent(
            type=kind, idempotency_key=f"{deal.id}-{index}-{kind}-{asset}",
            occurred_at=at + timedelta(minutes=minutes), deal_id=deal.id, asset_id=asset,
            stage=stage, vertical=deal.vertical, recommendation_id=served.id, **extra,
        ))  # fmt: skip

    for item in served.result.items:
        if rng.random() > 0.6 / item.rank:
            continue
        event(EventType.opened, item.asset.id, 5)
        if rng.random() < 0.15:
            event(EventType.feedback, item.asset.id, 6, rating=1 if rng.random() < 0.7 else -1)
        if rng.random() < 0.55:
            event(EventType.sent, item.asset.id, 30)
            deal.sent.setdefault(item.asset.id, index)
            if rng.random() < 0.6:
                event(EventType.buyer_viewed, item.asset.id, 600, user_agent="Chrome")


def _choose_planted(
    deals: list[_Deal], options: SimulationOptions, rng: random.Random
) -> list[str]:
    """Among the ten assets sent in the most deals, a seeded few (so each has enough data)."""
    counts: dict[str, int] = {}
    for deal in deals:
        for asset in deal.sent:
            counts[asset] = counts.get(asset, 0) + 1
    frequent = sorted(counts, key=lambda a: (-counts[a], a))[:10]
    return sorted(rng.sample(frequent, k=min(options.planted, len(frequent))))


def _win_probability(deal: _Deal, planted: list[str], effect: float, without: str | None) -> float:
    boost = sum(effect for a in planted if a in deal.sent and a != without)
    return min(MAX_WIN, deal.base + boost)


def _close(
    deal: _Deal, stages: list[str], planted: list[str], options: SimulationOptions,
    rng: random.Random, now: datetime,
) -> None:  # fmt: skip
    reached_end = deal.reached == len(stages)
    won = reached_end and rng.random() < _win_probability(deal, planted, options.effect, None)
    at = min(now - timedelta(minutes=1), deal.start + timedelta(days=len(stages) * 9 + 5))
    deal.events.append(NewEvent(
        type=EventType.deal_outcome, idempotency_key=f"{deal.id}-outcome", occurred_at=at,
        deal_id=deal.id, vertical=deal.vertical, outcome="won" if won else "lost",
        amount=round(rng.uniform(20_000, 250_000), -2), close_date=at.date(),
    ))  # fmt: skip


def _true_effects(
    deals: list[_Deal], planted: list[str], stages: list[str], options: SimulationOptions
) -> dict[str, float]:
    """Per planted asset: mean over the deals it was sent in of P(win) with it minus without."""
    out = {}
    for asset in planted:
        gaps = []
        for deal in deals:
            if asset not in deal.sent:
                continue
            survive = (1 - DROP_PER_STAGE) ** (len(stages) - deal.sent[asset])
            with_it = _win_probability(deal, planted, options.effect, None)
            without = _win_probability(deal, planted, options.effect, asset)
            gaps.append(survive * (with_it - without))
        out[asset] = sum(gaps) / len(gaps) if gaps else 0.0
    return out
