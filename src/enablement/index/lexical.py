"""Lexical search: BM25 (bm25s) over stemmed, stop-worded tokens."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from enablement.index.dense import Hits, Mask, top_k

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def analyze(text: str) -> list[str]:
    """Lowercased word tokens, English stop words removed, Snowball-stemmed."""
    stop = _stopwords()
    words = [word for word in _TOKEN.findall(text.lower()) if word not in stop]
    return list(_stemmer().stemWords(words))


def analyze_many(texts: Iterable[str]) -> list[list[str]]:
    """`analyze` for each of `texts`, stemming each distinct word once (most words repeat)."""
    stop = _stopwords()
    stems: dict[str, str] = {}
    out = []
    for text in texts:
        words = [word for word in _TOKEN.findall(text.lower()) if word not in stop]
        new = [word for word in dict.fromkeys(words) if word not in stems]
        if new:
            stems.update(zip(new, _stemmer().stemWords(new), strict=True))
        out.append([stems[word] for word in words])
    return out


class LexicalIndex:
    """BM25 over chunks; scores every row, so filters apply before ranking, never after."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._vocab: dict[str, int] = model.vocab_dict

    @classmethod
    def build(cls, texts: list[str], *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25(k1=k1, b=b)
        model.index([analyze(text) for text in texts], show_progress=False)
        return cls(model)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(path), show_progress=False, verbosity=0))

    def __len__(self) -> int:
        return int(self._model.scores["num_docs"])

    def knows(self, word: str) -> bool:
        """True when `word`, analysed as queries are, is in the index's vocabulary."""
        return any(token in self._vocab for token in analyze(word))

    def scores(self, query: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        tokens = [token for token in analyze(query) if token in self._vocab]
        if not tokens:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int, *, allowed: Mask | None = None) -> Hits:
        """The k best chunks sharing a term with `query` (none outside `allowed`), best first."""
        # a score of 0 shares no term with the query: not a lexical match
        return top_k(self.scores(query), k, allowed=allowed, floor=0.0)

    def save(self, path: Path) -> None:
        self._model.save(str(path), show_progress=False)
        (path / "analyzer.json").write_text(json.dumps({"stemmer": "english", "stopwords": "en"}))
