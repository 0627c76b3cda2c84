"""Unanswered demand: buyer questions the library answers poorly, grouped into themes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from enablement.embedding import Encoder

MAX_QUESTIONS = 5_000  # the most recent ones are clustered; the count covers them all


@dataclass(frozen=True)
class Theme:
    label: str  # the words that set this theme apart
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


def themes(
    questions: list[dict[str, Any]], encoder: Encoder, *, distance: float = 0.6, examples: int = 3
) -> list[Theme]:
    """Cluster `questions` (rows with text, best_score, stage, vertical) by meaning.

    Agglomerative clustering on the model's embeddings with average linkage and a cosine distance
    cut, so the number of themes follows the data; each theme is named by its top TF-IDF terms.
    """
    if not questions:
        return []
    texts = [q["text"] for q in questions]
    unique = sorted(set(texts))
    vectors = encoder.encode_queries(unique)
    if len(unique) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
        ).fit_predict(vectors)
    cluster_of = dict(zip(unique, labels.tolist(), strict=True))
    members: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for question in questions:
        members[cluster_of[question["text"]]].append(question)
    names = _names(unique, labels)
    out = [
        Theme(
            label=names[cluster],
            count=len(rows),
            best_score=float(np.mean([r["best_score"] for r in rows])),
            examples=_examples(rows, examples),
            stages=_tally(rows, "stage"),
            verticals=_tally(rows, "vertical"),
        )
        for cluster, rows in members.items()
    ]
    return sorted(out, key=lambda t: (-t.count, t.label))


def _names(texts: list[str], labels: np.ndarray) -> dict[int, str]:
    """Each cluster's three most distinctive terms (TF-IDF over the clusters' joined text)."""
    clusters = sorted(set(labels.tolist()))
    documents = [
        " ".join(t for t, c in zip(texts, labels, strict=True) if c == k) for k in clusters
    ]
    try:
        tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), max_features=5000)
        matrix = tfidf.fit_transform(documents).toarray()
    except ValueError:  # nothing but stop words
        return {k: documents[i][:60] for i, k in enumerate(clusters)}
    vocabulary = tfidf.get_feature_names_out()
    names = {}
    for i, cluster in enumerate(clusters):
        top = [vocabulary[j] for j in np.argsort(-matrix[i])[:6] if matrix[i, j] > 0]
        chosen: list[str] = []
        for term in top:  # skip a word already inside a chosen phrase
            if not any(term in other or other in term for other in chosen):
                chosen.append(term)
        names[cluster] = ", ".join(chosen[:3]) or documents[i][:60]
    return names


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
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
