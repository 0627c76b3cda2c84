"""How well a second, independent reader agrees with a library's labels (reads data only).

Usage:
  python eval/agreement.py [--rankings DIR]

For each eval/agreement/NAME.jsonl (one line per deal: {"id", "ranked": [[asset_id, grade], ...]},
best first) it scores the second reader's ranking against eval/libraries/NAME/deals.jsonl with
the metrics `enablement eval` uses, over all those deals and their search-style subset. It also
scores the labels' own order (grade, then file order) against the second reader's grades, the
agreement read the other way. With --rankings DIR, a file DIR/NAME.jsonl of {"id", "ranked":
[asset_id, ...]} (such as eval/held_out_rankings.py writes) is scored on the same deals, so a
ranker and the second reader are compared deal for deal. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from enablement.learn.metrics import mean_scores, score_ranking

HERE = Path(__file__).resolve().parent


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def agreement(name: str, rankings: Path | None) -> dict[str, Any]:
    labelled = {deal["id"]: deal for deal in read_jsonl(HERE / "libraries" / name / "deals.jsonl")}
    reader = read_jsonl(HERE / "agreement" / f"{name}.jsonl")
    missing = [row["id"] for row in reader if row["id"] not in labelled]
    if missing:
        raise SystemExit(f"{name}: deals not in the library's labels: {missing}")
    search = {row["id"] for row in reader if "search_style" in labelled[row["id"]]["tags"]}
    scores = {}
    for row in reader:
        relevant = labelled[row["id"]]["relevant"]
        grades = dict(row["ranked"])
        by_labels = sorted(relevant, key=lambda asset: -relevant[asset])  # stable: file order
        scores[row["id"]] = {
            "second_reader": score_ranking([asset for asset, _ in row["ranked"]], relevant),
            "labels_against_reader": score_ranking(by_labels, grades),
        }
    if rankings is not None:
        ranked = {row["id"]: row["ranked"] for row in read_jsonl(rankings / f"{name}.jsonl")}
        for deal_id, row in scores.items():
            row["ranker"] = score_ranking(ranked[deal_id], labelled[deal_id]["relevant"])
    columns = sorted({column for row in scores.values() for column in row})
    return {
        "deals": len(scores),
        "search_style_deals": len(search),
        **{
            column: {
                "overall": mean_scores([row[column] for row in scores.values()]),
                "search_style": mean_scores([scores[d][column] for d in sorted(search)]),
            }
            for column in columns
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rankings", type=Path, default=None)
    args = parser.parse_args()
    names = sorted(path.stem for path in (HERE / "agreement").glob("*.jsonl"))
    result = {name: agreement(name, args.rankings) for name in names}
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
