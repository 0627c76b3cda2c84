"""Recommendation latency and memory on a generated library of 10,000 assets / 100,000 chunks.

Prints one JSON object: p50/p99 of `recommend` in process (warm) with 0, 1 and 3 questions (and
1 question carrying an aside in words the library lacks, which costs the answer model's unknown-
meaning check one more encoder call when the question would be claimed), with
the served scorer (the learned ranker when it loads) and with the linear scorer alone, the
encoder's own time for the same questions, their ratios, and the resident memory of the bundle.

Chunk texts are drawn from the sample library (so BM25 sees realistic statistics) with words
varied per copy; each chunk's vector is the real model's vector of its source passage plus small
noise, so the index has the real size and shape without encoding 100,000 passages.

    .venv/bin/python benchmarks/recommend.py [--assets 10000] [--chunks-per-asset 10] [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from enablement.embedding import Encoder, SentenceTransformerEncoder, load_model_spec
from enablement.index.build import IndexOptions, asset_centroids, passage_text
from enablement.index.bundle import AssetRecord, Bundle, BundleMeta, ChunkRecord, load_bundle
from enablement.index.cache import EmbeddingCache, encode_with_cache
from enablement.index.dense import FaissIndex, choose_kind
from enablement.index.lexical import LexicalIndex
from enablement.recommend.context import Deal, resolve_deal
from enablement.recommend.linear import deal_query
from enablement.recommend.pipeline import Recommender
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.threads import limit_blas

QUESTIONS = [
    "how long does implementation take for 300 users?",
    "where is our data stored and can we bring our own keys?",
    "do you have a case study from a hospital our size?",
    "what does it cost per user and is there a discount for three years?",
    "can it integrate with our ERP and HR system?",
    "how do you compare with the big suite vendor on time to value?",
]


def resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


NOISE_BLOCK = 65_536  # chunks whose noise is drawn at once: a million without 3 GB of it


def generate_chunks(
    service: EnablementService, assets: int, per_asset: int, seed: int
) -> tuple[list[AssetRecord], list[ChunkRecord], np.ndarray, np.ndarray]:
    """Generated assets, `per_asset` chunks each: a chunk is a word-shuffled half of a random
    sample-library passage (real BM25 statistics), its vector that passage's real vector plus
    Gaussian noise, renormalised. Returns the records, the chunks, each chunk's source passage
    and the (chunks, dimension) float32 vectors."""
    rng = random.Random(seed)
    source = service.recommender.bundle
    passages = [
        passage_text(source.assets[c.asset].title, c.heading_path, c.text) for c in source.chunks
    ]
    cache = EmbeddingCache(service.engine)
    base, _ = encode_with_cache(passages, encoder=service.encoder, cache=cache)
    records = [_record(rng, a, source.assets, service) for a in range(assets)]
    texts = [c.text for c in source.chunks]
    chunks, rows = [], []
    for a in range(assets):
        for _ in range(per_asset):
            pick = rng.randrange(len(passages))
            words = texts[pick].split()
            rng.shuffle(words)
            chunks.append(ChunkRecord(asset=a, text=" ".join(words[: max(20, len(words) // 2)])))
            rows.append(pick)
    sources = np.array(rows, dtype=np.int32)
    vectors = np.empty((len(rows), base.shape[1]), dtype=np.float32)
    noise = np.random.default_rng(seed)
    for start in range(0, len(rows), NOISE_BLOCK):  # the same draws as one call
        block = slice(start, start + NOISE_BLOCK)
        drawn = noise.normal(scale=0.03, size=(len(sources[block]), base.shape[1]))
        vectors[block] = base[sources[block]] + drawn.astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return records, chunks, sources, vectors


def generate_bundle(service: EnablementService, assets: int, per_asset: int, seed: int) -> Bundle:
    records, chunks, _, matrix = generate_chunks(service, assets, per_asset, seed)
    chunk_asset = np.array([c.asset for c in chunks], dtype=np.int32)
    kind = choose_kind(len(chunks), requested="auto", hnsw_threshold=IndexOptions().hnsw_threshold)
    meta = BundleMeta(
        version="bench",
        model=service.encoder.name,
        dimension=service.encoder.dimension,
        catalog_version=0,
        built_at="",
        assets=assets,
        chunks=len(chunks),
        dense_kind=kind,
    )
    return Bundle(
        path=Path(),
        meta=meta,
        assets=records,
        chunks=chunks,
        chunk_asset=chunk_asset,
        asset_vectors=asset_centroids(matrix, chunk_asset, assets),
        dense=FaissIndex.build(matrix, kind),
        lexical=LexicalIndex.build([c.text for c in chunks]),
    )


def _record(
    rng: random.Random, number: int, templates: list[AssetRecord], service: EnablementService
) -> AssetRecord:
    taxonomy = service.taxonomy
    template = templates[rng.randrange(len(templates))]
    expires = date(2026, 1, 1) + timedelta(days=rng.randrange(1200))
    return AssetRecord(
        id=f"gen-{number}",
        title=f"{template.title} #{number}",
        type=rng.choice(taxonomy.asset_types.ids),
        stages=tuple(rng.sample(taxonomy.stages.ids, 2)),
        verticals=tuple(rng.sample(taxonomy.verticals.ids, rng.choice([0, 1]))),
        personas=tuple(rng.sample(taxonomy.personas.ids, 2)),
        products=tuple(rng.sample(["workflow", "insights", "guard", "connect"], 2)),
        external=rng.random() > 0.1,
        expires_at=expires if rng.random() < 0.2 else None,
    )


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def time_calls(call: Callable[[int], object], runs: int) -> list[float]:
    out = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


ASIDE = " (the committee is nervous, sorry for the rush)"


def deal_for(i: int, count: int, recommender: Recommender, aside: str = "") -> Deal:
    """A varied deal: rotating stage, vertical and persona, `count` distinct questions, each
    followed by `aside`."""
    taxonomy = recommender.taxonomy
    rng = random.Random(i)
    raw = {
        "stage": rng.choice(taxonomy.stages.ids),
        "vertical": rng.choice(taxonomy.verticals.ids),
        "persona": rng.choice(taxonomy.personas.ids),
        "questions": [
            QUESTIONS[(i + j) % len(QUESTIONS)] + f" ({i})" + aside for j in range(count)
        ],
        "k": 5,
    }
    return resolve_deal(raw, taxonomy)


def measure(
    recommender: Recommender, count: int, runs: int, bare: Encoder, aside: str = ""
) -> dict[str, float]:
    """Warm p50/p99 of recommend() and of encoding the same queries alone, in milliseconds:
    with our encoder (int8 queries by default) and with the bare sentence-transformers model;
    and the share of questions answered (claimed)."""
    deals = [deal_for(i, count, recommender, aside) for i in range(runs)]
    queries = [list(d.questions) or [deal_query(d, recommender.taxonomy)] for d in deals]
    for deal in deals[:10]:
        recommender.recommend(deal)
    total = time_calls(lambda i: recommender.recommend(deals[i]), runs)
    encode = time_calls(lambda i: recommender.encoder.encode_queries(queries[i]), runs)
    bare_times = time_calls(lambda i: bare.encode_queries(queries[i]), runs)
    p50 = percentile(total, 50)
    answered = [a for d in deals[:50] for a in recommender.recommend(d).answered]
    return {
        "p50_ms": round(p50, 2),
        "p99_ms": round(percentile(total, 99), 2),
        "encoder_p50_ms": round(percentile(encode, 50), 2),
        "ratio_p50_to_encoder": round(p50 / percentile(encode, 50), 2),
        "bare_model_p50_ms": round(percentile(bare_times, 50), 2),
        "ratio_p50_to_bare_model": round(p50 / percentile(bare_times, 50), 2),
        "answered_share": round(sum(answered) / len(answered), 2) if answered else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--chunks-per-asset", type=int, default=10)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    limit_blas(settings.blas_threads)  # as the API's lifespan does
    service = EnablementService(settings)
    built = time.perf_counter()
    bundle = generate_bundle(service, args.assets, args.chunks_per_asset, seed=5)
    build_seconds = time.perf_counter() - built
    with tempfile.TemporaryDirectory() as tmp:
        bundle.save(Path(tmp) / "b")
        del bundle
        before = resident_mb()
        bundle = load_bundle(Path(tmp) / "b")
        bundle_mb = resident_mb() - before
    served = service.serving_config  # what `serve` ranks with: the learned ranker if it loads
    recommender = Recommender(bundle, service.encoder, service.taxonomy, served)
    linear = Recommender(bundle, service.encoder, service.taxonomy, service.linear_config)
    bare = SentenceTransformerEncoder(load_model_spec(None))
    results = {f"questions_{n}": measure(recommender, n, args.runs, bare) for n in (0, 1, 3)}
    results["questions_1_aside"] = measure(recommender, 1, args.runs, bare, ASIDE)
    linear_results = {f"questions_{n}": measure(linear, n, args.runs, bare) for n in (0, 1, 3)}
    linear_results["questions_1_aside"] = measure(linear, 1, args.runs, bare, ASIDE)
    for name, row in results.items():
        row["ratio_p50_to_linear"] = round(row["p50_ms"] / linear_results[name]["p50_ms"], 2)
    print(
        json.dumps(
            {
                "benchmark": "recommend",
                "command": " ".join(["python", *sys.argv]),
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "library": {
                    "assets": args.assets,
                    "chunks": args.assets * args.chunks_per_asset,
                    "dense_index": recommender.bundle.meta.dense_kind,
                    "generated_in_s": round(build_seconds, 1),
                },
                "scorer": service.scorer["scorer"],
                "answers": service.scorer["answers"],  # the answer model claims in both runs
                "latency": results,
                "latency_linear_scorer": linear_results,
                "bundle_resident_mb": round(bundle_mb, 1),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
