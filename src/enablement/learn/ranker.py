"""Training the learned ranker (LightGBM LambdaRank) on labelled libraries.

A training row is one candidate of one labelled deal: the linear scorer's best `depth` eligible
assets, with the features serving computes (recommend/features.py) and the deal's grade as the
label. Settings (rounds, leaves) are chosen library-out: with two or more libraries, each is
scored by a model trained on the others and the best mean nDCG@10 wins; the model is then fitted
on all of them. Type-intent features are computed out of library too (each library's rows with
an intent model trained on the other libraries), so the ranker never learns to trust an
in-sample probability it will not get on a new library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.learn.evaluate import LabelledDeal, eval_deal
from enablement.learn.intent import train_intent
from enablement.learn.libraries import Library
from enablement.learn.metrics import dcg
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import DEFAULT_DEPTH, LearnedRanker

Floats = npt.NDArray[np.float32]
# Small on purpose: a few hundred deals per library, and the model must transfer.
GRID: tuple[dict[str, Any], ...] = tuple(
    {"num_leaves": leaves, "rounds": rounds} for leaves in (7, 15) for rounds in (50, 100, 200)
)
BASE_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    "learning_rate": 0.05,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "lambdarank_truncation_level": 20,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "seed": 7,
    "verbosity": -1,
}


@dataclass(frozen=True)
class RankingExamples:
    """Rows grouped by deal: features, graded labels, and which library each deal is from."""

    features: Floats
    labels: npt.NDArray[np.int32]
    sizes: list[int]  # rows per deal, in order
    libraries: list[str]  # per deal
    names: tuple[str, ...]

    def subset(self, keep: Sequence[str]) -> RankingExamples:
        """The deals of the libraries in `keep`."""
        starts = np.cumsum([0, *self.sizes])
        chosen = [i for i, lib in enumerate(self.libraries) if lib in keep]
        rows = np.concatenate(
            [np.arange(starts[i], starts[i + 1]) for i in chosen] or [np.zeros(0, np.int64)]
        )
        return RankingExamples(
            self.features[rows],
            self.labels[rows],
            [self.sizes[i] for i in chosen],
            [self.libraries[i] for i in chosen],
            self.names,
        )


def ranking_examples(
    libraries: Sequence[Library], config: RecommenderConfig, *, depth: int = DEFAULT_DEPTH
) -> RankingExamples:
    """Training rows from `libraries` only, ranked by `config`'s linear scorer (no ranker).

    A deal none of whose labelled assets reaches the candidates teaches nothing and is left out.
    """
    blocks: list[Floats] = []
    labels: list[npt.NDArray[np.int32]] = []
    sizes: list[int] = []
    owners: list[str] = []
    names: tuple[str, ...] = ()
    for library in libraries:
        recommender = _recommender(library, _out_of_library(library, libraries, config))
        names = recommender.feature_names
        for labelled in library.deals:
            features, grades = _deal_rows(recommender, labelled, depth)
            if len(grades) and grades.max() > 0:
                blocks.append(features)
                labels.append(grades)
                sizes.append(len(grades))
                owners.append(library.name)
    width = len(names)
    return RankingExamples(
        np.vstack(blocks) if blocks else np.zeros((0, width), np.float32),
        np.concatenate(labels) if labels else np.zeros(0, np.int32),
        sizes,
        owners,
        names,
    )


def _out_of_library(
    library: Library, libraries: Sequence[Library], config: RecommenderConfig
) -> RecommenderConfig:
    """`config` with the type-intent model retrained without `library`, so its rows see the
    probabilities a library the model never saw gets. With no other library, `config`'s model
    stands (a company's own catalog, which the shipped model was not trained on)."""
    others = [other for other in libraries if other is not library]
    if config.intent is None or not config.weights.type_intent or not others:
        return config
    return replace(config, intent=train_intent(others)[0])


def _recommender(library: Library, config: RecommenderConfig) -> Recommender:
    base = library.recommender
    return Recommender(base.bundle, base.encoder, base.taxonomy, replace(config, ranker=None))


def _deal_rows(
    recommender: Recommender, labelled: LabelledDeal, depth: int
) -> tuple[Floats, npt.NDArray[np.int32]]:
    scored = recommender.score(eval_deal(labelled, recommender))
    rows = scored.candidates[:depth]
    assets = recommender.bundle.assets
    grades = np.array([labelled.relevant.get(assets[r].id, 0) for r in rows], dtype=np.int32)
    return recommender.features(scored, rows), grades


def fit_ranker(
    examples: RankingExamples,
    params: dict[str, Any],
    *,
    encoder: str = "",
    depth: int = DEFAULT_DEPTH,
) -> LearnedRanker:
    """A LambdaRank model on all `examples` with `params` (num_leaves, rounds)."""
    import lightgbm

    settings = {**BASE_PARAMS, "num_leaves": params["num_leaves"]}
    data = lightgbm.Dataset(
        examples.features, examples.labels, group=examples.sizes,
        feature_name=list(examples.names), free_raw_data=False,
    )  # fmt: skip
    booster = lightgbm.train(settings, data, num_boost_round=int(params["rounds"]))
    return LearnedRanker(booster, examples.names, encoder, depth)


def choose_params(examples: RankingExamples) -> tuple[dict[str, Any], dict[str, float]]:
    """The GRID entry with the best mean nDCG@10 over libraries, each scored by a model trained
    on the other libraries; the first entry when there is one library."""
    names = sorted(set(examples.libraries))
    if len(names) < 2:
        return GRID[0], {}
    scores: dict[str, float] = {}
    for params in GRID:
        values = []
        for held in names:
            train = examples.subset([n for n in names if n != held])
            test = examples.subset([held])
            model = fit_ranker(train, params)
            values.append(_ndcg_at_10(model, test))
        scores[_key(params)] = round(float(np.mean(values)), 4)
    best = max(GRID, key=lambda p: scores[_key(p)])  # ties keep the earlier, smaller model
    return best, scores


def train_ranker(
    libraries: Sequence[Library],
    config: RecommenderConfig,
    *,
    depth: int = DEFAULT_DEPTH,
    encoder: str | None = None,
) -> tuple[LearnedRanker | None, dict[str, Any]]:
    """A ranker trained on `libraries` only, over `config`'s linear scorer; None without rows.
    `encoder` names the encoder it will serve with (by default the libraries' own)."""
    examples = ranking_examples(libraries, config, depth=depth)
    if not examples.sizes:
        return None, {"skipped": "no labelled deal has a relevant asset among the candidates"}
    params, table = choose_params(examples)
    encoder = encoder or libraries[0].recommender.encoder.name
    model = fit_ranker(examples, params, encoder=encoder, depth=depth)
    choice = {
        "params": params,
        "library_out_ndcg@10": table,
        "deals": len(examples.sizes),
        "rows": len(examples.labels),
    }
    return model, choice


def _ndcg_at_10(model: LearnedRanker, examples: RankingExamples) -> float:
    """Mean nDCG@10 of re-ordering each deal's candidates (no diversity step): a proxy used only
    to choose settings."""
    scores = model.predict(examples.features)
    out, start = [], 0
    for size in examples.sizes:
        labels = examples.labels[start : start + size]
        order = np.argsort(-scores[start : start + size], kind="stable")[:10]
        ideal = np.sort(labels)[::-1][:10]
        out.append(dcg(_gains(labels[order])) / max(dcg(_gains(ideal)), 1e-9))
        start += size
    return float(np.mean(out)) if out else 0.0


def _gains(grades: npt.NDArray[np.int32]) -> list[float]:
    """LambdaRank's own exponential gains (2^grade - 1), which it optimises."""
    return [float(2.0**grade - 1.0) for grade in grades.tolist()]


def _key(params: dict[str, Any]) -> str:
    return f"leaves {params['num_leaves']}, rounds {params['rounds']}"
