"""Removing assets: assets.removed_at (a soft delete) and the audit log of who removed what.

Revision ID: 0009_removals
Revises: 0008_answered_questions
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_removals"
down_revision = "0008_answered_questions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column with no default: a plain ALTER TABLE on SQLite and PostgreSQL alike.
    op.add_column("assets", sa.Column("removed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(64)),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("path", sa.String(1000)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_asset_id", "audit_log", ["asset_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    # A plain DROP COLUMN (SQLite 3.35+): never batch mode's table copy, whose DROP TABLE of
    # `assets` would cascade to every chunk under SQLite's foreign keys.
    op.drop_column("assets", "removed_at")
