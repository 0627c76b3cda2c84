"""An index on events by type and asset, which the funnel's counts read in order.

Revision ID: 0005_events_by_type
Revises: 0004_events
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005_events_by_type"
down_revision = "0004_events"
branch_labels = None
depends_on = None

COLUMNS = ["type", "asset_id", "occurred_at", "stage", "vertical", "rating"]


def upgrade() -> None:
    op.create_index("ix_events_type_asset", "events", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_events_type_asset", table_name="events")
