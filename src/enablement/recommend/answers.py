"""Whether an asset answers a buyer question: a calibrated probability, and the claim made from it.

The probability that a recommended asset answers one question comes from a logistic regression
over how its best passage matched (its cosine, where it stands against the library's best passage
for the question, its fused relevance and its BM25 share) and where the asset was ranked, fitted
offline on labelled libraries (learn/answers.py, `enablement train-answers`) and applied here with
numpy alone. The model claims "answers" at or above its threshold, chosen out of library for
precision. Rank is the ranker's own verdict on the whole deal; the passage alone cannot tell the
deal's vertical version of an FAQ from its twins, and the rank can.

Its file is checked by hash when loaded. A file that is missing, corrupt or built for another
encoder is named in a warning, and nothing is claimed: the response says the questions' answers
are unknown rather than guess from an uncalibrated cosine.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.recommend.questions import unknown_words, vocabulary_share
from enablement.recommend.retrieval import QueryMatches

Floats = npt.NDArray[np.float32]
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "models" / "answers"
MANIFEST_FILE = "manifest.json"
# How one asset's best passage matched one question (each comparable across questions), and the
# asset's place in the recommendations.
FEATURES = (
    "dense", "similarity", "top_similarity", "gap", "relevance", "lexical", "reciprocal_rank",
    "rank", "vocabulary_share", "question_rank",
)  # fmt: skip
# An asset answers a question only if it is among the recommended assets closest to that one
# question: the list's first asset is not taken to answer every question the deal asks.
MAX_QUESTION_RANK = 3
# Of the question alone: under a floor on either, nothing in the library is about the question.
GATES = ("top_similarity", "vocabulary_share")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """A deal's buyer questions as the answer model reads them: their text and query vectors,
    the library's vocabulary (`knows`) and the encoder's query side (`encode`)."""

    questions: Sequence[str]
    vectors: Floats
    knows: Callable[[str], bool]
    encode: Callable[[list[str]], Floats]

    def unknown_meaning(self, which: Sequence[int]) -> Floats:
        """For the questions numbered `which`: how much of each one's meaning lies in the words
        the library lacks, the cosine between its query vector and those words said alone (0
        when the library knows every word). Unknown asides ("analysts are nervous about
        go-live") carry little of a question; an unknown topic ("can your onboarding specialist
        teach my kids to swim?") carries most of it, however well the rest of the sentence
        matches a passage. One encoder call for those with unknown words, none without."""
        unknown = [" ".join(unknown_words(self.questions[i], self.knows)) for i in which]
        meaning = np.zeros(len(unknown), dtype=np.float32)
        said = [k for k, text in enumerate(unknown) if text]
        if said:
            vectors = self.encode([unknown[k] for k in said])
            rows = np.asarray(which, dtype=np.int64)[said]
            meaning[said] = np.einsum("ij,ij->i", self.vectors[rows], vectors)
        return meaning


def answer_features(match: QueryMatches, rows: npt.NDArray[np.int64], vocabulary: float) -> Floats:
    """(len(rows), len(FEATURES)) for one question and the recommended `rows`, best first: each
    asset's best dense cosine, the cosine of its best fused passage, the best cosine of any
    allowed passage, the first less the third, its fused relevance (1 for the question's best
    asset), its BM25 score over the best one's, 1/rank and rank in the list, the share of the
    question's words the library's vocabulary holds (recommend.questions.vocabulary_share), and
    its rank among `rows` by relevance to this question."""
    dense = (match.dense if match.dense is not None else match.similarity)[rows]
    lexical = match.lexical[rows] if match.lexical is not None else np.zeros(len(rows), np.float32)
    top = np.full(len(rows), match.top_similarity, dtype=np.float32)
    rank = np.arange(1, len(rows) + 1, dtype=np.float32)
    by_question = np.empty(len(rows), dtype=np.float32)
    by_question[np.argsort(-match.relevance[rows], kind="stable")] = rank
    columns = (
        dense, match.similarity[rows], top, dense - top, match.relevance[rows], lexical,
        1.0 / rank, rank, np.full(len(rows), vocabulary, dtype=np.float32), by_question,
    )  # fmt: skip
    return np.stack(columns, axis=1).astype(np.float32)


def question_features(
    matches: Sequence[QueryMatches], rows: npt.NDArray[np.int64], asked: Asked
) -> list[Floats]:
    """Per question, `answer_features` of the recommended `rows`, its vocabulary share measured
    against the library's vocabulary (what serving, search and training all measure)."""
    return [
        answer_features(match, rows, vocabulary_share(question, asked.knows))
        for match, question in zip(matches, asked.questions, strict=True)
    ]


@dataclass(frozen=True, eq=False)
class AnswerModel:
    """P(answers) = sigmoid(((x - mean) / scale) @ coef + intercept), and 0 for a question under
    either of its `floors` (GATES order: its closest passage in the whole library, and the share
    of its words the library uses) or over its `ceiling` of unknown meaning (Asked). Nothing in
    the library is then about it, and rank alone must not make the best of a bad lot an answer.
    Claims at `threshold`."""

    mean: Floats
    scale: Floats
    coef: Floats
    intercept: float
    threshold: float
    encoder: str
    floors: tuple[float, ...] = (0.0,) * len(GATES)
    ceiling: float = 1.0
    sha256: str = ""

    @property
    def name(self) -> str:
        return f"answers:{self.sha256[:12]}" if self.sha256 else "answers"

    def probability(self, features: Floats, meaning: Floats | None = None) -> Floats:
        """One probability per row of `features` (FEATURES order), and 0 where the row's
        question's unknown `meaning`, when given, is over the ceiling."""
        logits = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        odds = 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))
        about = features[:, FEATURES.index("question_rank")] <= MAX_QUESTION_RANK
        for gate, floor in zip(GATES, self.floors, strict=True):
            about &= features[:, FEATURES.index(gate)] >= floor
        if meaning is not None:
            about &= meaning <= self.ceiling
        out: Floats = np.where(about, odds, 0.0).astype(np.float32)
        return out

    def scores(
        self,
        matches: Sequence[QueryMatches],
        rows: npt.NDArray[np.int64],
        asked: Asked,
    ) -> Floats:
        """(questions, len(rows)): the probability that each recommended asset (`rows`, best
        first) answers each of the `asked` questions; 0 where no passage of it matched the
        question, and for a question over the ceiling of unknown meaning. That is measured only
        for the questions that would otherwise be claimed, the only ones whose claim it can
        change (it costs an encoder call); the others keep their probability."""
        if len(rows) == 0:
            return np.zeros((len(matches), 0), dtype=np.float32)
        features = question_features(matches, rows, asked)
        out = [
            np.where(m.best_chunk[rows] >= 0, self.probability(f), 0.0)
            for m, f in zip(matches, features, strict=True)
        ]
        scores: Floats = np.stack(out).astype(np.float32)
        claimed = np.flatnonzero(scores.max(axis=1) >= self.threshold)
        if len(claimed):
            scores[claimed[asked.unknown_meaning(claimed.tolist()) > self.ceiling]] = 0.0
        return scores

    def params(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "coef": [float(v) for v in self.coef],
            "intercept": float(self.intercept),
            "threshold": float(self.threshold),
            "floors": dict(zip(GATES, (float(f) for f in self.floors), strict=True)),
            "ceilings": {"unknown_meaning": float(self.ceiling)},
            "encoder": self.encoder,
        }


def save_answers(model: AnswerModel, folder: Path, **card: object) -> AnswerModel:
    """Writes the model's parameters, their sha256 and `card` to folder/manifest.json; returns
    the model as saved (named by that sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    params = model.params()
    digest = params_sha256(params)
    manifest = {"kind": "logistic-regression", "model": params, "sha256": digest, **card}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return _from_params(params, digest)


def load_answers(folder: Path, *, encoder: str) -> tuple[AnswerModel | None, str]:
    """The model in `folder` when it was fitted for `encoder`, and a note on what was loaded;
    else None and a note (also logged as a warning) naming the file and why."""
    path = folder / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        params = manifest["model"]
        if params_sha256(params) != manifest["sha256"]:
            return _off(path, "does not match the sha256 in it")
        if list(params["features"]) != list(FEATURES):
            return _off(path, "was fitted on other features")
        if params["encoder"] != encoder:
            return _off(path, f"was fitted for {params['encoder']}, not {encoder}")
        model = _from_params(params, manifest["sha256"])
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return _off(path, f"could not be read ({type(exc).__name__})")
    return model, f"{model.name} from {path}"


def _from_params(params: dict[str, Any], digest: str) -> AnswerModel:
    width = len(FEATURES)
    arrays = [np.asarray(params[key], dtype=np.float32) for key in ("mean", "scale", "coef")]
    if any(a.shape != (width,) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
        raise ValueError(f"mean, scale and coef must be {width} finite numbers")
    mean, scale, coef = arrays
    if (scale <= 0).any():
        raise ValueError("scale must be positive")
    threshold = float(params["threshold"])
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must lie in (0, 1)")
    floors = tuple(float(params["floors"][gate]) for gate in GATES)
    ceiling = float(params["ceilings"]["unknown_meaning"])
    intercept, encoder = float(params["intercept"]), str(params["encoder"])
    return AnswerModel(mean, scale, coef, intercept, threshold, encoder, floors, ceiling, digest)


def params_sha256(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode("utf-8")).hexdigest()


def _off(path: Path, why: str) -> tuple[None, str]:
    note = f"Answer model {path} {why}; no passage is claimed to answer."
    logger.warning(note)
    return None, note
