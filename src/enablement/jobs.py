"""Background jobs (ingest, index rebuild, learn) recorded in the SQL store and claimed from it.

Any worker of any node may run a job: each runs a JobWorker that claims the oldest queued job
with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; on SQLite the claim is a compare-and-set
UPDATE), so exactly one worker runs it. The worker keeps a heartbeat on the row while it runs;
a job whose heartbeat is older than the lease was left by a node that died, and is claimed
again, up to `max_attempts` times."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update

from enablement.db import tables
from enablement.errors import EnablementError, NotFoundError

log = logging.getLogger(__name__)

Report = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str  # queued | running | succeeded | failed
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    claimed_by: str | None = None
    heartbeat_at: datetime | None = None
    attempts: int = 0

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
            "node": self.claimed_by,
            "attempts": self.attempts,
        }


# A job's work: given the job and a progress callback, its result.
Handler = Callable[[Job, Report], dict[str, Any]]


def node_name() -> str:
    """This process, as job rows and logs name it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
            "attempts": 0,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(tables.jobs).values(**row))
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.jobs).where(tables.jobs.c.id == job_id)).first()
        if row is None:
            raise NotFoundError(f"No job with id '{job_id}'.", field="job_id")
        return _job(row._mapping)

    def claim(self, node: str, *, lease_s: float, max_attempts: int) -> Job | None:
        """The oldest job that is queued, or running with a heartbeat older than `lease_s` (its
        node died), now running on `node`; None when there is none. A job whose node died
        `max_attempts` times is failed instead of claimed again, and a job another worker
        claimed first is passed over: either way the next one is tried, so a worker that
        loses a race does not stop while jobs are queued."""
        while True:
            candidate, job = self._claim_oldest(node, lease_s, max_attempts)
            if candidate is None or job is not None:
                return job

    def _claim_oldest(
        self, node: str, lease_s: float, max_attempts: int
    ) -> tuple[Job | None, Job | None]:
        """(the oldest claimable job as read, or None; that job claimed by `node`, or None
        when another worker took it first or it was failed for its attempts)."""
        jobs = tables.jobs.c
        now = datetime.now(UTC)
        stale = and_(jobs.state == "running", jobs.heartbeat_at < now - timedelta(seconds=lease_s))
        with self.engine.begin() as connection:
            row = connection.execute(
                select(tables.jobs)
                .where(or_(jobs.state == "queued", stale))
                .order_by(jobs.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None, None
            seen = _job(row._mapping)
            if seen.attempts >= max_attempts:
                values: dict[str, Any] = {
                    "state": "failed",
                    "error": f"The node running this job stopped {seen.attempts} times "
                    f"(last: {seen.claimed_by}); not retried.",
                }
            else:
                values = {"state": "running", "claimed_by": node, "attempts": seen.attempts + 1}
            # Compare-and-set on what was read: on SQLite (no row locks) a racing worker that
            # claimed it first makes this match nothing.
            claimed = connection.execute(
                update(tables.jobs)
                .where(
                    jobs.id == seen.id,
                    jobs.state == seen.state,
                    jobs.attempts == seen.attempts,
                )
                .values(**values, heartbeat_at=now, updated_at=now)
            ).rowcount
        if not claimed or values["state"] == "failed":
            if claimed:
                log.warning("job %s failed: %s", seen.id, values["error"])
            return seen, None
        return seen, self.get(seen.id)

    def heartbeat(self, job_id: str, node: str, **values: Any) -> bool:
        """Mark `node`'s job alive (with `values`, e.g. progress); False when `node` no longer
        holds it (its lease ran out and another node claimed it)."""
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            count = connection.execute(
                update(tables.jobs)
                .where(tables.jobs.c.id == job_id, tables.jobs.c.claimed_by == node)
                .where(tables.jobs.c.state == "running")
                .values(**values, heartbeat_at=now, updated_at=now)
            ).rowcount
        return bool(count)


def _job(mapping: Mapping[Any, Any]) -> Job:
    data = dict(mapping)
    for name in ("created_at", "updated_at", "heartbeat_at"):
        if data[name] is not None and data[name].tzinfo is None:  # SQLite drops the zone
            data[name] = data[name].replace(tzinfo=UTC)
    return Job(**data)


class JobWorker:
    """Claims and runs jobs one at a time on a background thread, recording throttled progress
    and the result or the error; a failing job never takes the worker down. It looks for work
    every `poll_s` seconds, and at once when `wake` is called (a job was queued here)."""

    def __init__(
        self,
        store: JobStore,
        handlers: Mapping[str, Handler],
        *,
        node: str | None = None,
        poll_s: float = 2.0,
        lease_s: float = 60.0,
        max_attempts: int = 3,
    ) -> None:
        self.store = store
        self.handlers = handlers
        self.node = node or node_name()
        self.poll_s = poll_s
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start looking for jobs (again, after `close`); a no-op while it looks."""
        with self._lock:
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._loop, name="enablement-jobs", daemon=True
                )
                self._thread.start()

    def wake(self) -> None:
        """Look for a job now (starting the worker if it is not running)."""
        self.start()
        self._wake.set()

    def run_pending(self) -> int:
        """Run the jobs claimable now, in this thread; how many ran (tests, `close`)."""
        ran = 0
        while not self._stop.is_set() and self._run_one():
            ran += 1
        return ran

    def close(self) -> None:
        """Stop the worker, once the job it is running (if any) ends; queued jobs stay queued
        for another worker, or for this database's next one."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self._run_one()
            except Exception:  # the store did not answer: look again later
                log.warning("could not claim a job; retrying", exc_info=True)
                busy = False
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _run_one(self) -> bool:
        job = self.store.claim(self.node, lease_s=self.lease_s, max_attempts=self.max_attempts)
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            self._finish(job, state="failed", error=f"No handler for jobs of kind '{job.kind}'.")
            return
        beating = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job.id, beating), daemon=True)
        beat.start()
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] > 0.5:  # progress writes are throttled
                last[0] = now
                self.store.heartbeat(job.id, self.node, progress={"done": done, "total": total})

        try:
            result = handler(job, report)
        except EnablementError as exc:
            self._finish(job, state="failed", error=exc.message)
        except Exception as exc:  # the job fails, the worker does not
            log.exception("job %s failed", job.id)
            self._finish(job, state="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            self._finish(job, state="succeeded", result=result)
        finally:
            beating.set()
            beat.join()

    def _beat(self, job_id: str, done: threading.Event) -> None:
        while not done.wait(self.lease_s / 4):
            try:
                if not self.store.heartbeat(job_id, self.node):
                    log.warning("job %s is no longer held by this node", job_id)
            except Exception:  # a missed beat is retried; the lease allows three more
                log.warning("could not record job %s's heartbeat", job_id, exc_info=True)

    def _finish(self, job: Job, **values: Any) -> None:
        if not self.store.heartbeat(job.id, self.node, **values):
            log.warning("job %s finished after another node claimed it; result dropped", job.id)
