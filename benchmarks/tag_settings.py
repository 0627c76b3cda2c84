"""The tag model's settings, chosen leave-one-library-out. Prints JSON.

Every setting of a grid (logistic regression's C, the title block's weight and a library's own
examples' weight) is run as benchmarks/tag_accuracy.py runs the default: each labelled
library's hidden tags suggested back from its other assets and the other libraries, `--draws`
draws pooled. A field is scored by its strict figure (type accuracy, stage, vertical and persona
macro-F1, an uncovered field counting as a miss: so a setting cannot score by saying less; for
verticals with "none" a value, so it cannot score by naming one for an asset meant for every
industry either).

C is chosen per field: each field's models are its own (tagging/model.py), so a run with one C
for every field measures each field at that C, and the fields' best Cs combine exactly. The
other two weigh what every field reads, so they are chosen jointly: for each pair, every field's
best C, and the pair whose fields then score best on average.

For each library in turn, the choice is made on the *other* libraries and its figures on the
held-out one reported: what a library the settings never saw gets. The defaults are the choice
made on all of them (`chosen_on_all`); `default_chosen` says whether TagOptions' defaults are it.

    .venv/bin/python benchmarks/tag_settings.py [--libraries eval/libraries] [--hide 0.3]
        [--seed 0] [--draws 3]

About 25 minutes once the embedding cache holds the libraries.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import asdict, replace
from statistics import mean
from typing import Any

from tag_accuracy import add_hiding_arguments, tag_libraries, targets_met

from enablement.tagging.evaluate import evaluate_tags
from enablement.tagging.model import DEFAULT_OPTIONS, TagOptions
from enablement.tagging.suggestion import FIELDS

C_GRID = (0.25, 1.0, 4.0, 16.0, 64.0, 256.0, 1024.0)
SHARED_GRID = {"title_weight": (0.0, 1.0, 2.0), "same_library_weight": (1.0, 3.0)}
STRICT = {"type": "strict_accuracy", "stages": "strict_macro_f1",
          "verticals": "strict_macro_f1_with_none", "personas": "strict_macro_f1"}  # fmt: skip
Shared = tuple[float, ...]  # a value per SHARED_GRID name
Runs = dict[tuple[float, Shared], dict[str, Any]]  # (C, shared) -> per library, its figures


def strict(figures: dict[str, Any], field: str) -> float:
    return float(figures[field][STRICT[field]] or 0.0)


def options(c: dict[str, float], shared: Shared) -> TagOptions:
    """TagOptions with C `c[field]` per field and the shared weights."""
    return replace(DEFAULT_OPTIONS, **{f"c_{field}": c[field] for field in FIELDS},
                   **dict(zip(SHARED_GRID, shared, strict=True)))  # fmt: skip


def label(chosen: TagOptions) -> str:
    names = [f"c_{field}" for field in FIELDS] + list(SHARED_GRID)
    return ",".join(f"{name}={getattr(chosen, name):g}" for name in names)


def choose(runs: Runs, libraries: list[str]) -> tuple[TagOptions, float]:
    """The setting scoring best on `libraries`: per shared pair each field's best C, then the
    pair with the best mean over fields. With that mean."""
    best: tuple[float, TagOptions] | None = None
    for shared in itertools.product(*SHARED_GRID.values()):

        def on(c: float, field: str, shared: Shared = shared) -> float:
            return mean(strict(runs[(c, shared)][name], field) for name in libraries)

        c = {field: max(C_GRID, key=lambda value, f=field: on(value, f)) for field in FIELDS}
        found = mean(on(c[field], field) for field in FIELDS)
        if best is None or found > best[0]:
            best = (found, options(c, shared))
    assert best is not None
    return best[1], round(best[0], 4)


def held_out_figures(runs: Runs, chosen: TagOptions, name: str) -> dict[str, Any]:
    """`name`'s figures under `chosen`: each field's from the run at its C."""
    shared = tuple(getattr(chosen, key) for key in SHARED_GRID)
    return {field: runs[(chosen.c(field), shared)][name][field] for field in FIELDS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_hiding_arguments(parser, draws=3)
    args = parser.parse_args()
    started = time.monotonic()
    libraries = tag_libraries(args.libraries)
    seeds = range(args.seed, args.seed + args.draws)
    runs: Runs = {
        (c, shared): evaluate_tags(libraries, share=args.hide, seeds=seeds,
                                   options=options(dict.fromkeys(FIELDS, c), shared))["libraries"]
        for c in C_GRID for shared in itertools.product(*SHARED_GRID.values())
    }  # fmt: skip
    names = [library.name for library in libraries]
    held_out: dict[str, Any] = {}
    for name in names:
        chosen, on_others = choose(runs, [n for n in names if n != name])
        figures = held_out_figures(runs, chosen, name)
        held_out[name] = {
            "chosen": label(chosen), "score_on_others": on_others,
            "score": round(mean(strict(figures, field) for field in FIELDS), 4),
            **figures, "targets_met": targets_met(figures),
        }  # fmt: skip
    on_all, score_on_all = choose(runs, names)
    print(json.dumps({
        "command": " ".join(["python", *sys.argv]), "seconds": round(time.monotonic() - started),
        "c_grid": C_GRID, "shared_grid": SHARED_GRID, "draws": args.draws,
        "chosen_on_all": label(on_all), "score_on_all": score_on_all,
        "default": label(DEFAULT_OPTIONS), "default_chosen": on_all == DEFAULT_OPTIONS,
        "held_out": held_out,
        "strict": {f"c={c:g}," + ",".join(f"{k}={v:g}" for k, v in
                                          zip(SHARED_GRID, shared, strict=True)):
                   {name: {field: strict(f, field) for field in FIELDS} for name, f in run.items()}
                   for (c, shared), run in runs.items()},
        "options": asdict(DEFAULT_OPTIONS),
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
