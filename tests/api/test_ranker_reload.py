"""Promotion is hot-reloaded across workers: two services ("workers") on one database, a ranker
promoted or rolled back in one is served by the other within its reload interval, no request
failing meanwhile; a live ranker's file that breaks never makes a worker serve something else."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from enablement.api import create_app
from enablement.db import tables
from enablement.recommend.ranker import MODEL_FILE
from enablement.service import EnablementService
from tests.api.conftest import ApiEnv
from tests.api.server import running
from tests.api.test_rankers import env, register  # noqa: F401 (registers the fixture here)
from tests.fakes import HashingEncoder

QUESTION = {"questions": ["pricing per user"], "deal_id": "d-1"}


@contextmanager
def worker(env: ApiEnv) -> Iterator[EnablementService]:  # noqa: F811
    """Another service over the same settings and database: a second worker process."""
    service = EnablementService(env.settings, encoder=HashingEncoder())
    try:
        yield service
    finally:
        service.close()


def ranker_of(service: EnablementService) -> str:
    ranker = service.recommender.config.ranker
    return ranker.name if ranker is not None else "linear"


def eventually(check: Callable[[], bool], *, seconds: float = 10.0) -> None:
    """Poll `check` until true, failing after `seconds` (a bound, not a timing assumption)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.02)


def test_a_promotion_in_one_worker_is_served_by_the_other_without_failures(
    env: ApiEnv,  # noqa: F811
) -> None:
    trained = register(env, 1)
    shipped = env.service.ranking.registry.shipped().id
    statuses: list[int] = []
    stop = threading.Event()
    with worker(env) as other, running(create_app(env.settings, service=other)) as base:

        def client() -> None:
            with httpx.Client(base_url=base, headers=env.auth("rep"), timeout=30) as http:
                while not stop.is_set():
                    statuses.append(http.post("/v1/recommendations", json=QUESTION).status_code)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            eventually(lambda: len(statuses) > 10)
            assert ranker_of(other) == shipped
            promoted = env.client.post(
                "/v1/rankers:promote", json={"ranker": trained.id}, headers=env.auth("admin")
            )
            assert promoted.status_code == 200, promoted.text
            eventually(lambda: ranker_of(other) == trained.id)
            served = len(statuses)
            eventually(lambda: len(statuses) > served + 10)  # served on, with the new ranker
            with httpx.Client(base_url=base) as http:
                ready = http.get("/readyz").json()
            assert (ready["scorer"], ready["live_ranker"]) == (trained.id, trained.id)
            # a rollback in the second worker reaches the first
            with httpx.Client(base_url=base, headers=env.auth("admin")) as http:
                assert http.post("/v1/rankers:rollback").status_code == 200
            eventually(lambda: ranker_of(env.service) == shipped)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert statuses and set(statuses) == {200}
    query = select(tables.events.c.ranker).where(tables.events.c.type == "recommended")
    with env.service.engine.connect() as connection:
        logged = {row.ranker for row in connection.execute(query)}
    assert logged == {shipped, trained.id}  # impressions name the ranker that served them


def test_a_file_corrupted_after_promotion_keeps_the_loaded_ranker_across_a_bundle_switch(
    env: ApiEnv,  # noqa: F811
) -> None:
    trained = register(env, 1)
    assert env.service.ranking.promote(trained.id, by="ops")["live"]
    with worker(env) as other:
        eventually(lambda: ranker_of(other) == trained.id)
        eventually(lambda: ranker_of(env.service) == trained.id)
        before = other.recommender.bundle.meta.version
        model = env.settings.data_dir / "rankers" / trained.source / MODEL_FILE
        model.write_text("corrupted after promotion")
        library = env.settings.library_roots[0]
        (library / "late.md").write_text("---\ntitle: Late\n---\nBrand new pricing notes.")
        env.service.ingest(library)
        env.service.build_index()  # a new bundle: both workers switch to it
        eventually(lambda: other.recommender.bundle.meta.version != before)
        assert ranker_of(other) == trained.id  # the model it holds, not the file
        assert ranker_of(env.service) == trained.id
        assert other.recommend({"questions": ["pricing"]}).items


def test_a_live_ranker_that_does_not_load_leaves_a_worker_serving_what_it_has(
    env: ApiEnv,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    shipped = env.service.ranking.registry.shipped().id
    trained = register(env, 1)
    with worker(env) as other:
        client = TestClient(create_app(env.settings, service=other))
        assert ranker_of(other) == shipped
        env.service.ranking.promote(trained.id, by="ops")
        model = env.settings.data_dir / "rankers" / trained.source / MODEL_FILE
        model.write_text("corrupted before this worker loaded it")
        with caplog.at_level(logging.WARNING):
            eventually(lambda: "did not load" in client.get("/readyz").json()["scorer_note"])
            for _ in range(5):
                response = client.post(
                    "/v1/recommendations", json=QUESTION, headers=env.auth("rep")
                )
                assert response.status_code == 200
                assert ranker_of(other) == shipped  # never something else mid-flight
        ready = client.get("/readyz").json()
        assert (ready["scorer"], ready["live_ranker"]) == (shipped, trained.id)
        assert str(model) in ready["scorer_note"]
        assert any(str(model) in message for message in caplog.messages)
        client.close()


def test_a_worker_starting_with_a_broken_live_ranker_serves_linear_and_names_the_file(
    env: ApiEnv,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    trained = register(env, 1)
    env.service.ranking.promote(trained.id, by="ops")
    model = env.settings.data_dir / "rankers" / trained.source / MODEL_FILE
    model.write_text("broken")
    with worker(env) as fresh, caplog.at_level(logging.WARNING):
        client = TestClient(create_app(env.settings, service=fresh))
        ready = client.get("/readyz").json()
        client.close()
    assert (ready["scorer"], ready["live_ranker"]) == ("linear", trained.id)
    assert str(model) in ready["scorer_note"] and "the linear scorer serves" in ready["scorer_note"]
    assert any(str(model) in message for message in caplog.messages)


def test_with_the_linear_scorer_configured_promotions_are_recorded_not_served(
    env: ApiEnv,  # noqa: F811
    tmp_path: Path,
) -> None:
    trained = register(env, 1)
    linear = EnablementService(
        env.settings.model_copy(update={"scorer": "linear"}), encoder=HashingEncoder()
    )
    try:
        linear.ranking.promote(trained.id, by="ops")
        assert env.service.ranking.registry.live_id() == trained.id
        assert ranker_of(linear) == "linear"
        assert linear.scorer["live_ranker"] is None and linear.scorer["scorer"] == "linear"
    finally:
        linear.close()


def test_a_store_that_does_not_answer_leaves_serving_as_it_is(
    env: ApiEnv,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    trained = register(env, 1)
    env.service.ranking.promote(trained.id, by="ops")
    eventually(lambda: ranker_of(env.service) == trained.id)

    asked: list[int] = []

    def down() -> str:
        asked.append(1)
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(env.service.ranking.registry, "live_id", down)

    def served() -> bool:
        response = env.client.post("/v1/recommendations", json=QUESTION, headers=env.auth("rep"))
        assert response.status_code == 200, response.text
        return len(asked) >= 2  # the worker looked (at least) twice, and served on

    eventually(served)
    assert ranker_of(env.service) == trained.id
    ready = env.client.get("/readyz").json()
    assert (ready["scorer"], ready["live_ranker"]) == (trained.id, None)
