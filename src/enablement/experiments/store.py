"""The experiments table: create, read, page and stop experiments; one runs at a time."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Engine, Select, false, insert, select, update
from sqlalchemy.exc import IntegrityError

from enablement.db import tables
from enablement.errors import ConflictError, NotFoundError
from enablement.experiments.model import Definition, Experiment


def new_id(now: datetime) -> str:
    """`exp-YYYYMMDDHHMMSSffffff-xxxx`: ids sort by creation time (to the microsecond), so a page
    of the newest first is a range of ids; the random tail keeps two made at once apart."""
    return f"exp-{now:%Y%m%d%H%M%S%f}-{secrets.token_hex(2)}"


class ExperimentStore:
    """Experiments in the store every worker shares, so a definition (and the assignment hashed
    from its id) is the same in each worker and after a restart.

    At most one experiment runs at a time: serving asks "which experiment is running?" and gets
    one answer, and two experiments can never split one deal's traffic between them. A partial
    unique index on the running status enforces it in the database, so two creates at once
    cannot both succeed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, definition: Definition, *, created_by: str) -> Experiment:
        """Store `definition` (checked by the caller) as a running experiment and return it;
        ConflictError (409, field `kind`) while another runs."""
        now = datetime.now(UTC)
        experiment = Experiment(
            id=new_id(now),
            name=definition.name,
            kind=definition.kind,
            control=definition.control,
            treatment=definition.treatment,
            share=definition.share,
            status="running",
            created_at=now,
            created_by=created_by,
        )
        row = experiment.to_dict() | {"created_at": now, "stopped_at": None}
        try:
            with self.engine.begin() as connection:
                _write_lock(connection)
                running = connection.execute(_running_query()).first()
                if running is not None:
                    raise _busy(running.id)
                connection.execute(insert(tables.experiments).values(**row))
        except IntegrityError:  # another create won the race since the check
            raise _busy(self.running_id() or "unknown") from None
        return experiment

    def get(self, experiment_id: str) -> Experiment:
        """The experiment, or NotFoundError (404, field `experiment_id`)."""
        query = select(tables.experiments).where(tables.experiments.c.id == experiment_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFoundError(f"No experiment with id '{experiment_id}'.", field="experiment_id")
        return Experiment.from_row(row)

    def running(self) -> Experiment | None:
        """The running experiment, if any (what serving will ask on each request)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.experiments).where(_is_running())).first()
        return Experiment.from_row(row) if row is not None else None

    def running_id(self) -> str | None:
        with self.engine.connect() as connection:
            row = connection.execute(_running_query()).first()
        return row.id if row is not None else None

    def page(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[Experiment], str | None]:
        """Experiments newest first, `limit` at a time, after `cursor` (a page's `next`): the page
        and the next cursor, None on the last page."""
        e = tables.experiments.c
        query = select(tables.experiments).order_by(e.id.desc()).limit(limit + 1)
        if cursor is not None:
            query = query.where(e.id < cursor)
        with self.engine.connect() as connection:
            rows = [Experiment.from_row(r) for r in connection.execute(query)]
        return rows[:limit], rows[limit - 1].id if len(rows) > limit else None

    def stop(self, experiment_id: str, *, stopped_by: str) -> Experiment:
        """Stop a running experiment and return it; stopping a stopped one changes nothing and
        returns it as it is (a retried stop is not an error). NotFoundError when unknown."""
        e = tables.experiments.c
        with self.engine.begin() as connection:
            connection.execute(
                update(tables.experiments)
                .where(e.id == experiment_id, _is_running())
                .values(status="stopped", stopped_at=datetime.now(UTC), stopped_by=stopped_by)
            )
        return self.get(experiment_id)


def _write_lock(connection: Connection) -> None:
    """On SQLite, take the write lock now, with a write that changes nothing: a transaction that
    read first could not take it later once another had written (SQLITE_BUSY, not a wait). On
    PostgreSQL the unique index makes a racing insert wait, then fail (IntegrityError)."""
    if connection.dialect.name == "sqlite":
        e = tables.experiments.c
        connection.execute(update(tables.experiments).where(false()).values(status=e.status))


def _is_running() -> ColumnElement[bool]:
    return tables.experiments.c.status == "running"


def _running_query() -> Select[tuple[str]]:
    return select(tables.experiments.c.id).where(_is_running())


def _busy(running_id: str) -> ConflictError:
    return ConflictError(
        f"Experiment {running_id} is running; stop it first (experiments stop {running_id}): "
        "one experiment runs at a time.",
        field="kind",
    )
