"""The rankers routes on SQLite and PostgreSQL: marketers read the registry, admins promote and
roll back; a corrupt file is a 409 naming it, an unknown id a 404 naming the known ones, a bad
body a 422 naming the field; /readyz names the live ranker and experiments may name any
registered one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enablement.catalog.build import BuildOptions
from enablement.rankers import RankerRecord
from enablement.recommend.ranker import MODEL_FILE
from tests.api.conftest import ApiEnv, make_env
from tests.conftest import fresh_postgres_url
from tests.rankers.models import save_shipped, tiny_ranker


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(
    request: pytest.FixtureRequest, tmp_path: Path, build_options: BuildOptions
) -> Iterator[ApiEnv]:
    """The small library's API with a shipped ranker built for the fake encoder."""
    save_shipped(tmp_path / "shipped")
    overrides: dict[str, object] = {"ranker_path": tmp_path / "shipped"}
    if request.param == "postgresql":
        overrides["database_url"] = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    made = make_env(tmp_path, build_options, **overrides)
    yield made
    made.client.close()
    made.service.close()


def register(env: ApiEnv, seed: int) -> RankerRecord:
    return env.service.ranking.register(
        tiny_ranker(seed), trained_on={"deals": 40}, offline={"candidate": {"snips": 0.5}},
        created_by="learn",
    )  # fmt: skip


def promote(env: ApiEnv, ranker: str, role: str = "admin", **extra: Any) -> Any:
    body = {"ranker": ranker, **extra}
    return env.client.post("/v1/rankers:promote", json=body, headers=env.auth(role))


def rollback(env: ApiEnv, body: Any = None, role: str = "admin") -> Any:
    return env.client.post("/v1/rankers:rollback", json=body, headers=env.auth(role))


def ranks_with(env: ApiEnv, name: str) -> None:
    """Wait (up to 10 s) until this worker's recommender ranks with `name`, serving meanwhile."""
    deadline = time.monotonic() + 10
    while True:
        response = env.client.post(
            "/v1/recommendations", json={"questions": ["pricing"]}, headers=env.auth("rep")
        )
        assert response.status_code == 200, response.text
        ranker = env.service.recommender.config.ranker
        if ranker is not None and ranker.name == name:
            return
        assert time.monotonic() < deadline, f"still ranking with {ranker and ranker.name}"
        time.sleep(0.02)


def test_list_and_get_show_the_shipped_ranker_live_before_any_promotion(env: ApiEnv) -> None:
    trained = register(env, 1)
    listed = env.client.get("/v1/rankers", headers=env.auth("marketer"))
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["kind"], i["live"]) for i in items] == [("shipped", True), ("trained", False)]
    shipped = items[0]
    assert shipped["source"] == str(env.settings.ranker_path)
    assert items[1]["id"] == trained.id and items[1]["created_by"] == "learn"
    assert items[1]["trained_on"] == {"deals": 40}
    assert items[1]["offline"] == {"candidate": {"snips": 0.5}}
    one = env.client.get(f"/v1/rankers/{trained.id}", headers=env.auth("marketer"))
    assert one.status_code == 200 and one.json() == items[1]
    ready = env.client.get("/readyz").json()
    assert (ready["scorer"], ready["live_ranker"]) == (shipped["id"], shipped["id"])


def test_promote_serves_the_ranker_and_readyz_names_it(env: ApiEnv) -> None:
    trained = register(env, 1)
    ranks_with(env, env.service.ranking.registry.shipped().id)
    response = promote(env, trained.id, reason="won the interleave")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["live"], body["promoted_by"], body["reason"]) == (
        trained.id, True, "test-admin", "won the interleave",
    )  # fmt: skip
    assert promote(env, trained.id).json() == body  # the live one again: nothing changes
    ranks_with(env, trained.id)
    ready = env.client.get("/readyz").json()
    assert (ready["scorer"], ready["live_ranker"]) == (trained.id, trained.id)
    assert trained.source in ready["scorer_note"] and "the live ranker" in ready["scorer_note"]
    listed = env.client.get("/v1/rankers", headers=env.auth("marketer")).json()["items"]
    assert [i["id"] for i in listed if i["live"]] == [trained.id]


def test_a_corrupt_file_is_a_409_naming_it_and_the_live_ranker_stays(env: ApiEnv) -> None:
    trained = register(env, 1)
    folder = env.settings.data_dir / "rankers" / trained.source
    (folder / MODEL_FILE).write_text("not a model")
    response = promote(env, trained.id)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "ranker_file"
    assert str(folder / MODEL_FILE) in error["message"] and "sha256" in error["message"]
    listed = env.client.get("/v1/rankers", headers=env.auth("marketer")).json()["items"]
    assert [i["kind"] for i in listed if i["live"]] == ["shipped"]


def test_rollback_returns_to_the_shipped_ranker_then_has_nothing_to_undo(env: ApiEnv) -> None:
    shipped = env.service.ranking.registry.shipped().id
    trained = register(env, 1)
    assert promote(env, trained.id).status_code == 200
    ranks_with(env, trained.id)
    back = rollback(env, {"reason": "fewer sends"})
    assert back.status_code == 200, back.text
    assert (back.json()["id"], back.json()["kind"], back.json()["live"]) == (
        shipped, "shipped", True,
    )  # fmt: skip
    assert (back.json()["promoted_how"], back.json()["reason"]) == ("rollback", "fewer sends")
    ranks_with(env, shipped)
    again = rollback(env)  # no body: the reason is optional
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "conflict"
    assert "Nothing to roll back" in again.json()["error"]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_id_is_a_404_naming_the_known_ids(env: ApiEnv, method: str) -> None:
    trained = register(env, 1)
    if method == "GET":
        response = env.client.get("/v1/rankers/lambdarank:nope", headers=env.auth("admin"))
    else:
        response = promote(env, "lambdarank:nope")
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    field = "ranker_id" if method == "GET" else "ranker"  # the path parameter, the body field
    assert (error["code"], error["field"]) == ("not_found", field)
    assert "lambdarank:nope" in error["message"] and trained.id in error["message"]
    assert env.service.ranking.registry.shipped().id in error["message"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/rankers:promote", {}, "ranker"),
        ("/v1/rankers:promote", {"ranker": ""}, "ranker"),
        ("/v1/rankers:promote", {"ranker": "x" * 101}, "ranker"),
        ("/v1/rankers:promote", {"ranker": 7}, "ranker"),
        ("/v1/rankers:promote", {"ranker": "lambdarank:x", "reason": 5}, "reason"),
        ("/v1/rankers:promote", {"ranker": "lambdarank:x", "why": "x"}, "why"),
        ("/v1/rankers:rollback", {"reason": ["x"]}, "reason"),
        ("/v1/rankers:rollback", {"reason": "x" * 1001}, "reason"),
        ("/v1/rankers:rollback", {"undo": 2}, "undo"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(
    env: ApiEnv, path: str, body: dict[str, Any], field: str
) -> None:
    register(env, 1)
    response = env.client.post(path, json=body, headers=env.auth("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert env.service.ranking.registry.history() == []


def test_marketers_read_and_only_admins_change(env: ApiEnv) -> None:
    trained = register(env, 1)
    assert promote(env, trained.id, role="marketer").status_code == 403
    assert rollback(env, role="marketer").status_code == 403
    for path in ("/v1/rankers", f"/v1/rankers/{trained.id}"):
        assert env.client.get(path, headers=env.auth("rep")).status_code == 403
        assert env.client.get(path, headers=env.auth("crm")).status_code == 403
        assert env.client.get(path, headers=env.auth("marketer")).status_code == 200
    assert env.service.ranking.registry.history() == []


def test_an_experiment_may_name_a_registered_ranker(env: ApiEnv) -> None:
    trained = register(env, 1)
    body = {"name": "candidate", "kind": "interleave", "control": "linear",
            "treatment": trained.id}  # fmt: skip
    made = env.client.post("/v1/experiments", json=body, headers=env.auth("admin"))
    assert made.status_code == 201, made.text
    assert made.json()["treatment"] == trained.id


def test_the_document_names_the_operations(env: ApiEnv) -> None:
    paths = env.client.get("/openapi.json").json()["paths"]
    assert paths["/v1/rankers"]["get"]["operationId"] == "listRankers"
    assert paths["/v1/rankers/{ranker_id}"]["get"]["operationId"] == "getRanker"
    promoted = paths["/v1/rankers:promote"]["post"]
    assert promoted["operationId"] == "promoteRanker"
    assert {"404", "409", "422"} <= set(promoted["responses"])
    assert paths["/v1/rankers:rollback"]["post"]["operationId"] == "rollbackRanker"


def _job(env: ApiEnv, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job = env.client.get(f"/v1/jobs/{job_id}", headers=env.auth("admin")).json()
        if job["state"] in ("succeeded", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("the learn job did not finish")


def test_train_runs_learn_as_a_job_and_reports_too_little_data(env: ApiEnv) -> None:
    response = env.client.post("/v1/rankers:train", headers=env.auth("admin"))
    assert response.status_code == 202, response.text
    assert response.json()["kind"] == "learn"
    job = _job(env, response.json()["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["ranker"] is None and job["result"]["promoted"] is False
    assert job["result"]["skipped"].startswith("too little data")


def test_train_learns_from_served_lists_and_registers_the_candidate(env: ApiEnv) -> None:
    from enablement.events.simulate import SimulationOptions, simulate

    service = env.service
    simulate(service.usage, service.recommender, SimulationOptions(deals=300, seed=3))
    body = {"since": "2020-01-01T00:00:00Z", "auto_promote": False}
    response = env.client.post("/v1/rankers:train", json=body, headers=env.auth("admin"))
    job = _job(env, response.json()["id"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["trained_on"]["lists"] > 0 and result["promoted"] is False
    listed = env.client.get("/v1/rankers", headers=env.auth("marketer")).json()["items"]
    ids = [item["id"] for item in listed]
    assert (result["ranker"] in ids) if result["ranker"] else result["skipped"]
    assert [item["id"] for item in listed if item["live"]] == [ids[0]]  # the shipped one


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "last tuesday"}, "since"),
        ({"since": "2026-10-01T00:00:00"}, "since"),  # no zone
        ({"auto_promote": "maybe"}, "auto_promote"),
        ({"rounds": 5}, "rounds"),
    ],
)
def test_a_bad_train_body_is_a_422_naming_the_field(
    env: ApiEnv, body: dict[str, Any], field: str
) -> None:
    response = env.client.post("/v1/rankers:train", json=body, headers=env.auth("admin"))
    assert response.status_code == 422, response.text
    assert field in response.text


def test_only_admins_train(env: ApiEnv) -> None:
    for role in ("marketer", "rep"):
        response = env.client.post("/v1/rankers:train", headers=env.auth(role))
        assert response.status_code == 403, response.text
