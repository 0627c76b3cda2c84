"""Choosing fusion and scoring settings on labelled data, cross-validated to keep it honest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from enablement.embedding import Vectors
from enablement.learn.evaluate import LabelledDeal, evaluate, fusion_variants
from enablement.learn.holdout import Tuned, Tuner
from enablement.learn.intent import tune_type_intent
from enablement.learn.libraries import Library
from enablement.learn.linking import tune_linking
from enablement.learn.ranker import train_ranker
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.recommend.scoring import ScoringWeights

Objective = Callable[[RecommenderConfig, Sequence[LabelledDeal]], float]


class MemoEncoder:
    """Wraps an encoder so repeated queries across a sweep are encoded once."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self.name = encoder.name
        self.dimension = encoder.dimension
        self._memo: dict[str, Vectors] = {}

    def encode_queries(self, texts: list[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self._encoder.encode_queries(missing), strict=True))
        import numpy as np

        return np.stack([self._memo[t] for t in texts])

    def encode_passages(self, texts: list[str]) -> Vectors:
        result: Vectors = self._encoder.encode_passages(texts)
        return result


@dataclass(frozen=True)
class SweepRow:
    name: str
    overall: dict[str, Any]


def objective_for(base: Recommender, metric: str = "ndcg@10") -> Objective:
    encoder = MemoEncoder(base.encoder)

    def score(config: RecommenderConfig, deals: Sequence[LabelledDeal]) -> float:
        variant = Recommender(base.bundle, encoder, base.taxonomy, config)
        return float(evaluate(variant, deals)["overall"][metric])

    return score


def sweep_fusion(base: Recommender, deals: Sequence[LabelledDeal]) -> list[SweepRow]:
    """Every fusion method and weight on the same deals, best first."""
    encoder = MemoEncoder(base.encoder)
    rows = []
    for name, fusion in fusion_variants(base.config.fusion).items():
        config = replace(base.config, fusion=fusion)
        variant = Recommender(base.bundle, encoder, base.taxonomy, config)
        rows.append(SweepRow(name, evaluate(variant, deals)["overall"]))
    return sorted(rows, key=lambda row: -float(row.overall["ndcg@10"]))


def coordinate_ascent(
    objective: Objective, config: RecommenderConfig, deals: Sequence[LabelledDeal],
    *, steps: Sequence[float] = (0.5, 0.75, 1.5, 2.0), rounds: int = 2,
) -> RecommenderConfig:  # fmt: skip
    """Scale one scoring weight at a time, keeping a change only when the objective improves."""
    best, best_score = config, objective(config, deals)
    for _ in range(rounds):
        # A weight at 0 is a feature switched off; scaling it cannot turn it on.
        for field in (f.name for f in fields(ScoringWeights) if getattr(best.weights, f.name)):
            for step in steps:
                weights = replace(best.weights, **{field: getattr(best.weights, field) * step})
                candidate = replace(best, weights=weights)
                value = objective(candidate, deals)
                if value > best_score + 1e-4:
                    best, best_score = candidate, value
    return best


def cross_validated(
    objective: Objective,
    config: RecommenderConfig,
    deals: Sequence[LabelledDeal],
    *,
    folds: int = 2,
) -> dict[str, Any]:
    """Tune on all folds but one and score the held-out fold; the mean says what tuning is worth."""
    held_out = []
    for fold in range(folds):
        train = [d for i, d in enumerate(deals) if i % folds != fold]
        test = [d for i, d in enumerate(deals) if i % folds == fold]
        tuned = coordinate_ascent(objective, config, train)
        held_out.append({"before": objective(config, test), "after": objective(tuned, test)})
    return {
        "folds": held_out,
        "mean_before": round(sum(f["before"] for f in held_out) / folds, 4),
        "mean_after": round(sum(f["after"] for f in held_out) / folds, 4),
    }


# A small search so leave-one-library-out runs in minutes on two cores: the shipped fusion, its
# neighbours and RRF (weighted RRF at 0.5 is RRF); then each weight halved or doubled once.
LIBRARY_FUSIONS = ("score:0.5", "score:0.3", "score:0.7", "rrf")


def library_objective(libraries: Sequence[Library], metric: str = "ndcg@10") -> Objective:
    """The mean over `libraries` of `metric`, each library's deals ranked on its own bundle.

    The deals argument picks which of each library's deals count (by identity), so
    coordinate_ascent can pass the pooled training deals straight through.
    """
    members = [(library, MemoEncoder(library.recommender.encoder)) for library in libraries]

    def score(config: RecommenderConfig, deals: Sequence[LabelledDeal]) -> float:
        wanted = {id(deal) for deal in deals}
        values = []
        for library, encoder in members:
            subset = [deal for deal in library.deals if id(deal) in wanted]
            if subset:
                base = library.recommender
                variant = Recommender(base.bundle, encoder, base.taxonomy, config)
                values.append(float(evaluate(variant, subset)["overall"][metric]))
        return sum(values) / len(values) if values else 0.0

    return score


def tune_on_libraries(libraries: Sequence[Library], config: RecommenderConfig) -> Tuned:
    """Fusion, scoring weights, then the type-intent model and its weight, each chosen by the
    mean nDCG@10 over `libraries` only; and product linking's thresholds, by link quality on
    `libraries` only (learn.linking)."""
    objective = library_objective(libraries)
    deals = [deal for library in libraries for deal in library.deals]
    variants = fusion_variants(config.fusion)
    fusions = {name: variants[name] for name in LIBRARY_FUSIONS if name in variants}
    scored = {name: objective(replace(config, fusion=f), deals) for name, f in fusions.items()}
    fusion_name = max(scored, key=lambda name: scored[name])  # ties keep the earlier (shipped)
    # The intent weight is chosen by tune_type_intent, out of library; here it stays off.
    start = replace(config, fusion=fusions[fusion_name], intent=None)
    start = replace(start, weights=replace(config.weights, type_intent=0.0))
    best = coordinate_ascent(objective, start, deals, steps=(0.5, 2.0), rounds=1)
    best, linking_choice = tune_linking(libraries, best)
    best, intent_choice = tune_type_intent(libraries, best)
    return Tuned(
        config=best,
        choice={
            "fusion": fusion_name,
            "fusion_ndcg@10": {name: round(value, 4) for name, value in scored.items()},
            "weights": asdict(best.weights),
            "training_ndcg@10": round(objective(best, deals), 4),
            **linking_choice,
            **intent_choice,
        },
    )


def with_ranker(base: Tuner) -> Tuner:
    """A tuner that runs `base`, then trains the learned ranker over its config on the same
    training libraries only."""

    def tune(libraries: Sequence[Library], config: RecommenderConfig) -> Tuned:
        tuned = base(libraries, config)
        model, choice = train_ranker(libraries, tuned.config)
        return Tuned(replace(tuned.config, ranker=model), {**tuned.choice, "ranker": choice})

    return tune
