"""Rate limits: embed tokens spend their minting key's budget, and failed sign-ins (and share
link guesses) are limited per client address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from enablement.db import tables
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture
def env(tmp_path: Path, build_options: BuildOptions, database_url: str) -> Iterator[ApiEnv]:
    env = make_env(tmp_path, build_options, database_url=database_url,
                   rate_limit_per_minute=4, auth_failures_per_minute=5)  # fmt: skip
    env.service.ingest(tmp_path / "library")  # the catalog, in the store under test
    yield env
    env.client.close()
    env.service.close()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_tokens_minted_from_one_key_share_its_bucket(env: ApiEnv) -> None:
    crm = env.service.keys.verify(env.keys["crm"])
    assert crm is not None
    tokens = [env.service.tokens.mint(f"rep-{i}", issuer=crm).token for i in range(6)]
    answers = [env.client.get("/v1/taxonomy", headers=bearer(t)).status_code for t in tokens]
    assert answers == [200, 200, 200, 200, 429, 429]  # 4 a minute, however many tokens
    refused = env.client.get("/v1/taxonomy", headers=env.auth("crm"))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"
    assert env.client.get("/v1/taxonomy", headers=env.auth("rep")).status_code == 200


def test_cli_tokens_for_one_user_share_a_bucket(env: ApiEnv) -> None:
    tokens = [env.service.tokens.mint("jordan").token for _ in range(5)]
    answers = [env.client.get("/v1/taxonomy", headers=bearer(t)).status_code for t in tokens]
    assert answers == [200, 200, 200, 200, 429]
    other = env.service.tokens.mint("sam").token
    assert env.client.get("/v1/taxonomy", headers=bearer(other)).status_code == 200


def test_failed_sign_ins_are_limited_per_address(env: ApiEnv) -> None:
    for _ in range(3):  # successes spend nothing from the failure budget
        assert env.client.get("/v1/taxonomy", headers=env.auth("rep")).status_code == 200
    expired = env.service.tokens.mint("jordan", ttl_seconds=60)
    with env.service.engine.begin() as connection:
        connection.execute(
            update(tables.embed_tokens).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    failures = [
        env.client.get("/v1/taxonomy"),  # no key
        env.client.get("/v1/taxonomy", headers=bearer("enb_guess-1")),
        env.client.post("/v1/embed-tokens", json={}, headers=bearer("enb_guess-2")),
        env.client.post("/mcp/", json={}, headers=bearer("enb_guess-3")),
        env.client.get("/v1/taxonomy", headers=bearer(expired.token)),
    ]
    assert [r.status_code for r in failures] == [401] * 5
    for method, path in (("GET", "/v1/taxonomy"), ("POST", "/mcp/"), ("POST", "/v1/embed-tokens")):
        limited = env.client.request(method, path, json={}, headers=bearer("enb_guess-4"))
        assert limited.status_code == 429, (path, limited.text)
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
    # a good key from the same address (an office behind one NAT) is never locked out
    assert env.client.get("/v1/taxonomy", headers=env.auth("admin")).status_code == 200
    assert env.client.get("/v1/taxonomy", headers=bearer("enb_guess-6")).status_code == 429
    elsewhere = TestClient(env.client.app, client=("203.0.113.9", 4000))
    assert elsewhere.get("/v1/taxonomy", headers=env.auth("admin")).status_code == 200
    assert elsewhere.get("/v1/taxonomy", headers=bearer("enb_guess-5")).status_code == 401


def test_share_link_guesses_count_as_failed_sign_ins(env: ApiEnv) -> None:
    link = env.client.post(
        "/v1/share-links", json={"deal_id": "d1", "asset_id": "security-faq"},
        headers=env.auth("rep"),
    ).json()  # fmt: skip
    path = link["url"].removeprefix(env.settings.public_url)
    assert env.client.get(path).status_code == 200  # a real link does not count
    guesses = [env.client.get(f"/s/guess-{i}").status_code for i in range(6)]
    assert guesses == [404] * 5 + [429]
    refused = env.client.get("/s/guess-6")
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert env.client.get(path).status_code == 200  # the buyer's real link still opens
    assert env.client.get("/v1/taxonomy", headers=bearer("enb_x")).status_code == 429  # one budget


def test_limits_come_from_settings(tmp_path: Path, build_options: BuildOptions) -> None:
    env = make_env(tmp_path, build_options, auth_failures_per_minute=2)
    try:
        app = create_app(env.settings, service=env.service)
        client = TestClient(app, raise_server_exceptions=False)
        codes = [client.get("/v1/taxonomy", headers=bearer("bad")).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
    finally:
        env.client.close()
        env.service.close()
