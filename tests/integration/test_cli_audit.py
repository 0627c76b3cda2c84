"""`enablement simulate` then `enablement report`, with the real model, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.analytics.audit import VIEWS
from enablement.cli import cli
from tests.conftest import CATALOG


@pytest.fixture
def runner(
    database_url: str, sample_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    """A data dir holding the sample library's index, its catalog in the store under test."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir / "bundles", data_dir / "bundles")
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", database_url)
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(CATALOG), "--no-index"])
    assert ingested.exit_code == 0, ingested.output
    return runner


def test_simulate_then_report_on_both_stores(runner: CliRunner, tmp_path: Path) -> None:
    simulated = runner.invoke(
        cli, ["simulate", "--deals", "60", "--seed", "5", "--days", "60", "--json"]
    )
    assert simulated.exit_code == 0, simulated.output
    truth = json.loads(simulated.stdout)
    assert truth["deals"] == 60 and truth["events"] > 0 and truth["recommendations"] >= 60

    shown = runner.invoke(cli, ["report", "funnel", "coverage", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    funnel, coverage = json.loads(shown.stdout)["items"]
    # every served item is a `recommended` event: about 5 per recommendation
    assert funnel["summary"]["recommended"] >= 4 * truth["recommendations"]
    assert funnel["summary"]["sent"] > 0
    assert coverage["summary"]["cells"] == len(coverage["rows"]) > 0

    out = tmp_path / "audit"
    written = runner.invoke(cli, ["report", "--format", "csv", "--output", str(out)])
    assert written.exit_code == 0, written.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{view}.csv" for view in VIEWS)
    with (out / "funnel.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert sum(int(r["recommended"]) for r in rows) == funnel["summary"]["recommended"]

    table = runner.invoke(cli, ["report", "unused"])
    assert table.exit_code == 0 and table.stdout.startswith("== unused (")


def test_simulate_if_empty_seeds_a_fresh_store_only(runner: CliRunner) -> None:
    """`make run` seeds a demo history on a fresh machine and never adds to a real one."""
    args = ["simulate", "--if-empty", "--deals", "3", "--seed", "2", "--json"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.stderr.startswith("No events yet: simulating 3 deals")
    assert json.loads(first.stdout)["deals"] == 3
    counted = runner.invoke(cli, ["report", "funnel", "--format", "json"])
    before = json.loads(counted.stdout)["items"][0]["summary"]
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and again.stdout == ""
    assert again.stderr.strip() == "Events are already stored: no simulated history added."
    after = json.loads(runner.invoke(cli, ["report", "funnel", "--json"]).stdout)["items"]
    assert after[0]["summary"] == before


def test_a_bad_filter_is_one_line_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["report", "funnel", "--stage", "signing"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "stage" in lines[0] and "discovery" in lines[0]
