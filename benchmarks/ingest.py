"""Ingestion speed and memory: text extraction + chunking, and end-to-end ingest into SQLite.

Prints one JSON object. Measures the sample library and a generated library of N documents
(default 2,000) made by cycling through the sample library's files with their text varied.

    .venv/bin/python benchmarks/ingest.py [--documents 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from enablement.catalog.build import BuildOptions, build_asset, read_payload
from enablement.catalog.ingest import ingest
from enablement.catalog.sources import discover
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.service import EnablementService
from enablement.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "content_catalog"
TEXT_SUFFIXES = {".md", ".txt", ".html"}


def generate_library(target: Path, documents: int, seed: int = 13) -> Path:
    """N documents cycling through the sample files; text files get shuffled paragraphs."""
    rng = random.Random(seed)
    sources = [p for p in sorted(CATALOG.rglob("*")) if p.is_file() and ".meta." not in p.name]
    for index in range(documents):
        source = sources[index % len(sources)]
        out = target / f"batch-{index // 200:02d}" / f"{source.stem}-{index}{source.suffix}"
        out.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in TEXT_SUFFIXES:
            paragraphs = source.read_text().split("\n\n")
            head, body = paragraphs[:1], paragraphs[1:]
            rng.shuffle(body)
            out.write_text("\n\n".join(head + body) + f"\n\nVariant {index}.\n")
        else:
            shutil.copyfile(source, out)
        sidecar = source.with_name(f"{source.stem}.meta.yaml")
        if sidecar.exists():
            shutil.copyfile(sidecar, out.with_name(f"{out.stem}.meta.yaml"))
    return target


def extract_and_chunk(library: Path, options: BuildOptions) -> dict[str, float]:
    """Discovery, reading, parsing and chunking only: no database."""
    start = time.perf_counter()
    found = discover(library)
    files = chunks = 0
    for item in found.items:
        asset = build_asset(read_payload(item, options.limits), source="bench", options=options)
        files += 1
        chunks += len(asset.chunks)
    seconds = time.perf_counter() - start
    return {
        "files": files,
        "chunks": chunks,
        "seconds": round(seconds, 3),
        "files_per_s": round(files / seconds, 1),
        "chunks_per_s": round(chunks / seconds, 1),
    }


def end_to_end(library: Path, options: BuildOptions, workdir: Path) -> dict[str, float]:
    """A full first ingest into a fresh SQLite store, then a no-change re-ingest."""
    database = workdir / f"bench-{time.perf_counter_ns()}.db"
    store = CatalogStore(connect(f"sqlite:///{database}"))
    start = time.perf_counter()
    first = ingest(library, store=store, options=options)
    full = time.perf_counter() - start
    start = time.perf_counter()
    ingest(library, store=store, options=options)
    noop = time.perf_counter() - start
    store.engine.dispose()
    return {
        "assets": first.assets,
        "chunks": first.chunks,
        "first_ingest_s": round(full, 3),
        "files_per_s": round(first.assets / full, 1),
        "reingest_unchanged_s": round(noop, 3),
    }


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = EnablementService(Settings()).build_options
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generated = generate_library(work / "generated", args.documents)
        results = {
            "benchmark": "ingest",
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": {
                "python": platform.python_version(),
                "cpus": _cpus(),
                "platform": platform.platform(),
            },
            "sample_library": {
                "extract_and_chunk": median_run(
                    [extract_and_chunk(CATALOG, options) for _ in range(args.repeat)]
                ),
                "end_to_end_sqlite": median_run(
                    [end_to_end(CATALOG, options, work) for _ in range(args.repeat)]
                ),
            },
            f"generated_{args.documents}": {
                "extract_and_chunk": extract_and_chunk(generated, options),
                "end_to_end_sqlite": end_to_end(generated, options, work),
            },
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    print(json.dumps(results, indent=2))
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
