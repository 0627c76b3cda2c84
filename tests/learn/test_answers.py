"""Fitting the answer model: out-of-library threshold, gates, claim counts and off-topic files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from enablement.errors import InvalidValueError
from enablement.learn.answers import (
    AnswerRows,
    answer_rows,
    choose_threshold,
    fit_answers,
    item_claims,
    load_off_topic,
    question_ceiling,
    question_floors,
    rank_claims,
    train_answers,
)
from enablement.learn.evaluate import evaluate
from enablement.learn.libraries import Library
from enablement.learn.metrics import claim_counts
from enablement.recommend.answers import FEATURES
from enablement.recommend.pipeline import Recommender
from tests.fakes import relevance_answers


def _rows(seed: int, libraries: tuple[str, ...] = ("a", "b", "c"), deals: int = 60) -> AnswerRows:
    """Deals of one question and five ranked assets each; answering assets match better."""
    rng = np.random.default_rng(seed)
    features, labels, items, owners, meanings = [], [], [], [], []
    item = 0
    for library in libraries:
        for _ in range(deals):
            top = rng.uniform(0.3, 0.8)
            meaning = rng.uniform(0.0, 0.5) if rng.random() < 0.3 else 0.0  # of the question
            for rank in range(1, 6):
                answers = rng.random() < (0.9 if rank == 1 else 0.15)
                dense = top - rng.uniform(0.0, 0.05 if answers else 0.3)
                row = dict.fromkeys(FEATURES, 0.0)
                row |= {"dense": dense, "similarity": dense, "top_similarity": top,
                        "gap": dense - top, "relevance": dense / top, "lexical": dense,
                        "reciprocal_rank": 1 / rank, "rank": rank,
                        "vocabulary_share": rng.uniform(0.7, 1.0)}  # fmt: skip
                features.append([row[name] for name in FEATURES])
                meanings.append(meaning)
                labels.append(int(answers))
                items.append(item)
                owners.append(library)
                item += 1
    return AnswerRows(
        np.array(features, np.float32), np.array(labels, np.int32), np.array(items), tuple(owners),
        np.array(meanings, np.float32),
    )  # fmt: skip


def test_the_threshold_is_chosen_held_out_for_precision() -> None:
    rows = _rows(3)
    model, figures = train_answers(rows, encoder="enc", target=0.9)
    assert figures["threshold"] == model.threshold
    assert set(figures["held_out"]) == {"a", "b", "c"}
    pooled = figures["pooled"]
    # The three gates each hold back about a tenth of the questions, answering or not.
    assert pooled["precision"] >= 0.9 and pooled["recall"] > 0.4
    assert pooled["assets"] == len(rows.labels) and pooled["answering"] == int(rows.labels.sum())
    # A lower threshold would have missed the target: the lowest that meets it was chosen.
    best, labels = item_claims(rows, model)
    lower = list(np.arange(0.3, model.threshold - 0.005, 0.01))
    assert all(claim_counts((best >= t).tolist(), (labels == 1).tolist())["claimed"]
               >= pooled["claimed"] for t in lower)  # fmt: skip


def test_rank_claims_count_each_asset_once_by_its_place_in_the_list() -> None:
    # Two deals of two questions: rows come asset by asset, one row per question.
    rank = FEATURES.index("rank")
    features = np.zeros((8, len(FEATURES)), np.float32)
    features[:, rank] = [1, 1, 2, 2, 1, 1, 2, 2]
    labels, items = np.array([1, 1, 0, 0, 0, 0, 1, 1], np.int32), np.array([0, 0, 1, 1, 2, 2, 3, 3])
    rows = AnswerRows(features, labels, items, ("a",) * 8, np.zeros(8, np.float32))
    by_rank = rank_claims(rows, depths=(1, 2))
    assert by_rank["1"] == {"assets": 4, "answering": 2, "claimed": 2, "precision": 0.5,
                            "recall": 0.5}  # fmt: skip
    assert by_rank["2"]["claimed"] == 4 and by_rank["2"]["recall"] == 1.0


def test_the_gates_sit_at_a_low_quantile_of_answerable_questions() -> None:
    rows = _rows(5)
    floors = question_floors(rows, quantile=0.1)
    first = rows.features[:, FEATURES.index("rank")] == 1
    tops = rows.features[first, FEATURES.index("top_similarity")]
    assert np.mean(tops < floors[0]) == pytest.approx(0.1, abs=0.02)
    model = fit_answers(rows, threshold=0.5, encoder="enc")
    assert model.floors == question_floors(rows)
    far = rows.features[:1].copy()
    far[0, FEATURES.index("top_similarity")] = floors[0] - 0.2
    assert model.probability(far)[0] == 0.0
    ceiling = question_ceiling(rows, quantile=0.1)
    assert np.mean(rows.meaning[first] > ceiling) == pytest.approx(0.1, abs=0.02)
    assert model.ceiling == ceiling
    near = rows.features[model.probability(rows.features) > 0.5][:1]
    assert model.probability(near, np.array([ceiling], np.float32))[0] > 0.5
    assert model.probability(near, np.array([ceiling + 0.05], np.float32))[0] == 0.0


def test_one_class_only_is_refused() -> None:
    rows = _rows(1)
    same = replace(rows, labels=np.zeros_like(rows.labels))
    with pytest.raises(ValueError, match="answering and non-answering"):
        fit_answers(same, threshold=0.5, encoder="enc")


def test_choose_threshold_falls_back_to_the_highest_when_nothing_reaches_the_target() -> None:
    best = np.array([0.9, 0.8, 0.7], np.float32)
    assert choose_threshold(best, np.array([0, 0, 1], np.int32), 0.9) == 0.95


def test_claim_counts() -> None:
    counts = claim_counts([True, True, False, False], [True, False, True, False])
    assert counts == {"assets": 4, "answering": 2, "claimed": 2, "precision": 0.5, "recall": 0.5}
    assert claim_counts([False], [False])["precision"] is None


def test_an_off_topic_file_names_its_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "off.jsonl"
    path.write_text('{"id": "1", "question": "pizza?"}\n\n{"id": "2"}\n')
    with pytest.raises(InvalidValueError, match=r"off.jsonl:3") as caught:
        load_off_topic(path)
    assert caught.value.field == "off_topic"
    path.write_text('{"id": "1", "question": "pizza?"}\n')
    assert load_off_topic(path) == ["pizza?"]


def test_evaluate_reports_claims_when_a_model_is_loaded(libraries: list[Library]) -> None:
    library = libraries[0]
    base = library.recommender
    config = replace(base.config, answers=relevance_answers(base.encoder.name))
    recommender = Recommender(base.bundle, base.encoder, base.taxonomy, config)
    result = evaluate(recommender, library.deals)
    claims = result["answers"]
    assert claims["assets"] > 0 and claims["claimed"] > 0
    assert 0 < claims["precision"] <= 1 and 0 < claims["recall"] <= 1
    assert "answers" not in evaluate(base, library.deals)


def test_answer_rows_follow_serving_and_train_out_of_library(libraries: list[Library]) -> None:
    rows = answer_rows(libraries, lambda library: library.recommender.config)
    assert set(rows.libraries) == {library.name for library in libraries}
    assert len(rows.features) == len(rows.labels) == len(rows.items) == len(rows.libraries)
    first = rows.features[:, FEATURES.index("rank")] == 1
    with_questions = sum(1 for lib in libraries for d in lib.deals if d.deal.get("questions"))
    assert first.sum() >= with_questions  # one rank-1 row per question of each such deal
    model, figures = train_answers(rows, encoder="test-hashing-384")
    assert 0.3 <= model.threshold <= 0.95 and set(figures["held_out"]) == set(rows.libraries)
