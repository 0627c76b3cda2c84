"""Learning from outcomes on the labelled libraries: does `learn` lift nDCG@10 after simulated
deals, and does `--auto-promote` ever promote a worse ranker?

Usage:
  python eval/learning.py [--libraries DIR] [--deals 2000] [--seeds 20] [--only NAME ...]

Each library under DIR is indexed as `enablement eval --libraries` indexes it. Its live ranker is
what a new customer gets: the learned ranker trained on the OTHER libraries (the shipped
settings, 15 leaves and 200 rounds; the shipped model itself was trained on every library here,
this one included, so it would overstate the base). The library's labelled deals are split in
two halves by a hash of their id:

- `--deals` simulated deals are drawn from the first half and served by the live ranker through
  the real serving path (exploration swaps at the default share, the click model on the labels'
  grades, events and served lists in a fresh SQLite store: `enablement simulate --labels`);
- `learn` (events.feedback.learnable, learn.outcomes, learn.candidate: what `enablement learn`
  runs) trains a candidate from that store;
- both rankers are scored by nDCG@10 against the labels on the second half, deals the candidate
  never trained on ("held_out"), and on the first half asked again ("seen");
- whether the candidate clears the `--auto-promote` bar, and its true expected reward per list
  against the live ranker's (the click model's, on the held-out deals' top 5).

Then, for `--seeds` seeds, the same with another click draw, each time also offering a
deliberately worse candidate (the live model with the learned priors turned against what reps
and buyers used) and counting how often each candidate would be auto-promoted while truly worse.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.evaluation import Evaluation
from enablement.events.clicks import ClickModel
from enablement.events.service import Usage
from enablement.events.simulate import SimulationOptions, simulate
from enablement.learn.candidate import (
    LearnOptions,
    Trained,
    offline_estimates,
    split,
    train_candidate,
)
from enablement.learn.evaluate import LabelledDeal, evaluate
from enablement.learn.libraries import Library
from enablement.learn.ranker import fit_ranker, ranking_examples
from enablement.learn.replay import Replayer
from enablement.learning import stored_outcomes
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.priors import Priors
from enablement.recommend.ranker import LearnedRanker
from enablement.service import EnablementService
from enablement.settings import Settings

SHIPPED_PARAMS = {"num_leaves": 15, "rounds": 200}
TOP = 5  # the list a rep sees


def halves(deals: tuple[LabelledDeal, ...]) -> tuple[list[LabelledDeal], list[LabelledDeal]]:
    def second(deal: LabelledDeal) -> bool:
        return int(hashlib.sha256(deal.id.encode()).hexdigest(), 16) % 2 == 1

    return [d for d in deals if not second(d)], [d for d in deals if second(d)]


def true_reward(recommender: Recommender, deals: list[LabelledDeal]) -> float:
    """The click model's expected reward (opened 1, sent 2, viewed 3) per list of the top 5."""
    model, total = ClickModel(), 0.0
    for labelled in deals:
        deal = resolve_deal({**labelled.deal, "k": TOP}, recommender.taxonomy)
        for k, item in enumerate(recommender.recommend(deal).items, start=1):
            g = labelled.relevant.get(item.asset.id, 0)
            opened = model.examination(k) * model.attraction[g]
            total += opened * (1 + model.send[g] * (1 + model.view[g]))
    return total / len(deals)


def ndcg10(recommender: Recommender, deals: list[LabelledDeal]) -> float:
    return float(evaluate(recommender, deals)["overall"]["ndcg@10"])


def with_ranker(live: Recommender, ranker: LearnedRanker) -> Recommender:
    config = replace(live.config, ranker=ranker)
    return Recommender(live.bundle, live.encoder, live.taxonomy, config)


def worse(live: LearnedRanker, trained: Trained) -> LearnedRanker | None:
    """The live model with the candidate's priors negated: it demotes what was used."""
    priors = trained.candidate.priors if trained.candidate is not None else None
    if priors is None:
        return None
    cells = {kind: {k: -v for k, v in values.items()} for kind, values in priors.cells.items()}
    flipped = Priors(cells, 2.0, priors.strength, priors.mean, priors.impressions)
    return replace(live, priors=flipped)


def run(live: Recommender, base: LearnedRanker, train: list[LabelledDeal], deals: int, seed: int):
    """Simulate, learn; the Trained, and the offline estimates of a worse candidate."""
    with tempfile.TemporaryDirectory(prefix="enablement-learning-") as workdir:
        engine = connect(f"sqlite:///{workdir}/events.db")
        usage = Usage(engine, live.taxonomy, CatalogStore(engine))
        options = SimulationOptions(deals=deals, seed=seed)
        simulate(usage, live, options, labels=train)
        usage.close()
        _, found = stored_outcomes(engine)
        engine.dispose()
    if found is None:
        raise SystemExit("the simulation logged no list")
    replay = Replayer(live, base.depth)
    learn_options = LearnOptions(seed=seed)
    trained = train_candidate(
        found, replay, live=base, base=base, names=live.feature_names,
        encoder=live.encoder.name, options=learn_options,
    )  # fmt: skip
    bad = worse(base, trained)
    bad_offline: dict[str, Any] = {}
    if bad is not None:
        _, held = split(found, learn_options)
        replayed = [r for c in held if (r := replay(c)) is not None]
        bad_offline = offline_estimates(found, replayed, base, bad, learn_options)
    return trained, bad, bad_offline


def library_result(
    library: Library, base: LearnedRanker, config: RecommenderConfig, args: argparse.Namespace
) -> dict[str, Any]:
    source = library.recommender
    live = Recommender(source.bundle, source.encoder, source.taxonomy, replace(config, ranker=base))
    train, test = halves(library.deals)
    started = time.time()
    trained, _, _ = run(live, base, train, args.deals, seed=0)
    out: dict[str, Any] = {
        "deals": {"labelled": len(library.deals), "simulated_from": len(train),
                  "held_out": len(test)},
        "trained_on": trained.trained_on,
        "skipped": trained.skipped,
        "offline": trained.offline,
        "clears_auto_promote": trained.beats_live(),
        "live": {"held_out_ndcg@10": ndcg10(live, test), "seen_ndcg@10": ndcg10(live, train),
                 "held_out_true_reward": true_reward(live, test)},
    }  # fmt: skip
    if trained.candidate is not None:
        candidate = with_ranker(live, trained.candidate)
        out["candidate"] = {
            "held_out_ndcg@10": ndcg10(candidate, test),
            "seen_ndcg@10": ndcg10(candidate, train),
            "held_out_true_reward": true_reward(candidate, test),
        }
        out["lift_held_out_ndcg@10"] = round(
            out["candidate"]["held_out_ndcg@10"] - out["live"]["held_out_ndcg@10"], 4
        )
    out["labels_ceiling"] = ceiling(live, base, train, test)
    out["seeds"] = seeds(live, base, train, test, args)
    out["seconds"] = round(time.time() - started, 1)
    return out


def ceiling(
    live: Recommender, base: LearnedRanker, train: list[LabelledDeal], test: list[LabelledDeal]
) -> dict[str, float]:
    """What warm-starting the base on the TRUE grades of the first half's deals (every
    candidate labelled, no clicks, no position bias) gives on the second half: an upper bound on
    what learning from clicks on those deals can reach, the best of a few tree counts (chosen on
    the held-out deals themselves, so optimistic)."""
    import lightgbm
    import numpy as np

    from enablement.learn.evaluate import eval_deal
    from enablement.learn.ranker import BASE_PARAMS

    blocks, labels, sizes = [], [], []
    for labelled in train:
        scored = live.score(eval_deal(labelled, live))
        head = scored.candidates[: base.depth]
        grades = [labelled.relevant.get(live.bundle.assets[r].id, 0) for r in head]
        if max(grades, default=0) > 0:
            blocks.append(live.features(scored, head))
            labels.append(np.array(grades))
            sizes.append(len(grades))
    features, grades = np.vstack(blocks), np.concatenate(labels)
    out = {"base": ndcg10(live, test)}
    for rounds in (20, 50, 100):
        params = {**BASE_PARAMS, "num_leaves": 7}
        data = lightgbm.Dataset(features, grades, group=sizes, free_raw_data=False)
        booster = lightgbm.train(params, data, num_boost_round=rounds, init_model=base.booster)
        warmed = replace(base, booster=booster, sha256="")
        out[f"warm_{rounds}"] = ndcg10(with_ranker(live, warmed), test)
    out["best_lift"] = round(max(v for k, v in out.items() if k != "base") - out["base"], 4)
    return out


def seeds(
    live: Recommender, base: LearnedRanker, train: list[LabelledDeal], test: list[LabelledDeal],
    args: argparse.Namespace,
) -> dict[str, Any]:  # fmt: skip
    """Over seeds 1..n: how often the candidate, and a deliberately worse one, clear the bar,
    and how often a cleared one is truly worse on the held-out deals."""
    live_reward = true_reward(live, test)
    counts = {"runs": 0, "candidate_cleared": 0, "candidate_cleared_truly_worse": 0,
              "worse_cleared": 0, "worse_truly_worse": 0, "skipped": 0}  # fmt: skip
    for seed in range(1, args.seeds + 1):
        trained, bad, bad_offline = run(live, base, train, args.deals, seed)
        counts["runs"] += 1
        if trained.candidate is None:
            counts["skipped"] += 1
            continue
        if trained.beats_live():
            counts["candidate_cleared"] += 1
            reward = true_reward(with_ranker(live, trained.candidate), test)
            counts["candidate_cleared_truly_worse"] += reward < live_reward
        if bad is not None:
            counts["worse_truly_worse"] += true_reward(with_ranker(live, bad), test) < live_reward
            verdict = Trained(bad, {}, bad_offline)
            counts["worse_cleared"] += verdict.beats_live()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--deals", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    args = parser.parse_args()
    service = EnablementService(Settings(data_dir=args.data_dir))
    config = replace(service.linear_config, ranker=None)
    results: dict[str, Any] = {}
    started = time.time()
    with Evaluation(service).libraries(args.libraries) as libraries:
        examples = ranking_examples(libraries, config)
        for library in libraries:
            if args.only and library.name not in args.only:
                continue
            others = [other.name for other in libraries if other is not library]
            encoder = library.recommender.encoder.name
            base = fit_ranker(examples.subset(others), SHIPPED_PARAMS, encoder=encoder)
            results[library.name] = library_result(library, base, config, args)
            print(library.name, json.dumps(results[library.name]["seeds"]), file=sys.stderr)
    lifts = [r["lift_held_out_ndcg@10"] for r in results.values() if "lift_held_out_ndcg@10" in r]
    ceilings = {name: r["labels_ceiling"]["best_lift"] for name, r in results.items()}
    summary = {
        "command": " ".join(["python eval/learning.py", *sys.argv[1:]]),
        "deals": args.deals,
        "seeds": args.seeds,
        "target": "held-out nDCG@10 +0.05 on each library; a worse candidate never auto-promoted",
        "lift_met_on": sum(lift >= 0.05 for lift in lifts),
        "labels_ceiling_best_lift": ceilings,
        "worse_ever_promoted": sum(
            r["seeds"]["worse_cleared"] + r["seeds"]["candidate_cleared_truly_worse"]
            for r in results.values()
        ),
        "seconds": round(time.time() - started),
        "libraries": results,
    }
    print(json.dumps(summary, indent=2, default=str))
    if args.out is not None:
        args.out.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
