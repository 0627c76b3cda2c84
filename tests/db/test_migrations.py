"""Migrations build the schema from an empty database, matching the table definitions."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from enablement.db import connect, downgrade, migrate
from enablement.db.tables import metadata

HEAD = "0008_answered_questions"


def test_upgrade_from_empty_matches_the_tables(database_url: str) -> None:
    engine = connect(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == HEAD
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    engine = connect(database_url)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    tables = {"assets", "chunks", "ingest_runs", "embedding_cache", "api_keys", "jobs", "events"}
    tables |= {"embed_tokens", "link_views"}
    assert tables <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_connect_is_idempotent(database_url: str) -> None:
    connect(database_url).dispose()
    engine = connect(database_url)
    assert "assets" in inspect(engine).get_table_names()
    engine.dispose()
    create_engine(database_url).dispose()
