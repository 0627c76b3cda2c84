"""Leave-one-library-out of the shipped defaults plus type intent and the question cues; prints
JSON.

Like benchmarks/eval_intent.py, it keeps the shipped fusion and weights; per held-out library it
trains the intent model and chooses its weight, then chooses the cue share (recommend.cues), all
on the other libraries. "tuned" is that; "default" is the shipped defaults with both off.

    .venv/bin/python benchmarks/eval_cues.py [--libraries eval/libraries]
"""

from __future__ import annotations

import sys
from dataclasses import replace

from holdout_common import run_holdout

from enablement.learn.cues import tune_intent_and_cues
from enablement.recommend.config import RecommenderConfig


def main() -> int:
    base = RecommenderConfig()
    weights = replace(base.weights, type_intent=0.0, question_cues=0.0)
    return run_holdout(__doc__, replace(base, intent=None, weights=weights), tune_intent_and_cues)


if __name__ == "__main__":
    sys.exit(main())
