"""Shared fixtures: settings in tmp_path, the build pipeline, and real database servers."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from enablement.catalog.build import BuildOptions
from enablement.catalog.chunking import ChunkSpec
from enablement.catalog.loaders import Limits
from enablement.catalog.store import CatalogStore
from enablement.catalog.tokens import token_counter
from enablement.db import connect
from enablement.library import default_model_path
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy, load_taxonomy
from tests.fakes import HashingEncoder
from tests.postgres import PostgresServer
from tests.redis_server import RedisServer

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "content_catalog"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def build_options(taxonomy: Taxonomy) -> BuildOptions:
    return BuildOptions(
        taxonomy=taxonomy,
        limits=Limits(),
        chunk_spec=ChunkSpec(),
        count_tokens=token_counter(default_model_path(Settings())),
    )


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library ingested and indexed with the real model, once per session (the
    integration and browser tests share it; don't write to it, copy it)."""
    data_dir = tmp_path_factory.mktemp("sample-data")
    service = EnablementService(Settings(data_dir=data_dir))
    service.ingest(CATALOG)
    service.build_index()
    service.close()
    return data_dir


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", catalog_path=CATALOG)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session, started from the installed binaries."""
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="enablement-pg-"))
    server = PostgresServer(base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


_database_numbers = itertools.count()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis server for one test (the tests stop it to see what happens then)."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each real backend: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    return fresh_postgres_url(request.getfixturevalue("postgres_server"))


def fresh_postgres_url(server: PostgresServer) -> str:
    """The URL of a new, empty database on `server`."""
    name = f"test_{next(_database_numbers)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(name)


@pytest.fixture
def store(database_url: str) -> Iterator[CatalogStore]:
    engine = connect(database_url)
    yield CatalogStore(engine)
    engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[CatalogStore]:
    engine = connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    yield CatalogStore(engine)
    engine.dispose()


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()
