"""Online experiments: the registry of interleaving and holdout experiments, one running at most.

Revision ID: 0010_experiments
Revises: 0009_removals
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_experiments"
down_revision = "0009_removals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("control", sa.String(200), nullable=False),
        sa.Column("treatment", sa.String(200)),
        sa.Column("share", sa.Float),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
        sa.Column("stopped_by", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_experiments"),
    )
    # Partial and unique: any number stopped, one running (SQLite 3.8+ and PostgreSQL alike).
    op.create_index(
        "ix_experiments_running",
        "experiments",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_table("experiments")
