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


class FakeModel:
    """Proposes fixed values with fixed confidences for the assets' current content, as the
    model in tagging/model.py would; counts its runs."""

    def __init__(self, store: CatalogStore, proposals: dict[tuple[str, str], dict[str, float]]):
        self.store = store
        self.proposals = proposals
        self.runs = 0

    def __call__(self, bundle: object = None) -> list[Suggestion]:
        self.runs += 1
        rows = {row["id"]: row for row in self.store.assets()}
        return [
            Suggestion(asset, field, value, confidence, rows[asset]["content_hash"],  # type: ignore[arg-type]
                       Why(words=("hospital",)))
            for (asset, field), values in self.proposals.items() if asset in rows
            for value, confidence in values.items()
        ]  # fmt: skip


PROPOSALS = {
    ("hospital", "type"): {"case_study": 0.9, "whitepaper": 0.3},
    ("hospital", "personas"): {"operations": 0.8, "finance": 0.6},
    ("hospital", "stages"): {"proposal": 0.7},  # hospital has stages: never listed
    ("faq", "verticals"): {"technology": 0.4},
}
