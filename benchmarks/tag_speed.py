"""Suggesting tags for a 10,000-asset library (issue 16's speed target: under 60 s). Prints JSON.

The labelled libraries under `--libraries` are indexed as `enablement eval --libraries` indexes
them (embeddings from the cache) and their assets are the reference. The library to tag is
`--assets` assets drawn from them with replacement, each made distinct: its id, a sentence of
another asset's text appended, its vector moved by noise. `--untagged` of them lose all four
fields. Timed: tagging/suggest.py's `suggest` (fit on the tagged assets and the reference, then
score and explain each missing field), median of `--runs`; the documents are built before.

    .venv/bin/python benchmarks/tag_speed.py [--assets 10000] [--untagged 0.5] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from enablement.evaluation import Evaluation
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.document import TagDocument
from enablement.tagging.suggest import documents_from_bundle, suggest


def synthetic(
    reference: list[TagDocument], size: int, untagged: float, rng: random.Random
) -> list[TagDocument]:
    out = []
    for n in range(size):
        base, other = rng.choice(reference), rng.choice(reference)
        sentence = other.text[: rng.randint(80, 400)]
        noise = np.asarray([rng.gauss(0, 0.02) for _ in range(len(base.vector))], np.float32)
        tags = {} if rng.random() < untagged else base.tags
        out.append(
            replace(base, id=f"s{n}-{base.id}", text=f"{base.text}\n{sentence}",
                    vector=base.vector + noise, tags=tags, content_hash=f"h{n}")
        )  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--untagged", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    service = EnablementService(Settings())
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            reference = [
                d for lib in libraries for d in documents_from_bundle(lib.recommender.bundle)
            ]
            taxonomy = libraries[0].recommender.taxonomy
    finally:
        service.close()
    library = synthetic(reference, args.assets, args.untagged, random.Random(0))
    seconds, made = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        made = len(suggest(library, reference, taxonomy))
        seconds.append(time.perf_counter() - started)
    print(json.dumps({
        "command": " ".join(["python", *sys.argv]),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "assets": args.assets, "untagged": sum(1 for d in library if not d.tags),
        "reference_assets": len(reference), "suggestions": made,
        "seconds": {"median": round(statistics.median(seconds), 2),
                    "runs": [round(s, 2) for s in seconds]},
        "target_seconds": 60,
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
