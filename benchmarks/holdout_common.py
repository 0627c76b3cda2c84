"""What the leave-one-library-out benchmarks share: the arguments, the run and the JSON printed."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from enablement.evaluation import Evaluation
from enablement.learn.holdout import Tuner, leave_one_library_out
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.service import EnablementService
from enablement.settings import Settings

Annotate = Callable[[Sequence[Library], dict[str, Any]], None]


def run_holdout(
    description: str | None,
    config: RecommenderConfig,
    tuner: Tuner,
    annotate: Annotate | None = None,
) -> int:
    """Parses --libraries, runs leave-one-library-out with `tuner` from `config`, lets `annotate`
    add to the result while the libraries are loaded, and prints it as JSON with the command."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    args = parser.parse_args()
    service = EnablementService(Settings())
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            result = leave_one_library_out(libraries, config=config, tuner=tuner)
            if annotate is not None:
                annotate(libraries, result)
    finally:
        service.close()
    print(json.dumps({"command": " ".join(["python", *sys.argv]), **result}, indent=2))
    return 0
