"""Every "run X first" hint names the command that works next, checked by running it: in a fresh
data dir `enablement ingest PATH` (index would refuse an empty catalog), after an ingest without
its index `enablement index`; following the hints gets a recommendation."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli, common
from enablement.service import EnablementService
from tests.fakes import HashingEncoder

WANTS_AN_INDEX = [
    ["recommend", "--stage", "discovery"],
    ["search", "approvals"],
    ["simulate", "--deals", "2"],
]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    encoder = HashingEncoder()  # one for the whole test, as a process has one
    monkeypatch.setattr(
        common, "EnablementService", functools.partial(EnablementService, encoder=encoder)
    )
    return CliRunner()


def _library(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    library.mkdir()
    (library / "faq.md").write_text(
        "---\ntitle: Approvals FAQ\ntype: faq\nstages: [discovery]\n---\n"
        "Approvals are routed to the budget owner and escalate after two days.\n"
    )
    return library


def _hint(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    return line


def test_a_fresh_data_dir_says_ingest_and_ingest_works(runner: CliRunner, tmp_path: Path) -> None:
    for args in [*WANTS_AN_INDEX, ["index"]]:
        line = _hint(runner, args)
        assert "run `enablement ingest PATH`" in line and "enablement index`" not in line, line
    followed = runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--json"])
    assert followed.exit_code == 0, followed.output
    assert json.loads(followed.stdout)["index"]["assets"] == 1  # ingest built the index
    served = runner.invoke(cli, ["recommend", "--stage", "discovery", "--json"])
    assert served.exit_code == 0, served.output
    assert [item["asset_id"] for item in json.loads(served.stdout)["items"]] == ["faq"]


def test_after_an_ingest_without_index_it_says_index_and_index_works(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"]).exit_code == 0
    for args in WANTS_AN_INDEX:
        line = _hint(runner, args)
        assert "run `enablement index`" in line and "`enablement ingest" not in line, line
    assert runner.invoke(cli, ["index"]).exit_code == 0
    found = runner.invoke(cli, ["search", "approvals", "--json"])
    assert found.exit_code == 0, found.output
    assert [item["asset_id"] for item in json.loads(found.stdout)["items"]] == ["faq"]
