"""`enablement report` over planted hostile text: CSV neutralised, tables free of escapes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.catalog.build import BuildOptions
from enablement.cli import audit, cli
from enablement.service import EnablementService
from tests.analytics.planted import (
    OWNERS,
    QUESTIONS,
    TITLES,
    formula_cells,
    plant_assets,
    plant_questions,
)
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture
def env(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ApiEnv]:
    """The small library plus hostile assets and questions; `report` reads this service."""
    env = make_env(tmp_path, build_options)
    plant_assets(tmp_path / "library")
    env.service.ingest(tmp_path / "library")
    plant_questions(env.client, env.auth("rep"), QUESTIONS)
    assert env.service.usage.log.flush()

    @contextmanager
    def service(database_url: str | None = None) -> Iterator[EnablementService]:
        yield env.service

    monkeypatch.setattr(audit, "service", service)
    yield env
    env.client.close()
    env.service.close()


def test_report_csv_neutralises_formulas_in_stdout_and_files(env: ApiEnv, tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["report", "funnel", "demand", "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    assert formula_cells(shown.stdout) == []
    assert any(q in shown.stdout for q in QUESTIONS)
    out = tmp_path / "audit"
    written = runner.invoke(cli, ["report", "funnel", "health", "demand", "--output", str(out)])
    assert written.exit_code == 0, written.output
    for path in out.iterdir():
        assert formula_cells(path.read_text()) == [], path.name
    funnel = list(csv.DictReader(io.StringIO((out / "funnel.csv").read_text())))
    assert {r["title"] for r in funnel} >= {"'" + t for t in TITLES}
    assert {r["owner"] for r in funnel} >= {"'" + o for o in OWNERS}
