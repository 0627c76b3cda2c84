"""`learn` over the service, on SQLite and PostgreSQL: the sample library's labelled deals are
simulated (the click model on their grades, exploration swaps, served lists stored), then a
candidate is trained over the shipped ranker, estimated offline, registered, and promoted only
when asked and earned."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from enablement.events.feedback import learnable
from enablement.events.model import EventType, NewEvent
from enablement.recommend.ranker import read_ranker
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.conftest import CATALOG
from tests.fakes import HashingEncoder
from tests.learning_history import simulate_labelled
from tests.rankers.models import save_shipped

NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[EnablementService]:
    save_shipped(tmp_path / "shipped")
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, ranker_path=tmp_path / "shipped",
        reload_interval_s=0.05,
    )  # fmt: skip
    made = EnablementService(settings, encoder=HashingEncoder())
    made.ingest(CATALOG)
    made.build_index()
    yield made
    made.close()


def _simulate(service: EnablementService, deals: int = 800) -> None:
    simulate_labelled(service, deals, now=NOW)


def test_an_empty_store_teaches_nothing_and_says_so(service: EnablementService) -> None:
    report = service.learning.learn(requested_by="ops")
    assert report["ranker"] is None and report["promoted"] is False
    assert report["skipped"] == "too little data: no impressions were logged"
    assert report["offline"] == {}
    assert [r["kind"] for r in service.ranking.list()] == ["shipped"]


def test_learn_registers_a_candidate_with_its_offline_estimates(
    service: EnablementService,
) -> None:
    _simulate(service)
    orphan = NewEvent(
        EventType.opened, "orphan-1", NOW, deal_id="d-x", asset_id="a-x",
        recommendation_id="no-such-list",
    )  # fmt: skip
    service.usage.events.record([orphan], user_id="rep", known_asset=lambda _a: True)
    shipped = service.recommender.config.ranker
    assert shipped is not None

    report = service.learning.learn(requested_by="ops")

    assert set(report) >= {"ranker", "trained_on", "offline", "promoted", "unlearnable"}
    assert report["unlearnable"]["orphans"] == {"opened": 1}
    trained_on = report["trained_on"]
    assert trained_on["base"] == shipped.name and trained_on["lists"] == 800
    assert trained_on["since"] is None
    assert trained_on["holdout_contexts"] >= 10 and trained_on["train_contexts"] >= 30
    assert trained_on["propensities"]["source"] == "estimated"
    assert report["ranker"] is not None, report.get("skipped")
    assert report["ranker"] != shipped.name and report["promoted"] is False
    for side in ("live", "candidate"):
        estimate = report["offline"][side]
        assert 0.9 < estimate["coverage"] <= 1.0 and estimate["lists"] > 0
        assert estimate["ips"]["low"] <= estimate["ips"]["value"] <= estimate["ips"]["high"]
    listed = {r["id"]: r for r in service.ranking.list()}
    assert listed[report["ranker"]]["live"] is False
    assert listed[report["ranker"]]["trained_on"]["lists"] == 800
    # What was registered loads as serving would, priors and all, under the same name
    record = service.ranking.registry.get(report["ranker"])
    folder = service.ranking.registry.folder(record)
    loaded = read_ranker(
        folder, features=service.recommender.feature_names, encoder=HashingEncoder().name
    )
    assert loaded.name == report["ranker"]
    chosen = trained_on["chosen"]
    assert (loaded.priors is not None) == (chosen["priors_weight"] > 0)


def test_auto_promote_makes_live_only_a_candidate_that_clears_the_bar(
    service: EnablementService,
) -> None:
    _simulate(service)
    report = service.learning.learn(requested_by="ops", auto_promote=True)
    assert report["ranker"] is not None, report.get("skipped")
    live, candidate = report["offline"]["live"], report["offline"]["candidate"]
    cleared = candidate["ips"]["low"] > live["ips"]["value"]
    assert report["promoted"] is cleared and report["beats_live"] is cleared
    expected = report["ranker"] if cleared else service.ranking.registry.shipped().id
    assert service.ranking.live_name() == expected


def test_learning_from_a_day_on_counts_only_what_was_shown_since(
    service: EnablementService,
) -> None:
    _simulate(service, deals=300)
    later = service.learning.learn(requested_by="ops", since=NOW + timedelta(days=1))
    assert later["skipped"] == "too little data: no impressions were logged"
    assert later["trained_on"]["since"] == (NOW + timedelta(days=1)).isoformat()


def test_a_promoted_candidate_serves_with_its_priors(service: EnablementService) -> None:
    _simulate(service)
    report = service.learning.learn(requested_by="ops")
    assert report["ranker"] is not None, report.get("skipped")
    service.ranking.promote(report["ranker"], by="ops", reason="test")
    deal = {"deal_id": "live-1", "stage": "discovery", "questions": ["do you sign a BAA?"]}
    deadline = time.monotonic() + 10
    while (ranker := service.recommender.config.ranker) is None or ranker.name != report["ranker"]:
        assert service.recommend(deal).items  # serving all along
        assert time.monotonic() < deadline, "the promoted candidate never served"
        time.sleep(0.02)
    assert (ranker.priors is not None) == (report["trained_on"]["chosen"]["priors_weight"] > 0)
    (served,) = service.usage.serve(
        service.recommender, [service.resolve_deal(deal)], user_id="rep"
    )
    assert served.result.items
    service.usage.log.flush()
    shown = [row for row in learnable(service.engine).impressions
             if row.recommendation_id == served.id]  # fmt: skip
    assert shown and {row.ranker for row in shown} == {report["ranker"]}
