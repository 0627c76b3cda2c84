"""Leave-one-library-out on three tiny libraries: the split guard, the scores and the report."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from enablement.errors import InvalidValueError
from enablement.evaluation import Evaluation
from enablement.learn.evaluate import LabelledDeal
from enablement.learn.holdout import (
    Tuned,
    format_holdout,
    is_search_style,
    leave_one_library_out,
)
from enablement.learn.libraries import (
    Library,
)
from enablement.learn.tune import tune_on_libraries
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import resolve_deal
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.fakes import HashingEncoder
from tests.learn.tiny_libraries import CATALOGS, DEALS, write_libraries


class SpyTuner:
    """Records every deal id and asset id it is given or can reach through a recommender."""

    def __init__(self) -> None:
        self.seen: list[tuple[set[str], set[str]]] = []

    def __call__(self, training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        deal_ids: set[str] = set()
        asset_ids: set[str] = set()
        for library in training:
            deal_ids |= {deal.id for deal in library.deals}
            asset_ids |= library.asset_ids
            for labelled in library.deals:  # what ranking could ever show it
                deal = resolve_deal({**labelled.deal, "k": 10}, library.recommender.taxonomy)
                items = library.recommender.recommend(deal).items
                asset_ids |= {item.asset.id for item in items}
        self.seen.append((deal_ids, asset_ids))
        return Tuned(config, {"fusion": "spy"})


def test_no_held_out_deal_or_asset_reaches_the_tuner(libraries: list[Library]) -> None:
    spy = SpyTuner()
    result = leave_one_library_out(libraries, config=RecommenderConfig(), tuner=spy)
    assert len(spy.seen) == 3
    for held_out, (deal_ids, asset_ids) in zip(result["held_out"], spy.seen, strict=True):
        own_deals = {deal[0] for deal in DEALS[held_out]}
        own_assets = {file.removesuffix(".md") for file in CATALOGS[held_out]}
        others = [name for name in CATALOGS if name != held_out]
        assert deal_ids.isdisjoint(own_deals)
        assert asset_ids.isdisjoint(own_assets)
        # ...and the tuner did get everything else, so the spy could have seen a leak
        assert deal_ids == {deal[0] for name in others for deal in DEALS[name]}
        assert asset_ids >= {f.removesuffix(".md") for name in others for f in CATALOGS[name]}
        assert result["held_out"][held_out]["trained_on"] == others


def test_reports_tuned_default_baselines_and_in_training(libraries: list[Library]) -> None:
    result = leave_one_library_out(
        libraries, config=RecommenderConfig(), tuner=tune_on_libraries, compare=True
    )
    configs = {"tuned", "default", "bm25_only", "dense_only", "no_metadata"}
    assert set(result["headline"]) == configs
    alpha = result["held_out"]["alpha"]
    assert configs <= set(alpha)
    assert set(alpha["in_training"]) == {"bravo", "charlie"}
    assert alpha["tuned"]["overall"]["queries"] == 2
    assert alpha["tuned"]["search_style"]["queries"] == 1  # A1 has no stage, vertical, persona
    assert alpha["choice"]["fusion"] in alpha["choice"]["fusion_ndcg@10"]
    per_library = [row["tuned"]["overall"]["ndcg@10"] for row in result["held_out"].values()]
    assert result["headline"]["tuned"]["min"] == min(per_library)
    assert result["headline"]["tuned"]["mean"] == round(sum(per_library) / 3, 4)
    assert result["libraries"]["charlie"] == {"assets": 3, "deals": 2, "search_style_deals": 1}
    text = format_holdout(result)
    assert "in training (information only, not a result)" in text
    assert "config for alpha: bravo" in text


def test_held_out_scores_come_from_the_tuned_config(libraries: list[Library]) -> None:
    # A tuner that wrecks text relevance must show up in the held-out score, not the default.
    def wreck(training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        from dataclasses import replace

        weights = replace(config.weights, text=-1.0)
        return Tuned(replace(config, weights=weights), {"fusion": "wreck"})

    result = leave_one_library_out(libraries, config=RecommenderConfig(), tuner=wreck)
    headline = result["headline"]
    assert headline["tuned"]["mean"] < headline["default"]["mean"]


def test_needs_two_distinct_libraries(libraries: list[Library]) -> None:
    with pytest.raises(InvalidValueError, match="distinct"):
        leave_one_library_out(libraries[:1], config=RecommenderConfig(), tuner=SpyTuner())
    with pytest.raises(InvalidValueError, match="distinct"):
        twice = [libraries[0], libraries[0]]
        leave_one_library_out(twice, config=RecommenderConfig(), tuner=SpyTuner())


@pytest.mark.parametrize(
    ("deal", "expected"),
    [
        ({"questions": ["is it encrypted"]}, True),
        ({"stage": None, "vertical": None, "persona": None, "questions": ["q"]}, True),
        ({"stage": "Needs Analysis", "questions": ["q"]}, False),
        ({"persona": "operations", "questions": ["q"]}, False),
        ({"questions": ["  "]}, False),
        ({}, False),
    ],
)
def test_search_style_is_derived_from_the_fields(deal: dict[str, object], expected: bool) -> None:
    assert is_search_style(LabelledDeal("x", deal, {}, tags=("search_style",))) is expected


def test_the_service_runs_the_protocol_on_a_folder(tmp_path: Path) -> None:
    root = write_libraries(tmp_path / "libs")
    service = EnablementService(Settings(data_dir=tmp_path / "data"), encoder=HashingEncoder())
    try:
        result = Evaluation(service).evaluate_libraries(root)
        (root / "bravo" / "deals.jsonl").write_text(
            '{"id": "B9", "deal": {}, "relevant": {"alpha-security": 1}}\n'
        )
        with pytest.raises(InvalidValueError, match="bravo: deal B9 labels unknown asset"):
            Evaluation(service).evaluate_libraries(root)
    finally:
        service.close()
    assert set(result["held_out"]) == {"alpha", "bravo", "charlie"}
    # the tuned config carries a learned ranker, so its linear scorer is reported beside it
    assert set(result["headline"]) == {"tuned", "tuned_linear", "default"}
    assert all(row["choice"]["ranker"]["deals"] > 0 for row in result["held_out"].values())
