"""`enablement eval --libraries`: a bad folder or mixed options is one line on stderr, exit 1."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli
from tests.learn.tiny_libraries import write_libraries


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_a_folder_without_deals_is_named(runner: CliRunner, tmp_path: Path) -> None:
    root = write_libraries(tmp_path / "libs")
    (root / "charlie" / "deals.jsonl").unlink()
    result = runner.invoke(cli, ["eval", "--libraries", str(root)])
    assert result.exit_code == 1
    assert "charlie: no deals file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_libraries_is_not_combined_with_queries(runner: CliRunner, tmp_path: Path) -> None:
    root = write_libraries(tmp_path / "libs")
    result = runner.invoke(cli, ["eval", "--libraries", str(root), "--queries", "x.jsonl"])
    assert result.exit_code == 1
    assert "one of --queries, --beir or --libraries" in result.stderr


def test_train_ranker_needs_something_to_learn_from(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["train-ranker"])
    assert result.exit_code == 1
    assert "Give --libraries, --deals or both." in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(cli, ["train-ranker", "--deals", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "No such file" in result.stderr
