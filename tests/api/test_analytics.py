"""The audit over HTTP on both stores: JSON and CSV agree, filters apply, bad input is named."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from tests.analytics.planted import (
    OWNERS,
    QUESTIONS,
    TITLES,
    formula_cells,
    plant_assets,
    plant_questions,
)
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture
def env(tmp_path: Path, build_options: BuildOptions, database_url: str) -> Iterator[ApiEnv]:
    env = make_env(tmp_path, build_options, database_url=database_url)
    env.service.ingest(tmp_path / "library")  # the catalog, in the store under test
    yield env
    env.client.close()
    env.service.close()


def _history(env: ApiEnv) -> None:
    now = datetime.now(UTC).isoformat()

    def event(key: str, kind: str, deal: str, vertical: str, **extra: object) -> dict[str, object]:
        return {"idempotency_key": key, "type": kind, "deal_id": deal, "stage": "discovery",
                "vertical": vertical, "occurred_at": now} | extra  # fmt: skip

    events = [
        event("1", "opened", "d1", "healthcare", asset_id="datasheet-healthcare"),
        event("2", "sent", "d1", "healthcare", asset_id="datasheet-healthcare"),
        event("3", "sent", "d2", "retail", asset_id="datasheet-retail"),
    ]
    posted = env.client.post("/v1/events:batch", json={"events": events}, headers=env.auth("rep"))
    assert posted.status_code == 200 and posted.json()["stored"] == 3, posted.text
    outcome = event("4", "deal_outcome", "d1", "healthcare", outcome="won")
    posted = env.client.post("/v1/events", json=outcome, headers=env.auth("crm"))  # the CRM's key
    assert posted.status_code == 201, posted.text


def test_funnel_as_json_and_csv_with_filters(env: ApiEnv) -> None:
    _history(env)
    marketer = env.auth("marketer")
    body = env.client.get("/v1/analytics/funnel", headers=marketer).json()
    rows = {r["asset_id"]: r for r in body["rows"]}
    assert rows["datasheet-healthcare"]["sent"] == 1
    assert rows["datasheet-healthcare"]["deals_won"] == 1
    assert body["summary"]["sent"] == 2
    exported = env.client.get("/v1/analytics/funnel?format=csv", headers=marketer)
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="funnel.csv"' in exported.headers["content-disposition"]
    parsed = {r["asset_id"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert {a: int(r["sent"]) for a, r in parsed.items()} == {a: r["sent"] for a, r in rows.items()}
    retail = env.client.get("/v1/analytics/funnel?vertical=Retail", headers=marketer).json()
    assert retail["filters"]["vertical"] == "retail" and retail["summary"]["sent"] == 1


def test_every_view_answers_and_coverage_by_persona(env: ApiEnv) -> None:
    _history(env)
    for view in ("funnel", "unused", "health", "coverage", "demand", "influence"):
        response = env.client.get(f"/v1/analytics/{view}", headers=env.auth("marketer"))
        assert response.status_code == 200, (view, response.text)
        assert response.json()["view"] == view
    personas = env.client.get("/v1/analytics/coverage?by=persona", headers=env.auth("marketer"))
    assert "persona" in personas.json()["columns"]


def test_bad_filters_name_the_field_and_the_valid_values(env: ApiEnv) -> None:
    marketer = env.auth("marketer")
    stage = env.client.get("/v1/analytics/funnel?stage=signing", headers=marketer)
    assert stage.status_code == 422
    error = stage.json()["error"]
    assert error["field"] == "stage" and "discovery" in error["message"]
    period = env.client.get(
        "/v1/analytics/funnel?since=2026-10-02&until=2026-10-01", headers=marketer
    )
    assert period.status_code == 422 and period.json()["error"]["field"] == "since"
    by = env.client.get("/v1/analytics/coverage?by=region", headers=marketer)
    assert by.status_code == 422 and by.json()["error"]["field"] == "by"


def test_csv_neutralises_planted_titles_owners_and_questions(env: ApiEnv, tmp_path: Path) -> None:
    plant_assets(tmp_path / "library")
    env.service.ingest(tmp_path / "library")
    plant_questions(env.client, env.auth("rep"), QUESTIONS)  # a rep plants them by asking
    assert env.service.usage.log.flush()
    texts = {}
    for view in ("funnel", "unused", "health", "demand"):
        got = env.client.get(f"/v1/analytics/{view}?format=csv", headers=env.auth("marketer"))
        assert got.status_code == 200, got.text
        texts[view] = got.text
        assert formula_cells(got.text) == [], view
    funnel = list(csv.DictReader(io.StringIO(texts["funnel"])))
    assert {r["title"] for r in funnel} >= {"'" + t for t in TITLES}
    assert {r["owner"] for r in funnel} >= {"'" + o for o in OWNERS}
    assert any(q in texts["demand"] for q in QUESTIONS)
    shown = env.client.get("/v1/analytics/funnel", headers=env.auth("marketer")).json()
    assert {r["title"] for r in shown["rows"]} >= set(TITLES)  # JSON keeps the text as it is
