"""Table definitions (SQLAlchemy Core); migrations under db/migrations create them. Tables of a
later domain live in their own module on the same metadata (db/ranker_tables.py) and are
re-exported here, so `tables.<name>` reaches every table."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from enablement.db.base import metadata as metadata
from enablement.db.ranker_tables import ranker_changes as ranker_changes
from enablement.db.ranker_tables import rankers as rankers

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
)

BIG_ID = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("user_id", String(200), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("deal_id", String(200)),
    Column("asset_id", String(200)),
    Column("asset_known", Boolean, nullable=False),
    Column("stage", String(50)),
    Column("vertical", String(50)),
    Column("persona", String(50)),
    Column("recommendation_id", String(64)),
    Column("rank", Integer),
    Column("score", Float),
    Column("reason_codes", JSON),
    Column("rating", SmallInteger),
    Column("comment", Text),
    Column("outcome", String(10)),
    Column("amount", Float),
    Column("close_date", Date),
    Column("link_id", String(32)),
    Column("user_agent", String(50)),
    # `recommended` events (impressions) only: the place shown (1-based), the ranker's name,
    # and the experiment and arm served under (null outside experiments).
    Column("position", SmallInteger),
    Column("ranker", String(100)),
    Column("experiment_id", String(64)),
    Column("arm", String(32)),
    UniqueConstraint("user_id", "idempotency_key", name="uq_events_user_id"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("vertical", String(50)),
    Column("stage", String(50)),
    Column("stage_rank", Integer, nullable=False),
    Column("outcome", String(10)),
    Column("amount", Float),
    Column("close_date", Date),
    Column("outcome_at", DateTime(timezone=True)),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

deal_assets = Table(
    "deal_assets",
    metadata,
    Column("deal_id", String(200), primary_key=True),
    Column("asset_id", String(200), primary_key=True),
    Column("first_sent_at", DateTime(timezone=True), nullable=False),
    Column("stage_rank", Integer, nullable=False),
)

questions = Table(
    "questions",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("recommendation_id", String(64), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("deal_id", String(200)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("stage", String(50)),
    Column("vertical", String(50)),
    Column("persona", String(50)),
    Column("text", Text, nullable=False),
    Column("best_score", Float, nullable=False),  # the closest passage's cosine
    # By the answer model: whether a recommended asset answered it, and the best probability;
    # null when served without one (then best_score judges it, as before the model).
    Column("answered", Boolean),
    Column("answer_score", Float),
    UniqueConstraint("recommendation_id", "text", name="uq_questions_recommendation_id"),
)

share_links = Table(
    "share_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", String(200), nullable=False),
    Column("deal_id", String(200), nullable=False),
    Column("asset_id", String(200), nullable=False),
    Column("stage", String(50)),
    Column("vertical", String(50)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("views", Integer, nullable=False),
    Column("last_viewed_at", DateTime(timezone=True)),
)

# When each browser (a hashed visitor cookie) last had a view of a link counted.
link_views = Table(
    "link_views",
    metadata,
    Column("link_id", String(32), ForeignKey("share_links.id"), primary_key=True),
    Column("visitor", String(64), primary_key=True),
    Column("counted_at", DateTime(timezone=True), nullable=False),
)

Index(
    "ix_events_occurred_at",
    events.c.occurred_at,
    events.c.type,
    events.c.asset_id,
    events.c.stage,
    events.c.vertical,
    events.c.deal_id,
)
# The funnel counts each type per asset: read in this order, the counts need no sort.
Index(
    "ix_events_type_asset",
    events.c.type,
    events.c.asset_id,
    events.c.occurred_at,
    events.c.stage,
    events.c.vertical,
    events.c.rating,
)
Index("ix_events_deal_id", events.c.deal_id, events.c.type)
Index("ix_events_recommendation_id", events.c.recommendation_id)
# A buyer view reaches the latest impression of its link's deal and asset (events/feedback.py).
Index(
    "ix_events_deal_asset", events.c.deal_id, events.c.asset_id, events.c.type, events.c.occurred_at
)
Index("ix_deal_assets_asset_id", deal_assets.c.asset_id)
Index("ix_questions_occurred_at", questions.c.occurred_at, questions.c.best_score)
Index("ix_share_links_deal_id", share_links.c.deal_id)

# Online experiments (issue 15): which rankers are compared, how, and whether one is running.
experiments = Table(
    "experiments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("control", String(200), nullable=False),
    Column("treatment", String(200)),
    Column("share", Float),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    Column("stopped_by", String(200)),
)
# At most one running experiment: a partial unique index, so two creates at once cannot both win.
Index(
    "ix_experiments_running",
    experiments.c.status,
    unique=True,
    sqlite_where=text("status = 'running'"),
    postgresql_where=text("status = 'running'"),
)
