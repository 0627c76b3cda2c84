"""Every CLI number with an API counterpart is refused as the API refuses it: the same bounds,
the API's message on one line of stderr, exit status 1, before any index is needed; numbers
only the CLI has, and any command line click refuses, are one line too (exit status 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from enablement.catalog.build import BuildOptions
from enablement.cli import cli
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions) -> Iterator[ApiEnv]:
    env = make_env(tmp_path_factory.mktemp("bounds"), build_options)
    yield env
    env.client.close()
    env.service.close()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "fresh"))  # no catalog, no index
    return CliRunner()


# (CLI arguments, the API call of the same request: method, path, role, JSON body or query)
CASES: list[tuple[list[str], tuple[str, str, str, dict[str, Any]]]] = [
    (["recommend", "-k", "0"], ("POST", "/v1/recommendations", "rep", {"k": 0})),
    (["recommend", "-k", "51"], ("POST", "/v1/recommendations", "rep", {"k": 51})),
    (["search", "x", "--limit", "0"], ("GET", "/v1/search", "rep", {"q": "x", "limit": 0})),
    (["search", "x", "--limit", "51"], ("GET", "/v1/search", "rep", {"q": "x", "limit": 51})),
    (["audit-log", "--limit", "0"], ("GET", "/v1/audit-log", "admin", {"limit": 0})),
    (["audit-log", "--limit", "501"], ("GET", "/v1/audit-log", "admin", {"limit": 501})),
    (["audit-log", "--cursor", "0"], ("GET", "/v1/audit-log", "admin", {"cursor": 0})),
    (
        ["embed-token", "--user", "u", "--ttl", "59"],
        ("POST", "/v1/embed-tokens", "admin", {"user": "u", "ttl_seconds": 59}),
    ),
    (
        ["embed-token", "--user", "u", "--ttl", "43201"],
        ("POST", "/v1/embed-tokens", "admin", {"user": "u", "ttl_seconds": 43201}),
    ),
]


@pytest.mark.parametrize(("args", "call"), CASES, ids=lambda v: " ".join(map(str, v[:3])))
def test_the_cli_refuses_what_the_api_refuses_in_its_words(
    runner: CliRunner, api: ApiEnv, args: list[str], call: tuple[str, str, str, dict[str, Any]]
) -> None:
    method, path, role, payload = call
    sent: dict[str, Any] = {"json": payload} if method == "POST" else {"params": payload}
    response = api.client.request(method, path, headers=api.auth(role), **sent)
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {message}\n"  # one line, the API's own message
    assert result.stdout == ""


@pytest.mark.parametrize("value", ["1", "50"])
def test_the_bounds_themselves_are_accepted(runner: CliRunner, value: str) -> None:
    result = runner.invoke(cli, ["recommend", "-k", value])
    assert result.exit_code == 1  # past validation: now it wants a catalog
    assert "enablement ingest PATH" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["serve", "--port", "70000"], "70000 is not in the range 0<=x<=65535"),
        (["serve", "--workers", "0"], "0 is not in the range x>=1"),
        (["simulate", "--deals", "0"], "0 is not in the range"),
        (["recommend", "-k", "two"], "'two' is not a valid integer"),
        (["keys", "create", "x", "--role", "boss"], "'boss' is not one of"),
    ],
)
def test_a_command_line_click_refuses_is_one_line(
    runner: CliRunner, args: list[str], says: str
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], lines
    assert f"{' '.join(args[:2] if args[0] == 'keys' else args[:1])} --help`" in lines[0]


def test_a_group_without_a_command_still_prints_its_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["keys"])
    assert "Create, list and revoke API keys." in result.output
