"""When each browser last had a view of a share link counted, so reloads count once.

Revision ID: 0007_link_views
Revises: 0006_embed_tokens
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_link_views"
down_revision = "0006_embed_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_views",
        sa.Column("link_id", sa.String(32), nullable=False),
        sa.Column("visitor", sa.String(64), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "visitor", name="pk_link_views"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["share_links.id"], name="fk_link_views_link_id_share_links"
        ),
    )


def downgrade() -> None:
    op.drop_table("link_views")
