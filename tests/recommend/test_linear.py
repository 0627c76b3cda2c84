"""The linear scorer's candidate list: the best CANDIDATES (index.dense.best_first), best first."""

from datetime import date

import numpy as np
import pytest

from enablement.recommend import linear
from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender


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
