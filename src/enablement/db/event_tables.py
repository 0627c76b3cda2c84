"""Usage tables (SQLAlchemy Core): events and their per-deal summaries, buyer questions, share
links, experiments and served lists. `db.tables` re-exports them beside the catalog's tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from enablement.db.metadata import BIG_ID, metadata

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

# One row per served list (issue 15): the deal exactly as it was served (recommend.stored's JSON,
# enough to rank it again), the exploration swap made in it (k: the ranker's positions k and k+1
# shown swapped; None: shown as ranked), what ranked it and under which experiment and arm.
# Written with the list's `recommended` events, in the same transaction.
served_lists = Table(
    "served_lists",
    metadata,
    Column("recommendation_id", String(64), primary_key=True),
    Column("deal_id", String(200)),
    Column("served_at", DateTime(timezone=True), nullable=False),
    Column("deal", JSON, nullable=False),
    Column("swap", SmallInteger),
    # None for an interleaved list: its items' rankers are on their impressions.
    Column("ranker", String(100)),
    Column("experiment_id", String(64)),
    Column("arm", String(32)),
)
# `learnable(since=)` reads a window's lists by time.
Index("ix_served_lists_served_at", served_lists.c.served_at)
