"""The real model over the real sample library (sample_data_dir, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from enablement.service import EnablementService
from enablement.settings import Settings


@pytest.fixture
def sample_service(sample_data_dir: Path) -> Iterator[EnablementService]:
    service = EnablementService(Settings(data_dir=sample_data_dir))
    yield service
    service.close()
