"""The ranker registry's tables (issue 15): the learned rankers trained and registered, and the
history of which one is live (every promotion and rollback), from which the live ranker and the
one a rollback returns to are derived."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text

from enablement.db.metadata import metadata

# One row per registered ranker; the shipped ranker (models/ranker) has none: it is read from
# its manifest.
rankers = Table(
    "rankers",
    metadata,
    Column("id", String(100), primary_key=True),  # LearnedRanker.name: lambdarank:<sha256[:12]>
    Column("sha256", String(64), nullable=False),
    Column("folder", String(300), nullable=False),  # relative to data_dir/rankers
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("trained_on", JSON, nullable=False),
    Column("offline", JSON, nullable=False),
    Column("note", Text, nullable=False),
)

# One row per change of the live ranker, oldest first. `ranker_id` is the ranker live after it
# and `previous_id` the one live before, null meaning the shipped ranker. `follows` is the id of
# the change this one was decided after (0 for the first), unique: two changes decided on the
# same state cannot both be written.
ranker_changes = Table(
    "ranker_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("follows", Integer, nullable=False, unique=True),
    Column("action", String(20), nullable=False),  # promote or rollback
    Column("ranker_id", String(100)),
    Column("previous_id", String(100)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
)
Index("ix_ranker_changes_at", ranker_changes.c.at)
