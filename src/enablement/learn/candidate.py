"""A candidate ranker trained on one library's own outcomes, and how it would do against the live
ranker, estimated offline.

1. Contexts (`learn.outcomes`) are split by their key's hash: most train, a share is held out
   for the offline estimate only. Training contexts are split again to choose the settings.
2. Each context's latest deal is replayed through the linear scorer to get the features of the
   assets its lists showed (the features serving computes, `recommend.features`). An asset's
   label is its mean IPS reward in the context, in half steps (LABEL_SCALE), so LambdaRank's
   gain is linear in the reward.
3. The model is the base ranker (the live learned ranker, else the shipped one) warm-started:
   LightGBM adds trees fitted to this library's labels on top of the base's (a few, at a low
   learning rate: the rows are only the items that were shown). With no base there is no
   candidate: a model started cold on the few items each list showed must still rank the 50
   candidates it never saw labelled, and does so badly (on the sample library, held-out nDCG@10
   0.676 against the linear scorer's 0.800 with the test encoder).
4. Per-asset priors (`recommend.priors`) are fitted on the training contexts' impressions.
   The number of added trees and the priors' weight are chosen on the tuning contexts, by
   nDCG of their shown items under the IPS labels; zero trees and weight zero are among the
   choices, so the candidate may be the base ranker itself.
5. On the held-out contexts, the live ranker and the candidate each re-rank the assets the
   logged lists showed, and `learn.counterfactual` scores both against those lists (naive, IPS
   and SNIPS, with bootstrap intervals over contexts). Re-ranking what was shown, not the whole
   library, keeps every item's reward observed: IPS is then unbiased under the position model,
   with no assumption about assets nobody saw (which SNIPS would have to make), and the live
   ranker is scored on the lists it actually served, diversity and all, not on a replay.

Too few contexts with an action to train or to hold out is reported, and no candidate is made.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.learn.counterfactual import Evaluation, estimate
from enablement.learn.metrics import dcg
from enablement.learn.outcomes import Context, Outcomes
from enablement.learn.priors import fit_priors
from enablement.learn.ranker import BASE_PARAMS
from enablement.learn.replay import MAX_LABEL, Replayed, Replayer
from enablement.recommend.priors import Priors
from enablement.recommend.ranker import LearnedRanker

Floats = npt.NDArray[np.float32]
ROUNDS = (0, 10, 25, 50)  # trees added to the base
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)  # the priors' weight
LEARNING_RATE = 0.03
HOLDOUT = 0.2  # share of contexts held out for the offline estimate
TUNE = 0.25  # share of the training contexts that choose rounds and weight


@dataclass(frozen=True)
class LearnOptions:
    """Limits of one `learn` run: contexts needed (with an action) to train and to hold out,
    and the most recent contexts replayed (each costs one scoring of its deal)."""

    min_train: int = 30
    min_holdout: int = 10
    max_contexts: int = 5000
    resamples: int = 1000
    seed: int = 0


@dataclass(frozen=True)
class Trained:
    """A run's result: the candidate (None when there was too little data, `skipped` says
    why), what it was trained on, the settings chosen, and the offline estimates."""

    candidate: LearnedRanker | None
    trained_on: dict[str, Any]
    offline: dict[str, Any]
    skipped: str | None = None

    def beats_live(self) -> bool:
        """Whether the candidate's IPS lower bound is above the live ranker's IPS estimate on
        the held-out lists: the bar `--auto-promote` asks a candidate to clear."""
        live, candidate = self.offline.get("live"), self.offline.get("candidate")
        if self.candidate is None or not live or not candidate:
            return False
        return bool(candidate["ips"]["low"] > live["ips"]["value"])


def train_candidate(
    outcomes: Outcomes,
    replay: Callable[[Context], Replayed | None],
    *,
    live: LearnedRanker | None,
    base: LearnedRanker | None,
    names: tuple[str, ...],
    encoder: str,
    options: LearnOptions | None = None,
) -> Trained:
    """A candidate over `base` from `outcomes` (see the module docstring); `replay` gives a
    context's candidates and features (`names`, from `encoder`; None when its deal no longer
    resolves), `live` is what serves now (None: the linear scorer)."""
    options = options or LearnOptions()
    train, holdout = split(outcomes, options)
    trained_on: dict[str, Any] = {
        **outcomes.to_dict(),
        "train_contexts": len(train),
        "holdout_contexts": len(holdout),
        "base": base.name if base is not None else None,
    }
    why = _cannot_train(base, len(train), len(holdout), encoder, options)
    if why is not None or base is None:
        return Trained(None, trained_on, {}, skipped=why)
    replayed = _replay_all(replay, train + holdout)
    fit = [replayed[c.key] for c in train if c.key in replayed and _share(c.key, "tune") >= TUNE]
    tune = [replayed[c.key] for c in train if c.key in replayed and _share(c.key, "tune") < TUNE]
    # Priors count every impression but the held-out contexts' (and, to choose their weight,
    # the tuning contexts'): lists without a deal, and contexts without an action, count too.
    held_keys = {c.key for c in holdout}
    tune_keys = held_keys | {r.context.key for r in tune}
    priors_fit = fit_priors(s for key, s in outcomes.shown if key not in tune_keys)
    rounds, weight, table = _choose(fit, tune, base, priors_fit)
    trained_on["chosen"] = {"rounds": rounds, "priors_weight": weight, "tuning_ndcg": table}
    if rounds == 0 and weight == 0:
        why = "nothing learned did better than the base ranker on the tuning contexts"
        return Trained(None, trained_on, {}, skipped=why)
    booster = _warm(base, fit + tune, rounds)
    priors = fit_priors(s for key, s in outcomes.shown if key not in held_keys)
    kept = priors.with_weight(weight) if weight > 0 else None
    candidate = LearnedRanker(booster, names, encoder, base.depth, priors=kept)
    held = [replayed[c.key] for c in holdout if c.key in replayed]
    offline = offline_estimates(outcomes, held, live, candidate, options)
    return Trained(candidate, trained_on, offline)


def _cannot_train(
    base: LearnedRanker | None, train: int, holdout: int, encoder: str, options: LearnOptions
) -> str | None:
    """Why no candidate can be trained (no base ranker, too few contexts), or None."""
    if base is None:
        return (
            "no base ranker: learn warm-starts the live learned ranker, else the shipped one, "
            f"and none loads for the encoder {encoder} (train one with `enablement train-ranker`)"
        )
    if train < options.min_train or holdout < options.min_holdout:
        return (
            f"too little data: {train} training and {holdout} held-out contexts with an "
            f"action, at least {options.min_train} and {options.min_holdout} are needed"
        )
    return None


def _replay_all(
    replay: Callable[[Context], Replayed | None], contexts: Sequence[Context]
) -> dict[str, Replayed]:
    """Each context replayed, by key (a Replayer first encodes all their questions in
    batches); contexts whose deal no longer scores are left out."""
    if isinstance(replay, Replayer):
        replay.prepare(contexts)
    return {c.key: r for c in contexts if (r := replay(c)) is not None}


def split(outcomes: Outcomes, options: LearnOptions) -> tuple[list[Context], list[Context]]:
    """The most recent `max_contexts` contexts with an action, split into training and held-out
    ones by their key's hash (stable: a context is held out in every run)."""
    acted = sorted((c for c in outcomes.contexts.values() if c.acted), key=lambda c: c.last_shown)
    recent = acted[-options.max_contexts :]
    holdout = [c for c in recent if _share(c.key, "holdout") < HOLDOUT]
    train = [c for c in recent if _share(c.key, "holdout") >= HOLDOUT]
    return train, holdout


def _share(key: str, salt: str) -> float:
    """A stable number in [0, 1) for a context and a purpose."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _rows(replayed: Sequence[Replayed]) -> tuple[Floats, npt.NDArray[np.int32], list[int]]:
    blocks, labels, sizes = [], [], []
    for r in replayed:
        rows, grades = r.shown_rows
        if len(rows) >= 2 and grades.max() > 0:
            blocks.append(r.features[rows])
            labels.append(grades)
            sizes.append(len(rows))
    width = replayed[0].features.shape[1] if replayed else 0
    if not blocks:
        return np.zeros((0, width), np.float32), np.zeros(0, np.int32), []
    return np.vstack(blocks), np.concatenate(labels), sizes


def _warm(base: LearnedRanker, replayed: Sequence[Replayed], rounds: int) -> Any:
    """The base's booster with `rounds` trees added on `replayed`'s shown items (the base's
    own when there are none to fit)."""
    import lightgbm

    features, labels, sizes = _rows(replayed)
    if rounds == 0 or not sizes:
        return base.booster
    params = {
        **BASE_PARAMS,
        "num_leaves": 7,
        "learning_rate": LEARNING_RATE,
        "min_data_in_leaf": 10,
        "label_gain": list(range(MAX_LABEL + 1)),
    }
    data = lightgbm.Dataset(features, labels, group=sizes, free_raw_data=False)
    return lightgbm.train(params, data, num_boost_round=rounds, init_model=base.booster)


def _choose(
    fit: Sequence[Replayed], tune: Sequence[Replayed], base: LearnedRanker, priors: Priors
) -> tuple[int, float, dict[str, float]]:
    """The (rounds, weight) with the best IPS-labelled nDCG of the tuning contexts' shown items;
    ties keep the fewer trees and the smaller weight (the base as it is, when nothing helps).
    Each model scores the tuning rows once, in one call; the priors are looked up once."""
    groups = [r for r in tune if _teaches(r)]
    table: dict[str, float] = {}
    best = (-1.0, 0, 0.0)
    if not groups:
        return 0, 0.0, table
    features = np.vstack([r.features[r.shown_rows[0]] for r in groups])
    prior = np.concatenate([_unweighted_priors(r, priors) for r in groups])
    bounds = np.cumsum([0, *(len(r.shown_rows[0]) for r in groups)])
    for rounds in ROUNDS:
        booster = _warm(base, fit, rounds) if fit else base.booster
        learned = np.asarray(booster.predict(features, num_threads=1))
        for weight in WEIGHTS:
            value = _tuning_ndcg(learned + weight * prior, groups, bounds)
            table[f"rounds {rounds}, weight {weight}"] = round(value, 4)
            if value > best[0] + 1e-9:
                best = (value, rounds, weight)
    return best[1], best[2], table


def _teaches(replayed: Replayed) -> bool:
    rows, labels = replayed.shown_rows
    return len(rows) >= 2 and bool(labels.max() > 0)


def _unweighted_priors(replayed: Replayed, priors: Priors) -> npt.NDArray[np.float64]:
    deal = replayed.context.deal
    ids = [replayed.ids[i] for i in replayed.shown_rows[0]]
    fields = {"stage": deal.stage, "vertical": deal.vertical, "persona": deal.persona}
    return priors.with_weight(1.0).of(ids, **fields)


def _tuning_ndcg(
    scores: npt.NDArray[np.float64], groups: Sequence[Replayed], bounds: npt.NDArray[np.int64]
) -> float:
    """Mean nDCG of each group's shown items ordered by `scores` (the groups' rows in order)."""
    values = []
    for i, replayed in enumerate(groups):
        labels = replayed.shown_rows[1]
        order = np.argsort(-scores[bounds[i] : bounds[i + 1]], kind="stable")
        ideal = dcg(sorted(labels.tolist(), reverse=True))
        values.append(dcg(labels[order].tolist()) / ideal)
    return float(np.mean(values))


def offline_estimates(
    outcomes: Outcomes,
    held: Sequence[Replayed],
    live: LearnedRanker | None,
    candidate: LearnedRanker,
    options: LearnOptions,
) -> dict[str, Any]:
    """The live ranker's and the candidate's estimates on the lists of the contexts `held`
    (see step 5 of the module docstring); empty when they have no list."""
    keys = {r.context.key for r in held}
    logs = [log for log in outcomes.logs if log.context in keys]
    if not logs:
        return {}
    k = min(max(len(log.shown) for log in logs), outcomes.propensities.depth)
    rankings = {name: {r.context.key: _ranking(r, ranker) for r in held}
                for name, ranker in (("live", live), ("candidate", candidate))}  # fmt: skip
    results: dict[str, Evaluation] = {
        name: estimate(
            ranking,
            logs,
            outcomes.propensities,
            k=k,
            resamples=options.resamples,
            seed=options.seed,
        )
        for name, ranking in rankings.items()
    }
    out: dict[str, Any] = {}
    for name, evaluation in results.items():
        found = evaluation.to_dict()
        found.pop("propensities")
        out[name] = found
    return out


def _ranking(replayed: Replayed, ranker: LearnedRanker | None) -> list[str]:
    """A ranker's order of the assets the context's lists showed (by the linear scorer when
    None); a shown asset no longer among the candidates goes last, in the order shown."""
    if ranker is None:
        scores = replayed.linear
    else:
        scores = ranker.scores(replayed.features, replayed.ids, replayed.context.deal)
    score = dict(zip(replayed.ids, scores.tolist(), strict=True))
    shown = list(replayed.context.shown)
    return sorted(shown, key=lambda asset: -score.get(asset, -math.inf))
