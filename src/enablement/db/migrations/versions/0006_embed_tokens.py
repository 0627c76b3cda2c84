"""Short-lived embed tokens: an API key exchanged for a token scoped to one rep (the sidebar).

Revision ID: 0006_embed_tokens
Revises: 0005_events_by_type
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_embed_tokens"
down_revision = "0005_events_by_type"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embed_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("issued_by", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_embed_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_embed_tokens_token_hash"),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["api_keys.id"], name="fk_embed_tokens_issued_by_api_keys"
        ),
    )
    op.create_index("ix_embed_tokens_expires_at", "embed_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("embed_tokens")
