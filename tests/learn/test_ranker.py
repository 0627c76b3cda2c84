"""Training the learned ranker on libraries: rows, the split guard, settings and the model."""

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from enablement.learn import ranker as ranker_module
from enablement.learn import tune
from enablement.learn.holdout import Tuned, leave_one_library_out
from enablement.learn.libraries import Library
from enablement.learn.ranker import (
    GRID,
    RankingExamples,
    choose_params,
    fit_ranker,
    ranking_examples,
    train_ranker,
)
from enablement.recommend.config import RecommenderConfig
from tests.learn.tiny_libraries import CATALOGS, DEALS


def test_rows_are_each_deals_candidates_with_their_grades(libraries: list[Library]) -> None:
    examples = ranking_examples(libraries, RecommenderConfig(), depth=2)
    assert examples.features.shape == (len(examples.labels), len(examples.names))
    assert all(size <= 2 for size in examples.sizes)
    assert sum(examples.sizes) == len(examples.labels)
    assert set(examples.libraries) <= {"alpha", "bravo", "charlie"}
    start = 0
    for size in examples.sizes:  # only deals with a relevant candidate are kept
        assert examples.labels[start : start + size].max() > 0
        start += size
    alpha = examples.subset(["alpha"])
    assert set(alpha.libraries) == {"alpha"} and sum(alpha.sizes) == len(alpha.labels)


def test_the_ranker_is_trained_on_the_training_libraries_only(
    libraries: list[Library], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[set[str], set[str]]] = []
    real = ranker_module.ranking_examples

    def spy(training: Sequence[Library], config: RecommenderConfig, **kw: int) -> RankingExamples:
        seen.append(
            (
                {deal.id for library in training for deal in library.deals},
                {asset for library in training for asset in library.asset_ids},
            )
        )
        return real(training, config, **kw)

    monkeypatch.setattr(ranker_module, "ranking_examples", spy)

    def keep(training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        return Tuned(config, {})

    result = leave_one_library_out(
        libraries, config=RecommenderConfig(), tuner=tune.with_ranker(keep)
    )
    assert len(seen) == 3
    for held_out, (deal_ids, asset_ids) in zip(result["held_out"], seen, strict=True):
        assert deal_ids.isdisjoint(deal[0] for deal in DEALS[held_out])
        assert asset_ids.isdisjoint(f.removesuffix(".md") for f in CATALOGS[held_out])
        others = [name for name in CATALOGS if name != held_out]
        assert deal_ids == {deal[0] for name in others for deal in DEALS[name]}


def synthetic(libraries: Sequence[str], deals: int = 12, size: int = 20) -> RankingExamples:
    """Deals where feature 0 decides the grade in every library; feature 1 is noise."""
    rng = np.random.default_rng(3)
    rows = deals * size * len(libraries)
    features = rng.random((rows, 2)).astype(np.float32)
    labels = (features[:, 0] * 3.99).astype(np.int32)
    owners = [name for name in libraries for _ in range(deals)]
    return RankingExamples(features, labels, [size] * len(owners), owners, ("signal", "noise"))


def test_settings_are_chosen_library_out_and_the_model_learns() -> None:
    examples = synthetic(["a", "b"])
    params, table = choose_params(examples)
    assert params in GRID and len(table) == len(GRID)
    assert max(table.values()) > 0.9  # the signal transfers from one library to the other
    model = fit_ranker(examples, params)
    scores = model.predict(np.array([[0.95, 0.1], [0.05, 0.9]], dtype=np.float32))
    assert scores[0] > scores[1]
    one_library, table = choose_params(synthetic(["a"]))
    assert one_library == GRID[0] and table == {}


def test_train_ranker_returns_a_model_over_the_configs_features(
    libraries: list[Library],
) -> None:
    model, choice = train_ranker(libraries, RecommenderConfig())
    assert model is not None
    assert model.features == libraries[0].recommender.feature_names
    assert choice["deals"] > 0 and choice["params"] in GRID
    # a config nothing can be learned from: no relevant asset reaches the candidates
    unlabelled = [replace(lib, deals=tuple(replace(d, relevant={}) for d in lib.deals))
                  for lib in libraries]  # fmt: skip
    model, choice = train_ranker(unlabelled, RecommenderConfig())
    assert model is None and "skipped" in choice


def test_a_company_trains_on_its_own_deals_and_our_libraries(tmp_path: Path) -> None:
    from enablement.evaluation import OWN_LIBRARY, Evaluation
    from enablement.recommend.ranker import load_ranker, save_ranker
    from enablement.service import EnablementService
    from enablement.settings import Settings
    from tests.fakes import HashingEncoder
    from tests.learn.tiny_libraries import write_libraries

    root = write_libraries(tmp_path / "libs")
    service = EnablementService(Settings(data_dir=tmp_path / "data"), encoder=HashingEncoder())
    try:
        service.ingest(root / "alpha" / "catalog")
        service.build_index()
        own = root / "alpha" / "deals.jsonl"
        model, choice = Evaluation(service).train_ranker(libraries=None, deals=own)
        assert model is not None and choice["trained_on"] == {OWN_LIBRARY: 2}
        assert choice["params"] == GRID[0]  # one library: nothing to choose settings on
        model, choice = Evaluation(service).train_ranker(libraries=root, deals=own)
        assert model is not None
        assert choice["trained_on"] == {"alpha": 2, "bravo": 2, "charlie": 2, OWN_LIBRARY: 2}
        assert len(choice["library_out_ndcg@10"]) == len(GRID)
        save_ranker(model, tmp_path / "ranker")
        loaded, _ = load_ranker(
            tmp_path / "ranker", features=model.features, encoder=service.encoder.name
        )
        assert loaded is not None
    finally:
        service.close()
