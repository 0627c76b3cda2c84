"""Table definitions (SQLAlchemy Core); migrations under db/migrations create them. The catalog,
keys and jobs are defined here; the usage tables in db/event_tables.py, the ranker registry's
in db/ranker_tables.py and the tag review's in db/tag_tables.py, on the same metadata
(db/metadata.py), re-exported here so every table is `tables.<name>`."""

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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from enablement.db.event_tables import (
    deal_assets,
    deals,
    events,
    experiments,
    link_views,
    questions,
    served_lists,
    share_links,
)
from enablement.db.metadata import metadata
from enablement.db.ranker_tables import ranker_changes, rankers
from enablement.db.tag_tables import accepted_tags, tag_suggestions

__all__ = [
    "accepted_tags", "api_keys", "assets", "audit_log", "bundles", "chunks", "deal_assets",
    "deals", "embed_tokens", "embedding_cache", "events", "experiments", "ingest_runs", "jobs",
    "link_views", "live_state", "metadata", "questions", "ranker_changes", "rankers",
    "served_lists", "share_links", "tag_suggestions",
]  # fmt: skip

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
    # Set by `enablement remove` / DELETE /v1/assets/{id}: the row stays for history (analytics
    # name the asset), its chunks are deleted, and every read of the live catalog skips it.
    Column("removed_at", DateTime(timezone=True)),
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

# Who changed the catalog by hand, when and how: one row per asset removed (via cli or api).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),
    Column("via", String(10), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("key_id", String(64)),
    Column("asset_id", String(200), nullable=False),
    Column("title", String(1000), nullable=False),
    Column("source", String(1000), nullable=False),
    Column("path", String(1000)),
)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_asset_id", audit_log.c.asset_id)

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

embed_tokens = Table(
    "embed_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("issued_by", String(32), ForeignKey("api_keys.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_embed_tokens_expires_at", embed_tokens.c.expires_at)

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
    Column("claimed_by", String(200)),  # the node running it (host:pid)
    Column("heartbeat_at", DateTime(timezone=True)),  # stale: the node died, the job is retried
    Column("attempts", Integer, nullable=False, server_default="0"),
)
Index("ix_jobs_state_created_at", jobs.c.state, jobs.c.created_at)

# Index bundles published to the shared bundle store, with the checksum of their manifest.
bundles = Table(
    "bundles",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("checksum", String(64), nullable=False),
    Column("catalog_version", Integer, nullable=False),
    Column("model", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(200), nullable=False),
)

# What every node serves, by name ("bundle": the live bundle's version).
live_state = Table(
    "live_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
