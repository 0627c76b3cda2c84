"""The real model over the real sample library, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from enablement.service import EnablementService
from enablement.settings import Settings
from tests.conftest import CATALOG


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("sample-data")
    service = EnablementService(Settings(data_dir=data_dir))
    service.ingest(CATALOG)
    service.build_index()
    service.close()
    return data_dir


@pytest.fixture
def sample_service(sample_data_dir: Path) -> Iterator[EnablementService]:
    service = EnablementService(Settings(data_dir=sample_data_dir))
    yield service
    service.close()
