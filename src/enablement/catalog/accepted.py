"""Accepted tag suggestions on catalog rows: a marketer's accepted value fills a field the
source leaves empty, with its provenance in the row's `extra["tag_sources"]`; re-ingest applies
the accepted tags again, unless the source now sets the field itself (then the source wins and
the accepted tags of that field are forgotten). Source files are never written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select

from enablement.db import tables

SOURCES = "tag_sources"  # the key of `extra` that says which fields were tagged by review
LIST_FIELDS = frozenset({"stages", "verticals", "personas"})  # `type` holds one value


def is_empty(row: dict[str, Any], field: str) -> bool:
    """Whether the row's `field` holds no value (None or an empty list)."""
    return not row.get(field)


def tagged(row: dict[str, Any], field: str, value: str, *, by: str, at: datetime) -> dict[str, Any]:
    """The columns to write for `value` accepted into the row's `field` by `by` at `at`: the field
    (type: set; lists: the value added) and `extra` with the provenance."""
    if field in LIST_FIELDS:
        current = list(row.get(field) or [])
        new: Any = current if value in current else [*current, value]
        values = list(dict.fromkeys([*_suggested(row, field), value]))
    else:
        new, values = value, [value]
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite reads it naive
    extra = dict(row.get("extra") or {})
    sources = dict(extra.get(SOURCES) or {})
    sources[field] = {"source": "suggested", "by": by, "at": moment.isoformat(), "values": values}
    extra[SOURCES] = sources
    return {field: new, "extra": extra}


def reapply(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Apply the accepted tags to asset `rows` about to be written (changed in place): each fills
    a field its source leaves empty. An accepted tag of a field the source now sets is deleted:
    the source wins."""
    by_asset = _accepted(connection, [row["id"] for row in rows])
    overridden: set[tuple[str, str]] = set()
    for row in rows:
        for tag in by_asset.get(row["id"], []):
            key = (row["id"], tag["field"])
            if key in overridden:
                continue
            if is_empty(row, tag["field"]) or _suggested(row, tag["field"]):
                row.update(tagged(row, tag["field"], tag["value"], by=tag["by"], at=tag["at"]))
            else:
                overridden.add(key)
    t = tables.accepted_tags.c
    ordered = sorted(overridden)
    for start in range(0, len(ordered), 200):
        pairs = ordered[start : start + 200]
        matches = [and_(t.asset_id == asset, t.field == field) for asset, field in pairs]
        connection.execute(delete(tables.accepted_tags).where(or_(*matches)))


def _suggested(row: dict[str, Any], field: str) -> list[str]:
    """The values of the row's `field` that came from accepted suggestions."""
    source = ((row.get("extra") or {}).get(SOURCES) or {}).get(field) or {}
    return list(source.get("values") or [])


def _accepted(connection: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """{asset id: its accepted tags, oldest first} for `ids`."""
    t = tables.accepted_tags.c
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        query = (
            select(t.asset_id, t.field, t.value, t.accepted_by, t.accepted_at)
            .where(t.asset_id.in_(list(ids[start : start + 500])))
            .order_by(t.accepted_at, t.value)
        )
        for row in connection.execute(query):
            found.setdefault(row.asset_id, []).append(
                {"field": row.field, "value": row.value, "by": row.accepted_by,
                 "at": row.accepted_at}
            )  # fmt: skip
    return found
