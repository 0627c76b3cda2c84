"""Impressions that can be learned from: each `recommended` event's position as served, the
ranker that ordered its list, and the experiment and arm it was served under; and an index by
deal and asset for joining buyer views to impressions.

Revision ID: 0011_impressions
Revises: 0010_experiments
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_impressions"
down_revision = "0010_experiments"
branch_labels = None
depends_on = None

COLUMNS = (
    ("position", sa.SmallInteger()),
    ("ranker", sa.String(100)),
    ("experiment_id", sa.String(64)),
    ("arm", sa.String(32)),
)
INDEX = ["deal_id", "asset_id", "type", "occurred_at"]


def upgrade() -> None:
    # Nullable columns with no default: a plain ALTER TABLE on SQLite and PostgreSQL alike, and
    # rows logged before stay as they were (their position is their rank, the join falls back).
    for name, type_ in COLUMNS:
        op.add_column("events", sa.Column(name, type_))
    # A buyer view without a recommendation id reaches the latest impression of its link's deal
    # and asset made before the link: one seek per view instead of a scan of the asset's events.
    op.create_index("ix_events_deal_asset", "events", INDEX)


def downgrade() -> None:
    op.drop_index("ix_events_deal_asset", table_name="events")
    # Plain DROP COLUMN (SQLite 3.35+), never batch mode's copy of a table this size.
    for name, _ in reversed(COLUMNS):
        op.drop_column("events", name)
