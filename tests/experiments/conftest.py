"""The small library served over the API, on SQLite and PostgreSQL, for the serving and results
tests."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiEnv, api_on_both  # noqa: F401 (registers the fixture here)


@pytest.fixture
def env(api_on_both: ApiEnv) -> ApiEnv:  # noqa: F811
    return api_on_both
