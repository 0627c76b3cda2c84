"""`enablement simulate --labels`: the truth printed with --json, and bad options refused in one
line on stderr that names the option."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli, common
from enablement.service import EnablementService
from tests.conftest import CATALOG, REPO
from tests.fakes import HashingEncoder

LABELS = REPO / "eval" / "deals.jsonl"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    factory = functools.partial(EnablementService, encoder=HashingEncoder())
    monkeypatch.setattr(common, "EnablementService", factory)
    return CliRunner()


def test_labels_print_the_truth_of_the_click_model(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["ingest", str(CATALOG)]).exit_code == 0
    args = ["simulate", "--labels", str(LABELS), "--deals", "30", "--seed", "3"]
    result = runner.invoke(cli, [*args, "--eta", "2", "--explore-share", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["deals"], body["recommendations"]) == (30, 30)
    truth = body["truth"]
    assert truth["click_model"]["eta"] == 2.0 and truth["explore_share"] == 0.5
    assert [p["examination"] for p in truth["examination"]][:3] == [1.0, 0.25, 0.1111]
    assert 5 <= truth["explored"] <= 25 and 0 < truth["ndcg@10"] <= 1
    assert truth["labelled_deals"] == 160
    text = runner.invoke(cli, [*args, "--seed", "4"])
    assert text.exit_code == 0, text.output
    assert "click model eta 1.0: true nDCG@10 of the served lists" in text.stdout


@pytest.mark.parametrize(
    ("args", "says", "code"),
    [
        (["--labels", "no-such-file.jsonl"], "Invalid value for '--labels'", 2),
        (["--labels", "{bad}"], "Error: --labels: ", 1),
        (["--labels", "{empty}"], "Error: --labels: ", 1),
        (["--labels", "{binary}"], "Error: --labels: ", 1),
        (["--eta", "-0.5"], "Error: --eta must be 0 or more, not -0.5.", 1),
        (["--eta", "nan"], "Error: --eta must be 0 or more", 1),
        (["--explore-share", "0.6"], "Error: --explore-share must be from 0 to 0.5", 1),
        (["--explore-share", "-0.1"], "Error: --explore-share must be from 0 to 0.5", 1),
    ],
)
def test_bad_click_options_are_one_line_naming_the_option(
    runner: CliRunner, tmp_path: Path, args: list[str], says: str, code: int
) -> None:
    bad = tmp_path / "bad.jsonl"
    good = LABELS.read_text().splitlines()[0]
    bad.write_text(f'{good}\n{{"id": "D2", "deal": {{}}}}\n')  # no "relevant"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    paths = {"{bad}": str(bad), "{empty}": str(empty), "{binary}": str(binary)}
    result = runner.invoke(cli, ["simulate", *[paths.get(a, a) for a in args]])
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], lines
    assert result.stdout == ""
    if "{bad}" in args:
        assert f"{bad}:2: not a labelled deal" in lines[0]
