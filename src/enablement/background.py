"""Work queued in the store and run in the background by whichever node claims it (jobs.py):
ingest a folder, rebuild the index, learn a ranker. The facade (service.py) builds one and the
API reaches it as `service.background`; what each job does is the facade's own operation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from enablement import library
from enablement.jobs import Job, JobStore, JobWorker, Report
from enablement.settings import Settings

if TYPE_CHECKING:
    from enablement.catalog.ingest import IngestSummary, Progress
    from enablement.index.build import BuildReport
    from enablement.learning import Learning


class Operations(Protocol):
    """What the jobs run: the facade's operations (EnablementService has them all)."""

    @property
    def learning(self) -> Learning: ...

    @property
    def scorer(self) -> dict[str, str | None]: ...

    def ingest(
        self, path: Path, *, strict: bool = False, progress: Progress | None = None
    ) -> IngestSummary: ...

    def index_is_current(self) -> bool: ...

    def build_index(self, *, progress: Callable[[int, int], None] | None = None) -> BuildReport: ...


class Background:
    """One per service: the job store, this process's worker (started by the API's lifespan,
    or by the first job queued here), and the job kinds it runs."""

    def __init__(self, jobs: JobStore, settings: Settings, operations: Operations) -> None:
        self.jobs = jobs
        self.settings = settings
        self._operations = operations

    @cached_property
    def worker(self) -> JobWorker:
        """Claims this database's queued jobs and runs them here (see jobs.py)."""
        return JobWorker(
            self.jobs,
            {"ingest": self._ingest, "rebuild": self._rebuild, "learn": self._learn},
            poll_s=self.settings.job_poll_s,
            lease_s=self.settings.job_lease_s,
        )

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def submit_ingest(self, path: Path, *, requested_by: str | None) -> Job:
        """Queue an ingest of `path`, which must lie under a configured library root."""
        resolved = library.ingest_path(path, self.settings, uploads=self.uploads_dir)
        return self._submit("ingest", {"path": str(resolved)}, requested_by)

    def submit_learn(
        self, *, requested_by: str, since: datetime | None = None, auto_promote: bool = False
    ) -> Job:
        """Queue `enablement learn` (see Learning.learn); the job's result is its report."""
        params = {"since": since.isoformat() if since else None, "auto_promote": auto_promote}
        return self._submit("learn", params, requested_by)

    def submit_rebuild(self, *, requested_by: str | None) -> Job:
        return self._submit("rebuild", {}, requested_by)

    def close(self) -> None:
        if "worker" in self.__dict__:
            self.worker.close()

    def _submit(self, kind: str, params: dict[str, Any], requested_by: str | None) -> Job:
        job = self.jobs.create(kind, params, requested_by)
        self.worker.wake()
        return job

    def _ingest(self, job: Job, report: Report) -> dict[str, Any]:
        run = self._operations
        summary = run.ingest(
            Path(job.params["path"]), progress=lambda done, total, _name: report(done, total)
        )
        result: dict[str, Any] = {**summary.to_dict(), "index": None}  # as `ingest --json`
        if summary.assets and not run.index_is_current():
            result["index"] = run.build_index().to_dict()
        return result

    def _rebuild(self, job: Job, report: Report) -> dict[str, Any]:
        built = self._operations.build_index(progress=lambda done, total: report(done, total))
        return {**built.to_dict(), **self._operations.scorer}  # as `enablement index --json`

    def _learn(self, job: Job, report: Report) -> dict[str, Any]:
        since = job.params.get("since")
        return self._operations.learning.learn(
            requested_by=job.created_by or "",
            since=datetime.fromisoformat(since) if since else None,
            auto_promote=bool(job.params.get("auto_promote")),
        )
