"""Leave-one-library-out of the shipped defaults plus the asset-type intent feature; prints JSON.

`enablement eval --libraries` re-tunes fusion and every weight on the training libraries. This
keeps the shipped fusion and weights and, per held-out library, trains only the intent model and
chooses only its weight on the other libraries: the held-out worth of the feature on its own.
The "tuned" row is that; "default" is the shipped defaults without the feature.

    .venv/bin/python benchmarks/eval_intent.py [--libraries eval/libraries]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.learn.holdout import leave_one_library_out
from enablement.learn.intent import tune_intent_only
from enablement.recommend.pipeline import RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    args = parser.parse_args()
    service = EnablementService(Settings())
    base = RecommenderConfig()
    config = replace(base, intent=None, weights=replace(base.weights, type_intent=0.0))
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            result = leave_one_library_out(libraries, config=config, tuner=tune_intent_only)
    finally:
        service.close()
    print(json.dumps({"command": " ".join(["python", *sys.argv]), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
