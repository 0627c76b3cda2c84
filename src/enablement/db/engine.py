"""Creating engines and bringing a database to the latest schema with Alembic."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from enablement.errors import ConfigurationError


def connect(url: str) -> Engine:
    """An engine for `url`, with the database migrated to the latest schema.

    Raises ConfigurationError when the URL is malformed or the server cannot be reached.
    """
    try:
        parsed = make_url(url)
        engine = create_engine(parsed, pool_pre_ping=True)
    except ArgumentError as exc:
        raise ConfigurationError(f"Cannot open the database '{url}': {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise ConfigurationError(f"Cannot open the database {parsed!r}: {reason}") from None
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` (the latest by default)."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database behind `engine` to `revision` ("base" empties it)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def dialect_insert(engine: Engine, table: Table) -> Any:
    """An INSERT for `table` in the engine's dialect, so callers can add ON CONFLICT clauses."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("enablement").joinpath("db/migrations"))
    )
    config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
