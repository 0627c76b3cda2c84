"""A serving process caps its BLAS threads; the API's lifespan does it with the setting."""

from collections.abc import Iterator
from pathlib import Path

import anyio
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

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
    limit_blas(2)
    assert _blas_threads() == {2}


@pytest.mark.usefixtures("restored")
def test_the_api_applies_the_setting_when_it_starts(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    limit_blas(2)
    env = make_env(tmp_path, build_options, blas_threads=1)
    app = env.client.app
    seen: list[set[int]] = []

    async def started() -> None:  # on this (main) thread, as uvicorn runs the lifespan
        async with app.router.lifespan_context(app):  # type: ignore[attr-defined]
            seen.append(_blas_threads())

    anyio.run(started)
    env.service.close()
    assert seen == [{1}]
