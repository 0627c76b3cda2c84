"""Fakes for fast tests: a deterministic hashing encoder (similar texts get similar vectors) and
an answer model that claims by fused relevance, as the recommender did before its calibrated one."""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np

from enablement.embedding import Vectors
from enablement.recommend.answers import FEATURES as ANSWER_FEATURES
from enablement.recommend.answers import AnswerModel

_WORD = re.compile(r"[a-z0-9]+")


class HashingEncoder:
    """Bag of words (and word pairs) hashed into `dimension` buckets, L2-normalised."""

    def __init__(self, dimension: int = 384) -> None:
        self.name = f"test-hashing-{dimension}"
        self.dimension = dimension
        self.calls: list[int] = []  # batch sizes, so tests can see what was encoded

    def encode_queries(self, texts: list[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> Vectors:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> Vectors:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w[:6] for w in _WORD.findall(text.lower())]  # a crude stemmer
            for token in words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


def relevance_answers(
    encoder: str = "test-hashing-384",
    *,
    floor: float = 0.6,
    gates: tuple[float, float] = (0.0, 0.0),
) -> AnswerModel:
    """An answer model for the fake encoder: claims exactly when a passage's fused relevance
    reaches `floor` (steep logistic on that one feature), for questions past `gates` (closest
    passage cosine, vocabulary share); none by default."""
    width = len(ANSWER_FEATURES)
    coef = np.zeros(width, dtype=np.float32)
    coef[ANSWER_FEATURES.index("relevance")] = 200.0
    return AnswerModel(
        mean=np.zeros(width, dtype=np.float32),
        scale=np.ones(width, dtype=np.float32),
        coef=coef,
        intercept=-200.0 * floor + 1e-3,
        threshold=0.5,
        encoder=encoder,
        floors=gates,
    )
