"""An app over the small library (fake encoder), with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from enablement.access.keys import Role
from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.conftest import fresh_postgres_url
from tests.fakes import HashingEncoder
from tests.index.library import build_small_library


@dataclass
class ApiEnv:
    client: TestClient
    service: EnablementService
    settings: Settings
    keys: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_env(root: Path, build_options: BuildOptions, **overrides: object) -> ApiEnv:
    build_small_library(root, build_options)
    options: dict[str, object] = {
        "data_dir": root,
        "database_url": f"sqlite:///{root / 'catalog.db'}",
        "library_roots": [root / "library"],
        "reload_interval_s": 0.05,
        # Lists as the ranker ordered them, which tests compare with; tests of exploration
        # (tests/events/test_exploration.py) turn it on.
        "explore_share": 0.0,
    }
    settings = Settings(**(options | overrides))  # type: ignore[arg-type]
    service = EnablementService(settings, encoder=HashingEncoder())
    keys = {role.name: service.keys.create(f"test-{role.name}", role).key for role in Role}
    client = TestClient(create_app(settings, service=service), raise_server_exceptions=False)
    return ApiEnv(client, service, settings, keys)


@pytest.fixture
def api(tmp_path: Path, build_options: BuildOptions) -> Iterator[ApiEnv]:
    env = make_env(tmp_path, build_options)
    yield env
    env.client.close()
    env.service.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api_on_both(
    request: pytest.FixtureRequest, tmp_path: Path, build_options: BuildOptions
) -> Iterator[ApiEnv]:
    """`api`, once on SQLite and once on a fresh database of the real PostgreSQL server."""
    overrides: dict[str, object] = {}
    if request.param == "postgresql":
        overrides["database_url"] = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    env = make_env(tmp_path, build_options, **overrides)
    yield env
    env.client.close()
    env.service.close()
