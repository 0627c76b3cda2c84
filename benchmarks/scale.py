"""A million chunks: each dense index option's build time, resident memory, recall@10 against
exact search and recommend latency, on a generated library of 100,000 assets / 1,000,000 chunks.

The library is generated as benchmarks/recommend.py's `generate_bundle` makes it: chunk texts are
word-shuffled halves of the sample library's passages (real BM25 statistics), each chunk's vector
is the real model's vector of its source passage plus Gaussian noise, renormalised. The texts,
BM25 index and asset vectors are made once; then per option the dense index is built (timed),
its recall@10 measured against exact inner-product search for `--queries` real questions (as the
served encoder encodes them; without and with the eligibility mask of a deal), swept over its
search breadth, and the bundle saved. A fresh process per option loads the saved bundle with
`load_bundle`, builds the served Recommender and times `--runs` one-question deals; it reports
its memory (/proc/self/status) after imports, with the bundle alone, with the model, and after
serving. Another fresh process weighs the bundle's parts one by one. Prints one JSON object and
writes it to benchmarks/results/scale.json (or --out).

Each source passage has ~1,500 noisy copies at a million chunks whose scores for a query differ
by noise alone, so exact top-10 ids are near-ties: `source_recall_at_10` also reports how many
of the exact top-10's source passages the index found (what a rep would see). Such copies favour
inverted lists (a list holds a passage's copies) and defeat HNSW (no copy is nearer than another
to a query), so `--real-chunks N` also measures recall on the real model's vectors of N
generated texts, which have a real library's geometry (in a fresh single-threaded process).

Needs the sample library ingested in the data dir (`enablement ingest content_catalog`).

    ENABLEMENT_DATA_DIR=data OMP_NUM_THREADS=2 .venv/bin/python benchmarks/scale.py
        [--assets 100000] [--chunks-per-asset 10] [--options hnsw,hnsw_sq,ivf_sq,ivf_pq]
        [--queries 300] [--runs 300] [--serve-threads N] [--real-chunks N]
        [--out benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faiss
import numpy as np
from scale_library import (
    SWEEP,
    Library,
    Queries,
    bundle_for,
    generate,
    prepare_queries,
    quality,
    questions,
    recall,
    sweep,
)

from enablement.index.bundle import AssetRecord, load_bundle
from enablement.index.chunks import ChunkFile
from enablement.index.dense import KINDS, FaissIndex, choose_kind, ivf_lists
from enablement.index.lexical import LexicalIndex
from enablement.recommend.pipeline import Recommender
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.threads import limit_blas
from recommend import deal_for, percentile, time_calls

ROOT = Path(__file__).resolve().parent.parent
ARRAYS = ("chunk_asset.npy", "asset_vectors.npy")
TARGETS = {"resident_mb": 2048, "recall_at_10": 0.95, "recommend_p99_ms": 30}
DESCRIBED = {
    "flat": "IndexFlatIP (exact)",
    "hnsw": "IndexHNSWFlat M=32 efConstruction=80, float32",
    "hnsw_sq": "IndexHNSWSQ QT_8bit M=32 efConstruction=80",
    "ivf_sq": "IndexIVFScalarQuantizer QT_8bit, flat coarse quantizer",
    "ivf_pq": "IndexIVFPQ 8-bit codes of 2-dimension sub-vectors, flat coarse quantizer",
}


def memory() -> dict[str, float]:
    """This process's memory in MB: resident (all, anonymous, file-backed) and its peak."""
    status = Path("/proc/self/status").read_text()
    fields = ("VmRSS", "VmHWM", "RssAnon", "RssFile")
    found = {name: re.search(rf"^{name}:\s+(\d+) kB", status, re.M) for name in fields}
    return {name: round(int(m.group(1)) / 1024, 1) for name, m in found.items() if m}


def real_vectors(count: int, query_count: int, kinds: list[str]) -> dict[str, Any]:
    """In a fresh process: each option's recall@10 against exact search, over its search
    breadths, on real-model vectors of `count` generated chunk texts (the served int8 copy of
    the model encodes them: 2x the fp32 model's speed, nearly its vectors). The million noisy
    copies stand in for a library's size, not its geometry: these stand in for its geometry."""
    service = EnablementService(Settings())
    library = generate(service, max(1, count // 10), 10, seed=7)
    started = time.perf_counter()
    vectors = service.encoder.encode_queries([c.text for c in library.chunks])
    encoded = time.perf_counter() - started
    queries = service.encoder.encode_queries(questions(query_count))
    exact = FaissIndex.build(vectors, "flat")
    truth = [exact.search(q, 10)[0] for q in queries]
    out: dict[str, Any] = {"chunks": len(vectors), "encoded_in_s": round(encoded, 1)}
    out["ivf_lists"] = ivf_lists(len(vectors))
    for kind in kinds:
        index = FaissIndex.build(vectors, kind)
        hnsw = kind.startswith("hnsw")
        name = "ef_search" if hnsw else "nprobe"
        out[kind] = []
        for value in SWEEP["hnsw" if hnsw else "ivf"]:
            setattr(index, name, value)
            found = [index.search(q, 10)[0] for q in queries]
            out[kind].append({name: value, "recall_at_10": recall(found, truth)})
    return out


def child(args: list[str], threads: int | None = None) -> dict[str, Any]:
    """Run this script in a fresh process with `args` (and `threads` for OpenMP, OpenBLAS and
    MKL, when given); its last stdout line, as JSON, or what went wrong (one failed option
    should not lose the others' figures)."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    env = dict(os.environ)
    if threads is not None:
        env.update({f"{pool}_NUM_THREADS": str(threads) for pool in ("OMP", "OPENBLAS", "MKL")})
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        return {"error": f"exit status {out.returncode}: {out.stderr[-2000:]}"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure_option(
    library: Library, kind: str, queries: Queries, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """One row of the table: build, quality and its sweep, then serving in a fresh process."""
    settings = Settings()
    started = time.perf_counter()
    dense = FaissIndex.build(
        library.vectors, kind, ef_search=settings.hnsw_ef_search, nprobe=settings.ivf_nprobe
    )
    built = time.perf_counter() - started
    row: dict[str, Any] = {"index": DESCRIBED[kind], "build_s": round(built, 1)}
    row["search"] = f"nprobe={dense.nprobe}" if dense.nprobe else f"efSearch={dense.ef_search}"
    row.update(quality(dense, queries, library.sources))
    row["sweep"] = sweep(dense, queries, library.sources)
    folder = workdir / kind
    bundle_for(library, kind, dense).save(folder)
    row["index_file_mb"] = round((folder / "dense.faiss").stat().st_size / 2**20, 1)
    del dense
    gc.collect()
    row["serving"] = child(["--serve", str(folder), "--runs", str(args.runs)], args.serve_threads)
    return row


def serve(folder: Path, runs: int) -> dict[str, Any]:
    """In a fresh process: load the bundle, build the served Recommender, time one-question
    deals; memory at each step (the bundle alone is `bundle` less `imports`)."""
    stages = {"imports": memory()}
    settings = Settings()
    limit_blas(settings.blas_threads)  # as the API's lifespan does
    bundle = load_bundle(folder, ef_search=settings.hnsw_ef_search)
    stages["bundle"] = memory()
    service = EnablementService(settings)
    recommender = Recommender(bundle, service.encoder, service.taxonomy, service.serving_config)
    gc.collect()
    gc.freeze()  # as a worker does after loading a bundle (enablement.live)
    stages["recommender"] = memory()
    deals = [deal_for(i, 1, recommender) for i in range(runs)]
    for deal in deals[:10]:
        recommender.recommend(deal)
    times = time_calls(lambda i: recommender.recommend(deals[i]), runs)
    stages["served"] = memory()
    return {
        "recommend_p50_ms": round(percentile(times, 50), 2),
        "recommend_p99_ms": round(percentile(times, 99), 2),
        "bundle_alone_mb": round(stages["bundle"]["VmRSS"] - stages["imports"]["VmRSS"], 1),
        "memory_mb": stages,
    }


def parts(folder: Path) -> dict[str, float]:
    """In a fresh process: what each part of a saved bundle adds to resident memory (MB of
    VmRSS), as loaded now and, for the chunks and the arrays, as loaded before."""
    out: dict[str, float] = {}
    kept: list[Any] = []

    def weigh(name: str, load: Callable[[], Any]) -> None:
        gc.collect()
        before = memory()["VmRSS"]
        kept.append(load())
        out[name] = round(memory()["VmRSS"] - before, 1)

    weigh(
        "assets",
        lambda: [
            AssetRecord.from_json(a) for a in json.loads((folder / "assets.json").read_text())
        ],
    )
    weigh("chunks_mapped", lambda: ChunkFile.open(folder))
    weigh("arrays_mapped", lambda: [np.load(folder / n, mmap_mode="r") for n in ARRAYS])
    weigh("arrays_in_memory", lambda: [np.load(folder / n) for n in ARRAYS])
    weigh("lexical", lambda: LexicalIndex.load(folder / "bm25"))
    weigh("chunks_as_list", lambda: list(ChunkFile.open(folder)))  # last: the most objects
    return out


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "memory_gb": round(pages / 2**30, 1),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "faiss": faiss.__version__,
    }  # fmt: skip


def verdict(row: dict[str, Any]) -> dict[str, bool]:
    """Which of the issue's targets the option meets (resident memory of one serving process)."""
    serving = row["serving"]
    served = "error" not in serving
    return {
        "resident_mb": served and serving["memory_mb"]["served"]["VmRSS"] < TARGETS["resident_mb"],
        "recall_at_10": row["recall_at_10"] >= TARGETS["recall_at_10"],
        "recommend_p99_ms": served and serving["recommend_p99_ms"] < TARGETS["recommend_p99_ms"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the library once, measure every option, weigh the bundle's parts."""
    started = time.perf_counter()
    settings = Settings()
    service = EnablementService(settings)
    library = generate(service, args.assets, args.chunks_per_asset, seed=5)
    generated = time.perf_counter() - started
    queries = prepare_queries(service, library, args.queries)
    options: dict[str, Any] = {}
    bundle_parts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.options:
            options[kind] = measure_option(library, kind, queries, Path(tmp), args)
            options[kind]["meets_targets"] = verdict(options[kind])
            print(f"{kind}: {json.dumps(options[kind])}", file=sys.stderr, flush=True)
            bundle_parts = bundle_parts or child(["--parts", str(Path(tmp) / kind)])
            shutil.rmtree(Path(tmp) / kind)  # a million-chunk bundle is GBs of disk
    real = {}
    if args.real_chunks:  # one thread: on 2 cores the encoder runs slower with two
        real_args = ["--real", str(args.real_chunks), "--queries", str(args.queries)]
        real = child([*real_args, "--options", ",".join(args.options)], threads=1)
    chunks = len(library.chunks)
    return {
        "benchmark": "scale",
        "command": " ".join(["python", *sys.argv]),
        "machine": machine(),
        "library": {
            "assets": args.assets,
            "chunks": chunks,
            "dimension": int(library.vectors.shape[1]),
            "generated_in_s": round(generated, 1),
            "queries": len(queries.vectors),
            "deal_mask_share": round(float(np.mean([m.mean() for m in queries.masks])), 3),
        },
        "serve_threads": args.serve_threads or os.environ.get("OMP_NUM_THREADS"),
        "targets": TARGETS,
        "auto_kind": choose_kind(
            chunks,
            requested="auto",
            hnsw_threshold=settings.hnsw_threshold,
            sq_threshold=settings.sq_threshold,
        ),
        "options": options,
        "bundle_parts_mb": bundle_parts,
        "real_vectors": real,
        "generator_peak_mb": memory()["VmHWM"],
        "wall_s": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--chunks-per-asset", type=int, default=10)
    parser.add_argument("--options", type=lambda s: s.split(","), default=list(KINDS[1:]))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=300, help="timed deals per option")
    parser.add_argument(
        "--serve-threads",
        type=int,
        help="OMP/OPENBLAS/MKL_NUM_THREADS of the serving processes (default: inherited)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "scale.json")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--real-chunks",
        type=int,
        default=0,
        help="also measure recall on real-model vectors of this many generated chunks",
    )
    parser.add_argument("--parts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--real", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.runs)))
        return 0
    if args.parts:
        print(json.dumps(parts(args.parts)))
        return 0
    if args.real:
        print(json.dumps(real_vectors(args.real, args.queries, args.options)))
        return 0
    unknown = set(args.options) - set(KINDS)
    if unknown:
        parser.error(f"unknown options {sorted(unknown)}; choose from {', '.join(KINDS)}")
    report = json.dumps(run(args), indent=2)
    print(report)
    args.out.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
