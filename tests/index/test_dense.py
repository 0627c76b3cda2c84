"""FAISS indexes against the exact NumPy reference."""

from pathlib import Path

import numpy as np
import pytest

from enablement.index.dense import ExactIndex, FaissIndex, choose_kind


def _unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_flat_equals_exact() -> None:
    vectors, queries = _unit(2000), _unit(20, seed=1)
    exact, flat = ExactIndex(vectors), FaissIndex.build(vectors, "flat")
    for query in queries:
        e_ids, e_scores = exact.search(query, 10)
        f_ids, f_scores = flat.search(query, 10)
        assert f_ids.tolist() == e_ids.tolist()
        np.testing.assert_allclose(f_scores, e_scores, rtol=1e-5)


def test_hnsw_recall_against_exact() -> None:
    vectors, queries = _unit(5000), _unit(50, seed=2)
    exact, hnsw = ExactIndex(vectors), FaissIndex.build(vectors, "hnsw", ef_search=128)
    found = sum(
        len(set(hnsw.search(q, 10)[0].tolist()) & set(exact.search(q, 10)[0].tolist()))
        for q in queries
    )
    assert found / (10 * len(queries)) >= 0.95


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_allowed_mask_is_a_hard_filter(kind: str) -> None:
    vectors = _unit(1000)
    allowed = np.zeros(1000, dtype=bool)
    allowed[::7] = True
    index = FaissIndex.build(vectors, kind)
    ids, _ = index.search(vectors[3], 20, allowed=allowed)
    assert len(ids) == 20 and all(i % 7 == 0 for i in ids.tolist())
    reference, _ = ExactIndex(vectors).search(vectors[3], 20, allowed=allowed)
    assert len(set(ids.tolist()) & set(reference.tolist())) >= 18


def test_nothing_allowed_returns_nothing() -> None:
    vectors = _unit(50)
    none = np.zeros(50, dtype=bool)
    for index in (ExactIndex(vectors), FaissIndex.build(vectors, "flat")):
        ids, scores = index.search(vectors[0], 5, allowed=none)
        assert len(ids) == len(scores) == 0


def test_save_and_load(tmp_path: Path) -> None:
    vectors = _unit(100)
    FaissIndex.build(vectors, "hnsw").save(tmp_path / "x.faiss")
    loaded = FaissIndex.load(tmp_path / "x.faiss", "hnsw")
    assert len(loaded) == 100 and loaded.search(vectors[5], 1)[0].tolist() == [5]


def test_kind_is_chosen_by_size_unless_requested() -> None:
    assert choose_kind(10, requested="auto", hnsw_threshold=100) == "flat"
    assert choose_kind(100, requested="auto", hnsw_threshold=100) == "hnsw"
    assert choose_kind(10, requested="hnsw", hnsw_threshold=100) == "hnsw"
