"""BodyLimit: any body over the limit is a 413, chunked or with a length, in-process and over a
real socket; a chunked body under the limit reaches the route whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from tests.api.conftest import ApiEnv, make_env
from tests.api.server import running

LIMIT_KB = 2


@pytest.fixture(scope="module")
def small(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions
) -> Iterator[ApiEnv]:
    env = make_env(tmp_path_factory.mktemp("limit"), build_options, max_body_kb=LIMIT_KB)
    yield env
    env.client.close()
    env.service.close()


def _chunks(body: bytes, size: int = 512) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _deal(padding: int) -> bytes:
    return json.dumps({"questions": ["x" * padding], "k": 1}).encode()


@pytest.mark.parametrize("path", ["/v1/recommendations", "/v1/events", "/v1/embed-tokens"])
def test_a_chunked_body_over_the_limit_is_413(small: ApiEnv, path: str) -> None:
    headers = small.auth("rep") | {"content-type": "application/json"}
    response = small.client.post(path, content=_chunks(_deal(LIMIT_KB * 1024 + 1)), headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_chunked_body_under_the_limit_is_served(small: ApiEnv) -> None:
    headers = small.auth("rep") | {"content-type": "application/json"}
    shared = [f"asset-{i:03d}" for i in range(150)]
    body = json.dumps({"already_shared": shared, "k": 1}).encode()
    assert LIMIT_KB * 1024 - 200 < len(body) <= LIMIT_KB * 1024
    response = small.client.post("/v1/recommendations", content=_chunks(body), headers=headers)
    assert response.status_code == 200, response.text
    assert sorted(response.json()["deal"]["already_shared"]) == shared


def test_over_a_real_socket_chunked_and_declared_bodies_both_get_413(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options, max_body_kb=LIMIT_KB)
    headers = env.auth("rep") | {"content-type": "application/json"}
    body = _deal(LIMIT_KB * 1024 * 3)
    with running(create_app(env.settings, service=env.service)) as base:
        chunked = httpx.post(f"{base}/v1/recommendations", content=_chunks(body), headers=headers)
        declared = httpx.post(f"{base}/v1/recommendations", content=body, headers=headers)
        fine = httpx.post(f"{base}/v1/recommendations", content=_chunks(_deal(10)), headers=headers)
    env.service.close()
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert (chunked.status_code, declared.status_code, fine.status_code) == (413, 413, 200)
    assert chunked.json()["error"]["code"] == "payload_too_large"
