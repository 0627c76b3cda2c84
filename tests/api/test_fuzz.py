"""Every route fuzzed from the OpenAPI document: no 5xx, and every response matches the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from enablement.catalog.build import BuildOptions
from tests.api.conftest import ApiEnv, make_env

EXPECTED = {
    "/v1/recommendations",
    "/v1/recommendations:batch",
    "/v1/search",
    "/v1/assets",
    "/v1/assets/{asset_id}",
    "/v1/taxonomy",
    "/v1/catalog:ingest",
    "/v1/index:rebuild",
    "/v1/jobs/{job_id}",
    "/v1/audit-log",
    "/v1/experiments",
    "/v1/experiments/{experiment_id}",
    "/v1/experiments/{experiment_id}:stop",
    "/v1/tag-suggestions",
    "/v1/tag-suggestions/{suggestion_id}:accept",
    "/v1/tag-suggestions/{suggestion_id}:reject",
    "/v1/tag-suggestions:accept",
    "/healthz",
    "/readyz",
    "/metrics",
}


@pytest.fixture(scope="module")
def fuzz_env(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions
) -> Iterator[ApiEnv]:
    env = make_env(tmp_path_factory.mktemp("fuzz"), build_options, rate_limit_per_minute=10**6)
    yield env
    env.service.close()


def _operations(env: ApiEnv) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", env.client.app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_is_fuzzed(fuzz_env: ApiEnv) -> None:
    assert {operation.path for operation in _operations(fuzz_env)} >= EXPECTED


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_route_survives_fuzzing(fuzz_env: ApiEnv, path: str) -> None:
    operations = [op for op in _operations(fuzz_env) if op.path == path]
    assert operations
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=fuzz_env.auth("admin"),
                checks=[not_a_server_error, response_schema_conformance],
            )

        check()
