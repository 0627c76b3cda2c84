"""The review store on SQLite and PostgreSQL: refresh adds, keeps and voids (each reason), a
decided suggestion is never reopened, the list pages stably, accept and reject are checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import CatalogStore
from enablement.db import tables
from enablement.errors import ConflictError, InvalidValueError, NotFoundError
from enablement.tagging.store import SuggestionStore
from enablement.tagging.suggestion import Suggestion
from tests.tagging.library import ingest_library, suggestion

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
VALID = {
    "type": {"case_study", "faq"},
    "stages": {"evaluation", "proposal"},
    "verticals": {"healthcare", "retail"},
    "personas": {"finance", "operations"},
}


@pytest.fixture
def tags(store: CatalogStore, tmp_path: Path, build_options: BuildOptions) -> SuggestionStore:
    ingest_library(tmp_path, store, build_options)
    return SuggestionStore(store.engine)


def catalog(store: CatalogStore, **has: bool) -> dict[str, tuple[str, dict[str, bool]]]:
    """The assets argument of refresh as the catalog is, `has` overriding hospital's fields."""
    found: dict[str, tuple[str, dict[str, bool]]] = {}
    for row in store.assets():
        fields = {f: bool(row[f]) for f in ("type", "stages", "verticals", "personas")}
        found[row["id"]] = (row["content_hash"], fields)
    found["hospital"][1].update(has)
    return found


def status(tags: SuggestionStore, s: Suggestion) -> tuple[str, str | None]:
    row = tags.get(s.id)
    return row["status"], row["void_reason"]


def test_the_library_is_as_the_tests_expect(store: CatalogStore, tags: SuggestionStore) -> None:
    hospital = store.get("hospital")
    assert hospital is not None and hospital["type"] is None and hospital["personas"] == []


def test_refresh_adds_new_and_keeps_open_ones_with_new_scores(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    case = suggestion(store, "hospital", "type", "case_study", 0.6)
    report = tags.refresh([case], assets=catalog(store), valid=VALID, now=NOW)
    assert (report.added, report.kept, sum(report.voided.values())) == (1, 0, 0)
    surer = Suggestion(case.asset_id, case.field, case.value, 0.9, case.content_hash)
    report = tags.refresh([surer], assets=catalog(store), valid=VALID, now=NOW)
    assert (report.added, report.kept) == (0, 1)
    row = tags.get(case.id)
    assert (row["confidence"], row["why"], row["status"]) == (0.9, {"words": [], "neighbours": []},
                                                              "open")  # fmt: skip


def test_refresh_voids_open_ones_with_each_reason(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    made = {
        "asset_removed": Suggestion("gone", "type", "faq", 0.5, "g"),
        "content_changed": suggestion(store, "faq", "verticals", "healthcare"),
        "field_set": suggestion(store, "hospital", "type", "case_study"),
        "value_removed": suggestion(store, "hospital", "personas", "finance"),
        "not_proposed": suggestion(store, "hospital", "personas", "operations"),
    }
    before = catalog(store) | {"gone": ("g", {})}
    assert tags.refresh(made.values(), assets=before, valid=VALID, now=NOW).added == 5
    after = catalog(store, type=True)
    after["faq"] = ("new content", after["faq"][1])
    valid = VALID | {"personas": {"operations"}}
    report = tags.refresh([], assets=after, valid=valid, now=NOW)
    for reason, s in made.items():
        assert status(tags, s) == ("void", reason), reason
    assert report.voided == dict.fromkeys(made, 1)
    assert {v["reason"]: v["id"] for v in report.void} == {r: s.id for r, s in made.items()}
    assert "5 voided (asset_removed 1, content_changed 1" in report.sentence()
    titles = {row["asset_id"]: row["title"] for row in tags.page(status="void")[0]}
    assert titles == {"gone": None, "faq": "Security FAQ", "hospital": "Hospital Story"}


def test_refresh_drops_what_may_not_be_proposed(store: CatalogStore, tags: SuggestionStore) -> None:
    hospital = suggestion(store, "hospital", "stages", "proposal")  # hospital has stages
    outside = suggestion(store, "hospital", "verticals", "mining")  # not in the taxonomy
    unknown = Suggestion("nobody", "type", "faq", 0.5, "h")
    older = Suggestion("hospital", "type", "faq", 0.5, "an older hash")
    report = tags.refresh(
        [hospital, outside, unknown, older], assets=catalog(store), valid=VALID, now=NOW
    )
    assert (report.added, report.dropped) == (0, 4)
    assert tags.page() == ([], None)


def test_a_decided_suggestion_is_never_reopened_a_void_one_is(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    no = suggestion(store, "hospital", "personas", "finance")
    yes = suggestion(store, "hospital", "personas", "operations")
    later = suggestion(store, "hospital", "verticals", "retail")
    tags.refresh([no, yes, later], assets=catalog(store), valid=VALID, now=NOW)
    tags.reject([no.id], actor="ops", now=NOW)
    tags.accept([yes.id], actor="ops", now=NOW)
    tags.refresh([no, yes], assets=catalog(store), valid=VALID, now=NOW)  # later: not_proposed
    report = tags.refresh([no, yes, later], assets=catalog(store), valid=VALID, now=NOW)
    assert (report.added, report.kept) == (1, 0)  # `later` reopened
    assert [status(tags, s) for s in (no, yes, later)] == [
        ("rejected", None), ("accepted", None), ("open", None),
    ]  # fmt: skip
    assert tags.get(no.id)["decided_by"] == "ops"


def test_paging_is_by_confidence_then_id_and_stable(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    made = [suggestion(store, "hospital", "personas", v, 0.7) for v in ("finance", "operations")]
    made += [suggestion(store, "hospital", "verticals", v, 0.9) for v in ("healthcare", "retail")]
    made += [suggestion(store, "hospital", "type", v, 0.5) for v in ("case_study", "faq")]
    tags.refresh(made, assets=catalog(store), valid=VALID, now=NOW)
    seen, cursor = [], None
    while True:
        page, cursor = tags.page(after=cursor, limit=4 if not seen else 1)
        seen += page
        if cursor is None:
            break
    expected = sorted(made, key=lambda s: (-s.confidence, s.id))
    assert [row["id"] for row in seen] == [s.id for s in expected]
    assert [r["id"] for r in tags.page(field="personas")[0]] == sorted(s.id for s in made[:2])
    assert len(tags.page(min_confidence=0.7)[0]) == 4
    assert tags.page(asset_id="faq") == ([], None)
    assert tags.page(status="rejected") == ([], None)
    with pytest.raises(InvalidValueError) as bad:
        tags.page(after="not a cursor")
    assert bad.value.field == "cursor"


def test_accept_writes_the_tag_with_provenance_in_one_go(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    ops = suggestion(store, "hospital", "personas", "operations")
    finance = suggestion(store, "hospital", "personas", "finance")
    case, faq = (suggestion(store, "hospital", "type", v) for v in ("case_study", "faq"))
    tags.refresh([ops, finance, case, faq], assets=catalog(store), valid=VALID, now=NOW)
    done = tags.accept([ops.id, finance.id, case.id], actor="li", now=NOW)
    assert [row["status"] for row in done] == ["accepted"] * 3
    row = store.get("hospital")
    assert row is not None
    assert (row["type"], row["personas"]) == ("case_study", ["operations", "finance"])
    assert row["extra"]["tag_sources"] == {
        "personas": {"source": "suggested", "by": "li", "at": NOW.isoformat(),
                     "values": ["operations", "finance"]},
        "type": {"source": "suggested", "by": "li", "at": NOW.isoformat(),
                 "values": ["case_study"]},
    }  # fmt: skip
    assert status(tags, faq) == ("void", "field_set")  # one type per asset
    with store.engine.connect() as connection:
        accepted = connection.execute(select(tables.accepted_tags.c.value)).scalars().all()
    assert sorted(accepted) == ["case_study", "finance", "operations"]


def test_accept_and_reject_refuse_unknown_and_decided_ids_all_or_nothing(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    ops = suggestion(store, "hospital", "personas", "operations")
    finance = suggestion(store, "hospital", "personas", "finance")
    tags.refresh([ops, finance], assets=catalog(store), valid=VALID, now=NOW)
    with pytest.raises(NotFoundError, match="'ts_nope'") as unknown:
        tags.accept([ops.id, "ts_nope"], actor="li", now=NOW)
    assert unknown.value.status == 404 and unknown.value.field == "id"
    assert status(tags, ops) == ("open", None)  # the first of the batch was not accepted
    assert store.get("hospital")["personas"] == []  # type: ignore[index]
    tags.reject([finance.id], actor="li", now=NOW)
    for decide in (tags.accept, tags.reject):
        with pytest.raises(ConflictError, match=f"'{finance.id}' is rejected") as decided:
            decide([ops.id, finance.id], actor="li", now=NOW)
        assert decided.value.status == 409
    assert status(tags, ops) == ("open", None)


def test_accept_refuses_a_suggestion_for_content_that_changed(
    store: CatalogStore, tags: SuggestionStore
) -> None:
    stale = Suggestion("hospital", "personas", "finance", 0.5, "old")
    tags.refresh([stale], assets={"hospital": ("old", {})}, valid=VALID, now=NOW)
    with pytest.raises(ConflictError, match="has changed since"):
        tags.accept([stale.id], actor="li", now=NOW)
    assert status(tags, stale) == ("open", None)
