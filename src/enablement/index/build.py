"""Building an index bundle from the catalog: passages, cached embeddings, FAISS and BM25."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from enablement.catalog.store import CatalogStore
from enablement.embedding import Encoder, Vectors
from enablement.errors import EnablementError
from enablement.index.bundle import AssetRecord, Bundle, BundleMeta, ChunkRecord, publish
from enablement.index.cache import EmbeddingCache, encode_with_cache
from enablement.index.dense import EF_SEARCH, NPROBE, SQ_THRESHOLD, FaissIndex, choose_kind
from enablement.index.lexical import LexicalIndex

# the catalog columns an AssetRecord is read from (suggested tags are added after, by `annotate`)
RECORD_FIELDS = tuple(name for name in AssetRecord.__dataclass_fields__ if name != "suggested")
_ATTEMPTS = 3  # builds of a catalog that keeps changing meanwhile; the last is labelled stale


class EmptyCatalogError(EnablementError):
    status = 409
    code = "catalog_empty"


@dataclass(frozen=True)
class IndexOptions:
    dense_kind: str = "auto"  # auto, or one of index.dense.KINDS
    hnsw_threshold: int = 50_000
    sq_threshold: int = SQ_THRESHOLD  # `auto` builds the quantized kind from this many chunks
    hnsw_m: int = 32
    ef_search: int = EF_SEARCH
    nprobe: int = NPROBE  # IVF kinds: saved with the index


@dataclass(frozen=True)
class BuildReport:
    version: str
    path: Path
    assets: int
    chunks: int
    encoded: int  # passages that were not in the embedding cache
    dense_kind: str
    seconds: float
    tags: dict[str, Any] | None = None  # what refreshing the tag suggestions did, when it ran

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version, "path": str(self.path), "assets": self.assets,
            "chunks": self.chunks, "encoded": self.encoded, "dense_kind": self.dense_kind,
            "seconds": round(self.seconds, 3), "tags": self.tags,
        }  # fmt: skip


def passage_text(title: str, heading_path: Sequence[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its asset title and headings give it context."""
    headings = [h for h in heading_path if h and h != title]
    context = " > ".join([title, *headings])
    return f"{context}\n{text}"


def build_index(
    store: CatalogStore,
    *,
    encoder: Encoder,
    cache: EmbeddingCache,
    bundles: Path,
    options: IndexOptions,
    progress: Callable[[int, int], None] | None = None,
    annotate: Callable[[Bundle], Bundle] | None = None,
) -> BuildReport:
    """Build a bundle for the whole catalog and make it current; returns what was built.
    `annotate`, when given, may change the built bundle's asset records before it is published
    (the service adds tag suggestions, which need the asset vectors).

    The bundle is labelled with the catalog version read before its records: when the catalog
    changes during the build, it is built again (up to _ATTEMPTS times), and a bundle that may
    still be behind is labelled with the older version, so `index_is_current` stays false."""
    started = time.perf_counter()
    for _ in range(_ATTEMPTS):
        # The version is read before the records, so the bundle never claims a catalog newer
        # than what it holds; a change landing during the (slow) encoding means building again.
        catalog_version = store.catalog_version()
        assets, chunks = _records(store)
        if not chunks:
            raise EmptyCatalogError(
                "The catalog is empty: run `enablement ingest PATH` (or `make run`) before "
                "indexing."
            )
        passages = [passage_text(assets[c.asset].title, c.heading_path, c.text) for c in chunks]
        vectors, encoded = encode_with_cache(
            passages, encoder=encoder, cache=cache, progress=progress
        )
        if store.catalog_version() == catalog_version:
            break
    chunk_asset = np.array([c.asset for c in chunks], dtype=np.int32)
    kind = choose_kind(
        len(chunks),
        requested=options.dense_kind,
        hnsw_threshold=options.hnsw_threshold,
        sq_threshold=options.sq_threshold,
    )
    built_at = datetime.now(UTC)
    meta = BundleMeta(
        version=f"v{catalog_version}-{built_at:%Y%m%dT%H%M%S%f}",
        model=encoder.name,
        dimension=encoder.dimension,
        catalog_version=catalog_version,
        built_at=built_at.isoformat(),
        assets=len(assets),
        chunks=len(chunks),
        dense_kind=kind,
    )
    bundle = Bundle(
        path=bundles,
        meta=meta,
        assets=assets,
        chunks=chunks,
        chunk_asset=chunk_asset,
        asset_vectors=asset_centroids(vectors, chunk_asset, len(assets)),
        dense=FaissIndex.build(
            vectors, kind, hnsw_m=options.hnsw_m, ef_search=options.ef_search, nprobe=options.nprobe
        ),
        lexical=LexicalIndex.build(passages),
    )
    if annotate is not None:
        bundle = annotate(bundle)
    path = publish(bundle, bundles)
    return BuildReport(
        meta.version, path, len(assets), len(chunks), encoded, kind, time.perf_counter() - started
    )


def asset_centroids(vectors: Vectors, chunk_asset: np.ndarray[Any, Any], assets: int) -> Vectors:
    """One normalised vector per asset: the mean of its chunks' vectors."""
    sums = np.zeros((assets, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    np.add.at(sums, chunk_asset, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    centroids: Vectors = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    return centroids


def _records(store: CatalogStore) -> tuple[list[AssetRecord], list[ChunkRecord]]:
    rows = store.assets()
    row_of = {row["id"]: index for index, row in enumerate(rows)}
    assets = [AssetRecord.from_json({k: row[k] for k in RECORD_FIELDS}) for row in rows]
    chunks = [
        ChunkRecord(
            asset=row_of[chunk["asset_id"]],
            text=chunk["text"],
            page=chunk["page"],
            slide=chunk["slide"],
            heading_path=tuple(chunk["heading_path"]),
        )
        for chunk in store.all_chunks()
    ]
    return assets, chunks
