"""Leave-one-library-out of the shipped defaults plus the asset-type intent feature; prints JSON.

`enablement eval --libraries` re-tunes fusion and every weight on the training libraries. This
keeps the shipped fusion and weights and, per held-out library, trains only the intent model and
chooses only its weight on the other libraries: the held-out worth of the feature on its own.
The "tuned" row is that; "default" is the shipped defaults without the feature.

    .venv/bin/python benchmarks/eval_intent.py [--libraries eval/libraries]
"""

from __future__ import annotations

import sys
from dataclasses import replace

from holdout_common import run_holdout

from enablement.learn.intent import tune_intent_only
from enablement.recommend.config import RecommenderConfig


def main() -> int:
    base = RecommenderConfig()
    config = replace(base, intent=None, weights=replace(base.weights, type_intent=0.0))
    return run_holdout(__doc__, config, tune_intent_only)


if __name__ == "__main__":
    sys.exit(main())
