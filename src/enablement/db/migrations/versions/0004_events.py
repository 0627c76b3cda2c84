"""Usage events, the deals they describe, buyer questions, and share links.

Revision ID: 0004_events
Revises: 0003_api_keys_and_jobs
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_events"
down_revision = "0003_api_keys_and_jobs"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deal_id", sa.String(200)),
        sa.Column("asset_id", sa.String(200)),
        sa.Column("asset_known", sa.Boolean, nullable=False),
        sa.Column("stage", sa.String(50)),
        sa.Column("vertical", sa.String(50)),
        sa.Column("persona", sa.String(50)),
        sa.Column("recommendation_id", sa.String(64)),
        sa.Column("rank", sa.Integer),
        sa.Column("score", sa.Float),
        sa.Column("reason_codes", sa.JSON),
        sa.Column("rating", sa.SmallInteger),
        sa.Column("comment", sa.Text),
        sa.Column("outcome", sa.String(10)),
        sa.Column("amount", sa.Float),
        sa.Column("close_date", sa.Date),
        sa.Column("link_id", sa.String(32)),
        sa.Column("user_agent", sa.String(50)),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_events_user_id"),
    )
    op.create_index(
        "ix_events_occurred_at",
        "events",
        ["occurred_at", "type", "asset_id", "stage", "vertical", "deal_id"],
    )
    op.create_index("ix_events_deal_id", "events", ["deal_id", "type"])
    op.create_index("ix_events_recommendation_id", "events", ["recommendation_id"])
    op.create_table(
        "deals",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("vertical", sa.String(50)),
        sa.Column("stage", sa.String(50)),
        sa.Column("stage_rank", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(10)),
        sa.Column("amount", sa.Float),
        sa.Column("close_date", sa.Date),
        sa.Column("outcome_at", sa.DateTime(timezone=True)),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deals"),
    )
    op.create_table(
        "deal_assets",
        sa.Column("deal_id", sa.String(200), nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("first_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_rank", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("deal_id", "asset_id", name="pk_deal_assets"),
    )
    op.create_index("ix_deal_assets_asset_id", "deal_assets", ["asset_id"])
    op.create_table(
        "questions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("recommendation_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("deal_id", sa.String(200)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(50)),
        sa.Column("vertical", sa.String(50)),
        sa.Column("persona", sa.String(50)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("best_score", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.UniqueConstraint("recommendation_id", "text", name="uq_questions_recommendation_id"),
    )
    op.create_index("ix_questions_occurred_at", "questions", ["occurred_at", "best_score"])
    op.create_table(
        "share_links",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("deal_id", sa.String(200), nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(50)),
        sa.Column("vertical", sa.String(50)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("views", sa.Integer, nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_share_links"),
        sa.UniqueConstraint("token_hash", name="uq_share_links_token_hash"),
    )
    op.create_index("ix_share_links_deal_id", "share_links", ["deal_id"])


def downgrade() -> None:
    op.drop_table("share_links")
    op.drop_table("questions")
    op.drop_table("deal_assets")
    op.drop_table("deals")
    op.drop_table("events")
