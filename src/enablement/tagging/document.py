"""An asset as the tag model reads it (TagDocument), and its words as the model's features
(WordBlocks): TF-IDF of its whole opening, and of its name alone in a block of its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer

TEXT_CHARS: Final = 4000  # of the body: the opening says what an asset is and for whom
_PATH_SPLIT = re.compile(r"[/\\_.\-]+")


@dataclass(frozen=True)
class TagDocument:
    """An asset as the tag model reads it: its words, its embedding and the tags it has."""

    id: str
    title: str
    path: str
    text: str
    vector: npt.NDArray[np.float32]
    tags: Mapping[str, tuple[str, ...]]  # field -> values; () or absent: untagged
    content_hash: str = ""

    def words(self) -> str:
        return f"{self.title}\n{self.name()}\n{self.text[:TEXT_CHARS]}"

    def name(self) -> str:
        """What the asset is called: its title and its path's words."""
        return f"{self.title}\n{_PATH_SPLIT.sub(' ', self.path)}"

    def has(self, field: str) -> bool:
        return bool(self.tags.get(field))


class WordBlocks:
    """The two word blocks: TF-IDF of an asset's whole opening (TagDocument.words), and of its
    name alone (TagDocument.name) weighted `title_weight`; each block is normalised on its own.
    A block with no word in two documents or more (a tiny library) is left out."""

    def __init__(self, title_weight: float) -> None:
        self._blocks: list[tuple[TfidfVectorizer, Callable[[TagDocument], str], float]] = [
            (_tfidf(max_features=50_000), TagDocument.words, 1.0),
            (_tfidf(max_features=10_000), TagDocument.name, title_weight),
        ]

    def fit_transform(self, documents: Sequence[TagDocument]) -> Any:
        fitted, parts = [], []
        for vectorizer, text, weight in self._blocks:
            if not weight:
                continue
            try:
                parts.append(vectorizer.fit_transform([text(d) for d in documents]) * weight)
            except ValueError:  # no term is left after min_df
                continue
            fitted.append((vectorizer, text, weight))
        self._blocks = fitted
        return _join(parts, len(documents))

    def transform(self, documents: Sequence[TagDocument]) -> Any:
        return _join(
            [v.transform([text(d) for d in documents]) * w for v, text, w in self._blocks],
            len(documents),
        )

    @cached_property
    def names(self) -> npt.NDArray[np.str_]:
        """Each column's word or word pair, in transform's order."""
        return np.concatenate(
            [v.get_feature_names_out() for v, _, _ in self._blocks] or [np.zeros(0, np.str_)]
        )


def _join(parts: list[Any], rows: int) -> Any:
    return (hstack(parts) if parts else csr_matrix((rows, 0), dtype=np.float32)).tocsr()


def _tfidf(max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=max_features,
        stop_words="english", dtype=np.float32,
    )  # fmt: skip
