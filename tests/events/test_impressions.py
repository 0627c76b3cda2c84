"""Every path that serves a list (the REST route the sidebar calls, batch, MCP) logs impressions
with their position and the ranker that ordered the list, and feedback posted on them joins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from enablement.catalog.build import BuildOptions
from enablement.events.feedback import Impression, learnable
from enablement.events.impressions import Served, log_entry
from enablement.learn.logged import NONE, OPENED
from enablement.mcp_server import build_mcp
from tests.api.conftest import ApiEnv, make_env
from tests.test_service import save_tiny_ranker

DEAL = {"stage": "Needs Analysis", "vertical": "healthcare", "questions": ["intake forms"], "k": 3}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions) -> Iterator[ApiEnv]:
    """The small library served by a (tiny) learned ranker, so its name is not the default."""
    root = tmp_path_factory.mktemp("impressions")
    save_tiny_ranker(root)
    built = make_env(root / "app", build_options, ranker_path=root / "ranker")
    yield built
    built.client.close()
    built.service.close()


def _mcp(env: ApiEnv, arguments: dict[str, Any]) -> dict[str, Any]:
    import json

    async def call() -> Any:
        return await build_mcp(env.service).call_tool("recommend_content", arguments)

    result: dict[str, Any] = json.loads(anyio.run(call).content[0].text)
    return result


def _impressions(env: ApiEnv) -> dict[str, list[Impression]]:
    assert env.service.usage.log.flush()
    lists: dict[str, list[Impression]] = {}
    for row in learnable(env.service.engine).impressions:
        lists.setdefault(row.recommendation_id, []).append(row)
    return lists


def test_every_serving_path_logs_positions_and_the_ranker(env: ApiEnv) -> None:
    rep = env.auth("rep")
    one = env.client.post("/v1/recommendations", json={**DEAL, "deal_id": "d-api"}, headers=rep)
    deals = [{**DEAL, "deal_id": "d-b1"}, {**DEAL, "deal_id": "d-b2", "vertical": "retail"}]
    batch = env.client.post("/v1/recommendations:batch", json={"deals": deals}, headers=rep)
    assert one.status_code == 200 and batch.status_code == 200
    bodies = [one.json(), *batch.json()["results"], _mcp(env, {**DEAL, "deal_id": "d-mcp"})]
    ranker = env.service.scorer["scorer"]
    assert ranker.startswith("lambdarank:")
    logged = _impressions(env)
    for body, deal in zip(bodies, ["d-api", "d-b1", "d-b2", "d-mcp"], strict=True):
        rows = logged[body["recommendation_id"]]
        assert [(r.asset_id, r.position) for r in rows] == [
            (item["asset_id"], n) for n, item in enumerate(body["items"], start=1)
        ]
        assert {(r.deal_id, r.ranker, r.experiment_id, r.arm) for r in rows} == {
            (deal, ranker, None, None)
        }


def test_feedback_posted_by_the_sidebar_joins_and_an_unknown_list_is_counted(
    env: ApiEnv,
) -> None:
    rep = env.auth("rep")
    body = env.client.post(
        "/v1/recommendations", json={**DEAL, "deal_id": "d-side"}, headers=rep
    ).json()
    second = body["items"][1]
    events = [
        {"idempotency_key": "side-1", "type": "opened", "deal_id": "d-side",
         "asset_id": second["asset_id"], "recommendation_id": body["recommendation_id"],
         "rank": second["rank"]},
        {"idempotency_key": "side-2", "type": "opened", "deal_id": "d-side",
         "asset_id": second["asset_id"], "recommendation_id": "not-a-served-list"},
    ]  # fmt: skip
    posted = env.client.post("/v1/events:batch", json={"events": events}, headers=rep)
    assert posted.status_code == 200, posted.text
    assert [r["status"] for r in posted.json()["results"]] == ["stored", "stored"]
    rows = _impressions(env)[body["recommendation_id"]]
    assert [(r.position, r.step) for r in rows] == [(1, NONE), (2, OPENED), (3, NONE)]
    orphans = learnable(env.service.engine).unlearnable.orphans
    assert orphans == {"opened": 1}


def test_a_caller_of_log_entry_passes_the_experiment_and_arm(env: ApiEnv) -> None:
    service = env.service
    deal = service.resolve_deal({**DEAL, "deal_id": "d-exp"}, prefix="")
    served = Served("exp-list", service.recommender.recommend(deal))
    entry = log_entry(
        served, "rep", model="m", ranker="linear", experiment_id="exp-7", arm="control"
    )
    assert [(e.position, e.ranker, e.experiment_id, e.arm) for e in entry.events] == [
        (n, "linear", "exp-7", "control") for n in range(1, len(served.result.items) + 1)
    ]
    service.usage.log.submit(entry)
    rows = _impressions(env)["exp-list"]
    assert {(r.ranker, r.experiment_id, r.arm) for r in rows} == {("linear", "exp-7", "control")}
