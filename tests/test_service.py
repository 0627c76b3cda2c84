"""The service's serving config: the shipped type-intent model is loaded, checked, or left off."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import Actor
from enablement.db import tables
from enablement.evaluation import Evaluation
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.intent import CUES, MODEL_FILE, TypeIntent, save_intent
from enablement.recommend.scoring import ScoringWeights
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.fakes import HashingEncoder
from tests.index.library import build_small_library

ON = RecommenderConfig(weights=ScoringWeights(type_intent=0.3))


def service(tmp_path: Path, config: RecommenderConfig = ON) -> EnablementService:
    settings = Settings(data_dir=tmp_path / "data", intent_path=tmp_path / "intent")
    return EnablementService(settings, encoder=HashingEncoder(), config=config)


def saved(tmp_path: Path, encoder: str = "test-hashing-384") -> None:
    coef = np.zeros((2, 384 + len(CUES)), dtype=np.float32)
    model = TypeIntent(("case_study", "faq"), coef, np.zeros(2, np.float32), 1.0, encoder, 384)
    save_intent(model, tmp_path / "intent")


def test_the_checked_model_serves_when_its_weight_is_on(tmp_path: Path) -> None:
    saved(tmp_path)
    config = service(tmp_path).serving_config
    assert config.intent is not None and config.intent.classes == ("case_study", "faq")
    assert config.weights.type_intent == 0.3


def test_weight_zero_loads_nothing(tmp_path: Path) -> None:
    saved(tmp_path)
    off = RecommenderConfig(weights=ScoringWeights(type_intent=0.0))
    assert service(tmp_path, off).serving_config.intent is None


@pytest.mark.parametrize("damage", ["missing", "tampered", "other encoder"])
def test_a_bad_model_is_named_and_the_feature_is_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    if damage != "missing":
        saved(
            tmp_path, encoder="another-model" if damage == "other encoder" else "test-hashing-384"
        )
    if damage == "tampered":
        (tmp_path / "intent" / MODEL_FILE).write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING):
        config = service(tmp_path).serving_config
    assert config.intent is None
    assert str(tmp_path / "intent") in caplog.text


def test_evaluating_libraries_never_uses_the_shipped_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enablement import evaluation as evaluation_module
    from tests.learn.tiny_libraries import write_libraries

    saved(tmp_path)
    svc = service(tmp_path)
    given: list[RecommenderConfig] = []
    real = evaluation_module.leave_one_library_out

    def spy(libraries: Any, *, config: RecommenderConfig, **options: Any) -> dict[str, Any]:
        given.append(config)
        return real(libraries, config=config, **options)

    monkeypatch.setattr(evaluation_module, "leave_one_library_out", spy)
    try:
        assert svc.serving_config.intent is not None  # the shipped model is there to leak
        svc.config = svc.serving_config
        result = Evaluation(svc).evaluate_libraries(write_libraries(tmp_path / "libs"))
    finally:
        svc.close()
    assert [config.intent for config in given] == [None]
    # each fold trained its own model on its training libraries
    for row in result["held_out"].values():
        assert row["choice"]["intent_model"]["examples"] >= 2


def ranker_service(tmp_path: Path, **settings: Any) -> EnablementService:
    options: dict[str, Any] = {"data_dir": tmp_path / "data", "ranker_path": tmp_path / "ranker"}
    return EnablementService(Settings(**{**options, **settings}), encoder=HashingEncoder())


def save_tiny_ranker(tmp_path: Path, encoder: str = "test-hashing-384") -> None:
    import lightgbm

    from enablement.recommend.features import feature_names
    from enablement.recommend.ranker import LearnedRanker, save_ranker
    from enablement.taxonomy import load_taxonomy

    names = feature_names(load_taxonomy().asset_types.ids)
    rng = np.random.default_rng(0)
    features = rng.random((200, len(names))).astype(np.float32)
    data = lightgbm.Dataset(features, (features[:, 0] * 3).astype(int), group=[20] * 10)
    params = {"objective": "lambdarank", "verbosity": -1, "min_data_in_leaf": 5}
    booster = lightgbm.train(params, data, num_boost_round=5)
    model = LearnedRanker(booster, names, encoder)
    save_ranker(model, tmp_path / "ranker")


def test_the_checked_ranker_serves_and_says_so(tmp_path: Path) -> None:
    save_tiny_ranker(tmp_path)
    svc = ranker_service(tmp_path)
    try:
        assert svc.serving_config.ranker is not None
        assert svc.scorer["scorer"].startswith("lambdarank:")
        assert str(tmp_path / "ranker") in svc.scorer["scorer_note"]
    finally:
        svc.close()
    linear = ranker_service(tmp_path, scorer="linear")
    try:
        assert linear.serving_config.ranker is None
        assert linear.scorer["scorer"] == "linear"
        assert linear.scorer["scorer_note"] == (
            "the linear scorer, as configured (ENABLEMENT_SCORER=linear)"
        )
    finally:
        linear.close()


@pytest.mark.parametrize("damage", ["missing", "tampered", "other encoder"])
def test_a_bad_ranker_is_named_and_the_linear_scorer_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    from enablement.recommend.ranker import MODEL_FILE as RANKER_FILE

    if damage != "missing":
        save_tiny_ranker(
            tmp_path, "another-model" if damage == "other encoder" else "test-hashing-384"
        )
    if damage == "tampered":
        with (tmp_path / "ranker" / RANKER_FILE).open("a") as handle:
            handle.write("\n")
    svc = ranker_service(tmp_path)
    try:
        with caplog.at_level(logging.WARNING):
            assert svc.serving_config.ranker is None
        assert svc.scorer["scorer"] == "linear"
        assert str(tmp_path / "ranker") in svc.scorer["scorer_note"]
        assert "the linear scorer serves" in caplog.text
    finally:
        svc.close()


def test_removed_assets_leave_the_next_index_and_keep_their_events(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    build_small_library(tmp_path, build_options)
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalog.db'}")
    svc = EnablementService(settings, encoder=HashingEncoder())
    deal = {"stage": "evaluation", "competitor": "oxley"}
    assert svc.recommend(deal).items[0].asset.id == "battlecard-oxley"
    event = {
        "type": "opened",
        "asset_id": "battlecard-oxley",
        "deal_id": "d1",
        "idempotency_key": "k1",
    }
    svc.usage.record([event], user_id="rep")
    removal, job = svc.remove(["battlecard-oxley"], actor=Actor("alice", "cli"))
    assert [row["id"] for row in removal.removed] == ["battlecard-oxley"] and job is None
    assert not svc.index_is_current()
    svc.build_index()
    assert "battlecard-oxley" not in {asset.id for asset in svc.recommender.bundle.assets}
    assert "battlecard-oxley" not in {item.asset.id for item in svc.recommend(deal).items}
    with svc.engine.connect() as connection:
        kept = connection.scalars(select(tables.events.c.asset_id)).all()
    assert kept == ["battlecard-oxley"]
    svc.close()


@pytest.mark.parametrize("changes", [1, 100])
def test_a_removal_during_an_index_build_is_never_labelled_current(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch, changes: int
) -> None:
    """A removal committing while the build reads and encodes: the build starts again, or, if
    the catalog keeps changing, its bundle is labelled with the older version it read."""
    build_small_library(tmp_path, build_options)
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalog.db'}")
    svc = EnablementService(settings, encoder=HashingEncoder())
    store, read = svc.store, svc.store.all_chunks
    doomed = iter(sorted(asset["id"] for asset in store.assets())[:changes])

    def read_then_remove() -> list[dict[str, Any]]:
        chunks = read()
        if (asset_id := next(doomed, None)) is not None:
            store.remove([asset_id], actor=Actor("alice", "cli"))
        return chunks

    monkeypatch.setattr(store, "all_chunks", read_then_remove)
    try:
        report = svc.build_index()
        built = {asset.id for asset in svc.recommender.bundle.assets}
        if changes == 1:  # built again after the removal: current, without the removed asset
            assert svc.index_is_current() and report.assets == len(built)
            assert built == {asset["id"] for asset in store.assets()}
        else:  # still changing after every attempt: the bundle says it is behind
            assert not svc.index_is_current()
            assert built - {asset["id"] for asset in store.assets()}
    finally:
        svc.close()
