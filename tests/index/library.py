"""A small library with known answers, indexed with the fake encoder, for pipeline tests."""

from __future__ import annotations

from pathlib import Path

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.index.build import IndexOptions, build_index
from enablement.index.bundle import Bundle, current_folder, load_bundle
from enablement.index.cache import EmbeddingCache
from tests.fakes import HashingEncoder

DATASHEET = (
    "Lumen Workflow automates approvals, intake forms and case management with SLA timers "
    "and an audit trail. Deploy in six weeks. {extra}"
)
ASSETS: dict[str, str] = {
    "datasheet.md": "---\ntitle: Workflow Datasheet\ntype: datasheet\nstages: [discovery]\n"
    "external: true\n---\n" + DATASHEET.format(extra="Works for every industry."),
    "datasheet-healthcare.md": "---\ntitle: Workflow for Healthcare\ntype: datasheet\n"
    "stages: [discovery]\nverticals: [healthcare]\nexternal: true\n---\n"
    + DATASHEET.format(extra="Prior authorization and patient intake for hospitals."),
    "datasheet-retail.md": "---\ntitle: Workflow for Retail\ntype: datasheet\n"
    "stages: [discovery]\nverticals: [retail]\nexternal: true\n---\n"
    + DATASHEET.format(extra="Store openings and promotion approvals for retailers."),
    "battlecard-brightwell.md": "---\ntitle: Battlecard vs Brightwell\ntype: battlecard\n"
    "competitors: [brightwell]\nexternal: false\nstages: [evaluation]\n---\n"
    "Brightwell sells bots priced per bot. We win on governance and audit trail.",
    "battlecard-oxley.md": "---\ntitle: Battlecard vs Oxley\ntype: battlecard\n"
    "competitors: [oxley]\nexternal: false\nstages: [evaluation]\n---\n"
    "Oxley implementations take nine months. We go live in six weeks.",
    "security-faq.md": "---\ntitle: Security FAQ\ntype: faq\npersonas: [it_security]\n"
    "external: true\n---\n## Encryption\n\nData is encrypted at rest with AES-256 and you can "
    "bring your own keys.\n\n## Residency\n\nData stays in the region you choose: US, EU or UK.",
    "pricing-internal.md": "---\ntitle: Pricing Guide (internal)\ntype: pricing_guide\n"
    "external: false\nstages: [proposal]\n---\nDiscount bands: up to 15% with manager approval. "
    "Business edition costs 79 dollars per user per month.",
    "pricing-old.md": "---\ntitle: Pricing 2024\ntype: pricing_guide\nexpires_at: 2024-12-31\n"
    "external: true\n---\nBusiness edition costs 72 dollars per user per month.",
    "pricing-public.md": "---\ntitle: Pricing Overview\ntype: pricing_guide\nexternal: true\n"
    "stages: [proposal]\n---\nBusiness edition costs 79 dollars per user per month, billed yearly.",
    "case-hospital.md": "---\ntitle: Hospital Case Study\ntype: case_study\n"
    "verticals: [healthcare]\nstages: [evaluation]\nexternal: true\n---\nA hospital cut prior "
    "authorization time from five days to two days with Lumen Workflow.",
    "guide-fr.md": "---\ntitle: Guide de demarrage\ntype: implementation_guide\nlanguage: fr\n"
    "external: true\n---\nConfigurer les approbations et les formulaires en six semaines.",
    "notes.md": "# Approval bottlenecks\n\nWhy approvals stall: unclear owners and email chains.",
}


def build_small_library(
    root: Path, options: BuildOptions, assets: dict[str, str] | None = None
) -> tuple[Bundle, HashingEncoder]:
    """Ingest `assets` (default ASSETS) under `root` and index them; returns the loaded bundle
    and the encoder."""
    library = root / "library"
    library.mkdir(parents=True)
    for name, text in (ASSETS if assets is None else assets).items():
        (library / name).write_text(text)
    engine = connect(f"sqlite:///{root / 'catalog.db'}")
    store = CatalogStore(engine)
    ingest(library, store=store, options=options)
    encoder = HashingEncoder()
    build_index(
        store,
        encoder=encoder,
        cache=EmbeddingCache(engine),
        bundles=root / "bundles",
        options=IndexOptions(),
    )
    engine.dispose()
    return load_bundle(current_folder(root / "bundles")), encoder
