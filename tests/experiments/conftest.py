"""The small library served over the API, on SQLite and PostgreSQL, for the serving and results
tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from tests.api.conftest import ApiEnv, make_env
from tests.conftest import fresh_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(
    request: pytest.FixtureRequest, tmp_path: Path, build_options: BuildOptions
) -> Iterator[ApiEnv]:
    overrides: dict[str, object] = {}
    if request.param == "postgresql":
        overrides["database_url"] = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    built = make_env(tmp_path, build_options, **overrides)
    yield built
    built.client.close()
    built.service.close()
