"""The registry's rows: registered rankers and the changes of the live ranker, in the store every
worker shares (so each worker derives the same live ranker)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from enablement.db import tables
from enablement.db.engine import dialect_insert
from enablement.rankers.model import Change, RankerRecord


class StaleChangeError(Exception):
    """Another change of the live ranker was written since the one this follows was read."""


class RankerStore:
    """Rows of `rankers` and `ranker_changes`; a change names the change it follows, unique, so
    two decided on the same state (two promotions at once) cannot both be written."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, row: dict[str, Any]) -> None:
        """Insert a registered ranker; nothing when its id is there already (idempotent)."""
        statement = dialect_insert(self.engine, tables.rankers).values(**row)
        with self.engine.begin() as connection:
            connection.execute(statement.on_conflict_do_nothing(index_elements=["id"]))

    def records(self) -> list[RankerRecord]:
        """Every registered ranker, newest first."""
        r = tables.rankers.c
        query = select(tables.rankers).order_by(r.created_at.desc(), r.id)
        with self.engine.connect() as connection:
            return [RankerRecord.from_row(row) for row in connection.execute(query)]

    def record(self, ranker_id: str) -> RankerRecord | None:
        query = select(tables.rankers).where(tables.rankers.c.id == ranker_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return RankerRecord.from_row(row) if row is not None else None

    def changes(self) -> list[Change]:
        """Every change of the live ranker, oldest first."""
        query = select(tables.ranker_changes).order_by(tables.ranker_changes.c.id)
        with self.engine.connect() as connection:
            return [Change.from_row(row) for row in connection.execute(query)]

    def last_change(self) -> Change | None:
        """The latest change (its `ranker_id` is live), one indexed read: what each worker asks
        once per reload interval."""
        c = tables.ranker_changes.c
        query = select(tables.ranker_changes).order_by(c.id.desc()).limit(1)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Change.from_row(row) if row is not None else None

    def append(
        self,
        *,
        follows: Change | None,
        action: str,
        ranker_id: str | None,
        previous_id: str | None,
        by: str,
        reason: str,
    ) -> None:
        """Write a change decided after `follows` (the latest change read, None when there was
        none); StaleChangeError when another change was written since."""
        row = {
            "follows": follows.id if follows is not None else 0,
            "action": action,
            "ranker_id": ranker_id,
            "previous_id": previous_id,
            "at": datetime.now(UTC),
            "by": by,
            "reason": reason,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(tables.ranker_changes).values(**row))
        except IntegrityError:
            raise StaleChangeError from None
