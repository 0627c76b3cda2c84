"""Choosing the weight of the question cues (recommend.cues) on labelled libraries only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from enablement.learn.evaluate import evaluate
from enablement.learn.holdout import Tuned
from enablement.learn.intent import tune_type_intent
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender

# Shares of the stage and persona weights tried for the cues; 1 counts a cue as the field.
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)


def tune_question_cues(
    libraries: Sequence[Library], config: RecommenderConfig
) -> tuple[RecommenderConfig, dict[str, Any]]:
    """`config` with the cue share that ranks `libraries` best (mean nDCG@10; ties keep the
    smaller share), and the score of every share tried."""
    scored = {share: _score(libraries, config, share) for share in SHARES}
    share = max(scored, key=lambda s: (scored[s], -s))
    tuned = replace(config, weights=replace(config.weights, question_cues=share))
    table = {str(s): round(v, 4) for s, v in scored.items()}
    return tuned, {"question_cues": share, "question_cues_ndcg@10": table}


def _score(libraries: Sequence[Library], config: RecommenderConfig, share: float) -> float:
    variant = replace(config, weights=replace(config.weights, question_cues=share))
    values = []
    for library in libraries:
        base = library.recommender
        ranker = Recommender(base.bundle, base.encoder, base.taxonomy, variant)
        values.append(float(evaluate(ranker, library.deals)["overall"]["ndcg@10"]))
    return sum(values) / len(values)


def tune_intent_and_cues(libraries: Sequence[Library], config: RecommenderConfig) -> Tuned:
    """A leave-one-library-out tuner that keeps `config`'s fusion and weights and adds the
    type-intent model with its weight, then the cue share, each chosen on `libraries` only."""
    tuned, intent_choice = tune_type_intent(libraries, config)
    tuned, cue_choice = tune_question_cues(libraries, tuned)
    return Tuned(
        tuned,
        {"fusion": "as given", "weights": asdict(tuned.weights), **intent_choice, **cue_choice},
    )
