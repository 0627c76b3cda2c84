"""`enablement recommend` and `search` as text: stored titles and passages cannot drive the
terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.catalog.build import BuildOptions
from enablement.cli import cli, recommend
from enablement.cli.common import printable
from enablement.service import EnablementService
from tests.analytics.planted import ESCAPE, UNSAFE
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture
def env(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ApiEnv]:
    """The small library plus an asset whose title holds escape sequences."""
    env = make_env(tmp_path, build_options)
    front = f"title: {json.dumps('Zebra ' + ESCAPE)}\ntype: faq\nstages: [discovery]\n"
    body = "Zebra onboarding checklist for zebra herds.\n"  # a text file refuses raw controls
    (tmp_path / "library" / "hostile.md").write_text(f"---\n{front}---\n{body}")
    assert env.service.ingest(tmp_path / "library").added == ["hostile"]
    env.service.build_index()

    @contextmanager
    def service(database_url: str | None = None) -> Iterator[EnablementService]:
        yield env.service

    monkeypatch.setattr(recommend, "service", service)
    yield env
    env.client.close()
    env.service.close()


@pytest.mark.parametrize(
    "args",
    [
        ["search", "zebra onboarding checklist zebra herds"],
        [
            "recommend",
            "--stage",
            "discovery",
            "--question",
            "zebra onboarding checklist",
            "-k",
            "12",
        ],
    ],
)
def test_text_output_has_no_control_characters(env: ApiEnv, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Zebra \\x1b]8;;https://evil.example" in result.stdout  # the hostile asset is shown
    assert not [c for c in UNSAFE if c in result.stdout], result.stdout


@pytest.mark.parametrize(
    "args", [["recommend", "--language", "de"], ["search", "approvals", "--language", "de"]]
)
def test_an_unknown_language_is_one_line_listing_the_catalogs(env: ApiEnv, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == "Error: Unknown language 'de'. Valid values: fr.\n"


def test_an_unknown_competitor_is_a_warning_in_text_and_json(env: ApiEnv) -> None:
    args = ["recommend", "--competitor", "oxly", "--stage", "evaluation"]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0] == "Unknown competitor 'oxly'; did you mean 'oxley'?"
    served = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert served["warnings"] == ["Unknown competitor 'oxly'; did you mean 'oxley'?"]


def test_a_deal_id_leaves_out_and_lists_what_was_sent_in_the_deal(env: ApiEnv) -> None:
    args = ["recommend", "--deal-id", "cli-deal", "--stage", "discovery", "-k", "3", "--json"]
    top = json.loads(CliRunner().invoke(cli, args).stdout)["items"][0]
    event = {"idempotency_key": "cli-sent", "type": "sent", "deal_id": "cli-deal",
             "asset_id": top["asset_id"], "occurred_at": "2026-11-23T15:02:00+00:00"}  # fmt: skip
    assert env.client.post("/v1/events", json=event, headers=env.auth("rep")).status_code == 201

    served = json.loads(CliRunner().invoke(cli, args).stdout)
    assert top["asset_id"] not in [item["asset_id"] for item in served["items"]]
    assert [s["asset_id"] for s in served["already_sent"]] == [top["asset_id"]]
    text = CliRunner().invoke(cli, args[:-1]).stdout
    assert "Already sent in this deal (not recommended again):" in text
    title = printable(top["title"])  # the top asset may be the library's hostile title
    assert f"{title}  {top['asset_id']}  marked sent 2026-11-23 15:02 UTC" in text
