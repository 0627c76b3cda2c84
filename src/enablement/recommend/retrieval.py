"""Hybrid candidate retrieval over chunks: dense and BM25 lists, fused, then rolled up to assets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from enablement.embedding import Encoder, Vectors
from enablement.index.bundle import Bundle
from enablement.index.dense import Hits, Mask

FusionMethod = Literal["rrf", "wrrf", "score", "dense", "bm25"]
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FusionConfig:
    """How the dense and lexical lists are combined; defaults chosen by `enablement eval`."""

    method: FusionMethod = "score"
    dense_weight: float = 0.5  # share of the dense list (wrrf, score); BM25 gets the rest
    rrf_k: int = 60
    depth: int = 100  # chunks taken from each list per query


@dataclass(frozen=True)
class QueryMatches:
    """For one query, per asset: relevance in [0, 1], the best chunk, and its dense similarity."""

    relevance: Floats  # (assets,), 1.0 for the best asset of this query
    best_chunk: npt.NDArray[np.int64]  # (assets,), -1 where nothing matched
    similarity: Floats  # (assets,), cosine of the best chunk (0 where nothing matched)
    top_similarity: float = 0.0  # the highest cosine of any allowed chunk: how well it is answered
    # Per asset, each list on its own (learned-ranker features): the highest cosine among its
    # dense hits, and its best BM25 score over the query's best; 0 where the list missed it.
    dense: Floats | None = None
    lexical: Floats | None = None


def encode_queries(encoder: Encoder, queries: list[str]) -> Vectors:
    return (
        encoder.encode_queries(queries) if queries else np.zeros((0, encoder.dimension), np.float32)
    )


def match_assets(
    bundle: Bundle, query: str, vector: Vectors, allowed_chunks: Mask, config: FusionConfig
) -> QueryMatches:
    """Fuse dense and BM25 hits for one query and keep each asset's best chunk."""
    dense = (
        _empty()
        if config.method == "bm25"
        else bundle.dense.search(vector, config.depth, allowed=allowed_chunks)
    )
    lexical = (
        _empty()
        if config.method == "dense"
        else bundle.lexical.search(query, config.depth, allowed=allowed_chunks)
    )
    chunk_ids, fused = fuse(dense, lexical, config)
    assets = len(bundle.assets)
    relevance = np.zeros(assets, dtype=np.float32)
    best_chunk = np.full(assets, -1, dtype=np.int64)
    similarity = np.zeros(assets, dtype=np.float32)
    top_similarity = float(dense[1].max()) if len(dense[1]) else 0.0
    per_list = {
        "dense": _per_asset(bundle, dense, assets, scale=1.0),
        "lexical": _per_asset(bundle, lexical, assets, scale=None),
    }
    if len(chunk_ids) == 0:
        return QueryMatches(relevance, best_chunk, similarity, top_similarity, **per_list)
    owners = bundle.chunk_asset[chunk_ids]
    order = np.argsort(-fused, kind="stable")  # best first, so the first chunk seen per asset wins
    seen = np.zeros(assets, dtype=bool)
    cosine = dict(zip(dense[0].tolist(), dense[1].tolist(), strict=True))
    top = float(fused[order[0]]) or 1.0
    for position in order:
        owner = owners[position]
        if seen[owner]:
            continue
        seen[owner] = True
        chunk = int(chunk_ids[position])
        relevance[owner] = float(fused[position]) / top
        best_chunk[owner] = chunk
        similarity[owner] = cosine.get(chunk, 0.0)
    return QueryMatches(relevance, best_chunk, similarity, top_similarity, **per_list)


def _per_asset(bundle: Bundle, hits: Hits, assets: int, *, scale: float | None) -> Floats:
    """Each asset's best score in one hit list, divided by `scale` (None: the list's best)."""
    out = np.zeros(assets, dtype=np.float32)
    if len(hits[0]) == 0:
        return out
    top = scale if scale is not None else float(hits[1].max()) or 1.0
    np.maximum.at(out, bundle.chunk_asset[hits[0]], hits[1].astype(np.float32) / top)
    return out


def fuse(dense: Hits, lexical: Hits, config: FusionConfig) -> tuple[npt.NDArray[np.int64], Floats]:
    """Union of both hit lists with one fused score per chunk."""
    ids = np.union1d(dense[0], lexical[0]).astype(np.int64)
    if config.method in ("rrf", "wrrf"):
        weights = (
            (0.5, 0.5) if config.method == "rrf" else (config.dense_weight, 1 - config.dense_weight)
        )
        scores = weights[0] * _rrf(ids, dense[0], config.rrf_k) + weights[1] * _rrf(
            ids, lexical[0], config.rrf_k
        )
    else:
        weight = {"dense": 1.0, "bm25": 0.0}.get(config.method, config.dense_weight)
        scores = weight * _normalised(ids, dense) + (1 - weight) * _normalised(ids, lexical)
    return ids, scores.astype(np.float32)


def _rrf(ids: npt.NDArray[np.int64], ranked: npt.NDArray[np.int64], k: int) -> Floats:
    rank = {int(chunk): position for position, chunk in enumerate(ranked.tolist())}
    return np.array(
        [1.0 / (k + 1 + rank[i]) if i in rank else 0.0 for i in ids.tolist()], np.float32
    )


def _normalised(ids: npt.NDArray[np.int64], hits: Hits) -> Floats:
    """Scores scaled to [0, 1] by the list's own max and min; chunks not in the list get 0."""
    out = np.zeros(len(ids), dtype=np.float32)
    if len(hits[0]) == 0:
        return out
    low, high = float(hits[1].min()), float(hits[1].max())
    span = high - low if high > low else 1.0
    positions = np.searchsorted(ids, hits[0])
    out[positions] = (hits[1] - low) / span if high > low else 1.0
    return out


def _empty() -> Hits:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
