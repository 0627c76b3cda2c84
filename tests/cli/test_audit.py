"""`enablement report` over planted hostile text: CSV neutralised, tables free of escapes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.catalog.build import BuildOptions
from enablement.cli import audit, cli
from enablement.service import EnablementService
from tests.analytics.planted import (
    ESCAPE,
    OWNERS,
    QUESTIONS,
    TITLES,
    UNSAFE,
    ask_directly,
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


def test_report_tables_carry_no_terminal_escapes(env: ApiEnv) -> None:
    ask_directly(env.service, [ESCAPE, "why " + ESCAPE])
    shown = CliRunner().invoke(cli, ["report", "demand"])
    assert shown.exit_code == 0, shown.output
    assert not [c for c in UNSAFE if c in shown.stdout], shown.stdout
    assert "\\x1b]8;;https://evil.example" in shown.stdout  # shown, defused, not dropped
    rows = [line for line in shown.stdout.splitlines() if "evil.example" in line]
    assert rows and all(not line.startswith("ok") for line in shown.stdout.splitlines())
    as_json = CliRunner().invoke(cli, ["report", "demand", "--format", "json"])
    assert "\x1b" not in as_json.stdout  # JSON escapes them, and keeps the text
    (demand,) = json.loads(as_json.stdout)["items"]
    assert any(ESCAPE in example for row in demand["rows"] for example in row["examples"])


def test_a_bad_value_echoed_in_an_error_is_defused() -> None:
    # C0 controls are refused before any echo; a C1 CSI (U+009B) passes that rule and is echoed
    refused = CliRunner().invoke(cli, ["report", "funnel", "--stage", "\x1b[2Jsigning"])
    assert refused.exit_code == 1
    assert "\x1b" not in refused.stderr and "stage contains a control character" in refused.stderr
    result = CliRunner().invoke(cli, ["report", "funnel", "--stage", "\x9b2Jsigning"])
    assert result.exit_code == 1
    assert "\x9b" not in result.stderr and "\\x9b2Jsigning" in result.stderr
