"""The SQL store: engine creation, the table definitions, and Alembic migrations."""

from enablement.db.engine import connect, downgrade, migrate

__all__ = ["connect", "downgrade", "migrate"]
