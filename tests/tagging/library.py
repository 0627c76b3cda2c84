"""A tiny library with assets missing tags, ingested into a real store, for the review tests."""

from __future__ import annotations

from pathlib import Path

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.tagging.suggestion import Suggestion, Why

FILES = {
    # no type, no personas, no verticals: the model has something to suggest
    "hospital.md": "---\ntitle: Hospital Story\nstages: [evaluation]\n---\nA hospital cut "
    "prior authorization time from five days to two.",
    "faq.md": "---\ntitle: Security FAQ\ntype: faq\n---\nData is encrypted at rest.",
}


def ingest_library(root: Path, store: CatalogStore, options: BuildOptions) -> Path:
    library = root / "library"
    library.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (library / name).write_text(text)
    ingest(library, store=store, options=options)
    return library


def suggestion(
    store: CatalogStore, asset_id: str, field: str, value: str, confidence: float = 0.8
) -> Suggestion:
    """A suggestion for the asset's current content, as the model would make it."""
    row = store.get(asset_id)
    assert row is not None
    why = Why(words=("hospital",))
    return Suggestion(asset_id, field, value, confidence, row["content_hash"], why)  # type: ignore[arg-type]
