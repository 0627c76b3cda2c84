"""Leave-one-library-out of the shipped defaults plus product linking; prints JSON.

Like eval_intent.py: keeps the shipped fusion and weights (type intent off) and, per held-out
library, chooses only the linking thresholds on the other libraries (learn.linking: by link
quality there). The "tuned" row is that; "default" is the shipped defaults with linking off.
Per library, "links" is how the chosen setting links on the held-out library's one-question
deals against the product its labels point to.

    .venv/bin/python benchmarks/eval_linking.py [--libraries eval/libraries]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from holdout_common import run_holdout

from enablement.learn.libraries import Library
from enablement.learn.linking import link_counts, link_examples, tune_linking_only
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.linking import LinkingConfig


def count_links(libraries: Sequence[Library], result: dict[str, Any]) -> None:
    """Each held-out library's link precision and recall at the setting chosen without it."""
    for library in libraries:
        row = result["held_out"][library.name]
        setting = LinkingConfig(**row["choice"]["linking"])
        row["links"] = link_counts(link_examples(library), setting).to_dict()


def main() -> int:
    base = RecommenderConfig()
    config = replace(
        base,
        intent=None,
        weights=replace(base.weights, type_intent=0.0),
        linking=replace(base.linking, enabled=False),
    )
    return run_holdout(__doc__, config, tune_linking_only, annotate=count_links)


if __name__ == "__main__":
    sys.exit(main())
