"""Storing events exactly once per idempotency key, and keeping the per-deal summaries current.

Every write is one transaction: the events, the deal they belong to (furthest stage reached,
vertical, latest outcome), which assets were sent in it, and the served lists the events show.
A caller that got an answer from `record` has its events on disk; a retry with the same keys
stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, or_, select

from enablement.db import tables
from enablement.db.engine import dialect_insert
from enablement.events.model import AskedQuestion, EventType, NewEvent, Recorded, ServedList

ROWS_PER_STATEMENT = 400  # keys per lookup, well under any bound-parameter limit


class EventStore:
    def __init__(self, engine: Engine, stage_order: Sequence[str]) -> None:
        self.engine = engine
        self._rank = {stage: i + 1 for i, stage in enumerate(stage_order)}

    def record(
        self,
        events: Sequence[NewEvent],
        *,
        user_id: str,
        known_asset: Callable[[str], bool],
        lists: Sequence[ServedList] = (),
    ) -> list[Recorded]:
        """Store `events` for `user_id`, and the served `lists` their impressions belong to, in
        one transaction; a key seen before is reported as a duplicate, a list stored before is
        left as it was (a retried write stores nothing twice).

        An event about an asset that `known_asset` does not know is stored, flagged
        `unknown_asset`: the asset may be newer than the index, or a typo worth seeing.
        """
        now = datetime.now(UTC)
        rows = [self._row(event, user_id, now, known_asset) for event in events]
        with self.engine.begin() as connection:
            stored = self._insert_new(connection, rows)
            duplicates = self._existing_ids(
                connection, user_id, {r["idempotency_key"] for r in rows} - set(stored)
            )
            fresh = [r for r in rows if stored.get(r["idempotency_key"]) is not None]
            self._update_deals(connection, fresh)
            self._update_sent(connection, fresh)
            self._insert_lists(connection, lists)
        return _outcomes(rows, stored, duplicates)

    def record_questions(self, questions: Iterable[AskedQuestion], *, user_id: str) -> None:
        """Store the buyer questions of served recommendations (once per recommendation)."""
        rows = [{**vars(q), "user_id": user_id} for q in questions]
        if not rows:
            return
        with self.engine.begin() as connection:
            statement = self._insert(tables.questions).on_conflict_do_nothing()
            connection.execute(statement, rows)

    def is_empty(self) -> bool:
        """Whether no event at all has been stored (not even a served recommendation)."""
        with self.engine.connect() as connection:
            return connection.execute(select(tables.events.c.id).limit(1)).first() is None

    def _row(
        self, event: NewEvent, user_id: str, now: datetime, known_asset: Callable[[str], bool]
    ) -> dict[str, Any]:
        row = dict(vars(event))  # shallow: asdict's deep copy costs more than the insert
        row["type"] = event.type.value
        row["user_id"] = user_id
        row["received_at"] = now
        row["occurred_at"] = _utc(event.occurred_at)
        row["asset_known"] = event.asset_id is None or known_asset(event.asset_id)
        return row

    def _insert(self, table: Any) -> Any:
        return dialect_insert(self.engine, table)

    def _insert_new(self, connection: Connection, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert rows whose key is new; returns {idempotency key: id} for those stored."""
        if not rows:
            return {}
        events = tables.events
        statement = (
            self._insert(events)
            .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
            .returning(events.c.id, events.c.idempotency_key)
        )
        # One key order for every writer, so concurrent batches cannot deadlock on the index.
        ordered = sorted(rows, key=lambda r: r["idempotency_key"])
        # executemany: one compiled statement, sent as multi-row INSERTs by SQLAlchemy
        return {key: event_id for event_id, key in connection.execute(statement, ordered)}

    def _insert_lists(self, connection: Connection, lists: Sequence[ServedList]) -> None:
        """Insert the served lists not stored yet, in id order (as events, against deadlocks)."""
        if not lists:
            return
        rows = sorted(
            ({**item.row(), "served_at": _utc(item.served_at)} for item in lists),
            key=lambda r: r["recommendation_id"],
        )
        statement = self._insert(tables.served_lists).on_conflict_do_nothing(
            index_elements=["recommendation_id"]
        )
        connection.execute(statement, rows)

    def _existing_ids(self, connection: Connection, user_id: str, keys: set[str]) -> dict[str, int]:
        if not keys:
            return {}
        events = tables.events
        found: dict[str, int] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), ROWS_PER_STATEMENT):
            query = select(events.c.idempotency_key, events.c.id).where(
                events.c.user_id == user_id,
                events.c.idempotency_key.in_(ordered[start : start + ROWS_PER_STATEMENT]),
            )
            found.update({row[0]: row[1] for row in connection.execute(query)})
        return found

    def _update_deals(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        summaries = _deal_summaries(rows, self._rank)
        if not summaries:
            return
        deals = tables.deals
        statement = self._insert(deals)
        new = statement.excluded
        later_outcome = or_(
            deals.c.outcome_at.is_(None),
            and_(new.outcome_at.is_not(None), new.outcome_at >= deals.c.outcome_at),
        )
        further = new.stage_rank > deals.c.stage_rank

        def pick(condition: Any, column: str) -> Any:
            return case((condition, getattr(new, column)), else_=deals.c[column])

        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "stage_rank": pick(further, "stage_rank"),
                "stage": pick(further, "stage"),
                "vertical": case((new.vertical.is_not(None), new.vertical), else_=deals.c.vertical),
                "outcome": pick(later_outcome, "outcome"),
                "amount": pick(later_outcome, "amount"),
                "close_date": pick(later_outcome, "close_date"),
                "outcome_at": pick(later_outcome, "outcome_at"),
                "first_seen": pick(new.first_seen < deals.c.first_seen, "first_seen"),
                "last_seen": pick(new.last_seen > deals.c.last_seen, "last_seen"),
            },
        )
        connection.execute(statement, summaries)

    def _update_sent(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        first: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            if row["type"] != EventType.sent or not row["deal_id"] or not row["asset_id"]:
                continue
            key = (row["deal_id"], row["asset_id"])
            if key not in first or row["occurred_at"] < first[key]["first_sent_at"]:
                first[key] = {
                    "deal_id": key[0],
                    "asset_id": key[1],
                    "first_sent_at": row["occurred_at"],
                    "stage_rank": self._rank.get(row["stage"] or "", 0),
                }
        if not first:
            return
        sent = tables.deal_assets
        statement = self._insert(sent)
        earlier = statement.excluded.first_sent_at < sent.c.first_sent_at
        statement = statement.on_conflict_do_update(
            index_elements=["deal_id", "asset_id"],
            set_={
                "first_sent_at": case(
                    (earlier, statement.excluded.first_sent_at), else_=sent.c.first_sent_at
                ),
                "stage_rank": case(
                    (earlier, statement.excluded.stage_rank), else_=sent.c.stage_rank
                ),
            },
        )
        connection.execute(statement, [first[key] for key in sorted(first)])


def _deal_summaries(rows: list[dict[str, Any]], rank: dict[str, int]) -> list[dict[str, Any]]:
    """One upsert row per deal, in deal order (so concurrent writers lock rows alike)."""
    by_deal: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["occurred_at"]):
        deal_id = row["deal_id"]
        if not deal_id:
            continue
        at = row["occurred_at"]
        deal = by_deal.setdefault(
            deal_id,
            {
                "id": deal_id, "vertical": None, "stage": None, "stage_rank": 0, "outcome": None,
                "amount": None, "close_date": None, "outcome_at": None,
                "first_seen": at, "last_seen": at,
            },
        )  # fmt: skip
        deal["last_seen"] = at
        deal["vertical"] = row["vertical"] or deal["vertical"]
        stage_rank = rank.get(row["stage"] or "", 0)
        if stage_rank > deal["stage_rank"]:
            deal["stage"], deal["stage_rank"] = row["stage"], stage_rank
        if row["type"] == EventType.deal_outcome:
            deal["outcome"], deal["amount"] = row["outcome"], row["amount"]
            deal["close_date"], deal["outcome_at"] = row["close_date"], at
    return [by_deal[deal_id] for deal_id in sorted(by_deal)]


def _outcomes(
    rows: list[dict[str, Any]], stored: dict[str, int], duplicates: dict[str, int]
) -> list[Recorded]:
    out: list[Recorded] = []
    first_index: dict[str, int] = {}
    for index, row in enumerate(rows):
        key = row["idempotency_key"]
        flags = () if row["asset_known"] else ("unknown_asset",)
        if key in stored and first_index.setdefault(key, index) == index:
            out.append(Recorded(index, stored[key], "stored", flags))
        else:
            out.append(Recorded(index, stored.get(key) or duplicates[key], "duplicate", flags))
    return out


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
