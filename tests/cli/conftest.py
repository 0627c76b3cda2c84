"""Fixtures for CLI tests over the store the API uses."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import common
from enablement.service import EnablementService
from tests.fakes import HashingEncoder
from tests.rankers.models import save_shipped


@pytest.fixture
def ranker_runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on `database_url` (SQLite and PostgreSQL) with the fake encoder and a shipped
    ranker built for it, so the registry and `learn` have a base."""
    save_shipped(tmp_path / "shipped")
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("ENABLEMENT_RANKER_PATH", str(tmp_path / "shipped"))
    factory = functools.partial(EnablementService, encoder=HashingEncoder())
    monkeypatch.setattr(common, "EnablementService", factory)
    return CliRunner()
