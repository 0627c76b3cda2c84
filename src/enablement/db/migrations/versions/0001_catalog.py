"""The catalog: assets, their chunks, and the history of ingest runs.

Revision ID: 0001_catalog
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("locator", sa.String(1000), nullable=False),
        sa.Column("path", sa.String(1000)),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("type", sa.String(50)),
        sa.Column("url", sa.String(1000)),
        sa.Column("stages", sa.JSON, nullable=False),
        sa.Column("verticals", sa.JSON, nullable=False),
        sa.Column("personas", sa.JSON, nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("competitors", sa.JSON, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("external", sa.Boolean),
        sa.Column("owner", sa.String(1000)),
        sa.Column("updated_at", sa.Date),
        sa.Column("expires_at", sa.Date),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("pipeline", sa.String(64), nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("chunk_count", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assets"),
    )
    op.create_index("ix_assets_source", "assets", ["source"])
    op.create_table(
        "chunks",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("token_count", sa.Integer, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("slide", sa.Integer),
        sa.Column("heading_path", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chunks"),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name="fk_chunks_asset_id_assets", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("asset_id", "ordinal", name="uq_chunks_asset_ordinal"),
    )
    op.create_index("ix_chunks_asset_id", "chunks", ["asset_id"])
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("reported", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
    )


def downgrade() -> None:
    op.drop_table("ingest_runs")
    op.drop_index("ix_chunks_asset_id", table_name="chunks")
    op.drop_table("chunks")
    op.drop_index("ix_assets_source", table_name="assets")
    op.drop_table("assets")
