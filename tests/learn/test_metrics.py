import math

import pytest

from enablement.learn.metrics import mean_scores, ndcg, recall, reciprocal_rank, score_ranking


def test_ndcg_perfect_and_reversed() -> None:
    relevant = {"a": 3, "b": 2, "c": 1}
    assert ndcg(["a", "b", "c"], relevant, 10) == pytest.approx(1.0)
    worse = ndcg(["c", "b", "a"], relevant, 10)
    ideal = 3 + 2 / math.log2(3) + 1 / 2
    assert worse == pytest.approx((1 + 2 / math.log2(3) + 3 / 2) / ideal)


def test_ndcg_cut_and_missing() -> None:
    assert ndcg(["x", "y"], {"a": 1}, 10) == 0.0
    assert ndcg(["x", "a"], {"a": 1}, 1) == 0.0
    assert ndcg([], {}, 10) == 0.0


def test_recall_and_mrr() -> None:
    relevant = {"a": 1, "b": 2}
    assert recall(["x", "a"], relevant, 10) == 0.5
    assert reciprocal_rank(["x", "y", "b"], relevant) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], relevant) == 0.0


def test_mean_scores() -> None:
    rows = [score_ranking(["a"], {"a": 1}), score_ranking(["x"], {"a": 1})]
    assert mean_scores(rows) == {"ndcg@5": 0.5, "ndcg@10": 0.5, "recall@10": 0.5, "mrr": 0.5}
