"""The candidate `learn` trains, on synthetic outcomes with a known truth: an asset reps and
buyers use whatever its place, one they ignore, and a live ranker that shows the ignored one
first. A fake replay stands in for the recommender (features that carry no signal), so what the
candidate learns comes from the outcomes alone."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache

import lightgbm
import numpy as np
import pytest

from enablement.learn.candidate import (
    LearnOptions,
    Trained,
    offline_estimates,
    split,
    train_candidate,
)
from enablement.learn.outcomes import Context, Outcomes, outcomes
from enablement.learn.replay import Replayed
from enablement.recommend.context import Deal
from enablement.recommend.priors import Priors
from enablement.recommend.ranker import LearnedRanker

T0 = datetime(2026, 10, 1, tzinfo=UTC)
ASSETS = ["ignored", "used", "other", "spare"]
NAMES = ("f0", "f1", "f2")
APPEAL = {"ignored": 0.05, "used": 0.8, "other": 0.3, "spare": 0.2}


@dataclass(frozen=True)
class Row:
    recommendation_id: str
    asset_id: str
    position: int
    step: int
    deal_id: str
    stage: str | None = "discovery"
    vertical: str | None = None
    persona: str | None = None
    rating: int | None = None
    outcome: str | None = None
    shown_at: datetime = T0


def _history(contexts: int, lists_per_context: int, seed: int) -> Outcomes:
    """Lists showing ignored, used, other (live order), a third of them with a pair swapped;
    each item acted on with probability (1/position) times its appeal."""
    rng = random.Random(seed)
    rows: list[Row] = []
    swaps: dict[str, int | None] = {}
    deals: dict[str, Deal] = {}
    for c in range(contexts):
        deal = Deal(deal_id=f"d{c}", stage="discovery", questions=(f"question {c}",))
        for n in range(lists_per_context):
            rec = f"r{c}-{n}"
            shown = ["ignored", "used", "other"]
            swap = rng.choice([1, 2]) if rng.random() < 0.33 else None
            if swap is not None:
                shown[swap - 1], shown[swap] = shown[swap], shown[swap - 1]
            at = T0 + timedelta(hours=c * 10 + n)
            for p, asset in enumerate(shown, start=1):
                acted = rng.random() < APPEAL[asset] / p
                rows.append(Row(rec, asset, p, 2 if acted else 0, f"d{c}", shown_at=at))
            swaps[rec], deals[rec] = swap, deal
    return outcomes(rows, swaps=swaps, deals=deals)


def _replay(context: Context) -> Replayed:
    rng = np.random.default_rng(abs(hash(context.key)) % 2**32)
    features = rng.normal(size=(len(ASSETS), len(NAMES))).astype(np.float32)
    live_order = np.array([4.0, 3.0, 2.0, 1.0], dtype=np.float32)  # ignored first
    return Replayed(context, list(ASSETS), features, live_order)


@cache
def _base() -> LearnedRanker:
    """A base model whose scores carry no signal (random features, random grades)."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, len(NAMES))).astype(np.float32)
    params = {"objective": "lambdarank", "verbosity": -1, "min_data_in_leaf": 5, "seed": 0}
    data = lightgbm.Dataset(features, rng.integers(0, 4, 400), group=[4] * 100)
    return LearnedRanker(lightgbm.train(params, data, num_boost_round=5), NAMES, "fake", depth=4)


def _train(found: Outcomes, **options: int) -> Trained:
    return train_candidate(
        found, _replay, live=None, base=_base(), names=NAMES, encoder="fake",
        options=LearnOptions(resamples=200, **options),
    )  # fmt: skip


@pytest.fixture(scope="module")
def history() -> Outcomes:
    return _history(contexts=160, lists_per_context=6, seed=3)


def test_the_candidate_learns_to_put_the_used_asset_first(history: Outcomes) -> None:
    trained = _train(history)
    assert trained.candidate is not None and trained.skipped is None
    assert trained.candidate.priors is not None and trained.candidate.priors.weight > 0
    _, held = split(history, LearnOptions())
    deal = held[0].deal
    scores = trained.candidate.scores(_replay(held[0]).features, ASSETS, deal)
    assert ASSETS[int(np.argmax(scores))] == "used"
    chosen = trained.trained_on["chosen"]
    assert chosen["priors_weight"] > 0 and chosen["tuning_ndcg"]


def test_offline_the_candidate_beats_the_live_order_and_clears_the_bar(history: Outcomes) -> None:
    trained = _train(history)
    live, candidate = trained.offline["live"], trained.offline["candidate"]
    assert candidate["ips"]["value"] > live["ips"]["value"]
    assert candidate["coverage"] == live["coverage"] == 1.0  # both re-rank what was shown
    assert trained.beats_live()


def test_a_deliberately_worse_candidate_never_clears_the_bar() -> None:
    # Priors turned against what was used: it puts the used asset last. Over 20 histories.
    cleared = 0
    for seed in range(20):
        found = _history(contexts=80, lists_per_context=4, seed=100 + seed)
        trained = _train(found)
        assert trained.candidate is not None and trained.candidate.priors is not None
        priors = trained.candidate.priors
        flipped = {k: {a: -v for a, v in cells.items()} for k, cells in priors.cells.items()}
        bad = replace(trained.candidate, priors=Priors(flipped, weight=2.0))
        _, held = split(found, LearnOptions())
        offline = offline_estimates(
            found, [_replay(c) for c in held], None, bad, LearnOptions(resamples=200)
        )
        cleared += Trained(bad, {}, offline).beats_live()
        assert offline["candidate"]["ips"]["value"] < offline["live"]["ips"]["value"]
    assert cleared == 0


def test_too_little_data_is_reported_and_no_candidate_is_made() -> None:
    found = _history(contexts=12, lists_per_context=3, seed=1)
    trained = _train(found)
    assert trained.candidate is None and not trained.beats_live()
    assert trained.skipped is not None and trained.skipped.startswith("too little data")
    assert "at least 30" in trained.skipped and trained.offline == {}


def test_without_a_base_ranker_nothing_is_trained(history: Outcomes) -> None:
    trained = train_candidate(
        history, _replay, live=None, base=None, names=NAMES, encoder="fake",
        options=LearnOptions(resamples=200),
    )  # fmt: skip
    assert trained.candidate is None and trained.skipped is not None
    assert trained.skipped.startswith("no base ranker") and "fake" in trained.skipped


def test_held_out_contexts_are_stable_and_never_trained_on(history: Outcomes) -> None:
    train, held = split(history, LearnOptions())
    _, again_held = split(history, LearnOptions())
    assert [c.key for c in held] == [c.key for c in again_held] and held
    assert not {c.key for c in train} & {c.key for c in held}
    assert len(train) + len(held) == sum(c.acted for c in history.contexts.values())
    recent = split(history, LearnOptions(max_contexts=50))
    assert len(recent[0]) + len(recent[1]) == 50
