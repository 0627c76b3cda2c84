"""The tag-suggestion facade over a real store and the shipped taxonomy, with a fake model."""

from __future__ import annotations

from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import CatalogStore
from enablement.errors import UnknownChoiceError
from enablement.suggesting import Suggesting
from enablement.taxonomy import Taxonomy
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


def test_refresh_follows_the_catalog_version(
    suggesting: Suggesting, model: FakeModel, store: CatalogStore, tmp_path: Path,
    build_options: BuildOptions,
) -> None:  # fmt: skip
    assert suggesting.refresh_if_changed() is not None
    assert suggesting.refresh_if_changed() is None  # nothing changed: the model is not run
    assert model.runs == 1
    library = tmp_path / "library"
    (library / "faq.md").unlink()
    from enablement.catalog.ingest import ingest

    ingest(library, store=store, options=build_options)
    report = suggesting.refresh_if_changed()
    assert report is not None and report.voided["asset_removed"] == 1
    assert model.runs == 2


@pytest.mark.parametrize(("name", "value"), [("field", "colour"), ("status", "maybe")])
def test_an_unknown_field_or_status_names_the_valid_ones(
    suggesting: Suggesting, name: str, value: str
) -> None:
    with pytest.raises(UnknownChoiceError) as refused:
        suggesting.page(**{name: value})  # type: ignore[arg-type]
    assert refused.value.field == name and refused.value.status == 422
    assert "open" in refused.value.valid or "personas" in refused.value.valid
