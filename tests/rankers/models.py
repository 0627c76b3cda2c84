"""Tiny learned rankers for the registry tests: real LightGBM models over the real feature names,
for the fake encoder, each seed a different model (so a different id)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import lightgbm
import numpy as np

from enablement.recommend.features import feature_names
from enablement.recommend.ranker import LearnedRanker, save_ranker
from enablement.taxonomy import load_taxonomy
from tests.fakes import HashingEncoder

ENCODER = HashingEncoder().name


@cache
def names() -> tuple[str, ...]:
    return tuple(feature_names(load_taxonomy().asset_types.ids))


def tiny_ranker(seed: int, *, encoder: str = ENCODER) -> LearnedRanker:
    """A LambdaRank model on synthetic deals where the first feature decides the grade."""
    rng = np.random.default_rng(seed)
    features = rng.random((200, len(names()))).astype(np.float32)
    labels = (features[:, 0] * 3.99).astype(int)
    params = {"objective": "lambdarank", "verbosity": -1, "min_data_in_leaf": 5, "seed": seed}
    data = lightgbm.Dataset(features, labels, group=[20] * 10)
    booster = lightgbm.train(params, data, num_boost_round=5)
    return LearnedRanker(booster, names(), encoder, depth=20)


def save_shipped(folder: Path, seed: int = 0) -> LearnedRanker:
    """A shipped-style ranker in `folder`, with a card like models/ranker's."""
    card = {"trained": {"trained_on": {"lib": 12}, "library_out_ndcg@10": {"x": 0.8}}}
    return save_ranker(tiny_ranker(seed), folder, date="2026-12-01", **card)
