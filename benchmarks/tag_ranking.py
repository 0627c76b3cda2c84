"""Does ranking with suggested tags win back what hiding tags loses? (issue 16's ranking target:
at least half the nDCG@10 lost.) Prints JSON.

Each library under `--libraries` is indexed as `enablement eval --libraries` indexes it and its
labelled deals are ranked by the served recommender (the learned ranker over the linear scorer,
as `enablement serve` ranks) three times:

- `tagged`: the library as it is;
- `hidden`: `--hide` of its assets (the same ones benchmarks/tag_accuracy.py hides: a hash of
  the seed and the asset id) without their type, stages, verticals and personas;
- `suggested`: as `hidden`, with the suggestions tagging/suggest.py makes for them from the rest
  of the library and the other libraries, as unreviewed suggestions (soft fit features weighted
  by confidence, recommend/scoring.py), as the index carries them.

`--draws` draws (seeds `--seed` on) each hide their own assets: one draw hides some 30 a
library and moves nDCG@10 by a few hundredths, so a single one is mostly noise. Per library:
nDCG@10 of each (hidden and suggested averaged over the draws, and per draw), the loss (tagged
minus hidden) and the share of it recovered ((suggested minus hidden) / loss).

    .venv/bin/python benchmarks/tag_ranking.py [--libraries eval/libraries] [--hide 0.3]
        [--seed 0] [--draws 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import replace
from statistics import mean
from typing import Any

from tag_accuracy import add_hiding_arguments

from enablement.evaluation import Evaluation
from enablement.index.bundle import AssetRecord
from enablement.learn.evaluate import evaluate
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.tagging.document import TagDocument
from enablement.tagging.evaluate import hidden
from enablement.tagging.suggest import documents_from_bundle, suggest
from enablement.tagging.suggestion import Suggestion


def ranked_with(library: Library, assets: list[AssetRecord], config: RecommenderConfig) -> float:
    base = library.recommender
    bundle = replace(base.bundle, assets=assets)
    recommender = Recommender(bundle, base.encoder, base.taxonomy, config)
    return float(evaluate(recommender, library.deals)["overall"]["ndcg@10"])


def bare(asset: AssetRecord) -> AssetRecord:
    return replace(asset, type=None, stages=(), verticals=(), personas=())


def with_suggestions(asset: AssetRecord, made: list[Suggestion]) -> AssetRecord:
    return replace(asset, suggested=tuple((s.field, s.value, s.confidence) for s in made))


def measure(
    library: Library, documents: list[TagDocument], reference: list[TagDocument],
    config: RecommenderConfig, args: Any,
) -> dict[str, Any]:  # fmt: skip
    """The library's nDCG@10 tagged, then per draw hidden and with suggestions, and the means
    over the draws."""
    assets = library.recommender.bundle.assets
    tagged = ranked_with(library, list(assets), config)
    draws = []
    for seed in range(args.seed, args.seed + args.draws):
        hide = {d.id for d in documents if hidden(d, args.hide, seed)}
        shown = [replace(d, tags={}) if d.id in hide else d for d in documents]
        made: dict[str, list[Suggestion]] = defaultdict(list)
        for s in suggest(shown, reference, library.recommender.taxonomy):
            made[s.asset_id].append(s)
        hidden_assets = [bare(a) if a.id in hide else a for a in assets]
        guessed = [with_suggestions(a, made[a.id]) for a in hidden_assets]
        draws.append({"seed": seed, "hidden_assets": len(hide),
                      "hidden": round(ranked_with(library, hidden_assets, config), 4),
                      "suggested": round(ranked_with(library, guessed, config), 4)})  # fmt: skip
    without = mean(d["hidden"] for d in draws)
    suggested = mean(d["suggested"] for d in draws)
    lost = tagged - without
    return {
        "ndcg@10": {"tagged": round(tagged, 4), "hidden": round(without, 4),
                    "suggested": round(suggested, 4)},
        "lost": round(lost, 4),
        "recovered": round((suggested - without) / lost, 3) if lost > 0 else None,
        "draws": draws,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_hiding_arguments(parser, draws=5)
    args = parser.parse_args()
    started = time.monotonic()
    service = EnablementService(Settings())
    result: dict[str, Any] = {}
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            documents = {
                lib.name: documents_from_bundle(lib.recommender.bundle) for lib in libraries
            }
            for library in libraries:
                reference = [d for name, docs in documents.items() if name != library.name
                             for d in docs]  # fmt: skip
                result[library.name] = measure(
                    library, documents[library.name], reference, service.serving_config, args
                )
    finally:
        service.close()
    command = " ".join(["python", *sys.argv])
    seconds = round(time.monotonic() - started)
    print(json.dumps({"command": command, "seconds": seconds, "libraries": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
