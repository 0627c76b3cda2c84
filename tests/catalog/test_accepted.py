"""Accepted tags survive re-ingest of the unchanged and of a changed file, until the source file
sets the field itself; the file is never written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import tables
from enablement.tagging.store import SuggestionStore
from tests.tagging.library import ingest_library, suggestion

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
VALID = {"type": {"case_study"}, "personas": {"finance", "operations"}}


def accept(store: CatalogStore, field: str, value: str) -> None:
    tags = SuggestionStore(store.engine)
    made = suggestion(store, "hospital", field, value)
    row = store.get("hospital")
    assert row is not None
    assets = {"hospital": (row["content_hash"], {field: False})}
    tags.refresh([made], assets=assets, valid=VALID, now=NOW)
    tags.accept([made.id], actor="li", now=NOW)


def accepted_rows(store: CatalogStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(tables.accepted_tags)) or 0)


def test_an_accepted_tag_survives_re_ingest_until_the_file_sets_the_field(
    store: CatalogStore, tmp_path: Path, build_options: BuildOptions
) -> None:
    library = ingest_library(tmp_path, store, build_options)
    file = library / "hospital.md"
    original = file.read_text()
    accept(store, "type", "case_study")
    accept(store, "personas", "finance")
    accept(store, "personas", "operations")
    assert file.read_text() == original  # the source is never written

    ingest(library, store=store, options=build_options)  # unchanged: the row is kept
    row = store.get("hospital")
    assert row is not None
    assert (row["type"], row["personas"]) == ("case_study", ["finance", "operations"])

    file.write_text(original + " Now with more text.")  # changed: the row is rebuilt
    assert ingest(library, store=store, options=build_options).changed == ["hospital"]
    row = store.get("hospital")
    assert row is not None
    assert (row["type"], row["personas"]) == ("case_study", ["finance", "operations"])
    sources = row["extra"]["tag_sources"]
    assert sources["type"] == {"source": "suggested", "by": "li", "at": NOW.isoformat(),
                               "values": ["case_study"]}  # fmt: skip
    assert sources["personas"]["values"] == ["finance", "operations"]

    file.write_text(original.replace("stages:", "type: faq\npersonas: [executive]\nstages:"))
    ingest(library, store=store, options=build_options)  # the file sets both: the file wins
    row = store.get("hospital")
    assert row is not None
    assert (row["type"], row["personas"]) == ("faq", ["executive"])
    assert "tag_sources" not in row["extra"]
    assert accepted_rows(store) == 0  # forgotten: the source owns those fields now

    file.write_text(original)  # and a file that stops setting them does not bring them back
    ingest(library, store=store, options=build_options)
    row = store.get("hospital")
    assert row is not None and (row["type"], row["personas"]) == (None, [])
