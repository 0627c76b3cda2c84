"""The audit views over a known history, on SQLite and PostgreSQL, and the simulation's truth."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from enablement.analytics.audit import Audit
from enablement.analytics.filters import AuditFilters
from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.removal import remove
from enablement.catalog.store import Actor, CatalogStore
from enablement.events.model import AskedQuestion, EventType, NewEvent
from enablement.events.simulate import SimulationOptions, simulate
from enablement.events.store import EventStore
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.store import SuggestionStore
from enablement.tagging.suggestion import FACET_OF, FIELDS, Suggestion
from enablement.taxonomy import Taxonomy
from tests.conftest import CATALOG
from tests.fakes import HashingEncoder
from tests.index.library import ASSETS

DAY = datetime(2026, 11, 2, 12, tzinfo=UTC)


def audit_over(
    store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, options: BuildOptions
) -> Audit:
    library = tmp_path / "library"
    library.mkdir()
    for name, text in ASSETS.items():
        (library / name).write_text(text)
    ingest(library, store=store, options=options)
    return Audit(store.engine, store, taxonomy, bundle=lambda: None, encoder=HashingEncoder)


def history(store: CatalogStore, taxonomy: Taxonomy) -> None:
    events = EventStore(store.engine, taxonomy.stages.ids)

    def e(key: str, kind: EventType, asset: str | None, **extra: object) -> NewEvent:
        values: dict[str, object] = {
            "deal_id": "d1",
            "asset_id": asset,
            "occurred_at": DAY,
            "stage": "discovery",
            "vertical": "healthcare",
        } | extra
        return NewEvent(type=kind, idempotency_key=key, **values)  # type: ignore[arg-type]

    batch = [
        e("r1", EventType.recommended, "datasheet-healthcare", rank=1, score=0.9),
        e("r2", EventType.recommended, "security-faq", rank=2, score=0.5),
        e("o1", EventType.opened, "datasheet-healthcare"),
        e("s1", EventType.sent, "datasheet-healthcare"),
        e("v1", EventType.buyer_viewed, "datasheet-healthcare"),
        e("f1", EventType.feedback, "datasheet-healthcare", rating=1),
        e("w1", EventType.deal_outcome, None, outcome="won", occurred_at=DAY + timedelta(days=5)),
        e("old", EventType.sent, "security-faq", occurred_at=DAY - timedelta(days=200)),
    ]
    events.record(batch, user_id="rep", known_asset=lambda a: True)
    events.record_questions(
        [
            AskedQuestion(
                "rec", DAY, "do you sign a BAA", 0.2, stage="discovery", vertical="healthcare"
            ),
            AskedQuestion(
                "rec", DAY, "can you sign our BAA", 0.25, stage="discovery", vertical="healthcare"
            ),
            AskedQuestion("rec", DAY, "approvals", 0.9, stage="discovery", vertical="healthcare"),
        ],
        user_id="rep",
    )


def test_views_on_a_known_history(
    store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    audit = audit_over(store, taxonomy, tmp_path, build_options)
    history(store, taxonomy)
    period = AuditFilters.parse({"since": "2026-10-01", "until": "2026-11-25"}, taxonomy)
    funnel = {r["asset_id"]: r for r in audit.funnel(period).rows}
    top = funnel["datasheet-healthcare"]
    assert (top["recommended"], top["opened"], top["sent"], top["buyer_viewed"]) == (1, 1, 1, 1)
    assert (top["deals_sent"], top["deals_won"], top["thumbs_up"]) == (1, 1, 1)
    assert funnel["security-faq"]["sent"] == 0  # its send is outside the period
    unused = {r["asset_id"]: r["reason"] for r in audit.unused(period).rows}
    assert unused["security-faq"] == "recommended_never_used"
    assert "datasheet-healthcare" not in unused and unused["datasheet"] == "never_recommended"
    only_retail = AuditFilters.parse({"since": "2026-10-01", "vertical": "retail"}, taxonomy)
    assert all(r["recommended"] == 0 for r in audit.funnel(only_retail).rows)
    table = audit.funnel(period)
    parsed = list(csv.DictReader(io.StringIO(table.to_csv())))
    assert [int(r["sent"]) for r in parsed] == [r["sent"] for r in table.rows]
    cells = {(r["stage"], r["vertical"]): r for r in audit.coverage(period).rows}
    assert cells[("discovery", "healthcare")]["specific_assets"] >= 1
    assert cells[("discovery", "healthcare")]["questions"] == 3
    assert cells[("negotiation", "manufacturing")]["weak"]
    demand = audit.demand(period)
    assert demand.summary == {
        "questions_asked": 3,
        "unanswered": 2,
        "clustered": 2,
        "themes": demand.summary["themes"],
    }
    assert sum(row["questions"] for row in demand.rows) == 2


def test_notes_are_in_words_not_field_names(
    store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    """The dashboard shows each view's notes as they are: no `specific_assets` in a sentence."""
    audit = audit_over(store, taxonomy, tmp_path, build_options)
    history(store, taxonomy)
    period = AuditFilters.parse({"since": "2026-10-01", "until": "2026-11-25"}, taxonomy)
    for view in ("funnel", "unused", "health", "coverage", "demand", "influence"):
        table = audit.view(view, period)
        fields = [column for column in table.columns if "_" in column]
        assert [note for note in table.notes if any(f in note for f in fields)] == [], view


def test_a_removed_asset_keeps_its_history_in_the_views(
    store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    audit = audit_over(store, taxonomy, tmp_path, build_options)
    history(store, taxonomy)
    remove(store, ["datasheet-healthcare"], actor=Actor("alice", "cli"))
    period = AuditFilters.parse({"since": "2026-10-01", "until": "2026-11-25"}, taxonomy)
    funnel = {r["asset_id"]: r for r in audit.funnel(period).rows}
    gone = funnel["datasheet-healthcare"]
    assert (gone["title"], gone["type"], gone["in_catalog"]) == (
        "Workflow for Healthcare",
        "datasheet",
        False,
    )
    assert (gone["recommended"], gone["sent"], gone["deals_won"]) == (1, 1, 1)
    datasheets = AuditFilters.parse({"since": "2026-10-01", "type": "datasheet"}, taxonomy)
    assert "datasheet-healthcare" in {r["asset_id"] for r in audit.funnel(datasheets).rows}
    faqs = AuditFilters.parse({"since": "2026-10-01", "type": "faq"}, taxonomy)
    assert "datasheet-healthcare" not in {r["asset_id"] for r in audit.funnel(faqs).rows}
    assert "datasheet-healthcare" not in {r["asset_id"] for r in audit.unused(period).rows}
    assert audit.unused(period).summary["assets"] == len(store.assets())
    influence = audit.influence(period)  # lists catalog assets only: no crash, no removed row
    assert "datasheet-healthcare" not in {r["asset_id"] for r in influence.rows}
    health = audit.health(period, today=date(2030, 1, 1))
    assert "datasheet-healthcare" not in {r["asset_id"] for r in health.rows}


def test_health_lists_expired_stale_and_expiring_assets(
    sqlite_store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    audit = audit_over(sqlite_store, taxonomy, tmp_path, build_options)
    period = AuditFilters.parse({"until": "2030-01-01"}, taxonomy)
    issues = {
        (r["issue"], r["asset_id"]) for r in audit.health(period, today=date(2030, 1, 1)).rows
    }
    expiring = {a["id"] for a in sqlite_store.assets() if a["expires_at"]}
    stale = {a["id"] for a in sqlite_store.assets() if a["updated_at"]}
    assert {i for kind, i in issues if kind in ("expired", "expiring_soon")} == expiring
    assert {i for kind, i in issues if kind == "stale"} == stale


def test_influence_recovers_the_planted_effects_and_no_effect_for_the_others(
    tmp_path: Path,
) -> None:
    # The sample library (86 assets, fake encoder): with a library that size what a rep sends
    # is not tied to what else was sent, so an asset without an effect has no association either.
    service = EnablementService(Settings(data_dir=tmp_path), encoder=HashingEncoder())
    service.ingest(CATALOG)
    service.build_index()
    options = SimulationOptions(deals=3000, planted=2, effect=0.45, seed=3, days=120)
    result = simulate(service.usage, service.recommender, options)
    assert len(result.planted) == 2
    period = AuditFilters.parse(
        {"since": (date.today() - timedelta(days=200)).isoformat()}, service.taxonomy
    )
    rows = {r["asset_id"]: r for r in service.audit.influence(period).rows}
    for asset, truth in result.planted.items():
        row = rows[asset]
        assert row["low"] > 0 and row["low"] <= truth <= row["high"], (asset, truth, row)
    others = [row for asset, row in rows.items() if asset not in result.planted]
    assert len(others) >= 40
    assert [row for row in others if not row["low"] <= 0 <= row["high"]] == []
    service.close()


def test_summaries_have_every_key_whatever_the_data(
    sqlite_store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    """A period with no events has the same summary keys as a busy one, each kind at 0 when
    nothing is of it, so a client reading `summary["recommended_never_used"]` never breaks."""
    audit = audit_over(sqlite_store, taxonomy, tmp_path, build_options)
    empty = AuditFilters.parse({"since": "2020-01-01", "until": "2020-01-02"}, taxonomy)
    unused = audit.unused(empty).summary
    assert unused == {"assets": len(sqlite_store.assets()), "recommended_never_used": 0,
                      "never_recommended": len(sqlite_store.assets())}  # fmt: skip
    health = audit.health(empty, today=date(2000, 1, 1)).summary
    tagging = {f"{kind}_{field}" for kind in ("untagged", "suggested")
               for field in ("type", "stages", "verticals", "personas")}  # fmt: skip
    assert (
        set(health) == {"assets", "expired", "stale", "expiring_soon", "near_duplicate"} | tagging
    )
    assert health["expired"] == health["stale"] == 0


def test_health_counts_untagged_assets_and_the_suggestions_waiting(
    store: CatalogStore, taxonomy: Taxonomy, tmp_path: Path, build_options: BuildOptions
) -> None:
    audit = audit_over(store, taxonomy, tmp_path, build_options)
    rows = store.assets()
    bare = [row for row in rows if not row["personas"]]
    assert bare, "the test library has an asset without personas"
    first = bare[0]
    waiting = Suggestion(first["id"], "personas", "finance", 0.9, first["content_hash"])
    assets = {row["id"]: (row["content_hash"], {f: bool(row[f]) for f in FIELDS}) for row in rows}
    valid = {f: set(taxonomy.facet(FACET_OF[f]).ids) for f in FIELDS}
    SuggestionStore(store.engine).refresh([waiting], assets=assets, valid=valid, now=DAY)
    summary = audit.health(AuditFilters.parse({}, taxonomy), today=date(2026, 11, 2)).summary
    assert summary["untagged_personas"] == len(bare)
    assert summary["suggested_personas"] == 1 and summary["suggested_type"] == 0
    assert summary["untagged_type"] == sum(1 for row in rows if not row["type"])
