"""`enablement ingest` of a folder already in the catalog, `remove` and `audit-log`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _library(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    (library / "faqs").mkdir(parents=True)
    (library / "overview.md").write_text("---\ntitle: Overview\ntype: faq\n---\nWhat we do.\n")
    (library / "faqs/buyer.md").write_text("# Buyer FAQ\n\nSix weeks to go live.\n")
    (library / "faqs/security.md").write_text("# Security FAQ\n\nEncrypted at rest.\n")
    return library


def test_a_subfolder_ingest_says_where_its_files_already_are(
    runner: CliRunner, tmp_path: Path
) -> None:
    library = _library(tmp_path)
    runner.invoke(cli, ["ingest", str(library), "--no-index"])
    result = runner.invoke(cli, ["ingest", str(library / "faqs"), "--no-index"])
    assert result.exit_code == 0, result.output
    assert "added: 0  changed: 0  unchanged: 2  removed: 0" in result.output
    assert f"part of the source {library.resolve()}, already in the catalog" in result.output
    assert "catalog: 3 assets" in result.output
    as_json = runner.invoke(cli, ["ingest", str(library / "faqs"), "--no-index", "--json"])
    summary = json.loads(as_json.stdout)
    assert (summary["source"], summary["path"]) == (
        str(library.resolve()),
        str((library / "faqs").resolve()),
    )
    assert summary["added"] == [] and summary["assets"] == 3
