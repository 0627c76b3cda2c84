"""Served lists: one row per list served, with the deal as served (to rank it again later), the
exploration swap made in it, and what ranked it under which experiment and arm.

Revision ID: 0012_served_lists
Revises: 0011_impressions
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_served_lists"
down_revision = "0011_impressions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Lists served before this revision get no row: readers take their swap and deal as unknown.
    op.create_table(
        "served_lists",
        sa.Column("recommendation_id", sa.String(64), nullable=False),
        sa.Column("deal_id", sa.String(200)),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deal", sa.JSON(), nullable=False),
        sa.Column("swap", sa.SmallInteger()),
        sa.Column("ranker", sa.String(100)),
        sa.Column("experiment_id", sa.String(64)),
        sa.Column("arm", sa.String(32)),
        sa.PrimaryKeyConstraint("recommendation_id", name="pk_served_lists"),
    )
    op.create_index("ix_served_lists_served_at", "served_lists", ["served_at"])


def downgrade() -> None:
    op.drop_table("served_lists")
