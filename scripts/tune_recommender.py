"""Compare fusion methods and tune scoring weights on the labelled deals; prints JSON.

The defaults in enablement.recommend (FusionConfig, ScoringWeights) come from runs of this script.
Cross-validation (tune on half the deals, score the other half) shows whether tuning generalises.

    .venv/bin/python scripts/tune_recommender.py [--queries eval/deals.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.learn.evaluate import load_labelled
from enablement.learn.tune import coordinate_ascent, cross_validated, objective_for, sweep_fusion
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, default=Path("eval/deals.jsonl"))
    parser.add_argument("--beir", type=Path, help="Sweep fusion on a BEIR set instead.")
    parser.add_argument("--skip-weights", action="store_true")
    args = parser.parse_args()
    service = EnablementService(Settings())
    if args.beir:
        with tempfile.TemporaryDirectory() as workdir:
            base, deals = Evaluation(service).beir_recommender(args.beir, Path(workdir))
            rows = sweep_fusion(base, deals)
        command = " ".join(["python", *sys.argv])
        print(
            json.dumps({"command": command, "fusion": {r.name: r.overall for r in rows}}, indent=2)
        )
        return 0
    base = service.recommender
    deals = load_labelled(args.queries)
    out: dict[str, object] = {"command": " ".join(["python", *sys.argv]), "deals": len(deals)}
    out["fusion"] = {row.name: row.overall for row in sweep_fusion(base, deals)}
    if not args.skip_weights:
        objective = objective_for(base)
        out["weights_default"] = asdict(base.config.weights)
        out["ndcg@10_default"] = objective(base.config, deals)
        tuned = coordinate_ascent(objective, base.config, deals)
        out["weights_tuned"] = asdict(tuned.weights)
        out["ndcg@10_tuned"] = objective(tuned, deals)
        out["cross_validation"] = cross_validated(objective, base.config, deals)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
