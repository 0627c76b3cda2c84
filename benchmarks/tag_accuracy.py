"""Tag suggestions on tags the labelled libraries already have (issue 16's accuracy target).
Prints JSON.

Each library under `--libraries` is indexed as `enablement eval --libraries` indexes it (its own
temporary catalog, the served encoder, embeddings from the cache). In each in turn, `--hide` of
its assets (by a hash of the seed and the asset id) lose all four of type, stages, verticals and
personas; tagging/suggest.py suggests them back from the library's other assets and every other
library's (tagging/evaluate.py). Per library and field: coverage at `--min-confidence` (the
share of hidden fields given a suggestion), then type accuracy and stage, vertical and persona
macro-F1 on the covered ones (and "strict" figures counting an uncovered field as a miss); how
often a vertical was suggested for a hidden asset that had none; and, pooled, how often values
in each confidence band were right.

    .venv/bin/python benchmarks/tag_accuracy.py [--libraries eval/libraries] [--hide 0.3]
        [--seed 0] [--min-confidence 0.5]

About a minute and a half once the embedding cache holds the libraries.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.evaluate import TagLibrary, evaluate_tags
from enablement.tagging.suggest import DEFAULT_MIN_CONFIDENCE, documents_from_bundle

TARGETS = {"type": ("accuracy", 0.85), "stages": ("macro_f1", 0.70),
           "verticals": ("macro_f1", 0.70), "personas": ("macro_f1", 0.70)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--hide", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    args = parser.parse_args()
    started = time.monotonic()
    service = EnablementService(Settings())
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            tagged = [
                TagLibrary(lib.name, documents_from_bundle(lib.recommender.bundle),
                           lib.recommender.taxonomy)
                for lib in libraries
            ]  # fmt: skip
    finally:
        service.close()
    found = evaluate_tags(
        tagged, share=args.hide, seed=args.seed, min_confidence=args.min_confidence
    )
    for figures in found["libraries"].values():
        figures["targets_met"] = {
            field: (figures[field][metric] or 0.0) >= bar
            for field, (metric, bar) in TARGETS.items()
        }
    command = " ".join(["python", *sys.argv])
    print(json.dumps({"command": command, "seconds": round(time.monotonic() - started),
                      **found}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
