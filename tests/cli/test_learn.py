"""`enablement learn` over the store the API uses (SQLite and PostgreSQL): the report as JSON or
in a few lines, `--auto-promote`, and a bad `--since` refused in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from enablement.cli import cli, common
from tests.conftest import CATALOG
from tests.learning_history import simulate_labelled


@pytest.fixture
def runner(ranker_runner: CliRunner) -> CliRunner:
    return ranker_runner


def test_an_empty_store_reports_too_little_data(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["learn", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ranker"] is None and report["promoted"] is False
    assert report["skipped"] == "too little data: no impressions were logged"
    plain = runner.invoke(cli, ["learn"])
    assert plain.exit_code == 0
    assert plain.stdout.strip() == "No candidate: too little data: no impressions were logged."


def test_learn_registers_and_reports_the_candidate(runner: CliRunner) -> None:
    with common.service() as svc:
        svc.ingest(CATALOG)
        svc.build_index()
        simulate_labelled(svc)
    result = runner.invoke(cli, ["learn", "--auto-promote", "--actor", "ops"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Registered candidate lambdarank:")
    assert lines[1].lstrip().startswith("live") and "IPS" in lines[1]
    assert lines[2].lstrip().startswith("candidate") and "held-out lists" in lines[2]
    assert lines[3].startswith(("Promoted:", "Not promoted:"))
    listed = json.loads(runner.invoke(cli, ["rankers", "list", "--json"]).stdout)["items"]
    ranker = lines[0].split()[-1].rstrip(".")
    record = next(item for item in listed if item["id"] == ranker)
    assert record["live"] is lines[3].startswith("Promoted:")
    assert record["created_by"] == "ops"


def test_a_bad_since_is_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["learn", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "--since" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    since = datetime(2030, 1, 1, tzinfo=UTC).strftime("%Y-%m-%d")
    later = runner.invoke(cli, ["learn", "--json", "--since", since])
    assert json.loads(later.stdout)["trained_on"]["since"].startswith("2030-01-01")
