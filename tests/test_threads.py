"""A serving process caps its BLAS threads; the API's lifespan does it, on the main thread, with
the setting."""

import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import enablement.api
from enablement.catalog.build import BuildOptions
from enablement.threads import limit_blas
from tests.api.conftest import make_env


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.fixture
def restored() -> Iterator[None]:
    before = max(_blas_threads())
    yield
    threadpool_limits(limits=before, user_api="blas")


@pytest.mark.usefixtures("restored")
def test_limit_blas_caps_every_loaded_blas() -> None:
    _ = np.ones((64, 64)) @ np.ones((64, 64))  # NumPy's BLAS is loaded
    limit_blas(1)
    assert _blas_threads() == {1}


def test_the_api_applies_the_setting_on_the_main_thread_when_it_starts(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, bool]] = []

    def spy(threads: int) -> None:
        calls.append((threads, threading.current_thread() is threading.main_thread()))

    monkeypatch.setattr(enablement.api, "limit_blas", spy)
    env = make_env(tmp_path, build_options, blas_threads=3)
    app = env.client.app

    async def started() -> None:  # on this (main) thread, as uvicorn runs the lifespan
        async with app.router.lifespan_context(app):  # type: ignore[attr-defined]
            pass

    anyio.run(started)
    env.service.close()
    assert calls == [(3, True)]  # OpenBLAS ignores a count set from another thread
