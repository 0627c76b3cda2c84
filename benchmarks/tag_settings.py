"""The tag model's settings, chosen leave-one-library-out. Prints JSON.

Every setting of a grid (TagOptions' C, title_weight and same_library_weight) is run as
benchmarks/tag_accuracy.py runs the default: each labelled library's hidden tags suggested back
from its other assets and the other libraries, `--draws` draws pooled. A setting's score on a
library is the mean of its four strict figures (type accuracy, stage, vertical and persona
macro-F1, an uncovered field counting as a miss: so a setting cannot score by saying less).

Then, for each library in turn, the setting with the best mean score on the *other* libraries is
chosen and its figures on the held-out one reported: what a library the settings never saw
gets. `default_chosen` says whether every library's choice is TagOptions' default.

    .venv/bin/python benchmarks/tag_settings.py [--libraries eval/libraries] [--hide 0.3]
        [--draws 3]

About nine minutes once the embedding cache holds the libraries.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from statistics import mean
from typing import Any

from tag_accuracy import tag_libraries, targets_met

from enablement.tagging.evaluate import evaluate_tags
from enablement.tagging.model import DEFAULT_OPTIONS, TagOptions

GRID = {"c": (64.0, 256.0, 1024.0), "title_weight": (0.0, 1.0, 2.0),
        "same_library_weight": (1.0, 3.0)}  # fmt: skip
STRICT = {"type": "strict_accuracy", "stages": "strict_macro_f1",
          "verticals": "strict_macro_f1", "personas": "strict_macro_f1"}  # fmt: skip


def score(figures: dict[str, Any]) -> float:
    return mean((figures[field][metric] or 0.0) for field, metric in STRICT.items())


def settings() -> list[TagOptions]:
    names = list(GRID)
    return [replace(DEFAULT_OPTIONS, **dict(zip(names, values, strict=True)))
            for values in itertools.product(*GRID.values())]  # fmt: skip


def label(options: TagOptions) -> str:
    return ",".join(f"{name}={getattr(options, name):g}" for name in GRID)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--hide", type=float, default=0.3)
    parser.add_argument("--draws", type=int, default=3)
    args = parser.parse_args()
    started = time.monotonic()
    libraries = tag_libraries(args.libraries)
    runs = {label(options): evaluate_tags(libraries, share=args.hide, seeds=range(args.draws),
                                          options=options)["libraries"]
            for options in settings()}  # fmt: skip
    scores = {setting: {name: round(score(f), 4) for name, f in run.items()}
              for setting, run in runs.items()}  # fmt: skip
    held_out: dict[str, Any] = {}
    for name in (library.name for library in libraries):
        chosen = max(scores, key=lambda s: mean(v for n, v in scores[s].items() if n != name))
        figures = runs[chosen][name]
        held_out[name] = {
            "chosen": chosen, "score": scores[chosen][name],
            **{field: figures[field] for field in STRICT}, "targets_met": targets_met(figures),
        }  # fmt: skip
    default = label(DEFAULT_OPTIONS)
    print(json.dumps({
        "command": " ".join(["python", *sys.argv]), "seconds": round(time.monotonic() - started),
        "grid": GRID, "draws": args.draws, "default": default,
        "default_chosen": all(h["chosen"] == default for h in held_out.values()),
        "held_out": held_out, "scores": scores,
        "options": asdict(DEFAULT_OPTIONS),
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
