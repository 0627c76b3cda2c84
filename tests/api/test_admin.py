"""Ingest and rebuild jobs, hot reload, rate limits, CORS and readiness over HTTP."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.conftest import ApiEnv, make_env
from tests.fakes import HashingEncoder


def _wait(api: ApiEnv, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job = api.client.get(f"/v1/jobs/{job_id}", headers=api.auth("admin")).json()
        if job["state"] in ("succeeded", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_ingest_under_a_root_then_the_new_bundle_serves(api: ApiEnv) -> None:
    library = api.settings.library_roots[0]
    (library / "new-guide.md").write_text(
        "---\ntitle: Onboarding Guide\ntype: implementation_guide\n---\nZebra onboarding steps."
    )
    (library / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    before = (
        api.client.get("/healthz").headers.get("x-bundle-version")
        or api.client.get("/readyz").json()["bundle_version"]
    )
    response = api.client.post(
        "/v1/catalog:ingest", json={"path": str(library)}, headers=api.auth("admin")
    )
    assert response.status_code == 202 and response.json()["state"] in (
        "queued",
        "running",
        "succeeded",
    )
    job = _wait(api, response.json()["id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["added"] == ["new-guide"]
    assert [e["path"] for e in job["result"]["errors"]] == ["broken.pdf"]
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    time.sleep(0.1)
    found = api.client.get("/v1/search", params={"q": "zebra onboarding"}, headers=api.auth("rep"))
    assert found.json()["items"][0]["asset_id"] == "new-guide"
    assert found.headers["x-bundle-version"] != before


def test_ingest_outside_the_roots_is_refused(api: ApiEnv, tmp_path: Path) -> None:
    for path in ("/etc", str(tmp_path), str(api.settings.library_roots[0] / ".." / "..")):
        response = api.client.post(
            "/v1/catalog:ingest", json={"path": path}, headers=api.auth("admin")
        )
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "path"
        assert "library root" in response.json()["error"]["message"]


def test_upload_a_manifest(api: ApiEnv) -> None:
    rows = [{"id": "uploaded-faq", "title": "Uploaded FAQ", "text": "Quokka questions answered."}]
    body = "\n".join(json.dumps(r) for r in rows).encode()
    response = api.client.post(
        "/v1/catalog:ingest?filename=export.jsonl",
        content=body,
        headers={**api.auth("admin"), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 202, response.text
    job = _wait(api, response.json()["id"])
    assert job["result"]["added"] == ["uploaded-faq"]
    unnamed = api.client.post(
        "/v1/catalog:ingest",
        content=b"x",
        headers={**api.auth("admin"), "Content-Type": "text/plain"},
    )
    assert unnamed.status_code == 422 and unnamed.json()["error"]["field"] == "filename"


def test_rebuild_job_and_unknown_job(api: ApiEnv) -> None:
    response = api.client.post("/v1/index:rebuild", headers=api.auth("admin"))
    job = _wait(api, response.json()["id"])
    assert job["state"] == "succeeded" and job["result"]["encoded"] == 0  # all cached
    missing = api.client.get("/v1/jobs/nope", headers=api.auth("admin"))
    assert missing.status_code == 404


def test_rate_limit_answers_429_with_retry_after(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options, rate_limit_per_minute=3)
    codes = [env.client.get("/v1/taxonomy", headers=env.auth("rep")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = env.client.get("/v1/taxonomy", headers=env.auth("rep"))
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    assert (
        env.client.get("/v1/taxonomy", headers=env.auth("marketer")).status_code == 200
    )  # per key
    env.service.close()


def test_cors_only_for_configured_origins(tmp_path: Path, build_options: BuildOptions) -> None:
    env = make_env(tmp_path, build_options, cors_origins=["https://acme.my.salesforce.com"])
    allowed = env.client.options(
        "/v1/recommendations",
        headers={
            "Origin": "https://acme.my.salesforce.com",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert allowed.headers["access-control-allow-origin"] == "https://acme.my.salesforce.com"
    other = env.client.options(
        "/v1/recommendations",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
    env.service.close()


def test_readyz_is_503_without_a_bundle(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    service = EnablementService(settings, encoder=HashingEncoder())
    client = TestClient(create_app(settings, service=service))
    response = client.get("/readyz")
    assert response.status_code == 503
    # an empty catalog: `enablement index` would refuse it, ingesting comes first
    assert "run `enablement ingest PATH` first" in response.json()["checks"]["bundle"]
    service.close()


def test_readyz_says_which_scorer_ranks(api: ApiEnv) -> None:
    body = api.client.get("/readyz").json()
    # the shipped ranker was trained on MiniLM's features, so under the test encoder it is off
    assert body["scorer"] == "linear"
    assert "was built for" in body["scorer_note"] and "ranker" in body["scorer_note"]


def test_metrics(api: ApiEnv) -> None:
    served = api.client.post(
        "/v1/recommendations", json={"questions": ["pricing"]}, headers=api.auth("rep")
    )
    count = len(served.json()["items"])
    text = api.client.get("/metrics", headers=api.auth("admin")).text
    route = 'method="POST",route="/v1/recommendations",status="200"'
    assert f"enablement_request_seconds_count{{{route}}} 1.0" in text
    assert f"enablement_recommendations_served_total {count}.0" in text and count > 0
    assert "enablement_index_chunks" in text and "enablement_bundle_info{version=" in text


def test_unusable_paths_are_422(api: ApiEnv) -> None:
    for path in ("\u0000", "a\u0000b"):
        response = api.client.post(
            "/v1/catalog:ingest", json={"path": path}, headers=api.auth("admin")
        )
        assert response.status_code == 422 and response.json()["error"]["field"] == "path"


@pytest.mark.parametrize(
    "body",
    [
        b'{"path": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"path": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
        b'{"path": ' + b"9" * 5_000 + b"}",
        b"\xff\xfe{}",
    ],
    ids=["deep-array", "deep-object", "huge-int", "not-utf8"],
)
def test_an_unparseable_ingest_body_is_422(api: ApiEnv, body: bytes) -> None:
    response = api.client.post(
        "/v1/catalog:ingest",
        content=body,
        headers={**api.auth("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "path"


@pytest.mark.parametrize("filename", ["a" * 300 + ".md", "x." + "b" * 5000, "..md", "noext"])
def test_an_unusable_upload_name_is_422(api: ApiEnv, filename: str) -> None:
    response = api.client.post(
        f"/v1/catalog:ingest?filename={filename}",
        content=b"# Title\nBody.\n",
        headers={**api.auth("admin"), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "filename"
