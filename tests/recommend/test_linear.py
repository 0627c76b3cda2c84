"""The linear scorer's candidate list: the best CANDIDATES, best first, ties in row order."""

from datetime import date

import numpy as np
import pytest

from enablement.recommend import linear
from enablement.recommend.context import Deal
from enablement.recommend.linear import best_first
from enablement.recommend.pipeline import Recommender


def _sorted(rows: np.ndarray, scores: np.ndarray) -> list[int]:
    return rows[np.argsort(-scores[rows], kind="stable")].tolist()


@pytest.mark.parametrize("keep", [1, 7, 50, 400, 10_000])
def test_best_first_is_the_head_of_the_full_sort(keep: int) -> None:
    rng = np.random.default_rng(keep)
    scores = rng.random(5000).astype(np.float32)
    rows = np.flatnonzero(rng.random(5000) < 0.5)
    assert best_first(rows, scores, keep).tolist() == _sorted(rows, scores)[:keep]


def test_ties_keep_row_order_and_nothing_is_kept_twice() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.9, 0.1, 0.5], dtype=np.float32)
    rows = np.arange(6)
    assert best_first(rows, scores, 10).tolist() == [1, 3, 0, 2, 5, 4]
    head = best_first(rows, scores, 3).tolist()
    assert head[:2] == [1, 3] and head[2] in (0, 2, 5)  # any of the tied third ones
    assert best_first(rows[:0], scores, 3).tolist() == []


def test_a_deal_keeps_the_best_candidates_and_ranks_the_same(
    recommender: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = Deal(
        stage="discovery", vertical="healthcare", questions=("how are approvals routed?",),
        as_of=date(2026, 6, 1), k=3,
    )  # fmt: skip
    everything = recommender.score(deal)
    full = [item.asset.id for item in recommender.recommend(deal).items]
    assert len(everything.candidates) > 6
    monkeypatch.setattr(linear, "CANDIDATES", 6)
    scored = recommender.score(deal)
    assert scored.candidates.tolist() == everything.candidates[:6].tolist()
    assert [item.asset.id for item in recommender.rank(scored).items] == full


def test_any_positive_is_a_row_maximum_above_zero() -> None:
    fits = np.random.default_rng(3).random((1000, 5)).astype(np.float32) - 0.9
    assert linear.any_positive(fits).tolist() == (fits.max(axis=1) > 0).tolist()
    assert linear.any_positive(fits).any() and not linear.any_positive(fits).all()
