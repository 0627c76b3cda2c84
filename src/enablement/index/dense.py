"""Dense vector search: a small protocol, FAISS indexes (exact, HNSW, quantized) and an exact
NumPy twin."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt

from enablement.embedding import Vectors

Mask = npt.NDArray[np.bool_]
Hits = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]  # (ids, scores), best first

# The FAISS kinds: `flat` is exact; `hnsw` a graph over float32 vectors; `hnsw_sq` the same graph
# over 8-bit codes; `ivf_sq` and `ivf_pq` inverted lists of 8-bit and product-quantized codes.
KINDS: Final = ("flat", "hnsw", "hnsw_sq", "ivf_sq", "ivf_pq")
HNSW_KINDS: Final = frozenset({"hnsw", "hnsw_sq"})
IVF_KINDS: Final = frozenset({"ivf_sq", "ivf_pq"})
# What `auto` builds from SQ_THRESHOLD chunks on, measured by benchmarks/scale.py at a million
# chunks (benchmarks/results/scale.json): the only option both under 2 GB resident once serving
# (1.7 GB) and at recall@10 >= 0.95 (0.975); float32 HNSW needs 3.3 GB, 8-bit HNSW 2.2 GB.
QUANTIZED_KIND: Final = "ivf_sq"
SQ_THRESHOLD: Final = 500_000
EF_CONSTRUCTION: Final = 80
# HNSW search breadth. On real-model vectors of 100,000 chunks recall@10 is 0.924 at 128, 0.972
# at 256 and 0.992 at 512 (benchmarks/results/scale_real_vectors.json): 256 is the first above
# 0.95, for about 0.5 ms more a search.
EF_SEARCH: Final = 256
# Inverted lists scanned per query (of about 4 * sqrt(rows)). On real-model vectors of 100,000
# chunks (1,024 lists) recall@10 is 0.949 scanning 32, 0.973 scanning 64, 0.986 scanning 128
# (benchmarks/results/scale_real_vectors.json); 128 keeps that margin at a million chunks (4,096
# lists), where a search scanning 128 lists takes 1.6 ms (median).
NPROBE: Final = 128
_SAMPLED_FROM: Final = 1 << 16  # rows from which top_k bounds the k-th best from a sample
_STRIDE: Final = 32  # top_k's sample: every 32nd row, so that about 32 x k rows are ranked
_TRAINING_PER_LIST: Final = 64  # k-means sample per inverted list (FAISS asks for at least 39)
_PQ_CENTROIDS: Final = 256  # one byte per sub-vector code


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
    """FAISS inner-product index of one of KINDS. HNSW kinds search `ef_search` wide; IVF kinds
    scan `nprobe` lists, the number saved with the index (`nprobe` at build) unless changed."""

    def __init__(self, index: Any, kind: str, *, ef_search: int = EF_SEARCH) -> None:
        self._index = index
        self.kind = kind
        self.ef_search = ef_search
        self.nprobe = int(index.nprobe) if kind in IVF_KINDS else 0

    @classmethod
    def build(
        cls,
        vectors: Vectors,
        kind: str,
        *,
        hnsw_m: int = 32,
        ef_search: int = EF_SEARCH,
        nprobe: int = NPROBE,
    ) -> FaissIndex:
        """An index of `kind` over `vectors` (row i gets id i); raises ValueError for an unknown
        kind. Quantized kinds are trained on the vectors themselves (IVF: on a fixed sample)."""
        rows = np.ascontiguousarray(vectors, dtype=np.float32)
        index = _new_index(kind, rows.shape[1], len(rows), hnsw_m=hnsw_m, nprobe=nprobe)
        if len(rows):
            if not index.is_trained:
                index.train(_training_sample(rows, kind, index))
            index.add(rows)
        return cls(index, kind, ef_search=ef_search)

    @classmethod
    def load(cls, path: Path, kind: str, *, ef_search: int = EF_SEARCH) -> FaissIndex:
        """The index saved at `path`, memory-mapped where FAISS can (see `read_mapped`)."""
        return cls(read_mapped(path), kind, ef_search=ef_search)

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
        if self.kind in HNSW_KINDS:
            return faiss.SearchParametersHNSW(sel=selector, efSearch=self.ef_search), bitmap
        if self.kind in IVF_KINDS:
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe), bitmap
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
        return params, bitmap

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))


def read_mapped(path: Path) -> Any:
    """The FAISS index saved at `path`. Its large arrays (vectors or codes, HNSW links, inverted
    lists) are memory-mapped where this FAISS can (IO_FLAG_MMAP_IFC; 1.15 maps every one of
    KINDS), so the worker processes of a machine share one copy in the page cache and pages no
    search reaches are never read; a plain read into memory otherwise. Bundle files are never
    rewritten in place (a build writes a new folder), so the mapping stays valid."""
    faiss: Any = importlib.import_module("faiss")
    flag = getattr(faiss, "IO_FLAG_MMAP_IFC", None)
    if flag is not None:
        try:
            return faiss.read_index(str(path), flag)
        except RuntimeError:
            pass  # an index type this FAISS cannot map: read it into memory instead
    return faiss.read_index(str(path))


def _new_index(kind: str, dimension: int, rows: int, *, hnsw_m: int, nprobe: int) -> Any:
    """An empty inner-product index of `kind` sized for `rows` vectors."""
    faiss: Any = importlib.import_module("faiss")
    inner, sq8 = faiss.METRIC_INNER_PRODUCT, faiss.ScalarQuantizer.QT_8bit
    index: Any
    if kind == "flat":
        return faiss.IndexFlatIP(dimension)
    if kind in HNSW_KINDS:
        index = (
            faiss.IndexHNSWFlat(dimension, hnsw_m, inner)
            if kind == "hnsw"
            else faiss.IndexHNSWSQ(dimension, sq8, hnsw_m, inner)
        )
        index.hnsw.efConstruction = EF_CONSTRUCTION
        return index
    if kind in IVF_KINDS:
        if kind == "ivf_pq" and 0 < rows < _PQ_CENTROIDS:
            raise ValueError(f"ivf_pq needs at least {_PQ_CENTROIDS} vectors to train its codes")
        lists, coarse = ivf_lists(rows), faiss.IndexFlatIP(dimension)
        index = (
            faiss.IndexIVFScalarQuantizer(coarse, dimension, lists, sq8, inner)
            if kind == "ivf_sq"
            else faiss.IndexIVFPQ(coarse, dimension, lists, _pq_parts(dimension), 8, inner)
        )
        index.nprobe = min(nprobe, lists)
        return index
    raise ValueError(f"unknown dense index kind '{kind}'")


def ivf_lists(rows: int) -> int:
    """Inverted lists for `rows` vectors: the power of two nearest 4 * sqrt(rows) (FAISS's
    guideline), and few enough that k-means sees at least 39 vectors per list."""
    if rows < 2:
        return 1
    lists = 1 << round(math.log2(4 * math.sqrt(rows)))
    return max(1, min(lists, rows // 39))


def _pq_parts(dimension: int) -> int:
    """Sub-vectors per product-quantized code: pairs of dimensions (one byte each), which keeps
    recall near 8-bit scalar quantization's at half its size."""
    return dimension // 2 if dimension % 2 == 0 else dimension


def _training_sample(rows: Vectors, kind: str, index: Any) -> Vectors:
    """What a quantized index is trained on: all rows for the 8-bit ranges of `hnsw_sq`
    (cheap), a fixed random sample of _TRAINING_PER_LIST per list for IVF k-means."""
    if kind not in IVF_KINDS or len(rows) <= _TRAINING_PER_LIST * index.nlist:
        return rows
    picked = np.random.default_rng(0).choice(
        len(rows), _TRAINING_PER_LIST * index.nlist, replace=False
    )
    sample: Vectors = rows[np.sort(picked)]
    return sample


def top_k(
    scores: npt.NDArray[np.float32],
    k: int,
    *,
    allowed: Mask | None = None,
    floor: float = -math.inf,
) -> Hits:
    """The k best finite scores above `floor` (rows outside `allowed` excluded), best first.

    Over many rows, the k-th best is first bounded by a sample's k-th best (every _STRIDE-th
    row): no row below that bound can be among the k, so only the few above it are ranked, not
    the hundreds of thousands of chunks a common word matches in a million."""
    bound = _sampled_bound(scores, k, allowed, floor) if len(scores) >= _SAMPLED_FROM else None
    if bound is not None:
        rows = np.flatnonzero(scores >= bound)
        keep = np.isfinite(scores[rows])
        if allowed is not None:
            keep &= allowed[rows]
        return _hits(scores, rows[keep], k)
    keep = np.isfinite(scores) & (scores > floor)
    if allowed is not None:
        keep &= allowed
    return _hits(scores, np.flatnonzero(keep), k)


def _sampled_bound(
    scores: npt.NDArray[np.float32], k: int, allowed: Mask | None, floor: float
) -> float | None:
    """A score the k-th best row is sure to reach: the k-th best of every _STRIDE-th row that
    qualifies (finite, above `floor`, allowed); None when fewer than k of those qualify."""
    sample = scores[::_STRIDE]
    keep = np.isfinite(sample) & (sample > floor)
    if allowed is not None:
        keep &= allowed[::_STRIDE]
    values = sample[keep]
    if k <= 0 or len(values) < k:
        return None
    return float(np.partition(values, len(values) - k)[len(values) - k])


def best_first(
    rows: npt.NDArray[np.int64], scores: npt.NDArray[np.float32], keep: int
) -> npt.NDArray[np.int64]:
    """The best `keep` of `rows` (ascending row numbers) by `scores`, best first, ties in row
    order (which of several rows tied for the last place kept is not defined). Only those are
    sorted: a million chunks, or 100,000 candidate assets, and a list needs a few."""
    if keep <= 0:
        return rows[:0]
    if len(rows) > keep:
        rows = np.sort(rows[np.argpartition(-scores[rows], keep - 1)[:keep]])
    return rows[np.argsort(-scores[rows], kind="stable")]


def _hits(scores: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], k: int) -> Hits:
    best = best_first(rows, scores, k).astype(np.int64)
    return best, scores[best].astype(np.float32)


def choose_kind(
    rows: int, *, requested: str, hnsw_threshold: int, sq_threshold: int = SQ_THRESHOLD
) -> str:
    """`requested`, unless it is `auto`: then `flat` (exact) for small libraries, `hnsw` from
    `hnsw_threshold` chunks, and QUANTIZED_KIND from `sq_threshold` chunks, where float32
    vectors and their graph would no longer fit a serving node's memory."""
    if requested != "auto":
        return requested
    if rows >= sq_threshold:
        return QUANTIZED_KIND
    return "hnsw" if rows >= hnsw_threshold else "flat"
