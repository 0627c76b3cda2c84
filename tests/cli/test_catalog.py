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


def test_remove_by_id_records_the_actor(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"])
    monkeypatch.setenv("ENABLEMENT_ACTOR", "alice")
    result = runner.invoke(cli, ["remove", "overview", "--no-index"])
    assert result.exit_code == 0, result.output
    assert (
        "Removed 1 asset(s) (by alice):" in result.output and "overview  Overview" in result.output
    )
    log = runner.invoke(cli, ["audit-log", "--json"])
    [row] = json.loads(log.stdout)["items"]
    assert (row["asset_id"], row["actor"], row["via"], row["title"]) == (
        "overview",
        "alice",
        "cli",
        "Overview",
    )
    text = runner.invoke(cli, ["audit-log"]).output
    assert "remove via cli by alice: overview (Overview) from" in text


def test_remove_by_source_with_json(runner: CliRunner, tmp_path: Path) -> None:
    library = _library(tmp_path)
    runner.invoke(cli, ["ingest", str(library), "--no-index"])
    result = runner.invoke(
        cli, ["remove", "--source", str(library / "faqs"), "--actor", "bob", "--json", "--no-index"]
    )
    assert result.exit_code == 0, result.output
    removal = json.loads(result.stdout)
    assert [row["id"] for row in removal["removed"]] == ["faqs-buyer", "faqs-security"]
    assert (removal["count"], removal["actor"], removal["via"]) == (2, "bob", "cli")
    listed = runner.invoke(cli, ["ingest", str(library), "--no-index", "--json"])
    assert sorted(json.loads(listed.stdout)["added"]) == ["faqs-buyer", "faqs-security"]


def test_remove_defaults_to_the_os_user(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"])
    monkeypatch.delenv("ENABLEMENT_ACTOR", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "carol")
    runner.invoke(cli, ["remove", "overview", "--no-index"])
    [row] = json.loads(runner.invoke(cli, ["audit-log", "--json"]).stdout)["items"]
    assert row["actor"] == "carol"


def test_an_unknown_id_is_one_line_and_removes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"])
    result = runner.invoke(cli, ["remove", "overview", "faqs-buyr", "nope", "--no-index"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: Unknown asset ids: 'faqs-buyr' (did you mean 'faqs-buyer'?), 'nope'. "
        "Nothing was removed."
    ]
    assert json.loads(runner.invoke(cli, ["audit-log", "--json"]).stdout) == {
        "items": [],
        "next": None,
    }
    listed = runner.invoke(cli, ["ingest", str(tmp_path / "library"), "--no-index", "--json"])
    assert json.loads(listed.stdout)["assets"] == 3
    nothing = runner.invoke(cli, ["remove"])
    assert nothing.exit_code == 1 and "Name the asset ids to remove" in nothing.stderr


def test_remove_help_has_an_example(runner: CliRunner) -> None:
    for command in ("remove", "audit-log"):
        help_text = runner.invoke(cli, [command, "--help"]).output
        assert f"enablement {command} " in help_text and "--database-url" in help_text


@pytest.mark.parametrize("above", ["/", "..", "{tmp}"])
def test_remove_source_above_a_library_is_refused_and_names_the_sources(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, above: str
) -> None:
    library = _library(tmp_path)
    runner.invoke(cli, ["ingest", str(library), "--no-index"])
    monkeypatch.chdir(library / "faqs")  # ".." is the library: allowed
    result = runner.invoke(
        cli, ["remove", "--source", above.format(tmp=tmp_path), "--no-index", "--json"]
    )
    if above == "..":
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["count"] == 3
        return
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "holds whole libraries" in line and str(library.resolve()) in line
    listed = runner.invoke(cli, ["ingest", str(library), "--no-index", "--json"])
    assert json.loads(listed.stdout)["added"] == []


@pytest.mark.parametrize(
    ("option", "value"), [("--source", ""), ("--source", " "), ("--actor", "")]
)
def test_remove_refuses_an_empty_source_or_actor(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str
) -> None:
    library = _library(tmp_path)
    runner.invoke(cli, ["ingest", str(library), "--no-index"])
    monkeypatch.chdir(library)  # '' would be the library itself
    result = runner.invoke(cli, ["remove", "overview", option, value, "--no-index"])
    assert result.exit_code == 1
    assert "needs" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(runner.invoke(cli, ["audit-log", "--json"]).stdout)["items"] == []
