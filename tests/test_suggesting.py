"""The tag-suggestion facade over a real store and the shipped taxonomy, with a fake model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import CatalogStore
from enablement.errors import ConfigurationError, UnknownChoiceError
from enablement.index.bundle import AssetRecord, Bundle
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.suggesting import Suggesting
from enablement.tagging.suggestion import Suggestion
from enablement.taxonomy import Taxonomy
from tests.conftest import CATALOG
from tests.fakes import HashingEncoder
from tests.tagging.library import PROPOSALS, FakeModel, ingest_library


@pytest.fixture
def model(store: CatalogStore, tmp_path: Path, build_options: BuildOptions) -> FakeModel:
    ingest_library(tmp_path, store, build_options)
    return FakeModel(store, PROPOSALS)


@pytest.fixture
def suggesting(store: CatalogStore, model: FakeModel, taxonomy: Taxonomy) -> Suggesting:
    return Suggesting(store, suggest=model, taxonomy=lambda: taxonomy)


def listed(suggesting: Suggesting, **filters: object) -> list[tuple[str, str, str]]:
    items = suggesting.page(**filters)["items"]  # type: ignore[arg-type]
    return [(row["asset_id"], row["field"], row["value"]) for row in items]


def test_refresh_lists_only_fields_the_asset_lacks_best_first(suggesting: Suggesting) -> None:
    report = suggesting.refresh()
    assert (report.added, report.dropped) == (5, 1)  # hospital's stages are set
    assert listed(suggesting) == [
        ("hospital", "type", "case_study"), ("hospital", "personas", "operations"),
        ("hospital", "personas", "finance"), ("faq", "verticals", "technology"),
        ("hospital", "type", "whitepaper"),
    ]  # fmt: skip
    assert listed(suggesting, field="personas", min_confidence=0.7) == [
        ("hospital", "personas", "operations")
    ]


def test_accepting_one_persona_keeps_the_others_open_a_type_closes_its_rivals(
    suggesting: Suggesting,
) -> None:
    suggesting.refresh()
    ids = {(r["field"], r["value"]): r["id"] for r in suggesting.page()["items"]}
    suggesting.accept([ids["personas", "operations"], ids["type", "case_study"]], actor="li")
    report = suggesting.refresh()
    assert report.voided["field_set"] == 0  # whitepaper was voided at once by the accept
    assert listed(suggesting) == [
        ("hospital", "personas", "finance"), ("faq", "verticals", "technology"),
    ]  # fmt: skip
    assert listed(suggesting, status="void") == [("hospital", "type", "whitepaper")]
    suggesting.reject([ids["personas", "finance"]], actor="li")
    suggesting.refresh()
    assert listed(suggesting, asset_id="hospital") == []


def test_an_index_bundle_carries_the_open_suggestions(
    suggesting: Suggesting, model: FakeModel, store: CatalogStore
) -> None:
    bundle = bundle_of(store)
    annotated = suggesting.annotate(bundle)
    assert model.runs == 1 and suggesting.last_refresh is not None
    assert suggesting.last_refresh["added"] == 5
    by_id = {a.id: a.suggested for a in annotated.assets}
    assert sorted(by_id["hospital"]) == [
        ("personas", "finance", 0.6), ("personas", "operations", 0.8),
        ("type", "case_study", 0.9), ("type", "whitepaper", 0.3),
    ]  # fmt: skip
    rejected = suggesting.page(field="personas", asset_id="hospital")["items"][0]["id"]
    suggesting.reject([rejected], actor="li")
    again = {a.id: a.suggested for a in suggesting.annotate(bundle).assets}
    assert ("personas", "operations", 0.8) not in again["hospital"]  # rejected: never ranked


def test_a_failing_model_leaves_the_bundle_as_built(
    store: CatalogStore, model: FakeModel, taxonomy: Taxonomy
) -> None:
    def broken(bundle: object = None) -> list[Suggestion]:
        raise ConfigurationError("Cannot read the tag reference in models/tagger")

    suggesting = Suggesting(store, suggest=broken, taxonomy=lambda: taxonomy)
    bundle = bundle_of(store)
    assert suggesting.annotate(bundle).assets == bundle.assets
    assert suggesting.last_refresh == {"error": "Cannot read the tag reference in models/tagger"}


def bundle_of(store: CatalogStore) -> Bundle:
    """A bundle's records for the store's assets (what annotate reads and writes)."""
    assets = [AssetRecord(row["id"], row["title"], content_hash=row["content_hash"])
              for row in store.assets()]  # fmt: skip
    return Bundle(
        Path("unused"),
        None,
        assets,
        [],
        np.zeros(0, np.int32),  # type: ignore[arg-type]
        np.zeros((len(assets), 4), np.float32),
        None,
        None,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "value"), [("field", "colour"), ("status", "maybe")])
def test_an_unknown_field_or_status_names_the_valid_ones(
    suggesting: Suggesting, name: str, value: str
) -> None:
    with pytest.raises(UnknownChoiceError) as refused:
        suggesting.page(**{name: value})  # type: ignore[arg-type]
    assert refused.value.field == name and refused.value.status == 422
    assert "open" in refused.value.valid or "personas" in refused.value.valid


def test_an_index_build_suggests_with_the_real_model(tmp_path: Path) -> None:
    """The shipped reference set and the tag model, wired: building the index of the demo
    library proposes values only for fields its assets lack, and the bundle carries them."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalog.db'}")
    svc = EnablementService(settings, encoder=HashingEncoder())
    try:
        svc.ingest(CATALOG)
        report = svc.build_index()
        assert report.tags is not None and report.tags["added"] > 0
        rows = {row["id"]: row for row in svc.store.assets()}
        made = svc.suggesting.page(limit=200)["items"]
        assert made and all(not rows[s["asset_id"]][s["field"]] for s in made)
        assert all(s["why"]["words"] or s["why"]["neighbours"] for s in made)
        carried = {a.id: a.suggested for a in svc.recommender.bundle.assets if a.suggested}
        assert set(carried) == {s["asset_id"] for s in made}
    finally:
        svc.close()
