"""`enablement tags suggest|accept|reject` over a real store (SQLite and PostgreSQL) with a fake
model: the table and the JSON list, the refresh report on stderr, all-or-nothing decisions, one
line on stderr and exit 1 when refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import CatalogStore
from enablement.cli import cli, common
from enablement.db import connect
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.suggesting import Suggesting
from tests.cli.results import printed_json, refused
from tests.fakes import HashingEncoder
from tests.tagging.library import PROPOSALS, FakeModel, ingest_library


@pytest.fixture
def runner(
    database_url: str, tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    engine = connect(database_url)
    ingest_library(tmp_path, CatalogStore(engine), build_options)
    engine.dispose()
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", database_url)

    def with_model(settings: Settings) -> EnablementService:
        svc = EnablementService(settings, encoder=HashingEncoder())
        model = FakeModel(svc.store, PROPOSALS)
        svc.__dict__["suggesting"] = Suggesting(
            svc.store, suggest=model, taxonomy=lambda: svc.taxonomy
        )
        return svc

    monkeypatch.setattr(common, "EnablementService", with_model)
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, ["tags", *args])


def test_suggest_prints_the_list_and_the_report(runner: CliRunner) -> None:
    result = _run(runner, "suggest", "--json")
    listed = printed_json(result)
    assert [set(row) for row in listed] == [
        {"id", "asset_id", "title", "field", "value", "confidence", "why"}
    ] * 5
    assert [(r["value"], r["confidence"]) for r in listed][:2] == [
        ("case_study", 0.9), ("operations", 0.8),
    ]  # fmt: skip
    assert listed[0]["why"] == {"words": ["hospital"], "neighbours": []}
    assert "Refreshed: 5 added, 0 kept, 0 voided, 1 dropped" in result.stderr
    table = _run(runner, "suggest", "--field", "personas", "--min-confidence", "0.7")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "ASSET", "TITLE", "FIELD", "VALUE", "CONFIDENCE", "WHY"]
    assert len(lines) == 2 and "operations" in lines[1] and "words: hospital" in lines[1]
    assert "0 added, 5 kept" in table.stderr


def test_accept_and_reject_record_who_and_refuse_bad_ids(runner: CliRunner) -> None:
    ids = {
        (r["field"], r["value"]): r["id"] for r in printed_json(_run(runner, "suggest", "--json"))
    }
    ops, finance = ids["personas", "operations"], ids["personas", "finance"]
    accepted = _run(runner, "accept", ops, "--actor", "li")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout == f"Accepted {ops}: hospital personas = operations\n"
    with common.service() as svc:
        row = svc.store.get("hospital")
    assert row is not None and row["personas"] == ["operations"]
    assert row["extra"]["tag_sources"]["personas"]["by"] == "li"
    error = refused(_run(runner, "reject", finance, ops))  # all or nothing
    assert f"'{ops}' is accepted" in error
    assert refused(_run(runner, "accept", "ts_nope")) == (
        "Error: No tag suggestion with id 'ts_nope'.\n"
    )
    rejected = printed_json(_run(runner, "reject", finance, "--json"))["items"]
    assert [(r["id"], r["status"]) for r in rejected] == [(finance, "rejected")]
    again = printed_json(_run(runner, "suggest", "--json", "--field", "personas"))
    assert again == []  # neither is proposed again for this content


def test_a_bad_field_is_one_line_naming_the_valid_ones(runner: CliRunner) -> None:
    error = refused(_run(runner, "suggest", "--field", "colour"))
    assert "Unknown field 'colour'. Valid values: type, stages, verticals, personas." in error
    out_of_range = _run(runner, "suggest", "--min-confidence", "2")
    assert out_of_range.exit_code == 2 and "min-confidence" in out_of_range.stderr
