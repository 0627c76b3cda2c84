"""The ranker registry: registered learned rankers, and the history of live changes (promotions
and rollbacks) from which the live ranker is derived.

Revision ID: 0013_rankers
Revises: 0012_served_lists
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_rankers"
down_revision = "0012_served_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rankers",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("folder", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("trained_on", sa.JSON, nullable=False),
        sa.Column("offline", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rankers"),
    )
    op.create_table(
        "ranker_changes",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("follows", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("ranker_id", sa.String(100)),
        sa.Column("previous_id", sa.String(100)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ranker_changes"),
        sa.UniqueConstraint("follows", name="uq_ranker_changes_follows"),
    )
    op.create_index("ix_ranker_changes_at", "ranker_changes", ["at"])


def downgrade() -> None:
    op.drop_table("ranker_changes")
    op.drop_table("rankers")
