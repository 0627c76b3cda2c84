"""Tuning helpers: memoised query encoding, fusion sweeps and weight search."""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from enablement.learn.evaluate import LabelledDeal
from enablement.learn.tune import MemoEncoder, coordinate_ascent, cross_validated
from enablement.recommend.config import RecommenderConfig
from tests.fakes import HashingEncoder


def test_memo_encoder_encodes_each_query_once() -> None:
    inner = HashingEncoder()
    memo = MemoEncoder(inner)
    first = memo.encode_queries(["a b", "c d"])
    second = memo.encode_queries(["c d", "a b", "e"])
    assert inner.calls == [2, 1]
    np.testing.assert_array_equal(first[0], second[1])


def test_coordinate_ascent_keeps_only_improvements() -> None:
    deals = [LabelledDeal("x", {}, {})]

    def objective(config: RecommenderConfig, _: Sequence[LabelledDeal]) -> float:
        return -abs(config.weights.stage - 0.6)  # best when the stage weight is 0.6

    start = replace(RecommenderConfig(), weights=replace(RecommenderConfig().weights, stage=0.15))
    tuned = coordinate_ascent(objective, start, deals, steps=(2.0,), rounds=3)
    assert tuned.weights.stage == 0.6
    assert tuned.weights.vertical == start.weights.vertical


def test_cross_validation_reports_held_out_scores() -> None:
    deals = [LabelledDeal(str(i), {}, {}) for i in range(4)]

    def objective(config: RecommenderConfig, subset: Sequence[LabelledDeal]) -> float:
        return config.weights.text * len(subset)

    result = cross_validated(objective, RecommenderConfig(), deals, folds=2)
    assert len(result["folds"]) == 2
    assert result["mean_after"] >= result["mean_before"]
