"""Background jobs (ingest, index rebuild) recorded in the SQL store, so every worker sees them."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from enablement.db import tables
from enablement.errors import EnablementError, NotFoundError

log = logging.getLogger(__name__)


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
            raise NotFoundError(f"No job with id '{job_id}'.", field="job_id")
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


Report = Callable[[int, int], None]  # (done, total)
Work = Callable[[Report], dict[str, Any]]


class JobRunner:
    """Runs jobs one at a time on a background thread, recording state, throttled progress,
    and the result or the error in `store`. A failing job never takes the server down."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._executor: ThreadPoolExecutor | None = None

    def submit(
        self, kind: str, params: dict[str, Any], requested_by: str | None, work: Work
    ) -> Job:
        job = self.store.create(kind, params, requested_by)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enablement-job")
        self._executor.submit(self._run, job.id, work)
        return job

    def _run(self, job_id: str, work: Work) -> None:
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] > 0.5:  # progress writes are throttled
                last[0] = now
                self.store.update(job_id, progress={"done": done, "total": total})

        self.store.update(job_id, state="running")
        try:
            result = work(report)
        except EnablementError as exc:
            self.store.update(job_id, state="failed", error=exc.message)
        except Exception as exc:  # the job fails, the server does not
            log.exception("job %s failed", job_id)
            self.store.update(job_id, state="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            self.store.update(job_id, state="succeeded", result=result)

    def close(self) -> None:
        """Wait for the running job, if any."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
