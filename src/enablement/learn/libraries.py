"""Evaluation libraries: a folder of folders, each a catalog and the deals labelled over it.

A folder under the libraries directory is a library when it holds `catalog/` and `deals.jsonl`,
or a `library.yaml` naming them relative to itself (`catalog: ../../../content_catalog`,
`deals: ../../deals.jsonl`). Each library is ingested and indexed into its own temporary catalog,
so a recommender built for one library can only ever return that library's assets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.embedding import Encoder
from enablement.errors import InvalidValueError
from enablement.index.build import IndexOptions, build_index
from enablement.index.bundle import Bundle, current_folder, load_bundle
from enablement.index.cache import EmbeddingCache
from enablement.learn.evaluate import LabelledDeal, load_labelled
from enablement.recommend.pipeline import Recommender

LIBRARY_FILE = "library.yaml"


@dataclass(frozen=True)
class LibrarySource:
    """Where one library's catalog and labelled deals are on disk."""

    name: str
    catalog: Path
    deals: Path


@dataclass(frozen=True)
class Library:
    """One library ready to rank: its own recommender (its own bundle) and its deals."""

    name: str
    recommender: Recommender
    deals: tuple[LabelledDeal, ...]

    @property
    def asset_ids(self) -> frozenset[str]:
        return frozenset(asset.id for asset in self.recommender.bundle.assets)


def discover_libraries(directory: Path) -> list[LibrarySource]:
    """Every library under `directory`, by folder name.

    Raises InvalidValueError, naming the folder, for a folder that is not a library (no
    deals file, no catalog, an unreadable library.yaml), and when fewer than two libraries are
    found: holding one out needs another to train on.
    """
    if not directory.is_dir():
        raise InvalidValueError(f"No such folder: {directory}", field="libraries")
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    sources = [library_source(folder) for folder in folders]
    if len(sources) < 2:
        raise InvalidValueError(
            f"{directory}: found {len(sources)} libraries; leave-one-out needs at least two",
            field="libraries",
        )
    return sources


def library_source(folder: Path) -> LibrarySource:
    """The library in `folder`; raises InvalidValueError naming the folder if it is not one."""
    catalog, deals = folder / "catalog", folder / "deals.jsonl"
    spec = folder / LIBRARY_FILE
    if spec.is_file():
        catalog, deals = _read_spec(spec)
    if not deals.is_file():
        raise InvalidValueError(f"Library {folder}: no deals file ({deals})", field="libraries")
    if not catalog.is_dir():
        raise InvalidValueError(
            f"Library {folder}: no catalog folder ({catalog})", field="libraries"
        )
    return LibrarySource(name=folder.name, catalog=catalog, deals=deals)


def _read_spec(spec: Path) -> tuple[Path, Path]:
    try:
        raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
        catalog, deals = str(raw["catalog"]), str(raw["deals"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise InvalidValueError(
            f"Library {spec}: needs `catalog:` and `deals:` paths ({type(exc).__name__})",
            field="libraries",
        ) from None
    return (spec.parent / catalog).resolve(), (spec.parent / deals).resolve()


def load_deals(source: LibrarySource) -> list[LabelledDeal]:
    """The library's labelled deals; raises InvalidValueError when there are none."""
    deals = load_labelled(source.deals)
    if not deals:
        raise InvalidValueError(
            f"Library {source.name}: no deals in {source.deals}", field="libraries"
        )
    return deals


def check_labels(name: str, deals: Sequence[LabelledDeal], asset_ids: frozenset[str]) -> None:
    """Raises InvalidValueError naming the library, deal and asset of a label not in the catalog."""
    for labelled in deals:
        for asset_id in labelled.relevant:
            if asset_id not in asset_ids:
                raise InvalidValueError(
                    f"Library {name}: deal {labelled.id} labels unknown asset {asset_id!r}",
                    field="libraries",
                )


def build_library_bundle(
    source: LibrarySource,
    workdir: Path,
    *,
    options: BuildOptions,
    encoder: Encoder,
    cache: EmbeddingCache,
    index_options: IndexOptions,
) -> Bundle:
    """Ingest and index the library's catalog in `workdir`; embeddings come from `cache`."""
    workdir.mkdir(parents=True, exist_ok=True)
    engine = connect(f"sqlite:///{workdir / 'catalog.db'}")
    try:
        store = CatalogStore(engine)
        summary = ingest(source.catalog, store=store, options=options)
        if not summary.assets:
            raise InvalidValueError(
                f"Library {source.name}: no assets in {source.catalog}", field="libraries"
            )
        bundles = workdir / "bundles"
        build_index(store, encoder=encoder, cache=cache, bundles=bundles, options=index_options)
    finally:
        engine.dispose()
    return load_bundle(current_folder(bundles))
