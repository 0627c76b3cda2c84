"""Train the shipped asset-type intent model on every library and write models/intent/.

The weight is chosen out of library (each library ranked by a model trained on the others);
the saved model is then fitted on all libraries. Prints JSON: the chosen weight and the model's
C, temperature and out-of-fold log loss. Writes type_intent.npz and manifest.json (sha256,
classes, features, encoder, training data, date); the card README.md is kept by hand.

    .venv/bin/python scripts/train_intent.py [--libraries eval/libraries] [--out models/intent]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from enablement.evaluation import Evaluation
from enablement.recommend.intent import save_intent
from enablement.service import EnablementService
from enablement.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--out", type=Path, default=Path("models/intent"))
    parser.add_argument("--date", default=None, help="The date written on the card.")
    args = parser.parse_args()
    service = EnablementService(Settings())
    try:
        config, choice = Evaluation(service).train_intent(args.libraries)
    finally:
        service.close()
    if config.intent is None:
        print(json.dumps({"error": "no model trained", **choice}))
        return 1
    names = sorted(p.name for p in args.libraries.iterdir() if p.is_dir())
    card = {
        "training_data": f"{args.libraries}: {', '.join(names)} (questions of labelled deals; "
        "targets: grade-weighted types of their grade >= 2 assets)",
        "weight": choice["type_intent"],
        "weight_ndcg@10_out_of_library": choice["type_intent_ndcg@10"],
        "fit": choice["intent_model"],
        "date": args.date,
    }
    save_intent(config.intent, args.out, **card)
    print(json.dumps({"command": " ".join(["python", *sys.argv]), **card}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
