"""The experiments routes: admin creates and stops, marketer reads; bad definitions are 422s
naming the field (and the valid rankers), a second running experiment a 409, an unknown id a
404 naming experiment_id; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from enablement.experiments.rankers import BASELINES
from tests.api.conftest import ApiEnv

HOLDOUT = {"name": "metadata pays", "kind": "holdout", "control": "no_metadata", "share": 0.1}
INTERLEAVE = {"name": "linear vs bm25", "kind": "interleave", "control": "linear",
              "treatment": "bm25_only"}  # fmt: skip
# The fake encoder matches no shipped ranker model, so no learned ranker is known here.
KNOWN = sorted(["linear", *BASELINES])


@pytest.fixture
def env(api_on_both: ApiEnv) -> ApiEnv:
    return api_on_both


def _create(env: ApiEnv, body: dict[str, Any], role: str = "admin") -> Any:
    return env.client.post("/v1/experiments", json=body, headers=env.auth(role))


def test_create_read_list_and_stop(env: ApiEnv) -> None:
    created = _create(env, HOLDOUT)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in HOLDOUT} == HOLDOUT
    assert (body["status"], body["treatment"], body["created_by"]) == (
        "running",
        None,
        "test-admin",
    )
    assert body["created_at"].endswith("+00:00") and body["stopped_at"] is None
    read = env.client.get(f"/v1/experiments/{body['id']}", headers=env.auth("marketer"))
    assert read.status_code == 200 and read.json() == body | {"results": read.json()["results"]}
    assert read.json()["results"]["kind"] == "holdout"
    listed = env.client.get("/v1/experiments", headers=env.auth("marketer"))
    assert listed.json() == {"items": [body], "next": None}
    stopped = env.client.post(f"/v1/experiments/{body['id']}:stop", headers=env.auth("admin"))
    assert stopped.status_code == 200, stopped.text
    assert (stopped.json()["status"], stopped.json()["stopped_by"]) == ("stopped", "test-admin")
    again = env.client.post(f"/v1/experiments/{body['id']}:stop", headers=env.auth("admin"))
    assert again.json() == stopped.json()
    second = _create(env, INTERLEAVE)  # free again once the first is stopped
    assert second.status_code == 201 and second.json()["treatment"] == "bm25_only"


def test_a_second_running_experiment_is_a_409(env: ApiEnv) -> None:
    first = _create(env, HOLDOUT).json()
    refused = _create(env, INTERLEAVE)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "conflict" and first["id"] in error["message"]
    listed = env.client.get("/v1/experiments", headers=env.auth("marketer")).json()
    assert [e["id"] for e in listed["items"]] == [first["id"]]


@pytest.mark.parametrize("field", ["control", "treatment"])
def test_an_unknown_ranker_is_a_422_naming_the_field_and_the_valid_ones(
    env: ApiEnv, field: str
) -> None:
    response = _create(env, INTERLEAVE | {field: "lambdarank:000000000000"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"], error["valid"]) == ("unknown_ranker", field, KNOWN)
    assert "lambdarank:000000000000" in error["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"share": 0}, "share"),
        ({"share": 0.6}, "share"),
        ({"share": -0.1}, "share"),
        ({"share": None}, "share"),  # a holdout without a share
        ({"treatment": "linear"}, "treatment"),  # a holdout takes none
        ({"kind": "holdback"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_holdout_is_a_422_naming_the_field(
    env: ApiEnv, change: dict[str, Any], field: str
) -> None:
    response = _create(env, HOLDOUT | change)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert env.client.get("/v1/experiments", headers=env.auth("admin")).json()["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"treatment": None}, "treatment"),
        ({"treatment": "linear"}, "treatment"),  # the control itself
        ({"share": 0.1}, "share"),  # interleave takes no share
    ],
)
def test_a_bad_interleave_is_a_422_naming_the_field(
    env: ApiEnv, change: dict[str, Any], field: str
) -> None:
    response = _create(env, INTERLEAVE | change)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field, response.text
    if change == {"treatment": None}:  # the message lists what it may be
        assert all(name in error["message"] for name in KNOWN)


def test_a_share_of_one_half_is_the_most_allowed(env: ApiEnv) -> None:
    assert _create(env, HOLDOUT | {"share": 0.5}).status_code == 201


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_id_is_a_404_naming_experiment_id(env: ApiEnv, method: str) -> None:
    path = "/v1/experiments/exp-nope" + (":stop" if method == "POST" else "")
    response = env.client.request(method, path, headers=env.auth("admin"))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["field"] == "experiment_id"


def test_only_admins_create_and_stop_and_marketers_read(env: ApiEnv) -> None:
    assert _create(env, HOLDOUT, role="marketer").status_code == 403
    made = _create(env, HOLDOUT).json()
    stop = f"/v1/experiments/{made['id']}:stop"
    assert env.client.post(stop, headers=env.auth("marketer")).status_code == 403
    for path in ("/v1/experiments", f"/v1/experiments/{made['id']}"):
        assert env.client.get(path, headers=env.auth("rep")).status_code == 403
        assert env.client.get(path, headers=env.auth("crm")).status_code == 403
        assert env.client.get(path, headers=env.auth("marketer")).status_code == 200


def test_the_list_pages_newest_first(env: ApiEnv) -> None:
    made = []
    for i in range(3):
        made.append(_create(env, HOLDOUT | {"name": f"h{i}"}).json()["id"])
        env.client.post(f"/v1/experiments/{made[-1]}:stop", headers=env.auth("admin"))
    auth = env.auth("marketer")
    first = env.client.get("/v1/experiments", params={"limit": 2}, headers=auth).json()
    rest = env.client.get(
        "/v1/experiments", params={"limit": 2, "cursor": first["next"]}, headers=auth
    ).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == made[::-1]
    assert rest["next"] is None
    too_many = env.client.get("/v1/experiments", params={"limit": 201}, headers=auth)
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "limit"


def test_the_document_names_the_operations(env: ApiEnv) -> None:
    paths = env.client.get("/openapi.json").json()["paths"]
    assert paths["/v1/experiments"]["post"]["operationId"] == "createExperiment"
    assert paths["/v1/experiments"]["get"]["operationId"] == "listExperiments"
    assert paths["/v1/experiments/{experiment_id}"]["get"]["operationId"] == "getExperiment"
    stop = paths["/v1/experiments/{experiment_id}:stop"]["post"]
    assert stop["operationId"] == "stopExperiment" and "404" in stop["responses"]
    assert "409" in paths["/v1/experiments"]["post"]["responses"]
