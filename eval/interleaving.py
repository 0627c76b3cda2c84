"""Interleaving on the labelled libraries: does a simulated experiment pick the better ranker?

Usage:
  python eval/interleaving.py [--libraries DIR] [--runs 20] [--impressions 1000 ...] [--seed 0]

Each library under DIR is indexed as `enablement eval --libraries` indexes it (its own temporary
catalog, the served encoder, embeddings from the cache). The control is the served ranker (the
learned ranker over the linear scorer, as `enablement serve` ranks) to depth 10 on each labelled
deal; the treatments are worse rankings of the same deals: `reversed_top3` and `swapped_top2`,
the served list with positions 1-3 reversed or 1 and 2 swapped, and `linear`, the linear scorer
alone. The shipped ranker was trained on these libraries, so its lead over the linear scorer
here is larger than on a new library; that does not matter for this check, whose truth is the
labels.

For each pair it prints the true mean nDCG@10 of both, their difference (treatment minus
control) and its nDCG@3 counterpart, on how many deals each is the better, and, for each number
of impressions given, the verdicts of `runs` simulated experiments of that many lists
(experiments/simulation.py: a deal at random, team draft, the click model on the labels' grades,
credit summed per deal, decide()). Where the nDCG@10 difference is at least 0.05 either way the
right verdict is known, and the issue's target is at least 19 right and none wrong out of 20 at
1,000 impressions ("target_met" applies the same test at each number of impressions). Prints one
JSON object. About 3 minutes once the embedding cache holds the libraries (the first run embeds
them: 5 more on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from enablement.evaluation import Evaluation
from enablement.experiments.decision import Verdict
from enablement.experiments.simulation import SimulatedDeal, ndcg_difference, repeated
from enablement.learn.evaluate import eval_deal
from enablement.learn.holdout import with_config
from enablement.learn.libraries import Library
from enablement.learn.metrics import ndcg
from enablement.recommend.pipeline import Recommender, RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings

MARGIN = 0.05  # the "true difference of at least 0.05 nDCG@10"
DEPTH = 10


def ranked(recommender: Recommender, library: Library) -> dict[str, tuple[str, ...]]:
    """Each labelled deal's top DEPTH asset ids as `recommender` ranks them."""
    out = {}
    for labelled in library.deals:
        items = recommender.recommend(eval_deal(labelled, recommender)).items
        out[labelled.id] = tuple(item.asset.id for item in items[:DEPTH])
    return out


def treatments(
    library: Library, served: RecommenderConfig
) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, tuple[str, ...]]]]:
    """The served ranking per deal, and each worse ranking per deal, by name."""
    control = ranked(with_config(library, served), library)
    linear = ranked(with_config(library, replace(served, ranker=None)), library)
    return control, {
        "reversed_top3": {deal: ids[:3][::-1] + ids[3:] for deal, ids in control.items()},
        "swapped_top2": {deal: ids[1:2] + ids[:1] + ids[2:] for deal, ids in control.items()},
        "linear": linear,
    }


def experiment(
    library: Library,
    control: dict[str, tuple[str, ...]],
    treatment: dict[str, tuple[str, ...]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    deals = [
        SimulatedDeal(d.id, d.relevant, control=control[d.id], treatment=treatment[d.id])
        for d in library.deals
    ]
    difference = ndcg_difference(deals, k=DEPTH)
    return {
        "ndcg@10": {
            "control": mean_ndcg(deals, control=True),
            "treatment": mean_ndcg(deals, control=False),
            "difference": round(difference, 4),
        },
        "ndcg@3_difference": round(ndcg_difference(deals, k=3), 4),  # how top-heavy it is
        "deals_by_ndcg@10": by_deal(deals),
        "impressions": {
            str(impressions): verdicts(deals, difference, impressions, args)
            for impressions in args.impressions
        },
    }


def verdicts(
    deals: list[SimulatedDeal], difference: float, impressions: int, args: argparse.Namespace
) -> dict[str, Any]:
    """The verdicts of args.runs experiments, and how many were right and wrong when the true
    difference says which is better."""
    runs = repeated(deals, runs=args.runs, impressions=impressions, seed=args.seed)
    found = Counter(str(run.decision) for run in runs)
    result: dict[str, Any] = {
        "verdicts": {str(v): found.get(str(v), 0) for v in Verdict},
        "mean_share": round(sum(r.share or 0.0 for r in runs) / len(runs), 4),
        "mean_decided_deals": round(sum(r.wins + r.losses for r in runs) / len(runs), 1),
    }
    if abs(difference) >= MARGIN:
        right = Verdict.treatment_better if difference > 0 else Verdict.control_better
        wrong = Verdict.control_better if difference > 0 else Verdict.treatment_better
        result["right"] = found.get(str(right), 0)
        result["wrong"] = found.get(str(wrong), 0)
        result["target_met"] = result["right"] >= 0.95 * args.runs and result["wrong"] == 0
    return result


def by_deal(deals: list[SimulatedDeal]) -> dict[str, int]:
    """How many deals each ranking scores higher on, and on how many they are equal."""
    found = Counter(
        "equal" if abs(gap) < 1e-9 else ("treatment_better" if gap > 0 else "control_better")
        for gap in (
            ndcg(d.treatment, d.grades, DEPTH) - ndcg(d.control, d.grades, DEPTH) for d in deals
        )
    )
    return {key: found.get(key, 0) for key in ("treatment_better", "control_better", "equal")}


def mean_ndcg(deals: list[SimulatedDeal], *, control: bool) -> float:
    scores = [ndcg(d.control if control else d.treatment, d.grades, DEPTH) for d in deals]
    return round(sum(scores) / len(scores), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--impressions", type=int, nargs="+", default=[1000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.monotonic()
    service = EnablementService(Settings())
    result: dict[str, Any] = {}
    try:
        served = service.serving_config
        with Evaluation(service).libraries(args.libraries) as libraries:
            for library in libraries:
                control, worse = treatments(library, served)
                result[library.name] = {
                    "deals": len(library.deals),
                    **{
                        name: experiment(library, control, ranking, args)
                        for name, ranking in worse.items()
                    },
                }
    finally:
        service.close()
    print(
        json.dumps(
            {
                "command": " ".join(["python", *sys.argv]),
                "runs": args.runs,
                "seconds": round(time.monotonic() - started),
                "libraries": result,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
