"""The tag model: one classifier per field over an asset's words and its embedding, trained on the
tagged assets it is given, answering per untagged asset a probability for each value, and why.

Features: TF-IDF of the title (twice: it names the subject), the path's words (folders often
name the type) and the first TEXT_CHARS of the text, words and word pairs, beside the asset's
embedding (the bundle's asset vector, unit length). A logistic regression per field: for `type`
one multinomial model (an asset has one type); for stages, verticals and personas one binary
model per value (an asset may have several). Logistic regression's probabilities are close to
calibrated at this size (tagging/evaluate.py measures it), and its weights say which words
carried a value. C=16, a library's own examples weighing 3 against a reference library's, and
the default threshold were chosen on the labelled libraries, each one's tags hidden in turn and
suggested from the others (benchmarks/tag_accuracy.py).

What an absent field means differs: a missing stage, persona or type is a gap, so those models
learn from tagged assets only. An asset with no vertical is, in a curated library, one for
every industry: so for verticals a reference asset with none is a negative for every value (the
model learns when not to name one). The library's own untagged assets are what is being asked
about, so they are never examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from enablement.tagging.suggestion import FIELDS, MULTI_VALUED, Field, Neighbour, Why

TEXT_CHARS: Final = 4000  # of the body: the opening says what an asset is and for whom
_PATH_SPLIT = re.compile(r"[/\\_.\-]+")
NEGATIVE_WHEN_UNTAGGED: Final = frozenset({"verticals"})
MIN_EXAMPLES: Final = 2  # a value with fewer tagged assets is not learned


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
        path = _PATH_SPLIT.sub(" ", self.path)
        return f"{self.title}\n{self.title}\n{path}\n{self.text[:TEXT_CHARS]}"

    def has(self, field: str) -> bool:
        return bool(self.tags.get(field))


@dataclass(frozen=True)
class TagOptions:
    c: float = 16.0  # logistic regression's inverse regularisation
    same_library_weight: float = 3.0  # an example from the library itself, against reference
    class_weight: str | None = "balanced"  # of a list field's binary models
    why_words: int = 3
    why_neighbours: int = 2


DEFAULT_OPTIONS: Final = TagOptions()


class TagModel:
    """Fit on tagged documents (`fit`), then score any document's missing fields (`score`)."""

    def __init__(self, options: TagOptions = DEFAULT_OPTIONS) -> None:
        self.options = options
        self._words = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=50_000,
            stop_words="english", dtype=np.float32,
        )  # fmt: skip
        self._models: dict[str, list[tuple[str, LogisticRegression, int]]] = {}
        self._train: list[TagDocument] = []
        self._train_vectors: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)

    def fit(
        self, documents: Sequence[TagDocument], *, own: frozenset[str] = frozenset()
    ) -> TagModel:
        """Learn every field from `documents`; those whose id is in `own` (the library's own
        assets) weigh `same_library_weight` against the rest (a reference library's)."""
        self._train = list(documents)
        words = self._words.fit_transform([d.words() for d in documents]) if documents else None
        self._train_vectors = _unit([d.vector for d in documents])
        if words is None or not documents:
            return self
        features = _stack(words, self._train_vectors)
        weight = np.asarray(
            [self.options.same_library_weight if d.id in own else 1.0 for d in documents]
        )
        for field in FIELDS:
            self._models[field] = self._fit_field(field, documents, features, weight, own)
        return self

    def _fit_field(
        self, field: str, documents: Sequence[TagDocument], features: Any, weight: Any,
        own: frozenset[str],
    ) -> list[tuple[str, LogisticRegression, int]]:  # fmt: skip
        tagged = [i for i, d in enumerate(documents) if d.has(field)]
        if field not in MULTI_VALUED:
            labels = [documents[i].tags[field][0] for i in tagged]
            if len(set(labels)) < 2:
                return []
            model = LogisticRegression(C=self.options.c, max_iter=2000)
            model.fit(features[tagged], labels, sample_weight=weight[tagged])
            return [(str(value), model, row) for row, value in enumerate(model.classes_)]
        rows = tagged
        if field in NEGATIVE_WHEN_UNTAGGED:
            rows = [i for i, d in enumerate(documents) if d.has(field) or d.id not in own]
        values = sorted({v for i in tagged for v in documents[i].tags[field]})
        fitted = []
        for value in values:
            target = np.asarray([value in documents[i].tags.get(field, ()) for i in rows])
            if target.sum() < MIN_EXAMPLES or target.all():
                continue
            model = LogisticRegression(
                C=self.options.c, max_iter=2000, class_weight=self.options.class_weight
            )
            model.fit(features[rows], target, sample_weight=weight[rows])
            fitted.append((value, model, 1))
        return fitted

    def score(self, documents: Sequence[TagDocument], field: Field) -> Scores:
        """Every value of `field` the model knows, with its probability for each document (for
        a multinomial field the probabilities sum to 1 per document)."""
        fitted = self._models.get(field, [])
        words = self._words.transform([d.words() for d in documents]) if documents else None
        vectors = _unit([d.vector for d in documents])
        if words is None or not fitted:
            return Scores(self, field, [], np.zeros((len(documents), 0)), words, vectors)
        features = _stack(words, vectors)
        answered = {id(m): m.predict_proba(features) for _, m, _ in fitted}
        columns = [answered[id(model)][:, column] for _, model, column in fitted]
        return Scores(self, field, fitted, np.stack(columns, axis=1), words, vectors)

    def why(self, scores: Scores, row: int, value_index: int) -> Why:
        """What carried value `value_index` of `scores` for its document `row`."""
        value, model, column = scores.fitted[value_index]
        return Why(
            words=self._carrying_words(model, column, scores.words[row]),
            neighbours=self._neighbours(scores.field, value, scores.vectors[row]),
        )

    def _carrying_words(
        self, model: LogisticRegression, column: int, words: Any
    ) -> tuple[str, ...]:
        """The words of this document that pushed hardest toward the value."""
        coef = model.coef_[0 if model.coef_.shape[0] == 1 else column]
        if model.coef_.shape[0] == 1 and column == 0:
            coef = -coef
        row = words.tocsr()
        if row.nnz == 0:
            return ()
        pushes = row.data * coef[row.indices]
        order = np.argsort(-pushes)[: self.options.why_words]
        names = self._names
        return tuple(str(names[row.indices[j]]) for j in order if pushes[j] > 0)

    @cached_property
    def _names(self) -> Any:
        return self._words.get_feature_names_out()

    @cached_property
    def _having(self) -> dict[tuple[str, str], npt.NDArray[np.intp]]:
        """Per (field, value), the training documents that have it."""
        found: dict[tuple[str, str], list[int]] = {}
        for i, document in enumerate(self._train):
            for field, values in document.tags.items():
                for value in values:
                    found.setdefault((field, value), []).append(i)
        return {key: np.asarray(rows, dtype=np.intp) for key, rows in found.items()}

    def _neighbours(
        self, field: str, value: str, vector: npt.NDArray[np.float32]
    ) -> tuple[Neighbour, ...]:
        """The tagged assets with the value closest to this one."""
        having = self._having.get((field, value))
        if having is None or not len(having):
            return ()
        similarity = self._train_vectors[having] @ vector
        order = np.argsort(-similarity)[: self.options.why_neighbours]
        return tuple(
            Neighbour(self._train[having[j]].id, self._train[having[j]].title,
                      round(float(similarity[j]), 3))
            for j in order
        )  # fmt: skip


@dataclass(frozen=True)
class Scores:
    """A field's scores for some documents: `probabilities[row, i]` is the probability of
    `fitted[i]`'s value; `words` and `vectors` are the documents' features, for `why`."""

    model: TagModel
    field: str
    fitted: list[tuple[str, LogisticRegression, int]]
    probabilities: npt.NDArray[np.float64]
    words: Any
    vectors: npt.NDArray[np.float32]

    @property
    def values(self) -> list[str]:
        return [value for value, _, _ in self.fitted]


def _unit(vectors: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    if not vectors:
        return np.zeros((0, 0), np.float32)
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    return unit


def _stack(words: Any, vectors: npt.NDArray[np.float32]) -> Any:
    return hstack([words, csr_matrix(vectors)]).tocsr()
