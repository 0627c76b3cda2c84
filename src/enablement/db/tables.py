"""Table definitions (SQLAlchemy Core); migrations under db/migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

assets = Table(
    "assets",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("source", String(1000), nullable=False),
    Column("locator", String(1000), nullable=False),
    Column("path", String(1000)),
    Column("format", String(20), nullable=False),
    Column("title", String(1000), nullable=False),
    Column("type", String(50)),
    Column("url", String(1000)),
    Column("stages", JSON, nullable=False),
    Column("verticals", JSON, nullable=False),
    Column("personas", JSON, nullable=False),
    Column("products", JSON, nullable=False),
    Column("competitors", JSON, nullable=False),
    Column("language", String(16)),
    Column("external", Boolean),
    Column("owner", String(1000)),
    Column("updated_at", Date),
    Column("expires_at", Date),
    Column("extra", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("pipeline", String(64), nullable=False),
    Column("word_count", Integer, nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_id", String(200), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("token_count", Integer, nullable=False),
    Column("page", Integer),
    Column("slide", Integer),
    Column("heading_path", JSON, nullable=False),
    UniqueConstraint("asset_id", "ordinal", name="uq_chunks_asset_ordinal"),
)
Index("ix_chunks_asset_id", chunks.c.asset_id)
Index("ix_assets_source", assets.c.source)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(1000), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("added", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("reported", Integer, nullable=False),
    Column("summary", JSON, nullable=False),
)

embedding_cache = Table(
    "embedding_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(200), nullable=False),
    Column("dimension", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(32)),
    Column("params", JSON, nullable=False),
    Column("progress", JSON, nullable=False),
    Column("result", JSON),
    Column("error", Text),
)
