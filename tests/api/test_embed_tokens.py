"""POST /v1/embed-tokens over HTTP: who may mint what, and a token used like a key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from enablement.db import tables
from enablement.service import EnablementService
from tests.api.conftest import ApiEnv, make_env
from tests.fakes import HashingEncoder

EVENT = {"idempotency_key": "k-1", "type": "opened", "deal_id": "d1", "asset_id": "security-faq"}


@pytest.fixture
def env(tmp_path: Path, build_options: BuildOptions, database_url: str) -> Iterator[ApiEnv]:
    """The small library's API with its keys and tokens in SQLite or PostgreSQL."""
    env = make_env(tmp_path, build_options, database_url=database_url)
    yield env
    env.client.close()
    env.service.close()


def mint(env: ApiEnv, role: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = env.client.post("/v1/embed-tokens", json=body, headers=env.auth(role))
    return response.status_code, response.json()


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_rep_key_mints_a_token_for_itself(env: ApiEnv) -> None:
    status, body = mint(env, "rep", {})
    assert status == 201, body
    assert set(body) == {"token", "user", "role", "expires_at"}
    assert (body["user"], body["role"]) == ("test-rep", "rep")
    expires = datetime.fromisoformat(str(body["expires_at"]))
    assert timedelta(seconds=890) < expires - datetime.now(UTC) <= timedelta(seconds=900)


def test_an_admin_key_mints_for_any_rep_and_events_carry_the_reps_id(env: ApiEnv) -> None:
    status, body = mint(env, "admin", {"user": "jordan@example.com", "ttl_seconds": 60})
    assert status == 201 and body["user"] == "jordan@example.com"
    response = env.client.post("/v1/events", json=EVENT, headers=bearer(body["token"]))
    assert response.status_code == 201, response.text
    with env.service.engine.connect() as connection:
        users = connection.execute(select(tables.events.c.user_id)).scalars().all()
    assert users == ["jordan@example.com"]


@pytest.mark.parametrize(
    ("role", "body", "status", "field"),
    [
        ("rep", {"user": "someone-else"}, 403, "user"),
        ("rep", {"role": "marketer"}, 403, "role"),
        ("marketer", {"user": "someone-else"}, 403, "user"),
        ("admin", {"role": "admin"}, 422, "role"),
        ("admin", {"ttl_seconds": 59}, 422, "ttl_seconds"),
        ("admin", {"ttl_seconds": 43_201}, 422, "ttl_seconds"),
        ("admin", {"user": ""}, 422, "user"),
        ("admin", {"scope": "all"}, 422, "scope"),
    ],
)
def test_refused_requests_name_the_field(
    env: ApiEnv, role: str, body: dict[str, object], status: int, field: str
) -> None:
    got, answer = mint(env, role, body)
    assert got == status, answer
    error = answer["error"]
    assert isinstance(error, dict) and error["field"] == field


def test_a_marketer_token_for_the_dashboard(env: ApiEnv) -> None:
    status, body = mint(env, "marketer", {"role": "marketer"})
    assert status == 201 and body["role"] == "marketer"
    assert env.client.get("/v1/analytics/funnel", headers=bearer(body["token"])).status_code == 200


def test_a_rep_token_has_the_rep_role_only(env: ApiEnv) -> None:
    _, body = mint(env, "admin", {"user": "jordan"})
    headers = bearer(body["token"])
    assert env.client.get("/v1/taxonomy", headers=headers).status_code == 200
    refused = env.client.get("/v1/analytics/funnel", headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    again = env.client.post("/v1/embed-tokens", json={}, headers=headers)
    assert again.status_code == 403 and "cannot mint" in again.json()["error"]["message"]


def test_expired_and_forged_tokens_get_distinct_401s(env: ApiEnv) -> None:
    _, body = mint(env, "admin", {"user": "jordan"})
    with env.service.engine.begin() as connection:
        past = datetime.now(UTC) - timedelta(seconds=1)
        connection.execute(update(tables.embed_tokens).values(expires_at=past))
    expired = env.client.get("/v1/taxonomy", headers=bearer(body["token"]))
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"
    assert expired.headers["WWW-Authenticate"] == "Bearer"
    forged = env.client.get("/v1/taxonomy", headers=bearer("enbt_" + "A" * 43))
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "unauthorized"


def test_a_token_from_one_worker_works_on_another(env: ApiEnv) -> None:
    """Two apps over one database stand for two uvicorn workers: nothing is held in memory."""
    _, body = mint(env, "admin", {"user": "jordan"})
    other = EnablementService(env.settings, encoder=HashingEncoder())
    with TestClient(create_app(env.settings, service=other)) as client:
        response = client.post("/v1/events", json=EVENT, headers=bearer(body["token"]))
    other.close()
    assert response.status_code == 201, response.text


def test_tokens_are_not_listed_as_keys(env: ApiEnv) -> None:
    mint(env, "admin", {"user": "jordan"})
    names = {row["name"] for row in env.service.keys.list()}
    assert names == {"test-rep", "test-crm", "test-marketer", "test-admin"}
