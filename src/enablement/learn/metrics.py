"""Ranking metrics over graded relevance labels (linear gain, as trec_eval computes them)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

METRICS = ("ndcg@5", "ndcg@10", "recall@10", "mrr")


def dcg(gains: Sequence[float]) -> float:
    return sum(gain / math.log2(position + 2) for position, gain in enumerate(gains))


def ndcg(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """nDCG@k; 0 when nothing is relevant."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([relevant.get(doc, 0) for doc in ranked[:k]]) / ideal


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int]) -> float:
    for position, doc in enumerate(ranked, start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / position
    return 0.0


def score_ranking(ranked: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    return {
        "ndcg@5": ndcg(ranked, relevant, 5),
        "ndcg@10": ndcg(ranked, relevant, 10),
        "recall@10": recall(ranked, relevant, 10),
        "mrr": reciprocal_rank(ranked, relevant),
    }


def mean_scores(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    if not rows:
        return dict.fromkeys(METRICS, 0.0)
    return {name: round(sum(row[name] for row in rows) / len(rows), 4) for name in METRICS}


def claim_counts(claimed: Sequence[bool], answering: Sequence[bool]) -> dict[str, Any]:
    """Precision and recall of "answers" claims over recommended assets: of those claimed, the
    share that answer; of those that answer, the share claimed (None when undefined)."""
    true = sum(1 for c, a in zip(claimed, answering, strict=True) if c and a)
    made, wanted = sum(claimed), sum(answering)
    return {
        "assets": len(claimed),
        "answering": wanted,
        "claimed": made,
        "precision": round(true / made, 4) if made else None,
        "recall": round(true / wanted, 4) if wanted else None,
    }
