"""What each queued job runs (background.py): an ingest builds the index only when it added
assets and the index is not current, a rebuild reports the build and the scorer, a learning
run gets its window and promotion flag; a path outside the library roots is never queued."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from enablement.background import Background
from enablement.db import connect
from enablement.errors import InvalidValueError
from enablement.jobs import Job, JobStore
from enablement.settings import Settings


@dataclass
class Summary:
    assets: int

    def to_dict(self) -> dict[str, Any]:
        return {"assets": self.assets}


@dataclass
class Built:
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version}


@dataclass
class Learner:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def learn(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"promoted": kwargs["auto_promote"]}


@dataclass
class Operations:
    """The facade's operations, recorded: what the jobs asked for."""

    added: int = 3
    current: bool = False
    ingested: list[Path] = field(default_factory=list)
    builds: int = 0
    learning: Learner = field(default_factory=Learner)
    scorer: dict[str, str | None] = field(default_factory=lambda: {"scorer": "linear"})

    def ingest(self, path: Path, *, strict: bool = False, progress: Any = None) -> Summary:
        self.ingested.append(path)
        progress(1, 1, path.name)
        return Summary(self.added)

    def index_is_current(self) -> bool:
        return self.current

    def build_index(self, *, progress: Any = None) -> Built:
        self.builds += 1
        if progress is not None:
            progress(1, 1)
        return Built(f"v{self.builds}")


@pytest.fixture
def queues() -> Iterator[list[Background]]:
    made: list[Background] = []
    yield made
    for queue in made:
        queue.close()


def background(tmp_path: Path, operations: Operations, made: list[Background]) -> Background:
    settings = Settings(data_dir=tmp_path / "data", library_roots=[str(tmp_path)])
    store = JobStore(connect(f"sqlite:///{tmp_path / 'jobs.db'}"))
    made.append(Background(store, settings, operations))
    return made[-1]


def finished(queue: Background, job_id: str) -> Job:
    """The job once the worker, woken by the submit, has run it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = queue.jobs.get(job_id)
        if job.state in ("succeeded", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still {job.state}")


@pytest.mark.parametrize(
    ("added", "current", "builds"), [(3, False, 1), (3, True, 0), (0, False, 0)]
)
def test_an_ingest_job_builds_the_index_only_when_it_is_stale(
    tmp_path: Path, queues: list[Background], added: int, current: bool, builds: int
) -> None:
    operations = Operations(added=added, current=current)
    queue = background(tmp_path, operations, queues)
    (tmp_path / "library").mkdir()
    job = queue.submit_ingest(tmp_path / "library", requested_by="key-1")
    done = finished(queue, job.id)
    assert done.state == "succeeded", done.error
    assert operations.ingested == [(tmp_path / "library").resolve()]
    assert operations.builds == builds
    assert done.result == {"assets": added, "index": {"version": "v1"} if builds else None}
    assert done.progress == {"done": 1, "total": 1}


def test_a_rebuild_job_reports_the_build_and_the_scorer(
    tmp_path: Path, queues: list[Background]
) -> None:
    queue = background(tmp_path, Operations(), queues)
    job = queue.submit_rebuild(requested_by=None)
    assert finished(queue, job.id).result == {"version": "v1", "scorer": "linear"}


def test_a_learning_job_gets_its_window_and_promotion_flag(
    tmp_path: Path, queues: list[Background]
) -> None:
    operations = Operations()
    queue = background(tmp_path, operations, queues)
    since = datetime(2026, 11, 1, tzinfo=UTC)
    job = queue.submit_learn(requested_by="ana", since=since, auto_promote=True)
    assert finished(queue, job.id).result == {"promoted": True}
    assert operations.learning.calls == [
        {"requested_by": "ana", "since": since, "auto_promote": True}
    ]


def test_an_ingest_outside_the_library_roots_is_never_queued(
    tmp_path: Path, queues: list[Background]
) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "elsewhere").mkdir()
    operations = Operations()
    queue = background(tmp_path / "inside", operations, queues)
    with pytest.raises(InvalidValueError) as refused:
        queue.submit_ingest(tmp_path / "elsewhere", requested_by="key-1")
    assert refused.value.field == "path"
    assert queue.worker.run_pending() == 0  # nothing was queued
    assert operations.ingested == []
