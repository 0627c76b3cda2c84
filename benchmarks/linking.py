"""What product linking costs: building the linker at bundle load, and linking one question.

On the current bundle in data/ (if there is one) and on a synthetic library of 10,000 assets,
100,000 passages and 100 products (random words, random unit vectors); prints JSON.

    .venv/bin/python benchmarks/linking.py [--assets 10000] [--products 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from enablement.index.bundle import (
    AssetRecord,
    Bundle,
    BundleMeta,
    ChunkRecord,
    current_folder,
    load_bundle,
)
from enablement.index.dense import ExactIndex
from enablement.recommend.linking import LinkingConfig, ProductLinker

DIMENSION = 384


def synthetic_bundle(assets: int, products: int, chunks_per_asset: int, seed: int = 0) -> Bundle:
    """Assets of one or two products each, passages of ~80 Zipf-distributed words."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(20_000)])
    zipf = 1 / np.arange(1, len(words) + 1)
    zipf /= zipf.sum()
    records, chunks = [], []
    for row in range(assets):
        owned = rng.choice(products, size=int(rng.integers(1, 3)), replace=False)
        names = tuple(f"product-{p}" for p in owned)
        records.append(
            AssetRecord(id=f"a{row}", title=" ".join(rng.choice(words, 6)), products=names)
        )
        for _ in range(chunks_per_asset):
            chunks.append(ChunkRecord(asset=row, text=" ".join(rng.choice(words, 80, p=zipf))))
    vectors = rng.standard_normal((assets, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    meta = BundleMeta("synthetic", "random", DIMENSION, 0, "", assets, len(chunks), "flat")
    chunk_asset = np.array([c.asset for c in chunks], dtype=np.int32)
    dense = ExactIndex(vectors[:1])  # unused by the linker
    return Bundle(Path(), meta, records, chunks, chunk_asset, vectors, dense, None)  # type: ignore[arg-type]


def timed(function: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(bundle: Bundle, *, repeat: int) -> dict[str, Any]:
    build = timed(lambda: ProductLinker.from_bundle(bundle), repeat)
    linker = ProductLinker.from_bundle(bundle)
    rng = np.random.default_rng(1)
    questions = [
        " ".join(a.title.split()[:4]) + " does it work offline" for a in bundle.assets[:50]
    ]
    vectors = rng.standard_normal((len(questions), bundle.asset_vectors.shape[1]))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    config = LinkingConfig()
    link = [
        timed(lambda q=q, v=v: linker.link([q], v[None], config), 1)[0]
        for q, v in zip(questions, vectors, strict=True)
    ]
    size = linker.centroids.nbytes + linker._descriptions.nbytes
    return {
        "assets": len(bundle.assets),
        "passages": len(bundle.chunks),
        "products": len(linker.products),
        "build_ms_median": round(statistics.median(build), 2),
        "link_one_question_ms_median": round(statistics.median(link), 3),
        "link_one_question_ms_max": round(max(link), 3),
        "linker_mb": round(size / 1e6, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--chunks-per-asset", type=int, default=10)
    parser.add_argument("--data", type=Path, default=Path("data"))
    args = parser.parse_args()
    result: dict[str, Any] = {"command": " ".join(["python", *sys.argv])}
    bundles = args.data / "bundles"
    if (bundles / "CURRENT").is_file():
        result["current_bundle"] = measure(load_bundle(current_folder(bundles)), repeat=20)
    big = synthetic_bundle(args.assets, args.products, args.chunks_per_asset)
    result["synthetic"] = measure(big, repeat=3)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
