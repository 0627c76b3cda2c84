"""The tag model: one classifier per field over an asset's words and its embedding, trained on the
tagged assets it is given, answering per untagged asset a probability for each value, and why.
Features (tagging/document.py), three blocks side by side: TF-IDF of the title (twice: it names
the subject), the path's words (folders often name the type) and the first TEXT_CHARS of the
text, words and word pairs; TF-IDF of the title and path alone, weighted `title_weight` (names
like "Quick Facts", "Corporate Overview" or "Pricing" carry type and stage across libraries, and
in the first block a long text drowns them); and the asset's embedding (the bundle's asset
vector, unit length). A logistic regression per field: for `type` one multinomial model (an
asset has one type); for stages, verticals and personas one binary model per value (an asset may
have several). Logistic regression's probabilities are close to calibrated from 0.4 up, where
the review list looks (tagging/evaluate.py measures it; below, over-confident), and its weights
say which words carried a value. C (per field), the title block's weight and a library's own
examples' weight against a reference library's were chosen leave-one-library-out on the
labelled libraries (benchmarks/tag_settings.py).

What an absent field means differs: a missing stage, persona or type is a gap, so those models
learn from tagged assets only. An asset with no vertical is, in a curated library, one for
every industry: so for verticals a reference asset with none is a negative for every value (the
model learns when not to name one). The library's own untagged assets are what is being asked
about, so they are never examples.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from enablement.tagging.document import TagDocument, WordBlocks
from enablement.tagging.suggestion import FIELDS, MULTI_VALUED, Field, Neighbour, Why

NEGATIVE_WHEN_UNTAGGED: Final = frozenset({"verticals"})
MIN_EXAMPLES: Final = 2  # a value with fewer tagged assets is not learned


@dataclass(frozen=True)
class TagOptions:
    # logistic regression's inverse regularisation, per field: the multinomial type model needs
    # little of it to put one value of a dozen over the threshold; the list fields' binary
    # models, each value against the rest on a few examples, are steadier with more
    c_type: float = 256.0
    c_stages: float = 4.0
    c_verticals: float = 1.0
    c_personas: float = 1.0
    same_library_weight: float = 1.0  # an example from the library itself, against reference
    title_weight: float = 1.0  # of the title-and-path block, against the whole text's
    class_weight: str | None = "balanced"  # of a list field's binary models
    max_iter: int = 500
    tol: float = 1e-4
    why_words: int = 3
    why_neighbours: int = 2

    def c(self, field: str) -> float:
        """Logistic regression's C for `field`'s models."""
        return float(getattr(self, f"c_{field}"))


DEFAULT_OPTIONS: Final = TagOptions()
# a model to fit: (field, value or None for the multinomial one, model, training rows, target)
Job = tuple[str, str | None, LogisticRegression, list[int], Any]


class TagModel:
    """Fit on tagged documents (`fit`), then score any document's missing fields (`score`)."""

    def __init__(self, options: TagOptions = DEFAULT_OPTIONS) -> None:
        self.options = options
        self._words = WordBlocks(options.title_weight)
        self._models: dict[str, list[tuple[str, LogisticRegression, int]]] = {}
        self._train: list[TagDocument] = []
        self._train_vectors: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)

    def fit(
        self, documents: Sequence[TagDocument], *, own: frozenset[str] = frozenset()
    ) -> TagModel:
        """Learn every field from `documents`; those whose id is in `own` (the library's own
        assets) weigh `same_library_weight` against the rest (a reference library's)."""
        self._train = list(documents)
        words = self._words.fit_transform(documents) if documents else None
        self._train_vectors = _unit([d.vector for d in documents])
        if words is None or not documents:
            return self
        features = _stack(words, self._train_vectors)
        weight = np.asarray(
            [self.options.same_library_weight if d.id in own else 1.0 for d in documents]
        )
        jobs = [job for field in FIELDS for job in self._jobs(field, documents, own)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # fits free the GIL
            fitted = list(pool.map(
                lambda job: _fit(job[2], features[job[3]], job[4], weight[job[3]]), jobs
            ))  # fmt: skip
        for field in FIELDS:
            self._models[field] = [
                (value, model, column)
                for (owner, value, _, _, _), model in zip(jobs, fitted, strict=True)
                if owner == field
                for value, column in _columns(value, model)
            ]
        return self

    def _jobs(self, field: str, documents: Sequence[TagDocument], own: frozenset[str]) -> list[Job]:
        """The models `field` needs, unfitted: (field, value or None for the multinomial one,
        model, training rows, target)."""
        tagged = [i for i, d in enumerate(documents) if d.has(field)]
        if field not in MULTI_VALUED:
            labels = np.asarray([documents[i].tags[field][0] for i in tagged])
            if len(set(labels)) < 2:
                return []
            return [(field, None, self._classifier(field, None), tagged, labels)]
        rows = tagged
        if field in NEGATIVE_WHEN_UNTAGGED:
            rows = [i for i, d in enumerate(documents) if d.has(field) or d.id not in own]
        jobs: list[Job] = []
        for value in sorted({v for i in tagged for v in documents[i].tags[field]}):
            target = np.asarray([value in documents[i].tags.get(field, ()) for i in rows])
            if MIN_EXAMPLES <= target.sum() < len(target):
                jobs.append(
                    (field, value, self._classifier(field, self.options.class_weight), rows, target)
                )
        return jobs

    def _classifier(self, field: str, class_weight: str | None) -> LogisticRegression:
        return LogisticRegression(
            C=self.options.c(field), max_iter=self.options.max_iter, tol=self.options.tol,
            class_weight=class_weight,
        )  # fmt: skip

    def features(self, documents: Sequence[TagDocument]) -> Features:
        """The documents' words and vectors as the fitted model reads them: computed once and
        shared by every field's scores and reasons."""
        return Features(self._words.transform(documents), _unit([d.vector for d in documents]))

    def score(self, features: Features, field: Field) -> Scores:
        """Every value of `field` the model knows, with its probability for each document (for
        a multinomial field the probabilities sum to 1 per document)."""
        fitted = self._models.get(field, [])
        if not fitted or not features.rows:
            return Scores(field, [], np.zeros((features.rows, len(fitted))))
        stacked = _stack(features.words, features.vectors)
        answered = {id(m): m.predict_proba(stacked) for _, m, _ in fitted}
        columns = [answered[id(model)][:, column] for _, model, column in fitted]
        return Scores(field, fitted, np.stack(columns, axis=1))

    def why(
        self, features: Features, scores: Scores, picks: Sequence[tuple[int, int]]
    ) -> list[Why]:
        """What carried each pick, (document row, value index of `scores`): the document's words
        that pushed hardest toward the value, and the nearest tagged assets that have it (one
        matrix product per value, not per pick)."""
        neighbours: dict[tuple[int, int], tuple[Neighbour, ...]] = {}
        for index in {i for _, i in picks}:
            rows = [row for row, i in picks if i == index]
            found = self._neighbours(scores.field, scores.values[index], features.vectors[rows])
            neighbours.update({(row, index): near for row, near in zip(rows, found, strict=True)})
        return [
            Why(
                words=self._carrying_words(scores.fitted[i][1], scores.fitted[i][2],
                                           features.words[row]),
                neighbours=neighbours[(row, i)],
            )
            for row, i in picks
        ]  # fmt: skip

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
        names = self._words.names
        found: dict[str, None] = {}  # a word may push from the text's block and the name's
        for j in np.argsort(-pushes):
            if pushes[j] <= 0 or len(found) == self.options.why_words:
                break
            found[str(names[row.indices[j]])] = None
        return tuple(found)

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
        self, field: str, value: str, vectors: npt.NDArray[np.float32]
    ) -> list[tuple[Neighbour, ...]]:
        """For each of `vectors`, the tagged assets with the value closest to it."""
        having = self._having.get((field, value))
        if having is None or not len(having):
            return [() for _ in range(len(vectors))]
        similarity = vectors @ self._train_vectors[having].T
        keep = min(self.options.why_neighbours, len(having))
        out = []
        for row in similarity:
            best = np.argpartition(-row, keep - 1)[:keep]
            best = best[np.argsort(-row[best])]
            out.append(tuple(
                Neighbour(self._train[having[j]].id, self._train[having[j]].title,
                          round(float(row[j]), 3))
                for j in best
            ))  # fmt: skip
        return out


@dataclass(frozen=True)
class Features:
    """Documents as the model reads them: TF-IDF rows and unit vectors."""

    words: Any  # a CSR matrix, one row per document
    vectors: npt.NDArray[np.float32]

    @property
    def rows(self) -> int:
        return int(self.words.shape[0])


@dataclass(frozen=True)
class Scores:
    """A field's scores: `probabilities[row, i]` is the probability of `fitted[i]`'s value for
    the document in `row` of the Features scored."""

    field: str
    fitted: list[tuple[str, LogisticRegression, int]]
    probabilities: npt.NDArray[np.float64]

    @property
    def values(self) -> list[str]:
        return [value for value, _, _ in self.fitted]


def _fit(model: LogisticRegression, features: Any, target: Any, weight: Any) -> LogisticRegression:
    return model.fit(features, target, sample_weight=weight)


def _columns(value: str | None, model: LogisticRegression) -> list[tuple[str, int]]:
    """The values a fitted model answers and their predict_proba columns: every class of the
    multinomial one (value None), the positive class of a binary one."""
    if value is None:
        return [(str(name), column) for column, name in enumerate(model.classes_)]
    return [(value, 1)]


def _unit(vectors: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    if not vectors:
        return np.zeros((0, 0), np.float32)
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    return unit


def _stack(words: Any, vectors: npt.NDArray[np.float32]) -> Any:
    return hstack([words, csr_matrix(vectors)]).tocsr()
