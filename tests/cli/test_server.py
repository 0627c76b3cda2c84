"""`enablement keys` (cli/server.py): unique names, --rotate, and the list as a table or JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli
from enablement.cli.common import service


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _create(runner: CliRunner, *args: str) -> dict[str, str]:
    result = runner.invoke(cli, ["keys", "create", *args, "--json"])
    assert result.exit_code == 0, result.output
    created: dict[str, str] = json.loads(result.stdout)
    return created


def test_creating_a_taken_name_is_one_line_on_stderr(runner: CliRunner) -> None:
    first = _create(runner, "crm-sidebar", "--role", "rep")
    again = runner.invoke(cli, ["keys", "create", "crm-sidebar", "--role", "rep"])
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr == (
        f"Error: An active key is already named 'crm-sidebar' (id {first['id']}): "
        "rotate it (keys create --rotate) or choose another name.\n"
    )
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)
    assert [row["id"] for row in listed["items"]] == [first["id"]]


def test_rotate_revokes_the_old_key_and_prints_the_new_once(runner: CliRunner) -> None:
    first = _create(runner, "crm-sidebar", "--role", "rep")
    rotated = runner.invoke(cli, ["keys", "create", "crm-sidebar", "--role", "rep", "--rotate"])
    assert rotated.exit_code == 0, rotated.output
    lines = rotated.stdout.splitlines()
    assert lines[0] == f"Revoked key {first['id']} (crm-sidebar)"
    assert lines[1].startswith("Created key ") and lines[1].endswith("it is shown only once:")
    new_key = lines[2]
    assert new_key.startswith("enb_") and rotated.stdout.count(new_key) == 1
    with service() as svc:
        assert svc.keys.verify(first["key"]) is None
        principal = svc.keys.verify(new_key)
    assert principal is not None and principal.name == "crm-sidebar"
    as_json = _create(runner, "crm-sidebar", "--role", "rep", "--rotate")
    assert as_json["revoked"] == [lines[1].split()[2]]  # the key created just before


def test_list_prints_a_header_and_aligned_columns(runner: CliRunner) -> None:
    short = _create(runner, "crm", "--role", "rep")
    long = _create(runner, "marketing-dashboard", "--role", "marketer")
    assert runner.invoke(cli, ["keys", "revoke", short["id"]]).exit_code == 0
    lines = runner.invoke(cli, ["keys", "list"]).stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "ROLE", "CREATED", "REVOKED"]
    assert len(lines) == 3
    starts = [lines[0].index(title) for title in ("NAME", "ROLE", "CREATED", "REVOKED")]
    for line, key, role in ((lines[1], short, "rep"), (lines[2], long, "marketer")):
        assert line.startswith(key["id"] + "  ")
        assert line[starts[0] :].startswith(key["name"]) and line[starts[1] :].startswith(role)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", line[starts[2] : starts[2] + 16])
    assert lines[1][starts[3] :].strip() != "-"  # revoked, with its time
    assert lines[2][starts[3] :].strip() == "-"


def test_list_json_is_an_envelope_of_items(runner: CliRunner) -> None:
    created = _create(runner, "crm", "--role", "rep")
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)
    assert list(listed) == ["items"]
    (row,) = listed["items"]
    assert row["id"] == created["id"] and row["revoked"] is False and row["revoked_at"] is None
    assert "key" not in row and created["key"] not in json.dumps(listed)
    empty = CliRunner(env={"ENABLEMENT_DATABASE_URL": "sqlite://"})
    assert json.loads(empty.invoke(cli, ["keys", "list", "--json"]).stdout) == {"items": []}


def test_local_replaces_a_lost_local_key(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "local-admin.key"
    assert runner.invoke(cli, ["keys", "local", "--save", str(saved)]).exit_code == 0
    first = saved.read_text().strip()
    assert runner.invoke(cli, ["keys", "local", "--save", str(saved)]).exit_code == 0
    assert saved.read_text().strip() == first  # still valid: kept
    saved.unlink()
    again = runner.invoke(cli, ["keys", "local", "--save", str(saved)])
    assert again.exit_code == 0, again.output
    with service() as svc:
        assert svc.keys.verify(first) is None
        assert svc.keys.verify(saved.read_text().strip()) is not None
