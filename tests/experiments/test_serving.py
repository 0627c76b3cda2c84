"""Serving under a running experiment, on SQLite and PostgreSQL: a holdout serves its control's
list to exactly the deals assigned to it, an interleave team-drafts the two rankings, every
impression records the experiment and its arm; a stopped experiment serves as before; the
running experiment is read at most once per TTL."""

from __future__ import annotations

import random
from typing import Any

import pytest

from enablement.errors import UnknownChoiceError
from enablement.events.feedback import Impression, learnable
from enablement.experiments.assign import arm_for
from enablement.experiments.interleave import team_draft
from enablement.experiments.model import Experiment
from enablement.experiments.serving import ExperimentServing, RecentQueries, same_scoring
from enablement.learn.evaluate import baseline_configs
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from tests.api.conftest import ApiEnv
from tests.fakes import HashingEncoder

DEAL = {"stage": "Needs Analysis", "vertical": "healthcare", "questions": ["intake forms"], "k": 5}
DEALS = [
    {**DEAL, "deal_id": f"d-{n}", "vertical": v, "questions": [q]}
    for n, (v, q) in enumerate(
        [(v, q) for v in ("healthcare", "retail") for q in ("intake forms", "pricing", "security")]
        * 4
    )
]
HOLDOUT = {"name": "metadata pays", "kind": "holdout", "control": "no_metadata", "share": 0.5}
INTERLEAVE = {"name": "linear vs bm25", "kind": "interleave", "control": "linear",
              "treatment": "bm25_only"}  # fmt: skip


def start(env: ApiEnv, body: dict[str, Any]) -> dict[str, Any]:
    created = env.client.post("/v1/experiments", json=body, headers=env.auth("admin"))
    assert created.status_code == 201, created.text
    made: dict[str, Any] = created.json()
    return made


def serve(env: ApiEnv, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = env.client.post(
        "/v1/recommendations:batch", json={"deals": deals}, headers=env.auth("rep")
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def logged(env: ApiEnv) -> dict[str, list[Impression]]:
    assert env.service.usage.log.flush()
    lists: dict[str, list[Impression]] = {}
    for row in learnable(env.service.engine).impressions:
        lists.setdefault(row.recommendation_id, []).append(row)
    return lists


def ranking(env: ApiEnv, name: str) -> Recommender:
    """An independent recommender of a baseline or the linear scorer (not the serving cache)."""
    service = env.service
    configs = baseline_configs(service.linear_config) | {"linear": service.linear_config}
    live = service.recommender
    return Recommender(live.bundle, live.encoder, live.taxonomy, configs[name])


def experiment(env: ApiEnv, made: dict[str, Any]) -> Experiment:
    return env.service.experimenting.store.get(made["id"])


def test_a_holdout_serves_the_control_to_exactly_its_deals_and_logs_every_arm(env: ApiEnv) -> None:
    made = start(env, HOLDOUT)
    bodies = serve(env, DEALS)
    lists = logged(env)
    control = ranking(env, "no_metadata")
    live_ranker = env.service.scorer["scorer"]
    arms = {}
    differs = 0
    for raw, body in zip(DEALS, bodies, strict=True):
        arm = arm_for(experiment(env, made), raw["deal_id"])
        arms[raw["deal_id"]] = arm
        deal = env.service.resolve_deal(raw, prefix="")
        expected = (control if arm == "control" else env.service.recommender).recommend(deal)
        other = (env.service.recommender if arm == "control" else control).recommend(deal)
        shown = [item["asset_id"] for item in body["items"]]
        assert shown == [item.asset.id for item in expected.items]
        differs += shown != [item.asset.id for item in other.items]
        assert set(body) == {"recommendation_id", *expected.to_dict()}  # nothing new to the rep
        rows = lists[body["recommendation_id"]]
        ranker = "no_metadata" if arm == "control" else live_ranker
        assert {(r.experiment_id, r.arm, r.ranker) for r in rows} == {(made["id"], arm, ranker)}
        assert len(rows) == len(shown)
    assert set(arms.values()) == {"control", "live"}
    assert differs > 0  # the two arms' lists do differ, so serving the wrong one would show


def test_an_interleave_logs_the_team_that_placed_each_item(env: ApiEnv) -> None:
    """Each position's team as team draft placed it, "shared" for the top both agree on."""
    made = start(env, INTERLEAVE)
    bodies = serve(env, DEALS)
    lists = logged(env)
    teams_seen = set()
    for raw, body in zip(DEALS, bodies, strict=True):
        deal = env.service.resolve_deal(raw, prefix="")
        rankings = {
            "control": ranking(env, "linear").recommend(deal),
            "treatment": ranking(env, "bm25_only").recommend(deal),
        }
        ids = {team: [i.asset.id for i in r.items] for team, r in rankings.items()}
        rng = random.Random(body["recommendation_id"])
        draft = team_draft(ids["control"], ids["treatment"], deal.k, rng)
        shown = [item["asset_id"] for item in body["items"]]
        assert shown == list(draft.items) and len(set(shown)) == len(shown)
        rows = sorted(lists[body["recommendation_id"]], key=lambda r: r.position)
        assert [(r.asset_id, r.arm) for r in rows] == [(p.item, p.team) for p in draft.placements]
        names = {"control": "linear", "treatment": "bm25_only", "shared": "linear"}
        assert {(r.experiment_id, r.ranker) for r in rows} <= {
            (made["id"], names["control"]), (made["id"], names["treatment"])
        }  # fmt: skip
        for row, item in zip(rows, body["items"], strict=True):
            assert row.ranker == names[str(row.arm)]
            team = "control" if row.arm == "shared" else str(row.arm)  # both agree: control's
            placed = {i.asset.id: i for i in rankings[team].items}[row.asset_id]
            assert item["reasons"] == placed.to_dict()["reasons"]  # written up by its ranking
            assert item["rank"] == row.position
            teams_seen.add(row.arm)
    assert {"control", "treatment"} <= teams_seen <= {"control", "treatment", "shared"}


def test_a_stopped_experiment_serves_as_before_with_no_experiment_fields(env: ApiEnv) -> None:
    made = start(env, HOLDOUT)
    stopped = env.client.post(f"/v1/experiments/{made['id']}:stop", headers=env.auth("admin"))
    assert stopped.status_code == 200
    bodies = serve(env, DEALS[:6])
    lists = logged(env)
    for raw, body in zip(DEALS[:6], bodies, strict=True):
        plain = env.service.recommender.recommend(env.service.resolve_deal(raw, prefix=""))
        assert [i["asset_id"] for i in body["items"]] == [i.asset.id for i in plain.items]
        rows = lists[body["recommendation_id"]]
        assert {(r.experiment_id, r.arm) for r in rows} == {(None, None)}


def test_a_deal_without_an_id_is_served_live_and_logged_without_the_experiment(
    env: ApiEnv,
) -> None:
    start(env, INTERLEAVE)
    (body,) = serve(env, [DEAL])
    rows = logged(env)[body["recommendation_id"]]
    assert {(r.experiment_id, r.arm) for r in rows} == {(None, None)}


class CountingStore:
    """Answers `running` like a store, counting the reads."""

    def __init__(self, running: Experiment | None) -> None:
        self.value = running
        self.reads = 0

    def running(self) -> Experiment | None:
        self.reads += 1
        return self.value


def test_the_running_experiment_is_read_once_per_ttl_and_again_after_forget() -> None:
    now = [100.0]
    store = CountingStore(None)
    serving = ExperimentServing(
        store,  # type: ignore[arg-type]
        config_for=lambda name: baseline_configs(RecommenderConfig())[name],
        ttl=5.0,
        clock=lambda: now[0],
    )
    for _ in range(3):
        assert serving.running() is None
    assert store.reads == 1
    now[0] += 5.0
    assert serving.running() is None and store.reads == 2
    serving.forget()
    assert serving.running() is None and store.reads == 3


def test_same_scoring_is_true_only_when_the_linear_pass_matches() -> None:
    base = RecommenderConfig()
    baselines = baseline_configs(base)
    assert same_scoring(base, base)
    assert not same_scoring(base, baselines["bm25_only"])
    assert not same_scoring(baselines["bm25_only"], baselines["dense_only"])


def test_recent_queries_encode_a_batch_once_and_forget_the_oldest() -> None:
    inner = HashingEncoder()
    recent = RecentQueries(inner, size=2)
    first = recent.encode_queries(["intake forms", "pricing"])
    again = recent.encode_queries(["intake forms", "pricing"])
    assert len(inner.calls) == 1 and (first == again).all() and first is not again
    recent.encode_queries(["security"])
    recent.encode_queries(["pricing"])  # the first batch is now the oldest of three: forgotten
    recent.encode_queries(["intake forms", "pricing"])
    assert len(inner.calls) == 4
    assert (recent.name, recent.dimension) == (inner.name, inner.dimension)


def test_a_ranker_that_no_longer_loads_serves_live_without_the_experiment(
    env: ApiEnv, caplog: pytest.LogCaptureFixture
) -> None:
    made = start(env, INTERLEAVE)

    def gone(name: str) -> RecommenderConfig:
        raise UnknownChoiceError("ranker", name, ["linear"], field="ranker")

    serving = ExperimentServing(env.service.experimenting.store, config_for=gone)
    live = env.service.recommender
    deal = env.service.resolve_deal(DEALS[0], prefix="")
    served = serving.arrange(live, deal, "list-1")
    assert served.experiment_id is None and served.arms is None
    assert [i.asset.id for i in served.result.items] == [
        i.asset.id for i in live.recommend(deal).items
    ]
    assert f"experiment {made['id']} not applied" in caplog.text
