"""Background jobs: claimed from the store by exactly one worker, state, progress and the
result or error recorded, a failing job never takes the worker down, and a job whose node died
is claimed again (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from enablement.db import connect, tables
from enablement.errors import InvalidValueError
from enablement.jobs import Job, JobStore, JobWorker, Report


def works(job: Job, report: Report) -> dict[str, Any]:
    report(1, 2)
    report(2, 2)
    return {"path": job.params["path"]}


def refuses(job: Job, report: Report) -> dict[str, Any]:
    raise InvalidValueError("Unknown stage 'x'", field="stage")


def crashes(job: Job, report: Report) -> dict[str, Any]:
    raise RuntimeError("disk gone")


def test_jobs_record_results_errors_and_progress(database_url: str) -> None:
    store = JobStore(connect(database_url))
    worker = JobWorker(store, {"ingest": works, "refuse": refuses, "crash": crashes})
    done = store.create("ingest", {"path": "/lib"}, "key-1")
    refused = store.create("refuse", {}, None)
    crashed = store.create("crash", {}, None)
    unknown = store.create("mystery", {}, None)
    after = store.create("ingest", {"path": "/other"}, None)
    assert worker.run_pending() == 5  # one at a time, oldest first
    assert store.get(done.id).state == "succeeded"
    assert store.get(done.id).result == {"path": "/lib"}
    assert store.get(done.id).progress == {"done": 2, "total": 2}
    assert store.get(done.id).to_dict()["node"] == worker.node
    assert store.get(refused.id).state == "failed"
    assert store.get(refused.id).error == "Unknown stage 'x'"
    assert store.get(crashed.id).error == "RuntimeError: disk gone"
    assert store.get(unknown.id).error == "No handler for jobs of kind 'mystery'."
    assert store.get(after.id).state == "succeeded"  # the worker outlived the crash
    assert worker.run_pending() == 0


def test_each_job_runs_exactly_once_across_racing_workers(database_url: str) -> None:
    """Four workers (nodes) on one database claim twenty jobs at once: each runs once, and a
    worker that loses a race for a job goes on to the next instead of stopping (on SQLite a
    lost race is a compare-and-set that matched nothing)."""
    engine = connect(database_url)
    store = JobStore(engine)
    ran: Counter[str] = Counter()
    lock = threading.Lock()

    def count(job: Job, report: Report) -> dict[str, Any]:
        with lock:
            ran[job.id] += 1
        time.sleep(0.02)
        return {}

    ids = [store.create("count", {}, None).id for _ in range(20)]
    workers = [JobWorker(JobStore(engine), {"count": count}, node=f"n{i}") for i in range(4)]
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def work(worker: JobWorker) -> None:
        start.wait()
        try:
            worker.run_pending()
        except BaseException as exc:  # a worker thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert ran == Counter(dict.fromkeys(ids, 1))
    assert {store.get(job_id).state for job_id in ids} == {"succeeded"}
    assert len({store.get(job_id).claimed_by for job_id in ids}) > 1  # the work was shared


def test_a_job_failed_for_its_attempts_does_not_stop_the_claim(database_url: str) -> None:
    """The oldest claimable job is failed (its node died too often): the claim goes on to
    the next queued job instead of answering that there is none."""
    store = JobStore(connect(database_url))
    doomed = store.create("rebuild", {}, None)
    for attempt in range(1, 4):
        assert store.claim(f"node:{attempt}", lease_s=60, max_attempts=3) is not None
        _age_heartbeat(store, doomed.id, 61)
    queued = store.create("ingest", {"path": "/lib"}, None)
    claimed = store.claim("node:4", lease_s=60, max_attempts=3)
    assert claimed is not None and claimed.id == queued.id
    assert store.get(doomed.id).state == "failed"


def _age_heartbeat(store: JobStore, job_id: str, seconds: float) -> None:
    stale = datetime.now(UTC) - timedelta(seconds=seconds)
    with store.engine.begin() as connection:
        connection.execute(
            update(tables.jobs).where(tables.jobs.c.id == job_id).values(heartbeat_at=stale)
        )


def test_a_job_left_by_a_dead_node_is_claimed_again_and_its_result_is_not_overwritten(
    database_url: str,
) -> None:
    store = JobStore(connect(database_url))
    job = store.create("ingest", {"path": "/lib"}, None)
    dead = store.claim("dead:1", lease_s=60, max_attempts=3)
    assert dead is not None and dead.id == job.id and dead.attempts == 1
    assert store.claim("alive:2", lease_s=60, max_attempts=3) is None  # its lease holds
    _age_heartbeat(store, job.id, 61)
    alive = JobWorker(store, {"ingest": works}, node="alive:2", lease_s=60)
    assert alive.run_pending() == 1
    again = store.get(job.id)
    assert (again.state, again.claimed_by, again.attempts) == ("succeeded", "alive:2", 2)
    # the dead node comes back and finishes late: its write is refused
    assert not store.heartbeat(job.id, "dead:1", state="failed", error="late")
    assert store.get(job.id).state == "succeeded"


def test_a_job_that_kills_its_node_every_time_is_failed_after_max_attempts(
    database_url: str,
) -> None:
    store = JobStore(connect(database_url))
    job = store.create("rebuild", {}, None)
    for attempt in range(1, 4):
        claimed = store.claim(f"node:{attempt}", lease_s=60, max_attempts=3)
        assert claimed is not None and claimed.attempts == attempt
        _age_heartbeat(store, job.id, 61)
    assert store.claim("node:4", lease_s=60, max_attempts=3) is None
    failed = store.get(job.id)
    assert failed.state == "failed"
    assert failed.error is not None and "stopped 3 times (last: node:3)" in failed.error


def test_a_running_worker_keeps_its_job_alive_and_a_queued_job_is_run_on_wake(
    database_url: str,
) -> None:
    store = JobStore(connect(database_url))
    started, release = threading.Event(), threading.Event()

    def slow(job: Job, report: Report) -> dict[str, Any]:
        started.set()
        release.wait(10)
        return {"ok": True}

    worker = JobWorker(store, {"slow": slow}, poll_s=30, lease_s=5)  # beats every 1.25 s
    job = store.create("slow", {}, None)
    worker.wake()  # no 30 s wait: a job queued here is looked for at once
    assert started.wait(10)
    first = store.get(job.id).heartbeat_at
    time.sleep(1.6)
    assert first is not None and store.get(job.id).heartbeat_at > first
    assert store.claim("other:9", lease_s=5, max_attempts=3) is None
    release.set()
    worker.close()  # waits for the running job
    assert store.get(job.id).state == "succeeded"
