"""Write each held-out library's per-deal rankings, for error analysis and eval/agreement.py.

For every named library (all of them by default) this runs the fold of `enablement eval
--libraries` that holds it out: the same nested encoders, tuner and learned ranker trained on the
other libraries. It writes OUT/NAME.jsonl with one line per deal, {"id", "ranked": [asset ids,
best first, to depth 10], "scores": {nDCG@5, nDCG@10, recall@10, MRR}}, and prints each
library's mean nDCG@10, which matches the "tuned" column of `enablement eval --libraries`.
Needs the fine-tuned encoder served (the default), as that command does.

    .venv/bin/python scripts/held_out_rankings.py --out data/held-out [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.learn.encoder_holdout import EncodedLibraries, nested_fold
from enablement.learn.evaluate import eval_deal
from enablement.learn.holdout import Tuner, with_config
from enablement.learn.metrics import mean_scores, score_ranking
from enablement.learn.tune import tune_on_libraries, with_ranker
from enablement.recommend.config import RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="Libraries to hold out (default: all).")
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    service = EnablementService(Settings())
    config = replace(service.config, intent=None, ranker=None)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {}
    try:
        with Evaluation(service).encoded_libraries(args.libraries) as encoded:
            unknown = sorted(set(args.names) - set(encoded.names))
            if unknown:
                print(f"error: no library named {unknown} in {args.libraries}", file=sys.stderr)
                return 2
            tuner = with_ranker(tune_on_libraries)
            for held in args.names or encoded.names:
                summary[held] = write_fold(encoded, held, tuner, config, args.out / f"{held}.jsonl")
    finally:
        service.close()
    print(json.dumps({"out": str(args.out), "ndcg@10": summary}, indent=2))
    return 0


def write_fold(
    encoded: EncodedLibraries, held: str, tuner: Tuner, config: RecommenderConfig, path: Path
) -> float:
    """Rank `held`'s deals as its fold of `enablement eval --libraries` does, write them to
    `path`, and return their mean nDCG@10."""
    libraries, target = nested_fold(
        held, encoded.names, library_with=encoded, encoders=encoded.encoders
    )
    recommender = with_config(target, tuner(libraries, config).config)
    rows = []
    with path.open("w") as out:
        for labelled in target.deals:
            items = recommender.recommend(eval_deal(labelled, recommender)).items
            ranked = [item.asset.id for item in items]
            scores = score_ranking(ranked, labelled.relevant)
            rows.append(scores)
            out.write(json.dumps({"id": labelled.id, "ranked": ranked, "scores": scores}) + "\n")
    return mean_scores(rows)["ndcg@10"]


if __name__ == "__main__":
    sys.exit(main())
