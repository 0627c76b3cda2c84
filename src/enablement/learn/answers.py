"""Fitting and measuring the answer model (recommend/answers.py) on labelled libraries.

A row is one (buyer question, recommended asset) of a labelled deal with questions, as serving
ranks it to evaluation depth: the asset's answer features for that question, labelled 1 when the
deal grades the asset 2 or more. A claim is made per recommended asset (it answers when any of
the deal's questions reaches the threshold), so precision and recall are counted per asset: of
the assets claimed, how many are graded 2 or more, and of those graded 2 or more, how many are
claimed.

Each floor (recommend/answers.py GATES) is the GATE_QUANTILE quantile of the labelled questions'
value: their closest passage's cosine, and the share of their words the library uses; the
ceiling on unknown meaning (recommend.answers.Asked) is the 1 - GATE_QUANTILE quantile. Every
labelled question has an answer in its library, so few answerable questions lose their claims,
and a question less like anything in the library than almost every answerable one gets none.
Unknown meaning is a gate only: as a feature of the regression it took a weight of 0.02.
The threshold is chosen out of library: each library's rows are scored by a model fitted on the
others, and the lowest threshold whose pooled precision reaches the target wins (the most recall
that keeps the claim honest). The shipped model is then fitted on every library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.errors import InvalidValueError
from enablement.learn.evaluate import LabelledDeal, eval_deal
from enablement.learn.libraries import Library
from enablement.learn.metrics import claim_counts
from enablement.recommend.answers import FEATURES, GATES, AnswerModel, Asked, question_features
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender

Floats = npt.NDArray[np.float32]
MIN_GRADE = 2  # an asset graded this or more for a deal with questions answers it
TARGET_PRECISION = 0.92  # chosen above the 0.90 promised, for the spread between libraries
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.30, 0.96, 0.01))
GATE_QUANTILE = 0.10  # chosen on eval/off_topic/dev.jsonl (0.05 let 3 of 432 through)


@dataclass(frozen=True)
class AnswerRows:
    """Per (question, recommended asset) features and labels, with the asset each row is about
    (`item`, numbered across the set) so claims can be counted per asset, and its question's
    unknown meaning (recommend.answers.Asked), which gates claims."""

    features: Floats
    labels: npt.NDArray[np.int32]
    items: npt.NDArray[np.int64]
    libraries: tuple[str, ...]  # per row
    meaning: Floats

    def of(self, names: Iterable[str]) -> AnswerRows:
        keep = np.isin(np.array(self.libraries), list(names))
        return AnswerRows(
            self.features[keep],
            self.labels[keep],
            self.items[keep],
            tuple(np.array(self.libraries)[keep].tolist()),
            self.meaning[keep],
        )


def deal_rows(recommender: Recommender, labelled: LabelledDeal) -> tuple[Floats, Floats, list[int]]:
    """(question x recommended asset, FEATURES) for one deal as serving ranks it to evaluation
    depth, row-major by asset, each row's question's unknown meaning, and each recommended
    asset's grade."""
    scored = recommender.score(eval_deal(labelled, recommender))
    position = recommender.table.position
    items = recommender.rank(scored).items
    chosen = np.array([position[item.asset.id] for item in items], dtype=np.int64)
    questions = scored.deal.questions
    if not questions or not len(chosen):
        return np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.float32), []
    asked = Asked(
        questions, scored.vectors, recommender.bundle.lexical.knows,
        recommender.encoder.encode_queries,
    )  # fmt: skip
    per_question = question_features(scored.matches, chosen, asked)
    features = np.stack(per_question, axis=1).reshape(-1, len(FEATURES))
    meaning = np.tile(asked.unknown_meaning(range(len(questions))), len(chosen))
    grades = [labelled.relevant.get(recommender.bundle.assets[row].id, 0) for row in chosen]
    return features.astype(np.float32), meaning, grades


def answer_rows(
    libraries: Sequence[Library], config_for: Callable[[Library], RecommenderConfig]
) -> AnswerRows:
    """Every labelled deal with questions in `libraries`, ranked by `config_for(library)`."""
    blocks, meanings, labels, items, owners = [], [], [], [], []
    item = 0
    for library in libraries:
        base = library.recommender
        recommender = Recommender(base.bundle, base.encoder, base.taxonomy, config_for(library))
        for labelled in library.deals:
            features, meaning, grades = deal_rows(recommender, labelled)
            if not grades:
                continue
            questions = len(features) // len(grades)  # rows come asset by asset
            blocks.append(features)
            meanings.append(meaning)
            for grade in grades:
                labels.extend([int(grade >= MIN_GRADE)] * questions)
                items.extend([item] * questions)
                owners.extend([library.name] * questions)
                item += 1
    width = len(FEATURES)
    return AnswerRows(
        np.vstack(blocks) if blocks else np.zeros((0, width), np.float32),
        np.array(labels, dtype=np.int32),
        np.array(items, dtype=np.int64),
        tuple(owners),
        np.concatenate(meanings) if meanings else np.zeros(0, np.float32),
    )


def question_floors(rows: AnswerRows, quantile: float = GATE_QUANTILE) -> tuple[float, ...]:
    """Per floor (GATES), the `quantile` of the rows' questions' values (one row per question is
    ranked first, so those rows stand for the questions)."""
    first = _first(rows)
    if not first.any():
        return (0.0,) * len(GATES)
    values = (rows.features[first, FEATURES.index(gate)] for gate in GATES)
    return tuple(round(float(np.quantile(v, quantile)), 4) for v in values)


def question_ceiling(rows: AnswerRows, quantile: float = GATE_QUANTILE) -> float:
    """The 1 - `quantile` quantile of the rows' questions' unknown meaning."""
    first = _first(rows)
    return round(float(np.quantile(rows.meaning[first], 1.0 - quantile)), 4) if first.any() else 1.0


def _first(rows: AnswerRows) -> npt.NDArray[np.bool_]:
    """One row per question: the one about the list's first asset."""
    first: npt.NDArray[np.bool_] = rows.features[:, FEATURES.index("rank")] == 1
    return first


def fit_answers(rows: AnswerRows, *, threshold: float, encoder: str) -> AnswerModel:
    """A logistic regression on standardised features, gated by `question_floor`; raises
    ValueError with one class only."""
    from sklearn.linear_model import LogisticRegression

    if len(set(rows.labels.tolist())) < 2:
        raise ValueError("the answer model needs answering and non-answering rows")
    mean = rows.features.mean(axis=0)
    scale = rows.features.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0).astype(np.float32)
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((rows.features - mean) / scale, rows.labels)
    return AnswerModel(
        mean.astype(np.float32),
        scale,
        model.coef_[0].astype(np.float32),
        float(model.intercept_[0]),
        threshold,
        encoder,
        question_floors(rows),
        question_ceiling(rows),
    )


def item_claims(rows: AnswerRows, model: AnswerModel) -> tuple[Floats, npt.NDArray[np.int32]]:
    """Per recommended asset: its best probability over the deal's questions, and its label."""
    probability = model.probability(rows.features, rows.meaning)
    ids, first = np.unique(rows.items, return_index=True)
    best = np.full(len(ids), -1.0, dtype=np.float32)
    np.maximum.at(best, np.searchsorted(ids, rows.items), probability)
    return best, rows.labels[first]


def claim_scores(best: Floats, labels: npt.NDArray[np.int32], threshold: float) -> dict[str, Any]:
    """Precision and recall of claiming the assets whose best probability reaches `threshold`."""
    return claim_counts((best >= threshold).tolist(), (labels == 1).tolist())


def rank_claims(rows: AnswerRows, depths: Sequence[int] = (1, 2, 3)) -> dict[str, Any]:
    """Precision and recall of claiming every list's first `depth` assets, per depth: what the
    ranker's own order can claim. An asset answers when the deal grades it 2 or more, so no claim
    rule reaches more recall at a precision than the ranking those grades judge allows."""
    _, first = np.unique(rows.items, return_index=True)
    rank = rows.features[first, FEATURES.index("rank")]
    answering = (rows.labels[first] == 1).tolist()
    return {str(depth): claim_counts((rank <= depth).tolist(), answering) for depth in depths}


def choose_threshold(best: Floats, labels: npt.NDArray[np.int32], target: float) -> float:
    """The lowest threshold whose precision reaches `target` (the highest tried if none does)."""
    for threshold in THRESHOLDS:
        precision = claim_scores(best, labels, threshold)["precision"]
        if precision is not None and precision >= target:
            return threshold
    return THRESHOLDS[-1]


def train_answers(
    rows: AnswerRows, *, encoder: str, target: float = TARGET_PRECISION
) -> tuple[AnswerModel, dict[str, Any]]:
    """The model fitted on every library's rows, its threshold chosen out of library, and the
    held-out claim figures per library at that threshold."""
    names = sorted(set(rows.libraries))
    held: dict[str, tuple[Floats, npt.NDArray[np.int32]]] = {}
    for name in names:
        others = rows.of(n for n in names if n != name)
        model = fit_answers(others, threshold=0.5, encoder=encoder)
        held[name] = item_claims(rows.of([name]), model)
    pooled_best = np.concatenate([held[n][0] for n in names])
    pooled_labels = np.concatenate([held[n][1] for n in names])
    threshold = choose_threshold(pooled_best, pooled_labels, target)
    figures = {
        "protocol": "each library scored by a model fitted on the others",
        "target_precision": target,
        "gate_quantile": GATE_QUANTILE,
        "threshold": threshold,
        "held_out": {n: claim_scores(*held[n], threshold) for n in names},
        "pooled": claim_scores(pooled_best, pooled_labels, threshold),
        "by_rank": rank_claims(rows),
    }
    return fit_answers(rows, threshold=threshold, encoder=encoder), figures


def off_topic_claims(recommender: Recommender, questions: Sequence[str]) -> dict[str, Any]:
    """How many of `questions` (none of which the library can answer) get any asset claimed to
    answer them, asked alone as a search-style deal."""
    claimed = []
    for question in questions:
        deal = resolve_deal({"questions": [question], "k": 10}, recommender.taxonomy)
        if any(recommender.recommend(deal).answered):
            claimed.append(question)
    return {"questions": len(questions), "with_claims": len(claimed), "claimed": claimed[:10]}


def load_off_topic(path: Path) -> list[str]:
    """The questions of a JSONL file of {"id", "question"} lines; raises InvalidValueError naming
    the line of a malformed one."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = json.loads(line)["question"]
            if not isinstance(question, str) or not question.strip():
                raise ValueError("empty question")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InvalidValueError(
                f"{path}:{number}: not an off-topic question ({exc})", field="off_topic"
            ) from None
        questions.append(question)
    return questions
