"""/healthz names the index build a worker serves, without loading one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from enablement.api import create_app
from tests.api.conftest import ApiEnv


def test_healthz_names_the_bundle_it_serves(api: ApiEnv) -> None:
    before = api.client.get("/healthz")
    assert before.status_code == 200
    assert before.json()["status"] == "ok"
    assert before.json()["bundle_version"] is None  # nothing loaded yet
    recommending = api.service.recommending
    assert "live" not in recommending.__dict__ or recommending.live.current is None  # nor now
    served = api.client.get("/v1/search", params={"q": "intake"}, headers=api.auth("rep"))
    version = served.headers["x-bundle-version"]
    assert version == api.service.recommender.bundle.meta.version
    after = api.client.get("/healthz")
    assert (after.json()["status"], after.json()["bundle_version"]) == ("ok", version)
    assert after.headers["x-bundle-version"] == version
    meta = api.service.recommender.bundle.meta
    assert version.startswith(f"v{meta.catalog_version}-")  # the catalog it was built from


def test_healthz_follows_a_rebuild(api: ApiEnv) -> None:
    api.client.get("/v1/taxonomy", headers=api.auth("rep"))
    first = api.service.recommender.bundle.meta.version
    api.service.build_index()  # switches this process to the new build
    now = api.client.get("/healthz").json()["bundle_version"]
    assert now == api.service.recommender.bundle.meta.version and now != first


def test_a_started_server_reports_its_bundle_at_once(api: ApiEnv) -> None:
    """The lifespan loads the bundle before the first request, so the first probe names it."""
    with TestClient(create_app(api.settings, service=api.service)) as client:
        body = client.get("/healthz").json()
    assert body["bundle_version"] == api.service.recommender.bundle.meta.version is not None
