"""Rate limits across nodes: with ENABLEMENT_REDIS_URL a key's budget is one budget however its
requests are spread over nodes; without Redis (unset, or down) each node counts on its own,
and a Redis outage is logged once a minute, not per request. Against a real redis-server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import enablement.api.limits
from enablement.api import create_app
from enablement.api.limits import RateLimiter, RedisRateLimiter
from enablement.catalog.build import BuildOptions
from enablement.errors import RateLimitedError
from tests.api.conftest import ApiEnv, make_env
from tests.redis_server import RedisServer


def nodes(tmp_path: Path, build_options: BuildOptions, redis_url: str | None) -> Iterator[ApiEnv]:
    env = make_env(tmp_path, build_options, rate_limit_per_minute=4,
                   auth_failures_per_minute=3, redis_url=redis_url)  # fmt: skip
    yield env
    env.client.close()
    env.service.close()


@pytest.fixture
def shared(
    tmp_path: Path, build_options: BuildOptions, redis_server: RedisServer
) -> Iterator[ApiEnv]:
    yield from nodes(tmp_path, build_options, redis_server.url)


def second_node(env: ApiEnv) -> TestClient:
    """Another node's app: its own limiters, the same settings and database."""
    return TestClient(create_app(env.settings, service=env.service))


def test_a_keys_budget_holds_across_nodes(shared: ApiEnv) -> None:
    other = second_node(shared)
    answers = [
        (shared.client if i % 2 else other).get("/v1/taxonomy", headers=shared.auth("crm"))
        for i in range(6)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 15
    assert other.get("/v1/taxonomy", headers=shared.auth("rep")).status_code == 200


def test_failed_sign_ins_from_one_address_count_across_nodes(shared: ApiEnv) -> None:
    other = second_node(shared)
    bad = {"Authorization": "Bearer enb_not-a-key"}
    codes = [(shared.client if i % 2 else other).get("/v1/taxonomy", headers=bad).status_code
             for i in range(5)]  # fmt: skip
    assert codes == [401, 401, 401, 429, 429]


def test_without_redis_each_node_counts_on_its_own(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = next(nodes(tmp_path, build_options, None))
    other = second_node(env)
    codes = [(env.client if i % 2 else other).get("/v1/taxonomy", headers=env.auth("crm"))
             .status_code for i in range(6)]  # fmt: skip
    assert codes == [200] * 6  # three each, under each node's four
    env.client.close()
    env.service.close()


def test_redis_down_falls_back_to_per_process_limits_and_warns_once_a_minute(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enablement.api.limits, "RETRY_REDIS_S", 0.0)  # ask Redis every time
    limiter = RedisRateLimiter(redis_server.url, 4, scope="test")
    limiter.take("k")
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="enablement.api.limits"):
        for _ in range(4):
            limiter.take("k")  # the local bucket: a fresh four
        with pytest.raises(RateLimitedError):
            limiter.take("k")
    warnings = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(warnings) == 1  # six failed calls, one line


def test_the_redis_bucket_refills_as_the_local_one_does(redis_server: RedisServer) -> None:
    shared = RedisRateLimiter(redis_server.url, 60, scope="refill")  # one a second
    local = RateLimiter(60)
    for limiter in (shared, local):
        for _ in range(60):
            limiter.take("k")
        with pytest.raises(RateLimitedError) as refused:
            limiter.take("k")
        assert refused.value.retry_after == 1
