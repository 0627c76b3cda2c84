"""printable(): what the CLI writes to a terminal carries no control or bidi characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli
from enablement.cli.common import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2Jclear", "\\x1b[2Jclear"),
        ("\x1b]8;;https://x\x07link", "\\x1b]8;;https://x\\x07link"),
        ("c1 \x9b31m csi", "c1 \\x9b31m csi"),
        ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
        ("abc\u202edcba \u2066iso\u2069", "abc\\u202edcba \\u2066iso\\u2069"),
        ("one\ttwo\r\nthree\u2028four", "one two three four"),
        ("caf\u00e9 \u2014 \U0001f44d ok", "caf\u00e9 \u2014 \U0001f44d ok"),
        (42, "42"),
    ],
)
def test_printable_defuses_control_characters(raw: object, shown: str) -> None:
    assert printable(raw) == shown


def test_lines_keeps_newlines_only() -> None:
    assert printable("a\x1b[1m\nb\rc", lines=True) == "a\\x1b[1m\nb c"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_keys_list_and_create_defuse_a_hostile_name(runner: CliRunner) -> None:
    name = "crm\x1b[2J\x1b]0;pwned\x07\u202e"
    created = runner.invoke(cli, ["keys", "create", name, "--role", "rep"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(cli, ["keys", "list"])
    for output in (created.stdout, listed.stdout):
        assert not any(c in output for c in ("\x1b", "\x07", "\u202e")), output
        assert "crm\\x1b[2J" in output
    as_json = runner.invoke(cli, ["keys", "list", "--json"])
    assert json.loads(as_json.stdout)["items"][0]["name"] == name  # JSON keeps the stored text
