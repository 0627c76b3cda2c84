"""`enablement rankers list|show|promote|rollback` over the store the API uses (SQLite and
PostgreSQL): the same records as the API, one line on stderr and exit 1 when refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from enablement.cli import cli, common
from enablement.rankers import RankerRecord
from enablement.recommend.ranker import MODEL_FILE
from tests.cli.results import printed_json, refused
from tests.rankers.models import tiny_ranker


@pytest.fixture
def runner(ranker_runner: CliRunner) -> CliRunner:
    return ranker_runner


def _register(seed: int) -> RankerRecord:
    with common.service() as svc:
        return svc.ranking.register(
            tiny_ranker(seed), trained_on={"deals": 9}, offline={}, created_by="learn"
        )


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, ["rankers", *args])


def test_list_show_promote_rollback(runner: CliRunner) -> None:
    trained = _register(1)
    listed = printed_json(_run(runner, "list", "--json"))["items"]
    assert [(r["kind"], r["live"]) for r in listed] == [("shipped", True), ("trained", False)]
    shipped = listed[0]["id"]
    table = _run(runner, "list")
    assert table.exit_code == 0 and trained.id in table.output
    assert any(line.startswith("*") and shipped in line for line in table.output.splitlines())
    assert printed_json(_run(runner, "show", trained.id, "--json")) == listed[1]
    shown = _run(runner, "show", trained.id)
    assert shown.exit_code == 0 and '{"deals": 9}' in shown.output and "learn" in shown.output
    promoted = printed_json(
        _run(runner, "promote", trained.id, "--reason", "won", "--actor", "alice", "--json")
    )
    assert (promoted["live"], promoted["promoted_by"], promoted["reason"]) == (True, "alice", "won")
    said = _run(runner, "promote", trained.id)  # the live one: nothing changes
    assert said.exit_code == 0 and said.output.startswith(f"Live ranker: {trained.id}")
    assert printed_json(_run(runner, "show", trained.id, "--json"))["promoted_by"] == "alice"
    back = printed_json(_run(runner, "rollback", "--reason", "fewer sends", "--json"))
    assert (back["id"], back["kind"], back["reason"]) == (shipped, "shipped", "fewer sends")
    assert "Nothing to roll back" in refused(_run(runner, "rollback"))


def test_a_corrupt_file_is_refused_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    trained = _register(1)
    model = tmp_path / "data" / "rankers" / trained.source / MODEL_FILE
    model.write_text("garbage")
    error = refused(_run(runner, "promote", trained.id))
    assert str(model) in error and "sha256" in error
    assert [r["live"] for r in printed_json(_run(runner, "list", "--json"))["items"]] == [
        True,
        False,
    ]


def test_an_unknown_id_names_the_known_ones(runner: CliRunner) -> None:
    trained = _register(1)
    for command in ("show", "promote"):
        error = refused(_run(runner, command, "lambdarank:nope"))
        assert "lambdarank:nope" in error and trained.id in error
