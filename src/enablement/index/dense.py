"""Dense vector search: a small protocol, FAISS flat and HNSW indexes, and an exact NumPy twin."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from enablement.embedding import Vectors

Mask = npt.NDArray[np.bool_]
Hits = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]  # (ids, scores), best first


class DenseIndex(Protocol):
    kind: str

    def __len__(self) -> int: ...

    def search(self, query: Vectors, k: int, *, allowed: Mask | None = None) -> Hits:
        """Top-k rows by inner product for one query; `allowed` restricts which rows count."""
        ...

    def save(self, path: Path) -> None: ...


class ExactIndex:
    """Brute-force inner product in NumPy: the reference the FAISS indexes are tested against."""

    kind = "exact"

    def __init__(self, vectors: Vectors) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def search(self, query: Vectors, k: int, *, allowed: Mask | None = None) -> Hits:
        return top_k(self.vectors @ query.reshape(-1).astype(np.float32), k, allowed=allowed)

    def save(self, path: Path) -> None:
        np.save(path, self.vectors)


class FaissIndex:
    """FAISS inner-product index: exact (`flat`) or approximate (`hnsw`)."""

    def __init__(self, index: Any, kind: str, *, ef_search: int = 128) -> None:
        self._index = index
        self.kind = kind
        self.ef_search = ef_search

    @classmethod
    def build(
        cls, vectors: Vectors, kind: str, *, hnsw_m: int = 32, ef_search: int = 128
    ) -> FaissIndex:
        import faiss

        dimension = int(vectors.shape[1])
        index: Any
        if kind == "flat":
            index = faiss.IndexFlatIP(dimension)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
        else:
            raise ValueError(f"unknown dense index kind '{kind}'")
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, kind, ef_search=ef_search)

    @classmethod
    def load(cls, path: Path, kind: str, *, ef_search: int = 128) -> FaissIndex:
        import faiss

        return cls(faiss.read_index(str(path)), kind, ef_search=ef_search)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: Vectors, k: int, *, allowed: Mask | None = None) -> Hits:
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params, _bitmap = self._params(allowed)  # FAISS holds a raw pointer into _bitmap
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(query, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)

    def _params(self, allowed: Mask | None) -> tuple[Any, Any]:
        """Search parameters, and the bitmap they point into (keep it alive during the search)."""
        faiss: Any = importlib.import_module("faiss")
        selector = bitmap = None
        if allowed is not None:
            bitmap = np.packbits(allowed.astype(np.uint8), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        if self.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=selector, efSearch=self.ef_search), bitmap
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
        return params, bitmap

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))


def top_k(scores: npt.NDArray[np.float32], k: int, *, allowed: Mask | None = None) -> Hits:
    """The k best finite scores (rows outside `allowed` excluded), best first."""
    keep = np.isfinite(scores)
    if allowed is not None:
        keep &= allowed
    rows = np.flatnonzero(keep)  # rank only the rows that may win: often far fewer than all
    k = min(k, len(rows))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    values = scores[rows]
    top = np.argpartition(-values, k - 1)[:k]
    top = top[np.argsort(-values[top], kind="stable")]
    return rows[top].astype(np.int64), values[top].astype(np.float32)


def choose_kind(rows: int, *, requested: str, hnsw_threshold: int) -> str:
    """`flat` (exact) for small libraries, `hnsw` above the threshold, unless one is requested."""
    if requested != "auto":
        return requested
    return "hnsw" if rows >= hnsw_threshold else "flat"
