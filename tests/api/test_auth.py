"""The role matrix, route by route: 401 without a valid key, 403 below the role, 2xx at it."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.conftest import ApiEnv

DEAL = {"stage": "discovery", "questions": ["approvals"]}
ROUTES: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("POST", "/v1/recommendations", DEAL, "rep"),
    ("POST", "/v1/recommendations:batch", {"deals": [DEAL]}, "rep"),
    ("GET", "/v1/search?q=pricing", None, "rep"),
    ("GET", "/v1/assets", None, "rep"),
    ("GET", "/v1/assets/security-faq", None, "rep"),
    ("GET", "/v1/taxonomy", None, "rep"),
    ("POST", "/v1/catalog:ingest", {"path": "LIBRARY"}, "admin"),
    ("POST", "/v1/index:rebuild", None, "admin"),
    ("DELETE", "/v1/assets/notes", None, "admin"),
    ("GET", "/v1/audit-log", None, "admin"),
    ("GET", "/metrics", None, "admin"),
    ("POST", "/v1/events", "EVENT", "rep"),
    ("POST", "/v1/events:batch", "EVENTS", "rep"),
    ("POST", "/v1/share-links", {"deal_id": "d1", "asset_id": "security-faq"}, "rep"),
    ("GET", "/v1/share-links?deal_id=d1", None, "rep"),
    ("POST", "/v1/embed-tokens", {"ttl_seconds": 60}, "rep"),  # each key mints for itself
    *[
        ("GET", f"/v1/analytics/{view}", None, "marketer")
        for view in ("funnel", "unused", "health", "coverage", "demand", "influence")
    ],
]
LEVELS = ["rep", "marketer", "admin"]


def _call(api: ApiEnv, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if isinstance(body, dict) and body.get("path") == "LIBRARY":
        body = {"path": str(api.settings.library_roots[0])}
    if body in ("EVENT", "EVENTS"):  # a fresh key each call, so every role stores one
        event = {
            "idempotency_key": secrets.token_hex(8),
            "type": "opened",
            "deal_id": "d1",
            "asset_id": "security-faq",
        }
        body = event if body == "EVENT" else {"events": [event]}
    return api.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES)
def test_role_matrix(api: ApiEnv, method: str, path: str, body: Any, needed: str) -> None:
    missing = _call(api, method, path, body, {})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    wrong = _call(api, method, path, body, {"Authorization": "Bearer enb_not-a-key"})
    assert wrong.status_code == 401 and wrong.json() == {"error": wrong.json()["error"]}
    for role in LEVELS:
        response = _call(api, method, path, body, api.auth(role))
        if LEVELS.index(role) < LEVELS.index(needed):
            assert response.status_code == 403, (role, response.text)
            assert response.json()["error"]["code"] == "forbidden"
        else:
            assert response.status_code in (200, 201, 202), (role, response.text)


def test_x_api_key_header_works(api: ApiEnv) -> None:
    response = api.client.get("/v1/taxonomy", headers={"X-API-Key": api.keys["rep"]})
    assert response.status_code == 200


def test_health_and_docs_need_no_key(api: ApiEnv) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert api.client.get(path).status_code == 200, path
    for path in ("/healthz", "/readyz"):  # uptime monitors probe with HEAD
        probe = api.client.head(path)
        assert probe.status_code == 200 and probe.content == b"", path


def test_keys_are_stored_only_as_hashes(api: ApiEnv) -> None:
    with api.service.engine.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM api_keys")))
    for key in api.keys.values():
        assert key not in dump
        assert key.removeprefix("enb_") not in dump


def test_revoked_key_is_refused(api: ApiEnv) -> None:
    key_id = next(row["id"] for row in api.service.keys.list() if row["name"] == "test-rep")
    api.service.keys.revoke(key_id)
    api.client.app.state.key_cache._seen.clear()  # type: ignore[attr-defined]
    response = api.client.get("/v1/taxonomy", headers=api.auth("rep"))
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES)
def test_a_rep_embed_token_has_a_rep_keys_rights(
    api: ApiEnv, method: str, path: str, body: Any, needed: str
) -> None:
    token = api.service.tokens.mint("jordan", ttl_seconds=60).token
    response = _call(api, method, path, body, {"Authorization": f"Bearer {token}"})
    if needed == "rep" and path != "/v1/embed-tokens":
        assert response.status_code in (200, 201, 202), response.text
    else:  # above a rep, or minting (a token never mints another)
        assert response.status_code == 403, response.text
