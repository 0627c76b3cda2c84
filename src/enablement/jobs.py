"""Background jobs (ingest, index rebuild) recorded in the SQL store, so every worker sees them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from enablement.db import tables
from enablement.errors import NotFoundError


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str  # queued | running | succeeded | failed
    created_at: datetime
    updated_at: datetime
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "params": self.params,
            "progress": self.progress,
            "result": self.result,
            "error": self.error,
        }


class JobStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, kind: str, params: dict[str, Any], created_by: str | None) -> Job:
        now = datetime.now(UTC)
        job_id = secrets.token_hex(8)
        row = {
            "id": job_id,
            "kind": kind,
            "state": "queued",
            "created_at": now,
            "updated_at": now,
            "created_by": created_by,
            "params": params,
            "progress": {"done": 0, "total": 0},
            "result": None,
            "error": None,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(tables.jobs).values(**row))
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.jobs).where(tables.jobs.c.id == job_id)).first()
        if row is None:
            raise NotFoundError(f"No job with id '{job_id}'.", field="id")
        data = dict(row._mapping)
        data.pop("created_by", None)
        for name in ("created_at", "updated_at"):
            if data[name].tzinfo is None:  # SQLite drops the zone
                data[name] = data[name].replace(tzinfo=UTC)
        return Job(**data)

    def update(self, job_id: str, **values: Any) -> None:
        values["updated_at"] = datetime.now(UTC)
        with self.engine.begin() as connection:
            connection.execute(
                update(tables.jobs).where(tables.jobs.c.id == job_id).values(**values)
            )
