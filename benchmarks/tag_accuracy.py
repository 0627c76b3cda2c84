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
in each confidence band were right. `--draws` draws (seeds `--seed` on) are pooled: one draw
hides some 30 assets a library, too few for a value's F1 (tagging/evaluate.py).

    .venv/bin/python benchmarks/tag_accuracy.py [--libraries eval/libraries] [--hide 0.3]
        [--seed 0] [--draws 5] [--min-confidence 0.5]

About two minutes once the embedding cache holds the libraries.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from enablement.evaluation import Evaluation
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.evaluate import TagLibrary, evaluate_tags
from enablement.tagging.suggest import DEFAULT_MIN_CONFIDENCE, documents_from_bundle

TARGETS = {"type": ("accuracy", 0.85), "stages": ("macro_f1", 0.70),
           "verticals": ("macro_f1", 0.70), "personas": ("macro_f1", 0.70)}  # fmt: skip


def tag_libraries(root: Path) -> list[TagLibrary]:
    """Each library under `root` as `enablement eval --libraries` indexes it, as the tag model
    reads it."""
    service = EnablementService(Settings())
    try:
        with Evaluation(service).libraries(root) as libraries:
            return [
                TagLibrary(lib.name, documents_from_bundle(lib.recommender.bundle),
                           lib.recommender.taxonomy)
                for lib in libraries
            ]  # fmt: skip
    finally:
        service.close()


def targets_met(figures: dict[str, Any]) -> dict[str, bool]:
    """Per field, whether a library's figures reach issue 16's bar."""
    return {field: (figures[field][metric] or 0.0) >= bar
            for field, (metric, bar) in TARGETS.items()}  # fmt: skip


def add_hiding_arguments(parser: argparse.ArgumentParser, *, draws: int) -> None:
    """The flags every tag benchmark takes: which libraries, what share of their assets' tags
    to hide, and which draws (seeds `--seed` to `--seed` + `--draws` - 1)."""
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--hide", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--draws", type=int, default=draws)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_hiding_arguments(parser, draws=5)
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    args = parser.parse_args()
    started = time.monotonic()
    tagged = tag_libraries(args.libraries)
    found = evaluate_tags(
        tagged,
        share=args.hide,
        seeds=range(args.seed, args.seed + args.draws),
        min_confidence=args.min_confidence,
    )
    for figures in found["libraries"].values():
        figures["targets_met"] = targets_met(figures)
    command = " ".join(["python", *sys.argv])
    print(json.dumps({"command": command, "seconds": round(time.monotonic() - started),
                      **found}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
