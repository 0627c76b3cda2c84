"""DELETE /v1/assets/{id} and GET /v1/audit-log: admins only, audited, out of the index."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.api.conftest import ApiEnv

DEAL = {
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "questions": ["how do approvals and intake forms work?"],
    "k": 3,
    "as_of": "2026-06-01",
}


def _wait(api: ApiEnv, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job = api.client.get(f"/v1/jobs/{job_id}", headers=api.auth("admin")).json()
        if job["state"] in ("succeeded", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def _recommended(api: ApiEnv) -> list[str]:
    response = api.client.post("/v1/recommendations", json=DEAL, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    return [item["asset_id"] for item in response.json()["items"]]


def _searched(api: ApiEnv) -> set[str]:
    found = api.client.get("/v1/search", params={"q": "hospitals"}, headers=api.auth("rep"))
    return {hit["asset_id"] for hit in found.json()["items"]}


def test_an_admin_removes_an_asset_and_it_leaves_the_index(api: ApiEnv) -> None:
    assert _recommended(api)[0] == "datasheet-healthcare"
    assert "datasheet-healthcare" in _searched(api)
    response = api.client.delete("/v1/assets/datasheet-healthcare", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    library = str(api.settings.library_roots[0].resolve())
    assert body["removed"] == [
        {
            "id": "datasheet-healthcare",
            "title": "Workflow for Healthcare",
            "source": library,
            "path": "datasheet-healthcare.md",
        }
    ]
    assert (body["count"], body["actor"], body["via"]) == (1, "test-admin", "api")
    assert body["job"]["kind"] == "rebuild"
    assert _wait(api, body["job"]["id"])["state"] == "succeeded"
    time.sleep(0.1)  # the workers' reload
    assert "datasheet-healthcare" not in _recommended(api)
    assert "datasheet-healthcare" not in _searched(api)
    gone = api.client.get("/v1/assets/datasheet-healthcare", headers=api.auth("rep"))
    assert gone.status_code == 404

    log = api.client.get("/v1/audit-log", headers=api.auth("admin"))
    assert log.status_code == 200
    [row] = log.json()["items"]
    admin_key = api.service.keys.verify(api.keys["admin"])
    assert admin_key is not None
    assert (row["asset_id"], row["actor"], row["via"], row["key_id"]) == (
        "datasheet-healthcare",
        "test-admin",
        "api",
        admin_key.key_id,
    )
    assert (row["title"], row["source"], row["action"]) == (
        "Workflow for Healthcare",
        library,
        "remove",
    )
    assert log.json()["next"] is None


@pytest.mark.parametrize("role", ["rep", "crm", "marketer"])
def test_only_admins_remove_or_read_the_log(api: ApiEnv, role: str) -> None:
    response = api.client.delete("/v1/assets/datasheet-healthcare", headers=api.auth(role))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "'admin' role" in error["message"]
    assert api.service.store.get("datasheet-healthcare") is not None
    assert api.client.get("/v1/audit-log", headers=api.auth(role)).status_code == 403


def test_removing_without_a_key_is_401(api: ApiEnv) -> None:
    response = api.client.delete("/v1/assets/datasheet-healthcare")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_an_unknown_id_is_404_naming_the_field_and_the_closest(api: ApiEnv) -> None:
    response = api.client.delete("/v1/assets/datasheet-helthcare", headers=api.auth("admin"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["code"], error["field"], error["closest"]) == (
        "unknown_asset",
        "asset_id",
        "datasheet-healthcare",
    )
    assert error["unknown"] == ["datasheet-helthcare"] and "Nothing was removed" in error["message"]
    api.client.delete("/v1/assets/notes", headers=api.auth("admin"))
    again = api.client.delete("/v1/assets/notes", headers=api.auth("admin"))
    assert again.status_code == 404 and "removed already" in again.json()["error"]["message"]
    assert len(api.service.audit_log()["items"]) == 1


def test_the_audit_log_pages(api: ApiEnv) -> None:
    for asset_id in ("notes", "pricing-old", "guide-fr"):
        api.client.delete(f"/v1/assets/{asset_id}", headers=api.auth("admin"))
    first = api.client.get("/v1/audit-log", params={"limit": 2}, headers=api.auth("admin")).json()
    assert [row["asset_id"] for row in first["items"]] == ["guide-fr", "pricing-old"]
    rest = api.client.get(
        "/v1/audit-log", params={"cursor": first["next"]}, headers=api.auth("admin")
    ).json()
    assert [row["asset_id"] for row in rest["items"]] == ["notes"]
    one = api.client.get("/v1/audit-log", params={"asset_id": "notes"}, headers=api.auth("admin"))
    assert [row["asset_id"] for row in one.json()["items"]] == ["notes"]


def test_an_overlong_id_is_422_naming_the_field_without_echoing_it(api: ApiEnv) -> None:
    huge = "x" * 60_000
    response = api.client.delete(f"/v1/assets/{huge}", headers=api.auth("admin"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "asset_id" and len(response.content) < 2_000
    assert (
        api.client.delete(f"/v1/assets/{'x' * 200}", headers=api.auth("admin")).status_code == 404
    )


def test_an_empty_id_is_the_usual_error_body(api: ApiEnv) -> None:
    response = api.client.delete("/v1/assets/", headers=api.auth("admin"), follow_redirects=False)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "asset_id"
    assert "asset id" in response.json()["error"]["message"]
    assert api.client.delete("/v1/assets/", headers=api.auth("rep")).status_code == 403
