"""`enablement learn` over a million events. Prints JSON.

For each store (SQLite, and PostgreSQL from the installed binaries): indexes the sample catalog
(content_catalog/) with the real model, writes about `--events` events as benchmarks/feedback.py
does (served lists of 5 with positions and ranker, opens, sends, buyer views through share links,
thumbs, outcomes, 1% feedback quoting an unknown list) over the catalog's real asset ids, with
each served list's row (its deal: stage, vertical, persona and a buyer question drawn from a
pool; 5% of the lists explored by an adjacent swap). Then times one `learn` run
(service.learning.learn: the join, the outcomes, replaying up to 5,000 contexts through the
scorer, training and the offline estimates), median of `--runs`.

    .venv/bin/python benchmarks/learn.py [--events 1000000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchmarks.feedback as history  # noqa: E402

from enablement.events.model import ServedList  # noqa: E402
from enablement.events.simulate import QUESTIONS as SIMULATED_QUESTIONS  # noqa: E402
from enablement.service import EnablementService  # noqa: E402
from enablement.settings import Settings  # noqa: E402

QUESTIONS = (
    *SIMULATED_QUESTIONS,
    "do you sign a BAA?",
    "is our data encrypted at rest?",
    "can it run on premises?",
    "who else in our industry uses it?",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    results = {}
    for store in args.stores.split(","):
        base = Path(tempfile.mkdtemp(prefix="enablement-learn-"))
        try:
            with history.database(store, base) as url:
                results[store] = run(url, base, args.events, args.runs)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    print(json.dumps({
        "command": " ".join(["benchmarks/learn.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "cpus": history._cpus(),
                    "platform": platform.platform()},
        "target": "learn over 1,000,000 events in under 120 s",
        "results": results,
    }, indent=2))  # fmt: skip
    return 0


@contextmanager
def indexed(url: str, base: Path) -> Iterator[EnablementService]:
    """A service over `url` with the sample catalog indexed (embeddings from the shared cache
    in data/ when it holds them is not assumed: a fresh index, as a new install makes)."""
    service = EnablementService(Settings(data_dir=base / "data", database_url=url))
    try:
        service.ingest(ROOT / "content_catalog")
        service.build_index()
        yield service
    finally:
        service.close()


def run(url: str, base: Path, target: int, runs: int) -> dict[str, Any]:
    with indexed(url, base) as service:
        recommender = service.recommender
        history.ASSETS = [asset.id for asset in recommender.bundle.assets]
        started = time.perf_counter()
        written = load(service, target)
        load_s = time.perf_counter() - started
        seconds, report = [], {}
        for _ in range(runs):
            started = time.perf_counter()
            report = service.learning.learn(requested_by="benchmark")
            seconds.append(time.perf_counter() - started)
    trained = report.get("trained_on", {})
    return {
        "events": written,
        "load_s": round(load_s, 1),
        "learn_median_s": round(statistics.median(seconds), 1),
        "learn_max_s": round(max(seconds), 1),
        "impressions": trained.get("impressions"),
        "lists": trained.get("lists"),
        "contexts": trained.get("contexts"),
        "train_contexts": trained.get("train_contexts"),
        "holdout_contexts": trained.get("holdout_contexts"),
        "ranker": report.get("ranker"),
        "skipped": report.get("skipped"),
    }


def load(service: EnablementService, target: int) -> int:
    """About `target` events (benchmarks/feedback.py's deals and their served lists), each
    deal's lists asked for its own vertical, persona and question (from QUESTIONS)."""
    rng = random.Random(16)
    verticals = list(service.taxonomy.verticals.ids)
    personas = list(service.taxonomy.personas.ids)

    def relist(served: list[ServedList]) -> list[ServedList]:
        fields = {"vertical": rng.choice(verticals), "persona": rng.choice(personas),
                  "questions": (rng.choice(QUESTIONS),)}  # fmt: skip
        return [replace(s, deal=replace(s.deal, **fields)) for s in served]

    return history.load(service.engine, target, relist=relist)


if __name__ == "__main__":
    raise SystemExit(main())
