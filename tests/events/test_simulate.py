"""The simulated history: unchanged without labels; with labels, clicks that follow the click
model on the true grades, swaps at the asked share, the truth it reports, and a history from
which IPS tracks a candidate's true expected opens where the naive count does not."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from enablement.db import tables
from enablement.events.clicks import ClickModel
from enablement.events.served import logged_lists
from enablement.events.simulate import SimulationOptions, SimulationResult, simulate
from enablement.learn.counterfactual import estimate
from enablement.learn.evaluate import LabelledDeal, load_labelled
from enablement.learn.logged import NONE, OPENED, OPENS, LoggedList
from enablement.learn.metrics import ndcg
from enablement.recommend.context import resolve_deal
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.conftest import CATALOG, REPO
from tests.fakes import HashingEncoder

NOW = datetime(2026, 11, 2, tzinfo=UTC)
SHARE = 0.4


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnablementService]:
    service = EnablementService(
        Settings(data_dir=tmp_path_factory.mktemp("sim")), encoder=HashingEncoder()
    )
    service.ingest(CATALOG)
    service.build_index()
    yield service
    service.close()


@pytest.fixture(scope="module")
def labels() -> list[LabelledDeal]:
    return load_labelled(REPO / "eval" / "deals.jsonl")


@dataclass(frozen=True)
class Run:
    result: SimulationResult
    logs: list[LoggedList]


@pytest.fixture(scope="module")
def run(sample: EnablementService, labels: list[LabelledDeal]) -> Run:
    options = SimulationOptions(deals=3000, seed=11, explore_share=SHARE)
    result = simulate(sample.usage, sample.recommender, options, now=NOW, labels=labels)
    assert result.truth is not None
    logs = logged_lists(sample.usage.events.engine)
    return Run(result, logs)


def _counts(service: EnablementService) -> list[tuple[str, int]]:
    events = tables.events
    query = select(events.c.type, func.count()).group_by(events.c.type).order_by(events.c.type)
    with service.usage.events.engine.connect() as connection:
        return [(kind, int(n)) for kind, n in connection.execute(query)]


def test_without_labels_the_history_is_as_before(tmp_path: Path) -> None:
    # The figures the simulation gave before --labels existed (same library, fake encoder,
    # seed; the planted assets as the index with tag suggestions ranks them): the click options
    # change nothing unless labels are given.
    for eta, share in ((1.0, 0.05), (3.0, 0.5)):
        settings = Settings(data_dir=tmp_path / str(eta))
        service = EnablementService(settings, encoder=HashingEncoder())
        service.ingest(CATALOG)
        service.build_index()
        options = SimulationOptions(deals=40, planted=2, seed=5, eta=eta, explore_share=share)
        result = simulate(service.usage, service.recommender, options, now=NOW)
        assert result.truth is None
        assert result.to_dict() == {
            "deals": 40,
            "won": 6,
            "events": 441,
            "recommendations": 139,
            "planted": {
                "datasheets-lumenfold-workflow-healthcare": 0.1091,
                "solution-briefs-patient-intake-and-referrals": 0.1159,
            },
        }
        assert _counts(service) == [
            ("buyer_viewed", 67),
            ("deal_outcome", 40),
            ("feedback", 29),
            ("opened", 195),
            ("recommended", 695),
            ("sent", 110),
        ]
        service.close()


def _grades(run: Run, log: LoggedList) -> list[int]:
    assert run.result.truth is not None
    relevant = run.result.truth.deals[log.context].relevant
    return [relevant.get(asset, 0) for asset in log.shown]


def _unswapped(run: Run) -> list[LoggedList]:
    return [log for log in run.logs if log.swap is None]


def test_every_labelled_deal_is_served_once_and_logged_with_its_actions(run: Run) -> None:
    truth = run.result.truth
    assert truth is not None
    assert run.result.recommendations == len(run.logs) == 3000
    assert {log.context for log in run.logs} == set(truth.deals)
    assert len({deal.id for deal in truth.deals.values()}) == truth.labels == 160  # all cycled
    # served as each labelled deal asks (k: 5 mostly, up to 8), a list per simulated deal
    assert all(len(log.shown) <= truth.deals[log.context].deal["k"] for log in run.logs)
    assert sum(len(log.shown) == 5 for log in run.logs) > 2000
    actions = sum(step >= OPENED for log in run.logs for step in log.steps)
    assert actions > 2000


def test_open_rates_fall_with_position_as_the_click_model_says(run: Run) -> None:
    model = ClickModel()
    for position in range(1, 6):
        at = [log for log in _unswapped(run) if len(log.shown) >= position]
        assert len(at) > 1000
        opened = sum(log.steps[position - 1] >= OPENED for log in at)
        grades = [_grades(run, log)[position - 1] for log in at]
        expected = sum(model.open_probability(position, grade) for grade in grades)
        # within 4 binomial standard deviations of what the model expects there
        assert abs(opened - expected) <= 4 * math.sqrt(expected) + 2, (position, opened, expected)
    five = [log for log in _unswapped(run) if len(log.shown) >= 5]
    first = sum(log.steps[0] >= OPENED for log in five)
    fifth = sum(log.steps[4] >= OPENED for log in five)
    assert first > 2.5 * fifth


def test_grade_3_assets_are_opened_far_more_than_grade_0_at_the_same_position(run: Run) -> None:
    model = ClickModel()
    for position in (1, 2, 3):
        rates = {}
        for grade in (0, 3):
            steps = [
                log.steps[position - 1]
                for log in _unswapped(run)
                if len(log.shown) >= position and _grades(run, log)[position - 1] == grade
            ]
            assert len(steps) >= 100, (position, grade)
            rates[grade] = sum(step >= OPENED for step in steps) / len(steps)
            truth = model.open_probability(position, grade)
            assert abs(rates[grade] - truth) <= 4 * math.sqrt(truth * (1 - truth) / len(steps))
        assert rates[3] > 5 * rates[0], (position, rates)


def test_the_swap_share_is_met_and_each_swap_is_the_one_shown(
    run: Run, sample: EnablementService
) -> None:
    truth = run.result.truth
    assert truth is not None
    swapped = [log for log in run.logs if log.swap is not None]
    assert abs(len(swapped) / len(run.logs) - SHARE) <= 4 * math.sqrt(SHARE * (1 - SHARE) / 3000)
    ranked: dict[str, tuple[str, ...]] = {}
    for log in run.logs[:400]:  # what the ranker chose, against what the store says was shown
        labelled = truth.deals[log.context]
        if labelled.id not in ranked:
            deal = resolve_deal(labelled.deal, sample.taxonomy)
            items = sample.recommender.recommend(deal).items
            ranked[labelled.id] = tuple(item.asset.id for item in items)
        order = list(ranked[labelled.id])
        if log.swap is not None:
            k = log.swap
            order[k - 1], order[k] = order[k], order[k - 1]
        assert tuple(order) == log.shown


def test_the_truth_names_the_click_model_and_the_served_lists_ndcg(run: Run) -> None:
    truth = run.result.truth
    assert truth is not None
    out = run.result.to_dict()["truth"]
    assert out["click_model"] == {
        "eta": 1.0,
        "attraction": [0.05, 0.25, 0.55, 0.85],
        "send": [0.05, 0.2, 0.45, 0.7],
        "view": [0.2, 0.35, 0.5, 0.65],
    }
    depth = max(len(log.shown) for log in run.logs)
    assert [p["position"] for p in out["examination"]] == list(range(1, depth + 1))
    assert [p["examination"] for p in out["examination"]] == [
        round(1 / k, 4) for k in range(1, depth + 1)
    ]
    assert out["explored"] == sum(log.swap is not None for log in run.logs)
    assert (out["labelled_deals"], out["explore_share"]) == (160, SHARE)
    served = [ndcg(log.shown, truth.deals[log.context].relevant, 10) for log in run.logs]
    assert out["ndcg@10"] == pytest.approx(sum(served) / len(served), abs=1e-4)
    assert 0.3 < out["ndcg@10"] < 1


def test_eta_sets_the_examination_in_the_truth(
    sample: EnablementService, labels: list[LabelledDeal], tmp_path: Path
) -> None:
    service = EnablementService(Settings(data_dir=tmp_path), encoder=HashingEncoder())
    service.ingest(CATALOG)
    service.build_index()
    options = SimulationOptions(deals=20, seed=2, eta=2.0, explore_share=0.0)
    out = simulate(service.usage, service.recommender, options, now=NOW, labels=labels).to_dict()
    assert [p["examination"] for p in out["truth"]["examination"]][:3] == [1.0, 0.25, 0.1111]
    assert out["truth"]["explored"] == 0 and out["truth"]["click_model"]["eta"] == 2.0
    service.close()


def _true_opens(run: Run, candidate: dict[str, list[str]], k: int) -> float:
    """The online metric: expected opens of the candidate's top k, per served list."""
    assert run.result.truth is not None
    model = ClickModel()
    total = 0.0
    for log in run.logs:
        relevant = run.result.truth.deals[log.context].relevant
        total += model.expected_opens([relevant.get(a, 0) for a in candidate[log.context][:k]])
    return total / len(run.logs)


def _candidate(run: Run, order: str) -> dict[str, list[str]]:
    """Per deal, its served list reversed, or sorted by the true grades (the labels' order)."""
    out = {}
    for log in run.logs:
        if order == "reversed":
            out[log.context] = list(log.shown)[::-1]
        else:
            grade = dict(zip(log.shown, _grades(run, log), strict=True))
            out[log.context] = sorted(log.shown, key=lambda a: -grade[a])
    return out


@pytest.mark.parametrize("order", ["reversed", "ideal"])
def test_ips_from_the_history_tracks_true_opens_better_than_naive(run: Run, order: str) -> None:
    # The top 5 (what a rep sees), over the lists the simulation served and stored
    candidate = _candidate(run, order)
    truth = _true_opens(run, candidate, 5)
    result = estimate(candidate, run.logs, k=5, reward=OPENS, resamples=200, seed=1)
    assert result.propensities.source == "estimated" and result.coverage == 1.0
    ips_error, naive_error = abs(result.ips.value - truth), abs(result.naive.value - truth)
    assert ips_error < naive_error / 3, (order, truth, result.ips, result.naive)
    assert ips_error <= 0.1 * truth, (order, truth, result.ips)


def test_logged_lists_join_actions_on_recommendation_and_asset(
    run: Run, sample: EnablementService
) -> None:
    # Each list's steps, read back from the store, are what its events say
    events = tables.events
    log = next(log for log in run.logs if sum(s >= OPENED for s in log.steps) >= 2)
    query = select(events.c.asset_id, events.c.type).where(
        events.c.deal_id == log.context, events.c.type.in_(["opened", "sent", "buyer_viewed"])
    )
    with sample.usage.events.engine.connect() as connection:
        rows = connection.execute(query).all()
    ladder = {"opened": 1, "sent": 2, "buyer_viewed": 3}
    expected = [
        max((ladder[t] for a, t in rows if a == asset), default=NONE) for asset in log.shown
    ]
    assert list(log.steps) == expected


@pytest.mark.parametrize(
    "library",
    ["brightwater-labs", "corvane-medical", "halvard-security", "orrin-fleet", "tessaline-hr"],
)
def test_ips_beats_naive_on_the_other_labelled_libraries(tmp_path: Path, library: str) -> None:
    folder = REPO / "eval" / "libraries" / library
    service = EnablementService(Settings(data_dir=tmp_path), encoder=HashingEncoder())
    service.ingest(folder / "catalog")
    service.build_index()
    options = SimulationOptions(deals=3000, seed=11, explore_share=SHARE)
    labels = load_labelled(folder / "deals.jsonl")
    result = simulate(service.usage, service.recommender, options, now=NOW, labels=labels)
    assert result.truth is not None
    run = Run(result, logged_lists(service.usage.events.engine))
    service.close()
    for order in ("reversed", "ideal"):
        candidate = _candidate(run, order)
        truth = _true_opens(run, candidate, 5)
        estimated = estimate(candidate, run.logs, k=5, reward=OPENS, resamples=200, seed=1)
        ips_error = abs(estimated.ips.value - truth)
        naive_error = abs(estimated.naive.value - truth)
        assert ips_error < naive_error and ips_error <= 0.2 * truth, (order, truth, estimated)


def test_logged_lists_from_a_day_on(run: Run, sample: EnablementService) -> None:
    engine = sample.usage.events.engine
    assert logged_lists(engine, since=NOW) == []
    everything = logged_lists(engine, since=NOW - timedelta(days=400))
    assert everything == run.logs


def test_the_swaps_made_are_stored_with_the_served_lists(run: Run) -> None:
    # The simulation explores through the serving path (impressions.explored), so each swap it
    # made is on its served list, and logged_lists reads it from there: no other copy needed.
    assert run.result.truth is not None
    stored = {f"{log.context}-0": log.swap for log in run.logs if log.swap is not None}
    assert stored == run.result.truth.swaps
    assert len(stored) > 0.3 * len(run.logs)  # SHARE of the lists (of 2 or more items)
