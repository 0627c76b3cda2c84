"""The CLI: summaries as text and JSON, and one clear line on stderr for every error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.cli import cli
from tests.catalog.hostile import BAD_REASONS, CHUNK_CAP, GOOD_TEXT, build_hostile_library
from tests.catalog.libraries import build_bad_library


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _library(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    library.mkdir()
    (library / "one.md").write_text("---\ntitle: One\ntype: faq\n---\nFirst answer.\n")
    (library / "two.txt").write_text("Two\n\nSecond text.\n")
    return library


def test_ingest_prints_a_summary(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"])
    assert result.exit_code == 0, result.output
    assert "added: 2  changed: 0  unchanged: 0  removed: 0  skipped: 0" in result.output
    assert "catalog: 2 assets" in result.output
    assert (tmp_path / "data" / "enablement.db").is_file()


def test_ingest_json_summary(runner: CliRunner, tmp_path: Path) -> None:
    library = _library(tmp_path)
    runner.invoke(cli, ["ingest", str(library), "--no-index"])
    (library / "one.md").unlink()
    result = runner.invoke(cli, ["ingest", str(library), "--json", "--no-index"])
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["removed"] == ["one"]
    assert summary["unchanged"] == 1
    assert summary["assets"] == 1
    assert summary["errors"] == []


def test_reported_files_are_listed_and_exit_is_zero(runner: CliRunner, tmp_path: Path) -> None:
    library = build_bad_library(tmp_path / "bad")
    result = runner.invoke(cli, ["ingest", str(library), "--json", "--no-index"])
    assert result.exit_code == 0
    errors = json.loads(result.stdout)["errors"]
    assert {"path": "bad/empty.md", "reason": "empty file"} in errors
    assert "file(s) skipped" in result.stderr


def test_strict_fails_with_one_line(runner: CliRunner, tmp_path: Path) -> None:
    library = build_bad_library(tmp_path / "bad")
    result = runner.invoke(cli, ["ingest", str(library), "--strict"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: 11 file(s) reported in strict mode")


def test_hostile_library_is_reported_line_by_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENABLEMENT_MAX_CHUNKS_PER_ASSET", str(CHUNK_CAP))
    library = build_hostile_library(tmp_path / "hostile")
    result = runner.invoke(cli, ["ingest", str(library), "--json", "--no-index"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {e["path"] for e in summary["errors"]} == set(BAD_REASONS)
    assert [w["path"] for w in summary["warnings"]] == ["deep/long.txt"]
    assert sorted(summary["added"]) == sorted(GOOD_TEXT)
    assert f"{len(BAD_REASONS)} file(s) skipped" in result.stderr
    assert "1 file(s) stored with a warning" in result.stderr

    strict = runner.invoke(cli, ["ingest", str(library), "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.startswith(f"Error: {len(BAD_REASONS) + 1} file(s) reported")


def test_the_console_script_prints_unreadable_names(tmp_path: Path) -> None:
    library = build_hostile_library(tmp_path / "hostile")
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": ""}
    env["ENABLEMENT_MAX_CHUNKS_PER_ASSET"] = str(CHUNK_CAP)
    command = [
        str(Path(sys.executable).parent / "enablement"),
        "ingest",
        str(library),
        "--no-index",
    ]
    result = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert f"skipped: {len(BAD_REASONS)}" in out
    assert "  skipped  names/bad\\xffname.md: file name is not valid UTF-8; rename it" in out
    assert "  skipped  loops/self.md: symlink loop; not followed" in out
    assert "  warning  deep/long.txt: truncated: only the first 3 chunks" in out


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["ingest", "/no/such/library"], {}, "Error: No such file or folder: /no/such/library"),
        (["ingest", "."], {"ENABLEMENT_DATABASE_URL": "nosuchdb://x"}, "Error: Cannot open"),
        (["ingest", "."], {"ENABLEMENT_CHUNK_TOKENS": "5"}, "Error: invalid setting chunk_tokens"),
        (
            ["ingest", "."],
            {"ENABLEMENT_DEVICE": "tpu"},
            "Error: invalid setting device: Input should be 'auto', 'cpu' or 'cuda'",
        ),
        (["ingest", "/tmp/" + "a" * 300], {}, "Error: File name too long: /tmp/aaa"),
        (["eval", "--queries", "/tmp/" + "a" * 300], {}, "Error: File name too long: /tmp/aaa"),
    ],
)
def test_errors_are_one_line_on_stderr(
    runner: CliRunner,
    args: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr


def test_no_progress_bar_when_not_a_terminal(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"])
    assert "file/s" not in result.stderr and "%|" not in result.stderr


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from enablement.cli import common

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(common.sys, "stderr", terminal)
    with common.progress() as update:
        assert update is not None
        update(1, 2, "a.md")
        update(2, 2, "b.md")
    assert "2/2" in terminal.getvalue()


def test_mcp_needs_a_key(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENABLEMENT_API_KEY", raising=False)
    for args in (["mcp"], ["mcp", "--key", "enb_wrong"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            "Error: Set ENABLEMENT_API_KEY (or --key) to a valid API key; "
            "make one with `enablement keys create NAME --role rep`."
        )


def test_keys_create_list_revoke(runner: CliRunner) -> None:
    created = json.loads(
        runner.invoke(cli, ["keys", "create", "crm", "--role", "rep", "--json"]).stdout
    )
    assert set(created) == {"id", "name", "role", "key"} and created["key"].startswith("enb_")
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)["items"]
    assert [k["name"] for k in listed] == ["crm"] and "key" not in listed[0]
    assert runner.invoke(cli, ["keys", "revoke", created["id"]]).exit_code == 0
    again = runner.invoke(cli, ["keys", "revoke", created["id"]])
    assert again.exit_code == 1 and "No active key" in again.stderr
    bad = runner.invoke(cli, ["keys", "create", "x", "--role", "boss"])
    assert bad.exit_code == 2 and "'boss' is not one of" in bad.stderr


def test_embed_token_prints_a_ready_sidebar_url(runner: CliRunner) -> None:
    args = ["embed-token", "--user", "demo-rep", "--ttl", "3600", "--url", "http://h:9/",
            "--deal-id", "d-1", "--stage", "Needs Analysis", "--question", "do you sign a BAA?",
            "--host-page", "http://127.0.0.1:8001/salesforce/", "--json"]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    token = out["token"]
    assert out["sidebar_url"] == (
        f"http://h:9/sidebar?token={token}&deal_id=d-1&stage=Needs+Analysis&q=do+you+sign+a+BAA%3F"
    )
    assert out["host_pages"] == [
        f"http://127.0.0.1:8001/salesforce/?server=http%3A%2F%2Fh%3A9&token={token}"
    ]
    from enablement.cli.common import service

    with service() as svc:
        principal = svc.principal(token)
        assert [row["name"] for row in svc.keys.list()] == []  # a token is not a key
    assert principal is not None and (principal.name, principal.role.name) == ("demo-rep", "rep")
    text = runner.invoke(cli, ["embed-token", "--user", "demo-rep"])
    assert "sidebar: http://127.0.0.1:8000/sidebar?token=enbt_" in text.output
    refused = runner.invoke(cli, ["embed-token", "--user", "x", "--ttl", "10"])
    assert refused.exit_code == 1  # as POST /v1/embed-tokens words it, on one line
    assert refused.stderr == "Error: ttl_seconds: Input should be greater than or equal to 60\n"


def test_a_marketer_token_comes_with_a_dashboard_url(runner: CliRunner) -> None:
    args = ["embed-token", "--user", "demo-marketer", "--role", "marketer", "--url", "http://h:9"]
    out = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    assert out["role"] == "marketer"
    assert out["dashboard_url"] == f"http://h:9/dashboard?token={out['token']}"
    text = runner.invoke(cli, args).output.splitlines()
    assert text[0].startswith("Embed token for demo-marketer (marketer), valid until ")
    assert [line.split(":", 1)[0].strip() for line in text[1:]] == ["dashboard"]
    assert text[1].startswith("  dashboard: http://h:9/dashboard?token=enbt_")
    rep = json.loads(runner.invoke(cli, ["embed-token", "--user", "r", "--json"]).output)
    assert rep["dashboard_url"] is None  # a rep's token cannot open it


def test_keys_create_a_crm_key(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["keys", "create", "salesforce", "--role", "crm", "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert created["role"] == "crm" and created["key"].startswith("enb_")
    listed = runner.invoke(cli, ["keys", "list", "--json"])
    rows = json.loads(listed.stdout)["items"]
    assert [(k["name"], k["role"]) for k in rows] == [("salesforce", "crm")]


@pytest.mark.parametrize(
    ("args", "public"),
    [
        ([], "http://127.0.0.1:8000"),
        (["--host", "10.0.0.5", "--port", "9000"], "http://10.0.0.5:9000"),
        (["--host", "0.0.0.0"], "http://127.0.0.1:8000"),
        (["--host", "::1", "--port", "8001"], "http://[::1]:8001"),
    ],
)
def test_serve_defaults_the_public_url_to_its_own_address(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str], public: str
) -> None:
    import uvicorn

    seen: dict[str, str | None] = {}
    monkeypatch.setenv("ENABLEMENT_PUBLIC_URL", "")  # so the undo also removes what serve sets
    monkeypatch.delenv("ENABLEMENT_PUBLIC_URL")
    monkeypatch.setattr(
        uvicorn, "run", lambda *a, **k: seen.update(url=os.environ.get("ENABLEMENT_PUBLIC_URL"))
    )
    assert runner.invoke(cli, ["serve", *args]).exit_code == 0
    assert seen["url"] == public
    monkeypatch.setenv("ENABLEMENT_PUBLIC_URL", "https://share.example.com")
    assert runner.invoke(cli, ["serve", *args]).exit_code == 0
    assert seen["url"] == "https://share.example.com"  # a configured URL is kept


def test_index_says_which_scorer_ranks(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(cli, ["ingest", str(_library(tmp_path)), "--no-index"]).exit_code == 0
    result = runner.invoke(cli, ["index", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["scorer"].startswith("lambdarank:")  # the shipped model, checked against MiniLM
    assert "models/ranker/ranker.txt" in body["scorer_note"]
    monkeypatch.setenv("ENABLEMENT_SCORER", "linear")
    text = runner.invoke(cli, ["index"])
    assert text.exit_code == 0, text.output
    assert "Scorer: the linear scorer, as configured (ENABLEMENT_SCORER=linear)" in text.output
