"""The learned ranker: loading with its checks, falling back, and re-ordering the candidates."""

import json
import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import lightgbm
import numpy as np
import pytest

from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import (
    MANIFEST_FILE,
    MODEL_FILE,
    LearnedRanker,
    load_ranker,
    save_ranker,
    scorer_name,
)

AS_OF = date(2026, 6, 1)
NAMES = ("a", "b", "c")


def tiny_model(names: tuple[str, ...] = NAMES) -> LearnedRanker:
    """A LambdaRank model on synthetic deals where only the first feature decides the grade."""
    rng = np.random.default_rng(0)
    features = rng.random((400, len(names))).astype(np.float32)
    labels = (features[:, 0] * 3.99).astype(int)
    params = {"objective": "lambdarank", "verbosity": -1, "min_data_in_leaf": 5, "seed": 1}
    data = lightgbm.Dataset(features, labels, group=[20] * 20, feature_name=list(names))
    booster = lightgbm.train(params, data, num_boost_round=20)
    return LearnedRanker(booster, names, "test-encoder", depth=10)


def test_saved_model_loads_and_scores_like_the_original(tmp_path: Path) -> None:
    model = tiny_model()
    save_ranker(model, tmp_path, date="2026-12-04")
    loaded, note = load_ranker(tmp_path, features=NAMES, encoder="test-encoder")
    assert loaded is not None and loaded.depth == 10
    assert note == f"{loaded.name} from {tmp_path / MODEL_FILE}"
    assert scorer_name(loaded).startswith("lambdarank:") and scorer_name(None) == "linear"
    rows = np.array([[0.9, 0.1, 0.5], [0.1, 0.9, 0.5]], dtype=np.float32)
    assert loaded.predict(rows).tolist() == model.predict(rows).tolist()
    assert loaded.predict(rows)[0] > loaded.predict(rows)[1]  # it learned the signal
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert manifest["features"] == list(NAMES) and manifest["date"] == "2026-12-04"


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda d: (d / MODEL_FILE).unlink(), "could not be read"),
        (lambda d: (d / MANIFEST_FILE).unlink(), "could not be read"),
        (lambda d: (d / MANIFEST_FILE).write_text("{not json"), "could not be read"),
        (lambda d: (d / MODEL_FILE).write_text("tree\nnonsense"), "does not match the sha256"),
        (lambda d: (d / MODEL_FILE).write_bytes(b"\xff\xfe\x00"), "does not match the sha256"),
    ],
)
def test_a_damaged_model_is_named_and_left_off(
    tmp_path: Path, damage: object, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    save_ranker(tiny_model(), tmp_path)
    damage(tmp_path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        model, note = load_ranker(tmp_path, features=NAMES, encoder="test-encoder")
    assert model is None
    assert why in note and "the linear scorer serves" in note
    assert str(tmp_path) in note and note in caplog.text


def test_a_corrupt_model_with_a_matching_hash_is_left_off(tmp_path: Path) -> None:
    save_ranker(tiny_model(), tmp_path)
    (tmp_path / MODEL_FILE).write_text("not a lightgbm model at all")
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    import hashlib

    manifest["sha256"] = hashlib.sha256((tmp_path / MODEL_FILE).read_bytes()).hexdigest()
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(manifest))
    model, note = load_ranker(tmp_path, features=NAMES, encoder="test-encoder")
    assert model is None and "could not be read" in note


def test_a_model_built_for_other_features_is_left_off(tmp_path: Path) -> None:
    save_ranker(tiny_model(), tmp_path)
    model, note = load_ranker(tmp_path, features=("a", "b", "d"), encoder="test-encoder")
    assert model is None and "was built for other features" in note
    model, note = load_ranker(tmp_path, features=(*NAMES, "e"), encoder="test-encoder")
    assert model is None and "other features" in note
    model, note = load_ranker(tmp_path, features=NAMES, encoder="another-model")
    assert model is None and "was built for test-encoder, not another-model" in note


class Reverse:
    """A booster that prefers the linear scorer's last candidate: shows who decides the order."""

    def predict(self, matrix: np.ndarray, num_threads: int = 0) -> np.ndarray:
        return np.arange(len(matrix), dtype=np.float64)

    def num_feature(self) -> int:
        return 0


def test_the_ranker_reorders_the_linear_scorers_best(recommender: Recommender) -> None:
    deal = Deal(vertical="healthcare", questions=("do you sign a BAA?",), as_of=AS_OF, k=10)
    names = recommender.feature_names
    linear = recommender.score(deal).candidates.tolist()
    assert len(linear) > 4
    ranker = LearnedRanker(Reverse(), names, "fake", depth=4)
    learned = Recommender(
        recommender.bundle, recommender.encoder, recommender.taxonomy,
        replace(recommender.config, ranker=ranker),
    )  # fmt: skip
    order, scores = learned._order(learned.score(deal))
    assert order[:4] == linear[:4][::-1]  # the head re-ordered by the model
    assert order[4:] == linear[4:]  # the rest keep the linear order, after it
    assert scores[order[3]] > scores[order[4]]  # the shown score follows the order
    items = learned.recommend(deal).items
    assert items and all(item.reasons for item in items)


def test_recommend_without_a_ranker_is_the_linear_order(recommender: Recommender) -> None:
    deal = Deal(vertical="healthcare", as_of=AS_OF, k=10)
    order, scores = recommender._order(recommender.score(deal))
    assert scores.tolist() == recommender.score(deal).scores.tolist()
    assert order == recommender.score(deal).candidates.tolist()


class Favour:
    """A booster that scores one asset far above the rest."""

    def __init__(self, row: int, head: list[int]) -> None:
        self.position = head.index(row)

    def predict(self, matrix: np.ndarray, num_threads: int = 0) -> np.ndarray:
        out = np.zeros(len(matrix))
        out[self.position] = 10.0
        return out


def test_another_competitors_material_never_outranks_the_rest(recommender: Recommender) -> None:
    def favouring(deal: Deal) -> tuple[list[int], np.ndarray, int, int]:
        scored = recommender.score(deal)
        head = scored.candidates[:50].tolist()
        rival = next(r for r in head if "brightwell" in recommender.bundle.assets[r].id)
        ranker = LearnedRanker(Favour(rival, head), recommender.feature_names, "fake", depth=50)
        config = replace(recommender.config, ranker=ranker)
        learned = Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)
        order, scores = learned._order(scored)
        return order, scores, rival, len(head)

    deal = Deal(competitor="oxley", questions=("how do you compare?",), as_of=AS_OF, k=10)
    order, scores, rival, size = favouring(deal)
    assert order.index(rival) == size - 1  # the model's favourite, last of the head
    assert scores[rival] < min(scores[r] for r in order[:size] if r != rival)
    order, _, rival, _ = favouring(replace(deal, competitor=None))
    assert order[0] == rival  # with no competitor on the deal, nothing is demoted


class Flat:
    """A booster that scores every row alike: the order is the priors' alone."""

    def predict(self, matrix: np.ndarray, num_threads: int = 0) -> np.ndarray:
        return np.zeros(len(matrix))


def test_priors_reorder_the_head_for_the_deals_fields(recommender: Recommender) -> None:
    from enablement.recommend.priors import Priors, cell

    deal = Deal(vertical="healthcare", stage="discovery", as_of=AS_OF, k=10)
    head = recommender.score(deal).candidates.tolist()[:4]
    ids = [recommender.bundle.assets[row].id for row in head]
    # The fourth asset is favoured in discovery only, the third overall a little
    cells = {"asset": {ids[2]: 0.5}, "stage": {cell(ids[3], "discovery"): 1.0}}
    ranker = LearnedRanker(Flat(), recommender.feature_names, "fake", depth=4,
                           priors=Priors(cells))  # fmt: skip
    learned = Recommender(
        recommender.bundle, recommender.encoder, recommender.taxonomy,
        replace(recommender.config, ranker=ranker),
    )  # fmt: skip
    order, _ = learned._order(learned.score(deal))
    assert order[:2] == [head[3], head[2]]
    rows = np.zeros((2, len(recommender.feature_names)), dtype=np.float32)
    later = replace(deal, stage="proposal")
    assert ranker.scores(rows, ids[2:4], later).tolist() == [0.5, 0.0]  # discovery's cell off


def test_priors_are_saved_beside_the_model_and_change_its_name(tmp_path: Path) -> None:
    from enablement.recommend.priors import Priors
    from enablement.recommend.ranker import PRIORS_FILE, read_ranker

    plain = save_ranker(tiny_model(), tmp_path / "plain")
    with_priors = save_ranker(
        replace(tiny_model(), priors=Priors({"asset": {"x": 0.3}}, weight=0.5)), tmp_path / "p"
    )
    assert with_priors.name != plain.name
    loaded = read_ranker(tmp_path / "p", features=NAMES, encoder="test-encoder")
    assert loaded.name == with_priors.name and loaded.priors is not None
    assert loaded.priors.to_dict() == with_priors.priors.to_dict()  # type: ignore[union-attr]
    (tmp_path / "p" / PRIORS_FILE).write_text('{"cells": {}}')
    missing, note = load_ranker(tmp_path / "p", features=NAMES, encoder="test-encoder")
    assert missing is None and PRIORS_FILE in note and "sha256" in note
