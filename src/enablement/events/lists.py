"""Served lists read back from the store (`served_lists`, written with their impressions by
the recommendation log): per recommendation id, the deal as it was served and the exploration
swap made, what learning needs beside the impressions (`events.feedback.learnable`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, RowMapping, select

from enablement.db import tables
from enablement.events.model import ServedList
from enablement.recommend.stored import deal_from_json


def served_lists(connection: Connection, *, since: datetime | None = None) -> dict[str, ServedList]:
    """The lists served at or after `since` (a UTC time; all when None), by recommendation id:
    one query, never one per list. A list's row and its impressions carry the same time
    (events.impressions.log_entry), so one window selects both."""
    served = tables.served_lists
    query = select(served)
    if since is not None:
        query = query.where(served.c.served_at >= since)
    return {row.recommendation_id: _served_list(row._mapping) for row in connection.execute(query)}


def _served_list(row: RowMapping) -> ServedList:
    at: datetime = row["served_at"]
    return ServedList(
        row["recommendation_id"], row["deal_id"], at if at.tzinfo else at.replace(tzinfo=UTC),
        deal_from_json(row["deal"]), row["swap"], row["ranker"], row["experiment_id"], row["arm"],
    )  # fmt: skip
