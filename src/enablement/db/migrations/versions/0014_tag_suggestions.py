"""Tag suggestions under review, and the tags marketers accepted (issue 16).

Revision ID: 0014_tag_suggestions
Revises: 0013_rankers
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_tag_suggestions"
down_revision = "0013_rankers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag_suggestions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("why", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("void_reason", sa.String(20)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_tag_suggestions"),
    )
    op.create_index("ix_tag_suggestions_status", "tag_suggestions", ["status", "confidence", "id"])
    op.create_index("ix_tag_suggestions_asset_id", "tag_suggestions", ["asset_id"])
    op.create_table(
        "accepted_tags",
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("suggestion_id", sa.String(40), nullable=False),
        sa.Column("accepted_by", sa.String(200), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("asset_id", "field", "value", name="uq_accepted_tags_asset_id"),
    )


def downgrade() -> None:
    op.drop_table("accepted_tags")
    op.drop_table("tag_suggestions")
