"""PostgreSQL briefly down: reads keep serving from the loaded bundle for keys seen before,
writes get 503 with Retry-After (never a 500, never a 2xx that was not stored), and the lists
served during the outage are stored once the database is back."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

import enablement.api.deps
from enablement.catalog.build import BuildOptions
from enablement.db import tables
from tests.api.conftest import ApiEnv, make_env
from tests.conftest import fresh_postgres_url
from tests.postgres import PostgresServer

pytestmark = pytest.mark.postgres

DEAL = {"stage": "Needs Analysis", "vertical": "healthcare", "questions": ["BAA?"], "k": 3}
SENT = {"idempotency_key": "k-outage", "type": "sent", "deal_id": "d1",
        "asset_id": "security-faq", "stage": "Needs Analysis"}  # fmt: skip


@pytest.fixture
def outage(tmp_path: Path, build_options: BuildOptions) -> Iterator[tuple[ApiEnv, PostgresServer]]:
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="enablement-pg-outage-")))
    server.start()
    env = make_env(tmp_path, build_options, database_url=fresh_postgres_url(server))
    env.service.ingest(tmp_path / "library")
    try:
        yield env, server
    finally:
        env.client.close()
        env.service.close()
        server.stop()


def served_lists(env: ApiEnv) -> int:
    with env.service.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(tables.served_lists)) or 0)


def test_reads_serve_writes_get_503_and_nothing_served_is_lost(
    outage: tuple[ApiEnv, PostgresServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    env, server = outage
    monkeypatch.setattr(enablement.api.deps, "_KEY_CACHE_SECONDS", 0.0)  # always ask the store
    rep = env.auth("rep")
    assert env.client.post("/v1/recommendations", json=DEAL, headers=rep).status_code == 200
    assert env.service.usage.log.flush(timeout=30)
    before = served_lists(env)

    server.stop()
    ready = env.client.get("/readyz")  # still in the load balancer: it serves reads
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["store"].startswith("unreachable")
    served = env.client.post("/v1/recommendations", json=DEAL, headers=rep)
    assert served.status_code == 200  # from the loaded bundle, the key as last verified
    event = env.client.post("/v1/events", json=SENT, headers=rep)
    assert event.status_code == 503 and event.headers["retry-after"] == "5"
    assert event.json()["error"]["code"] == "store_unavailable"
    unseen = env.client.post("/v1/recommendations", json=DEAL, headers=env.auth("crm"))
    assert unseen.status_code == 503  # a key never verified cannot be checked: not a 401
    assert not env.service.usage.log.flush(timeout=1.5)  # held, not dropped

    server.resume()
    assert env.service.usage.log.flush(timeout=60)
    assert served_lists(env) == before + 1  # the list served during the outage
    again = env.client.post("/v1/events", json=SENT, headers=rep)
    assert again.status_code == 201
    assert env.client.get("/readyz").json()["status"] == "ready"
