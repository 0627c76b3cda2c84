"""Background jobs: state, progress and the result or error land in the store, and a failing
job never takes the runner down."""

from __future__ import annotations

from pathlib import Path

from enablement.db import connect
from enablement.errors import InvalidValueError
from enablement.jobs import JobRunner, JobStore, Report


def runner(tmp_path: Path) -> JobRunner:
    return JobRunner(JobStore(connect(f"sqlite:///{tmp_path / 'jobs.db'}")))


def test_jobs_record_results_errors_and_progress(tmp_path: Path) -> None:
    jobs = runner(tmp_path)

    def works(report: Report) -> dict[str, object]:
        report(1, 2)
        report(2, 2)
        return {"assets": 2}

    def refuses(report: Report) -> dict[str, object]:
        raise InvalidValueError("Unknown stage 'x'", field="stage")

    def crashes(report: Report) -> dict[str, object]:
        raise RuntimeError("disk gone")

    done = jobs.submit("ingest", {"path": "/lib"}, "key-1", works)
    refused = jobs.submit("ingest", {}, None, refuses)
    crashed = jobs.submit("rebuild", {}, None, crashes)
    after = jobs.submit("rebuild", {}, None, lambda report: {"ok": True})
    jobs.close()  # waits for all four, run one at a time in order
    store = jobs.store
    assert store.get(done.id).state == "succeeded"
    assert store.get(done.id).result == {"assets": 2}
    assert store.get(done.id).progress == {"done": 2, "total": 2}
    assert store.get(refused.id).state == "failed"
    assert store.get(refused.id).error == "Unknown stage 'x'"
    assert store.get(crashed.id).error == "RuntimeError: disk gone"
    assert store.get(after.id).state == "succeeded"  # the runner outlived the crash
