"""The tag review's tables (issue 16): the model's suggestions with their review state, and the
tags marketers accepted, which re-ingest applies again to fields the source leaves empty."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Index, String, Table, UniqueConstraint

from enablement.db.metadata import metadata

# One row per suggestion ever made (its id is Suggestion.id: asset, field, value, content hash),
# so a decided one is never reopened for the same content. status: open, accepted, rejected, void.
tag_suggestions = Table(
    "tag_suggestions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("asset_id", String(200), nullable=False),
    Column("field", String(20), nullable=False),
    Column("value", String(200), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("why", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("void_reason", String(20)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(200)),
)
# The review list: open ones, highest confidence first, then id.
Index(
    "ix_tag_suggestions_status",
    tag_suggestions.c.status,
    tag_suggestions.c.confidence,
    tag_suggestions.c.id,
)
Index("ix_tag_suggestions_asset_id", tag_suggestions.c.asset_id)

# One row per accepted tag, kept while the source leaves the field empty.
accepted_tags = Table(
    "accepted_tags",
    metadata,
    Column("asset_id", String(200), nullable=False),
    Column("field", String(20), nullable=False),
    Column("value", String(200), nullable=False),
    Column("suggestion_id", String(40), nullable=False),
    Column("accepted_by", String(200), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("asset_id", "field", "value", name="uq_accepted_tags_asset_id"),
)
