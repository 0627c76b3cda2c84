"""Choosing the question-cue share on training libraries only."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from enablement.learn import cues as learn_cues
from enablement.learn.holdout import leave_one_library_out
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig


def test_the_share_is_one_tried_and_ties_keep_the_smaller(
    libraries: list[Library], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, choice = learn_cues.tune_question_cues(libraries, RecommenderConfig())
    assert set(choice["question_cues_ndcg@10"]) == {str(s) for s in learn_cues.SHARES}
    assert config.weights.question_cues == choice["question_cues"] in learn_cues.SHARES

    flat = {0.0: 0.5, 0.25: 0.7, 0.5: 0.7, 0.75: 0.6, 1.0: 0.7}
    monkeypatch.setattr(learn_cues, "_score", lambda libs, cfg, share: flat[share])
    config, choice = learn_cues.tune_question_cues(libraries, RecommenderConfig())
    assert choice["question_cues"] == 0.25 and config.weights.question_cues == 0.25


def test_a_held_out_library_never_scores_a_share(
    libraries: list[Library], monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[set[str]] = []
    real = learn_cues._score

    def spy(libs: Sequence[Library], config: RecommenderConfig, share: float) -> float:
        scored.append({lib.name for lib in libs})
        return real(libs, config, share)

    monkeypatch.setattr(learn_cues, "_score", spy)
    result = leave_one_library_out(
        libraries, config=RecommenderConfig(), tuner=learn_cues.tune_intent_and_cues
    )
    per_fold = len(learn_cues.SHARES)
    assert len(scored) == 3 * per_fold
    for fold, name in enumerate(result["held_out"]):
        for names in scored[fold * per_fold : (fold + 1) * per_fold]:
            assert name not in names and len(names) == 2
        assert "question_cues" in result["held_out"][name]["choice"]
