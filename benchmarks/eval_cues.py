"""Leave-one-library-out of the shipped defaults plus type intent and the question cues; prints
JSON.

Like benchmarks/eval_intent.py, it keeps the shipped fusion and weights; per held-out library it
trains the intent model and chooses its weight, then chooses the cue share (recommend.cues), all
on the other libraries. "tuned" is that; "default" is the shipped defaults with both off.

    .venv/bin/python benchmarks/eval_cues.py [--libraries eval/libraries]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.learn.cues import tune_intent_and_cues
from enablement.learn.holdout import leave_one_library_out
from enablement.recommend.pipeline import RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    args = parser.parse_args()
    service = EnablementService(Settings())
    base = RecommenderConfig()
    weights = replace(base.weights, type_intent=0.0, question_cues=0.0)
    config = replace(base, intent=None, weights=weights)
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            result = leave_one_library_out(libraries, config=config, tuner=tune_intent_and_cues)
    finally:
        service.close()
    print(json.dumps({"command": " ".join(["python", *sys.argv]), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
