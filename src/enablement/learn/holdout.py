"""Leave-one-library-out: tune on every library but one, then score the one held out.

The split is structural: the tuner is called with the training `Library` objects only, and each
library ranks over its own bundle, so no held-out deal or asset can reach a tuned choice.
Scores on a library the config was tuned on are kept under "in_training", for information.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from enablement.errors import InvalidValueError
from enablement.learn.evaluate import LabelledDeal, baseline_configs, evaluate
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender

HEADLINE_METRIC = "ndcg@10"
SEARCH_STYLE = "search_style"
TUNED_LINEAR = "tuned_linear"  # the tuned config's linear scorer, without its learned ranker


@dataclass(frozen=True)
class Tuned:
    """A tuned configuration and what was chosen, for the report."""

    config: RecommenderConfig
    choice: Mapping[str, Any]


# Given only the training libraries and the starting config, returns the tuned config.
Tuner = Callable[[Sequence[Library], RecommenderConfig], Tuned]


def is_search_style(labelled: LabelledDeal) -> bool:
    """A deal with questions but no stage, vertical or persona: a search, not a deal context."""
    deal = labelled.deal
    questions = [q for q in deal.get("questions") or () if isinstance(q, str) and q.strip()]
    return bool(questions) and not any(deal.get(key) for key in ("stage", "vertical", "persona"))


def score_library(recommender: Recommender, deals: Sequence[LabelledDeal]) -> dict[str, Any]:
    """Metrics over all `deals` ("overall") and over the search-style ones ("search_style")."""
    # Tags are replaced by the one derived group, so evaluate's per-tag summary gives the subset
    # without ranking those deals twice.
    grouped = [replace(d, tags=(SEARCH_STYLE,) if is_search_style(d) else ()) for d in deals]
    result = evaluate(recommender, grouped)
    empty = {**dict.fromkeys(("ndcg@5", "ndcg@10", "recall@10", "mrr"), 0.0)}
    search = result["by_tag"].get(SEARCH_STYLE, {**empty, "violations": 0, "queries": 0})
    return {"overall": result["overall"], SEARCH_STYLE: search}


def with_config(library: Library, config: RecommenderConfig) -> Recommender:
    base = library.recommender
    return Recommender(base.bundle, base.encoder, base.taxonomy, config)


def leave_one_library_out(
    libraries: Sequence[Library],
    *,
    config: RecommenderConfig,
    tuner: Tuner,
    compare: bool = False,
) -> dict[str, Any]:
    """Each library held out in turn: tuned on the others, scored alone.

    Returns {"protocol", "libraries", "held_out", "headline"}; "held_out" holds, per library,
    the tuned, default and (with `compare`) baseline scores, the chosen config and the tuned
    config's in-training scores on the other libraries. Raises InvalidValueError for fewer than
    two libraries or a repeated name.
    """
    names = [library.name for library in libraries]
    if len(names) < 2 or len(set(names)) != len(names):
        raise InvalidValueError(
            f"Leave-one-out needs two or more distinct libraries, got {names}", field="libraries"
        )
    fixed = {"default": config, **(baseline_configs(config) if compare else {})}
    held_out: dict[str, Any] = {}
    for library in libraries:
        training = [other for other in libraries if other is not library]
        held_out[library.name] = _held_out_row(library, training, tuner(training, config), fixed)
    learned = any(TUNED_LINEAR in row for row in held_out.values())
    return {
        "protocol": "leave-one-library-out",
        "metric": HEADLINE_METRIC,
        "libraries": {library.name: describe(library) for library in libraries},
        "held_out": held_out,
        "headline": headline(held_out, ["tuned", *([TUNED_LINEAR] if learned else []), *fixed]),
    }


def _held_out_row(
    library: Library,
    training: Sequence[Library],
    tuned: Tuned,
    fixed: Mapping[str, RecommenderConfig],
) -> dict[str, Any]:
    """One held-out library's row of leave_one_library_out: the `tuned` config (and its linear
    scorer alone) and the `fixed` configs scored on it, and `tuned` on its `training`."""
    return {
        "trained_on": [other.name for other in training],
        "choice": dict(tuned.choice),
        "tuned": score_library(with_config(library, tuned.config), library.deals),
        **_linear_row(library, tuned.config),
        **{
            name: score_library(with_config(library, fixed_config), library.deals)
            for name, fixed_config in fixed.items()
        },
        "in_training": {
            other.name: evaluate(with_config(other, tuned.config), other.deals)["overall"]
            for other in training
        },
    }


def _linear_row(library: Library, config: RecommenderConfig) -> dict[str, Any]:
    """With a learned ranker in the tuned config, the same config's linear scorer alone too."""
    if config.ranker is None:
        return {}
    linear = replace(config, ranker=None)
    return {TUNED_LINEAR: score_library(with_config(library, linear), library.deals)}


def headline(held_out: Mapping[str, Any], configs: Sequence[str]) -> dict[str, Any]:
    """Per config: mean and minimum held-out nDCG@10 over libraries (and on search-style deals,
    over the libraries that have any)."""
    out: dict[str, Any] = {}
    for name in configs:
        overall = {lib: row[name]["overall"][HEADLINE_METRIC] for lib, row in held_out.items()}
        search = {
            lib: row[name][SEARCH_STYLE][HEADLINE_METRIC]
            for lib, row in held_out.items()
            if row[name][SEARCH_STYLE]["queries"]
        }
        out[name] = {
            "mean": _mean(overall.values()),
            "min": min(overall.values()),
            "min_library": min(overall, key=lambda lib: overall[lib]),
            "search_style_mean": _mean(search.values()) if search else None,
            "search_style_min": min(search.values()) if search else None,
            "violations": sum(int(row[name]["overall"]["violations"]) for row in held_out.values()),
        }
    return out


def _mean(values: Iterable[float]) -> float:
    items = [float(value) for value in values]
    return round(sum(items) / len(items), 4)


def describe(library: Library) -> dict[str, int]:
    return {
        "assets": len(library.recommender.bundle.assets),
        "deals": len(library.deals),
        "search_style_deals": sum(1 for deal in library.deals if is_search_style(deal)),
    }


def format_holdout(result: Mapping[str, Any]) -> str:
    """The leave-one-library-out result as compact text tables."""
    configs = list(result["headline"])
    held = result["held_out"]
    lines = ["held-out nDCG@10 (each library scored by a config tuned on the others)",
             f"{'library':22} {'n':>4} " + " ".join(f"{c[:11]:>11}" for c in configs)]  # fmt: skip
    for name, row in held.items():
        for group, label in (("overall", name), (SEARCH_STYLE, "  search-style")):
            n = row["tuned"][group]["queries"]
            if n:
                values = " ".join(f"{row[c][group][HEADLINE_METRIC]:11.3f}" for c in configs)
                lines.append(f"{label[:22]:22} {n:4d} {values}")
    for stat in ("mean", "min", "search_style_mean"):
        stats = [result["headline"][c][stat] for c in configs]
        cells = " ".join(f"{v:11.3f}" if v is not None else f"{'-':>11}" for v in stats)
        lines.append(f"{stat.replace('_', ' ')[:22]:22} {'':4} {cells}")
    lines.append(f"\n{'tuned, held out':22} {'nDCG@5':>7} {'nDCG@10':>7} {'R@10':>7} {'MRR':>7}")
    for name, row in held.items():
        s = row["tuned"]["overall"]
        lines.append(f"{name[:22]:22} {s['ndcg@5']:7.3f} {s['ndcg@10']:7.3f} "
                     f"{s['recall@10']:7.3f} {s['mrr']:7.3f}")  # fmt: skip
    lines.append("\nchosen (tuned on the other libraries only):")
    lines += [f"  {name}: {_chosen(row['choice'])}" for name, row in held.items()]
    lines.append("in training (information only, not a result):")
    for name, row in held.items():
        scores = ", ".join(
            f"{lib} {s[HEADLINE_METRIC]:.3f}" for lib, s in row["in_training"].items()
        )
        lines.append(f"  config for {name}: {scores}")
    broken = ", ".join(f"{c} {result['headline'][c]['violations']}" for c in configs)
    lines.append(f"hard-filter violations: {broken}")
    return "\n".join(lines)


def _chosen(choice: Mapping[str, Any]) -> str:
    """One fold's choice in a line: fusion, weights and, when it is on, product linking."""
    weights = ", ".join(f"{k} {v:g}" for k, v in choice.get("weights", {}).items())
    line = f"fusion {choice.get('fusion', '?')}; {weights}"
    linking = choice.get("linking") or {}
    if linking.get("enabled"):
        values = ", ".join(f"{k} {linking[k]:g}" for k in ("dense_weight", "floor", "margin"))
        line += f"; linking {values}"
    return line
