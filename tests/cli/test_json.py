"""`--json` on every command that prints results, lists in one envelope (`{"items": [...]}`,
plus `next` where paged), and `report --format json` kept as an alias of `report --json`."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from enablement.cli import cli, common
from enablement.service import EnablementService
from tests.fakes import HashingEncoder

# Commands that print no results: they serve until stopped.
NO_RESULTS = {"serve", "mcp"}


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


def test_every_command_that_prints_results_has_json() -> None:
    commands = _commands(cli)
    assert len(commands) >= 18
    missing = [
        name
        for name, command in commands.items()
        if name not in NO_RESULTS and "--json" not in _options(command)
    ]
    assert missing == []
    for name in NO_RESULTS:
        assert name in commands and "--json" not in _options(commands[name])


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    factory = functools.partial(EnablementService, encoder=HashingEncoder())
    monkeypatch.setattr(common, "EnablementService", factory)
    return CliRunner()


def _indexed(runner: CliRunner, tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    for name in ("alpha", "beta", "gamma"):
        (library / f"{name}.md").write_text(
            f"---\ntitle: {name.title()}\ntype: faq\nstages: [discovery]\n---\n"
            f"How {name} routes approvals to the budget owner.\n"
        )
    assert runner.invoke(cli, ["ingest", str(library)]).exit_code == 0


def test_report_json_is_one_envelope_and_format_json_its_alias(runner: CliRunner) -> None:
    as_json = runner.invoke(cli, ["report", "funnel", "unused", "--json"])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.stdout)
    assert list(body) == ["items"] and [t["view"] for t in body["items"]] == ["funnel", "unused"]
    alias = runner.invoke(cli, ["report", "funnel", "unused", "--format", "json"])
    assert json.loads(alias.stdout) == body
    both = runner.invoke(cli, ["report", "funnel", "--json", "--format", "csv"])
    assert both.exit_code == 1 and both.stderr == "Error: Give --json or --format csv, not both.\n"
    assert "--json" in runner.invoke(cli, ["report", "--help"]).output


def test_search_and_audit_log_page_in_the_envelope(runner: CliRunner, tmp_path: Path) -> None:
    _indexed(runner, tmp_path)
    first = json.loads(runner.invoke(cli, ["search", "approvals", "--limit", "2", "--json"]).stdout)
    assert list(first) == ["query", "bundle_version", "items", "next"] and first["next"]
    rest = runner.invoke(cli, ["search", "approvals", "--limit", "2", "--cursor", first["next"]])
    assert rest.exit_code == 0, rest.output
    shown = [item["asset_id"] for item in first["items"]]
    assert sorted([*shown, *_ids(rest.stdout)]) == ["alpha", "beta", "gamma"]
    assert "More: --cursor " in runner.invoke(cli, ["search", "approvals", "--limit", "2"]).stdout
    for asset_id in ("alpha", "beta"):
        assert runner.invoke(cli, ["remove", asset_id, "--no-index"]).exit_code == 0
    page = json.loads(runner.invoke(cli, ["audit-log", "--limit", "1", "--json"]).stdout)
    assert [row["asset_id"] for row in page["items"]] == ["beta"] and page["next"]
    older = runner.invoke(cli, ["audit-log", "--cursor", str(page["next"]), "--json"])
    body = json.loads(older.stdout)
    assert [row["asset_id"] for row in body["items"]] == ["alpha"] and body["next"] is None


def _ids(text: str) -> list[str]:
    """Asset ids in `search`'s text: the last word of each ranked line."""
    return [line.split()[-1] for line in text.splitlines() if line[:1].isdigit()]


def test_simulate_prints_text_or_json(runner: CliRunner, tmp_path: Path) -> None:
    _indexed(runner, tmp_path)
    text = runner.invoke(cli, ["simulate", "--deals", "4", "--planted", "1", "--seed", "3"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Simulated 4 deals (")
    assert "  planted  " in text.stdout and "on the win rate" in text.stdout
    as_json = runner.invoke(cli, ["simulate", "--deals", "4", "--seed", "3", "--json"])
    truth = json.loads(as_json.stdout)
    assert truth["deals"] == 4 and set(truth) == {
        "deals",
        "won",
        "events",
        "recommendations",
        "planted",
    }


def test_keys_local_and_revoke_print_json(runner: CliRunner, tmp_path: Path) -> None:
    save = tmp_path / "local.key"
    first = json.loads(runner.invoke(cli, ["keys", "local", "--save", str(save), "--json"]).stdout)
    assert first == {"path": str(save), "created": True}
    again = json.loads(runner.invoke(cli, ["keys", "local", "--save", str(save), "--json"]).stdout)
    assert again == {"path": str(save), "created": False}
    assert runner.invoke(cli, ["keys", "local", "--save", str(save)]).stdout == f"{save}\n"
    created = json.loads(
        runner.invoke(cli, ["keys", "create", "x", "--role", "rep", "--json"]).stdout
    )
    revoked = runner.invoke(cli, ["keys", "revoke", created["id"], "--json"])
    assert json.loads(revoked.stdout) == {"id": created["id"], "revoked": True}
