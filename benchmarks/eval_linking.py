"""Leave-one-library-out of the shipped defaults plus product linking; prints JSON.

Like eval_intent.py: keeps the shipped fusion and weights (type intent off) and, per held-out
library, chooses only the linking thresholds on the other libraries (learn.linking: by link
quality there). The "tuned" row is that; "default" is the shipped defaults with linking off.
Per library, "links" is how the chosen setting links on the held-out library's one-question
deals against the product its labels point to.

    .venv/bin/python benchmarks/eval_linking.py [--libraries eval/libraries]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.learn.holdout import leave_one_library_out
from enablement.learn.linking import link_counts, link_examples, tune_linking_only
from enablement.recommend.linking import LinkingConfig
from enablement.recommend.pipeline import RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    args = parser.parse_args()
    service = EnablementService(Settings())
    base = RecommenderConfig()
    config = replace(
        base,
        intent=None,
        weights=replace(base.weights, type_intent=0.0),
        linking=replace(base.linking, enabled=False),
    )
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            result = leave_one_library_out(libraries, config=config, tuner=tune_linking_only)
            for library in libraries:
                row = result["held_out"][library.name]
                setting = LinkingConfig(**row["choice"]["linking"])
                row["links"] = link_counts(link_examples(library), setting).to_dict()
    finally:
        service.close()
    print(json.dumps({"command": " ".join(["python", *sys.argv]), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
