"""The generated library benchmarks/scale.py measures, and its recall and search figures: what
every dense index option shares (texts, BM25, asset vectors), the real questions and their
exact top-10s, and recall@10 against them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from enablement.index.build import asset_centroids
from enablement.index.bundle import AssetRecord, Bundle, BundleMeta, ChunkRecord
from enablement.index.dense import FaissIndex
from enablement.index.lexical import LexicalIndex
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.table import AssetTable
from enablement.service import EnablementService
from recommend import QUESTIONS, deal_for, generate_chunks, percentile, time_calls

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 100  # chunks the pipeline takes from the dense list per query (FusionConfig.depth)
SWEEP = {"hnsw": [64, 128, 256, 512, 1024], "ivf": [8, 16, 32, 64, 128, 256]}


@dataclass
class Library:
    """The generated library, less its dense index: what every option shares."""

    records: list[AssetRecord]
    chunks: list[ChunkRecord]
    sources: np.ndarray  # (chunks,) the sample passage each chunk was made from
    vectors: np.ndarray  # (chunks, dimension) float32, unit length
    chunk_asset: np.ndarray
    asset_vectors: np.ndarray
    lexical: LexicalIndex
    model: str


def questions(count: int) -> list[str]:
    """Real buyer questions: recommend.py's, then the labelled deals' (sample library first)."""
    found = list(QUESTIONS)
    files = [
        ROOT / "eval" / "deals.jsonl",
        *sorted((ROOT / "eval" / "libraries").glob("*/deals.jsonl")),
    ]
    for path in files:
        for line in path.read_text().splitlines():
            raw = json.loads(line)
            found += raw.get("deal", raw).get("questions", [])
    return list(dict.fromkeys(found))[:count]


def generate(service: EnablementService, assets: int, per_asset: int, seed: int) -> Library:
    """The library generate_bundle (benchmarks/recommend.py) makes, less its dense index."""
    records, chunks, sources, vectors = generate_chunks(service, assets, per_asset, seed)
    chunk_asset = np.array([c.asset for c in chunks], dtype=np.int32)
    centroids = asset_centroids(vectors, chunk_asset, assets)
    lexical = LexicalIndex.build([c.text for c in chunks])
    return Library(
        records, chunks, sources, vectors, chunk_asset, centroids, lexical, service.encoder.name
    )


def bundle_for(library: Library, kind: str, dense: FaissIndex) -> Bundle:
    meta = BundleMeta(
        version=f"scale-{kind}", model=library.model, dimension=library.vectors.shape[1],
        catalog_version=0, built_at="", assets=len(library.records),
        chunks=len(library.chunks), dense_kind=kind,
    )  # fmt: skip
    return Bundle(
        path=Path(),
        meta=meta,
        assets=library.records,
        chunks=library.chunks,
        chunk_asset=library.chunk_asset,
        asset_vectors=library.asset_vectors,
        dense=dense,
        lexical=library.lexical,
    )


@dataclass
class Queries:
    """Query vectors, a deal's eligibility mask over chunks for each, and the exact top-10s."""

    vectors: np.ndarray
    masks: list[np.ndarray]
    exact: list[np.ndarray]
    exact_filtered: list[np.ndarray]


def prepare_queries(service: EnablementService, library: Library, count: int) -> Queries:
    """The served encoder's vectors of `count` real questions; deal i's eligible chunks; and the
    exact top-10 by inner product for each, without and with that mask (FAISS flat: exact)."""
    vectors = service.encoder.encode_queries(questions(count))
    table = AssetTable(library.records)
    recommender = service.recommender  # for the taxonomy deal_for reads
    masks = [
        eligible_assets(table, deal_for(i, 1, recommender))[library.chunk_asset]
        for i in range(len(vectors))
    ]
    exact = FaissIndex.build(library.vectors, "flat")
    plain = [exact.search(q, 10)[0] for q in vectors]
    filtered = [exact.search(q, 10, allowed=m)[0] for q, m in zip(vectors, masks, strict=True)]
    return Queries(vectors, masks, plain, filtered)


def recall(
    found: list[np.ndarray], truth: list[np.ndarray], key: np.ndarray | None = None
) -> float:
    """Mean share of each true top-10 found (of its source passages, when `key` maps them)."""
    shares = []
    for ids, true in zip(found, truth, strict=True):
        want = set((key[true] if key is not None else true).tolist())
        got = set((key[ids[:10]] if key is not None else ids[:10]).tolist())
        shares.append(len(want & got) / len(want) if want else 1.0)
    return round(float(np.mean(shares)), 4)


def quality(index: FaissIndex, queries: Queries, sources: np.ndarray) -> dict[str, float]:
    """Recall@10 against exact search (ids, source passages; without and with the deal mask)
    and the latency of the dense search the pipeline makes (DEPTH hits, deal mask)."""
    plain = [index.search(q, 10)[0] for q in queries.vectors]
    masked = list(zip(queries.vectors, queries.masks, strict=True))
    filtered = [index.search(q, 10, allowed=m)[0] for q, m in masked]
    times = time_calls(
        lambda i: index.search(masked[i][0], DEPTH, allowed=masked[i][1]), len(masked)
    )
    return {
        "recall_at_10": recall(plain, queries.exact),
        "recall_at_10_filtered": recall(filtered, queries.exact_filtered),
        "source_recall_at_10": recall(plain, queries.exact, sources),
        "source_recall_at_10_filtered": recall(filtered, queries.exact_filtered, sources),
        "dense_search_p50_ms": round(percentile(times, 50), 3),
        "dense_search_p99_ms": round(percentile(times, 99), 3),
    }


def sweep(index: FaissIndex, queries: Queries, sources: np.ndarray) -> list[dict[str, Any]]:
    """quality() at each search breadth (efSearch or nprobe), the built-in value restored."""
    hnsw = index.kind.startswith("hnsw")
    name, saved = ("ef_search", index.ef_search) if hnsw else ("nprobe", index.nprobe)
    out = []
    for value in SWEEP["hnsw" if hnsw else "ivf"]:
        setattr(index, name, value)
        out.append({name: value, **quality(index, queries, sources)})
    setattr(index, name, saved)
    return out
