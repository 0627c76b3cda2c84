"""Serving latency with a running experiment against none, in process. Prints JSON.

Ingests the sample library into a temporary store, indexes it with the real encoder, and times
`Usage.serve` (what the API, batch, sidebar and MCP call: the list and its impressions queued for
the log) for varied deals with 1 question and a deal id: with no experiment; with an interleave
of the linear scorer against the served learned ranker (one linear pass shared by both); with an
interleave of the linear scorer against bm25_only (two linear passes: the worst case); and with
a holdout of no_metadata at share 0.5. Each condition is warmed, then timed `--runs` times, in
`--rounds` blocks whose order rotates, so drift on a shared machine hits each alike; each
block's median goes to stderr.

    .venv/bin/python benchmarks/experiments.py [--runs 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enablement.experiments.model import Definition
from enablement.recommend.context import Deal, resolve_deal
from enablement.service import EnablementService
from enablement.settings import Settings
from recommend import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]


def deal_for(i: int, service: EnablementService) -> Deal:
    taxonomy, rng = service.taxonomy, random.Random(i)
    raw = {
        "deal_id": f"bench-{i}",
        "stage": rng.choice(taxonomy.stages.ids),
        "vertical": rng.choice(taxonomy.verticals.ids),
        "questions": [QUESTIONS[i % len(QUESTIONS)] + f" ({i})"],
        "k": 5,
    }
    return resolve_deal(raw, taxonomy)


def time_serving(service: EnablementService, runs: int, offset: int) -> list[float]:
    deals = [deal_for(offset + i, service) for i in range(runs)]
    for deal in deals[:10]:
        service.usage.serve(service.recommender, [deal], user_id="bench")
    out = []
    for deal in deals:
        start = time.perf_counter()
        service.usage.serve(service.recommender, [deal], user_id="bench")
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(
            data_dir=root, database_url=f"sqlite:///{root / 'bench.db'}",
            library_roots=[ROOT / "content_catalog"], experiment_cache_s=5.0,
        )  # fmt: skip
        service = EnablementService(settings)
        service.ingest(ROOT / "content_catalog")
        service.build_index()
        served = service.scorer["scorer"]
        conditions: dict[str, Definition | None] = {
            "none": None,
            f"interleave_linear_vs_{served}": Definition("b", "interleave", "linear", served),
            "interleave_linear_vs_bm25_only": Definition("b", "interleave", "linear", "bm25_only"),
            "holdout_no_metadata_0.5": Definition("b", "holdout", "no_metadata", share=0.5),
        }
        if served == "linear":  # no learned ranker loads: the shared-pass case is not there
            del conditions["interleave_linear_vs_linear"]
        times: dict[str, list[float]] = {name: [] for name in conditions}
        names = list(conditions)
        for round_ in range(args.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]  # rotated
            for n, name in enumerate(order):
                definition = conditions[name]
                started = None
                if definition is not None:
                    started = service.experimenting.create(definition, created_by="bench")
                offset = (round_ * len(conditions) + n) * (args.runs + 10)
                block = time_serving(service, args.runs, offset)
                times[name] += block
                print(
                    f"round {round_} {name}: p50 {np.percentile(block, 50):.1f} ms", file=sys.stderr
                )
                if started is not None:
                    service.experimenting.stop(started.id, stopped_by="bench")
        assets, chunks = service.store.counts()[:2]
        service.close()
    base_p99 = float(np.percentile(times["none"], 99))
    figures: dict[str, Any] = {}
    for name, values in times.items():
        p99 = float(np.percentile(values, 99))
        figures[name] = {
            "p50_ms": round(float(np.percentile(values, 50)), 2),
            "p99_ms": round(p99, 2),
            "p99_vs_none": round(p99 / base_p99, 3),
            "lists": len(values),
        }
    print(
        json.dumps(
            {
                "command": " ".join(["benchmarks/experiments.py", *sys.argv[1:]]),
                "library": {"assets": assets, "chunks": chunks, "served_scorer": served},
                "serving": figures,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
