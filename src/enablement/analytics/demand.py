"""Unanswered demand: buyer questions the library answers poorly, grouped into themes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sqlalchemy import Integer, desc, func, select

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources, is_unanswered
from enablement.analytics.table import AuditTable
from enablement.db import tables
from enablement.index.cache import EmbeddingCache, encode_with_cache

# The most recently asked distinct questions are clustered (the summary counts them all):
# average-linkage clustering is quadratic, and 2,000 questions cluster in about 0.25 s.
MAX_TEXTS = 2_000
COLUMNS = ["theme", "questions", "mean_best_score", "examples", "stages", "verticals"]


@dataclass(frozen=True)
class Theme:
    label: str  # its most typical question: the one nearest the theme's centre
    count: int
    best_score: float  # the closest passage any of them found, on average
    examples: list[str]
    stages: dict[str, int]
    verticals: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.label,
            "questions": self.count,
            "mean_best_score": round(self.best_score, 4),
            "examples": self.examples,
            "stages": self.stages,
            "verticals": self.verticals,
        }


def demand_table(sources: AuditSources, filters: AuditFilters) -> AuditTable:
    """Buyer questions no passage answered well, clustered into themes: a writing brief."""
    rows, asked, unanswered = _unanswered(sources, filters)
    texts = list(dict.fromkeys(r["text"] for r in rows))
    found = []
    if texts:  # the model is loaded only when there is something to cluster
        cache = EmbeddingCache(sources.engine)
        vectors, _ = encode_with_cache(texts, encoder=sources.encoder(), cache=cache, queries=True)
        found = themes(rows, dict(zip(texts, vectors, strict=True)))
    below = sources.options.unanswered_below
    return AuditTable(
        "demand", filters.to_dict(), COLUMNS, [t.to_dict() for t in found],
        notes=["A question is unanswered when no recommended asset answers it, by the answer "
               "model the sidebar's \u201cAnswers\u201d claims come from (questions asked before "
               f"that model: when their closest passage scored under {below}). Themes cluster "
               f"the {MAX_TEXTS:,} most recently asked distinct unanswered questions; each is "
               "named by its most typical question."],
        summary={"questions_asked": asked, "unanswered": unanswered,
                 "clustered": sum(r["count"] for r in rows), "themes": len(found)},
    )  # fmt: skip


def _unanswered(
    sources: AuditSources, filters: AuditFilters
) -> tuple[list[dict[str, Any]], int, int]:
    """The most recent distinct unanswered questions (grouped by text, stage and vertical, with
    their count and mean best score), how many questions were asked and how many unanswered."""
    q = tables.questions.c
    where = filters.conditions(q)
    weak = is_unanswered(q, sources.options)
    last = func.max(q.occurred_at).label("last")
    grouped = (
        select(q.text, q.stage, q.vertical, func.count().label("count"),
               func.avg(q.best_score).label("best_score"), last)
        .where(*where, weak)
        .group_by(q.text, q.stage, q.vertical)
        .order_by(desc(last))
        .limit(MAX_TEXTS * 4)
    )  # fmt: skip
    counts = select(func.count(), func.sum(weak.cast(Integer))).where(*where)
    with sources.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(grouped)]
        asked, unanswered = connection.execute(counts.select_from(tables.questions)).one()
    keep = set(list(dict.fromkeys(r["text"] for r in rows))[:MAX_TEXTS])
    rows = [r for r in rows if r["text"] in keep]
    return rows, int(asked or 0), int(unanswered or 0)


def themes(
    questions: list[dict[str, Any]],
    vectors: dict[str, np.ndarray],
    *,
    distance: float = 0.6,
    examples: int = 3,
) -> list[Theme]:
    """Cluster `questions` (rows with text, count, best_score, stage, vertical) by meaning, given
    each text's unit vector; the largest theme first.

    Agglomerative clustering with average linkage and a cosine distance cut, so the number of
    themes follows the data; each theme is named by its most typical question (`_name`).
    """
    if not questions:
        return []
    unique = sorted(vectors)
    if len(unique) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        matrix = np.stack([vectors[t] for t in unique]).astype(np.float32)
        distances = np.clip(1.0 - matrix @ matrix.T, 0.0, 2.0)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
        ).fit_predict(distances)
    cluster_of = dict(zip(unique, labels.tolist(), strict=True))
    members: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for question in questions:
        members[cluster_of[question["text"]]].append(question)
    out = [_theme(_name(rows, vectors), rows, examples) for rows in members.values()]
    return sorted(out, key=lambda t: (-t.count, t.label))


def _theme(label: str, rows: list[dict[str, Any]], examples: int) -> Theme:
    weights = [int(r.get("count", 1)) for r in rows]
    return Theme(
        label=label,
        count=sum(weights),
        best_score=float(np.average([r["best_score"] for r in rows], weights=weights)),
        examples=_examples(rows, examples),
        stages=_tally(rows, "stage"),
        verticals=_tally(rows, "vertical"),
    )


def _name(rows: list[dict[str, Any]], vectors: dict[str, np.ndarray]) -> str:
    """A theme's most typical question: the one nearest the centre of its questions' vectors,
    each weighted by how often it was asked; a tie goes to the more asked, then the first in
    alphabetical order. A question a buyer asked names the theme better than its key words."""
    asked: dict[str, int] = {}
    for row in rows:
        asked[row["text"]] = asked.get(row["text"], 0) + int(row.get("count", 1))
    texts = sorted(asked)
    matrix = np.stack([vectors[t] for t in texts]).astype(np.float64)
    centre = np.average(matrix, axis=0, weights=[asked[t] for t in texts])
    # Unit vectors: the dot product with the centre ranks them as the cosine would. Rounded,
    # so float noise cannot break a tie between equally near questions.
    nearness = dict(zip(texts, (round(float(v), 9) for v in matrix @ centre), strict=True))
    return min(texts, key=lambda t: (-nearness[t], -asked[t], t))


def _examples(rows: list[dict[str, Any]], count: int) -> list[str]:
    seen: list[str] = []
    for row in sorted(rows, key=lambda r: r["best_score"]):
        if row["text"] not in seen:
            seen.append(row["text"])
        if len(seen) == count:
            break
    return seen


def _tally(rows: list[dict[str, Any]], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        value = row.get(key) or "unknown"
        counts[value] = counts.get(value, 0) + int(row.get("count", 1))
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
