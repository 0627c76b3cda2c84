"""Alembic environment: runs migrations on the connection handed over by db.engine.migrate."""

from __future__ import annotations

from alembic import context

from enablement.db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through enablement.db.migrate(engine).")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
