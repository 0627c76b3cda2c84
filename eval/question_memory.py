"""Would remembering which assets earlier deals' questions were answered by lift new deals?

Usage:
  python eval/question_memory.py [--libraries DIR] [--weights 0.05 0.1 0.25 0.5]

An upper bound for "learn from outcomes by question": each library's labelled deals are split in
two halves by a hash of their id (as eval/learning.py splits them). The first half's questions
are remembered with their deals' TRUE grades (an oracle: real outcomes are sparser and noisier).
For each deal of the second half, its questions are matched to the 10 closest remembered
questions of deals in the same vertical (the served encoder's cosine), and each asset gets the grades those questions' deals
gave it, weighted by the match. The ranking to depth 30 is re-ranked by its rank score,
(n - rank) / n, plus `weight` times that memory (scaled to 1 at its best asset), for the linear
scorer and the served ranker. Prints one JSON object: per library and ranker, nDCG@10 on the
second half and the change at each weight.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from enablement.evaluation import Evaluation
from enablement.learn.evaluate import LabelledDeal
from enablement.learn.holdout import with_config
from enablement.learn.metrics import ndcg
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender
from enablement.service import EnablementService
from enablement.settings import Settings

DEPTH = 30
NEIGHBOURS = 10


def second_half(deal: LabelledDeal) -> bool:
    return int(hashlib.sha256(deal.id.encode()).hexdigest(), 16) % 2 == 1


def memory_lift(
    recommender: Recommender, deals: tuple[LabelledDeal, ...], weights: list[float]
) -> dict[str, Any]:
    remembered = [d for d in deals if not second_half(d)]
    texts = [q for d in remembered for q in d.deal.get("questions", [])]
    grades = [d.relevant for d in remembered for _ in d.deal.get("questions", [])]
    verticals = [d.deal.get("vertical") for d in remembered for _ in d.deal.get("questions", [])]
    memory = np.asarray(recommender.encoder.encode_queries(texts))
    base: list[float] = []
    moved: dict[float, list[float]] = {w: [] for w in weights}
    for deal in (d for d in deals if second_half(d)):
        resolved = resolve_deal({**deal.deal, "k": DEPTH}, recommender.taxonomy)
        ids = [item.asset.id for item in recommender.recommend(resolved).items]
        base.append(ndcg(ids[:10], deal.relevant, 10))
        same = np.asarray([v == deal.deal.get("vertical") for v in verticals], dtype=bool)
        recalled = recall(recommender, deal.deal.get("questions", []), memory, grades, same)
        for weight in weights:
            score = {a: (len(ids) - r) / len(ids) + weight * recalled.get(a, 0.0)
                     for r, a in enumerate(ids)}  # fmt: skip
            moved[weight].append(ndcg(sorted(ids, key=lambda a: -score[a])[:10], deal.relevant, 10))
    mean = float(np.mean(base))
    return {
        "ndcg@10": round(mean, 4),
        "change": {str(w): round(float(np.mean(v)) - mean, 4) for w, v in moved.items()},
    }


def recall(
    recommender: Recommender,
    questions: list[str],
    memory: np.ndarray,
    grades: list[dict[str, int]],
    same_vertical: np.ndarray,
) -> dict[str, float]:
    """Per asset, the grades the closest remembered questions' deals (of the same vertical)
    gave it, weighted by the match and scaled to 1 at the best asset; empty without questions."""
    if not questions or not len(memory):
        return {}
    closeness = (np.asarray(recommender.encoder.encode_queries(questions)) @ memory.T).max(axis=0)
    closeness = np.where(same_vertical, closeness, -np.inf)
    found: dict[str, float] = {}
    for j in np.argsort(-closeness)[:NEIGHBOURS]:
        if not np.isfinite(closeness[j]):
            break
        for asset, grade in grades[j].items():
            found[asset] = found.get(asset, 0.0) + float(closeness[j]) * grade / 3
    best = max(found.values(), default=1.0) or 1.0
    return {asset: value / best for asset, value in found.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--weights", type=float, nargs="+", default=[0.05, 0.1, 0.25, 0.5])
    args = parser.parse_args()
    started = time.monotonic()
    service = EnablementService(Settings())
    served = service.serving_config
    result: dict[str, Any] = {}
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            for library in libraries:
                result[library.name] = {
                    name: memory_lift(with_config(library, config), library.deals, args.weights)
                    for name, config in (("linear", replace(served, ranker=None)), ("served", served))
                }
    finally:
        service.close()
    command = " ".join(["python", *sys.argv])
    seconds = round(time.monotonic() - started)
    print(json.dumps({"command": command, "seconds": seconds, "libraries": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
