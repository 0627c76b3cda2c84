"""Training the asset-type intent model, and choosing its weight, from labelled libraries.

Targets are soft: a question's target is the grade-weighted mix of the types of its deal's
grade >= 2 assets. scikit-learn fits a multinomial logistic regression (soft targets as
sample weights over repeated rows); the regularisation and a softmax temperature are chosen on
out-of-fold predictions, fold = library when there are two or more, so the probability is
calibrated for a library the model has not seen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.learn.evaluate import evaluate
from enablement.learn.holdout import Tuned
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.intent import NONE_CLASS, TypeIntent, cue_features
from enablement.recommend.pipeline import Recommender

Floats = npt.NDArray[np.float32]
MIN_GRADE = 2
REGULARISATION = (1.0, 4.0, 16.0)  # C of the logistic regression, chosen out of fold
TEMPERATURES = (0.5, 0.7, 1.0, 1.4, 2.0, 3.0)
WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)  # type_intent weights tried under the protocol


@dataclass(frozen=True)
class IntentExamples:
    """One row per (deal, question): its vector, its words, its soft target and its library."""

    questions: list[str]
    vectors: Floats
    targets: Floats  # (rows, classes), rows sum to 1
    groups: list[str]
    deal_ids: list[str]
    classes: tuple[str, ...]


def intent_examples(libraries: Sequence[Library]) -> IntentExamples:
    """The training rows from the labelled deals with questions of `libraries` only."""
    rows: list[tuple[str, str, str, dict[str, float]]] = []
    for library in libraries:
        types = {a.id: a.type or NONE_CLASS for a in library.recommender.bundle.assets}
        for labelled in library.deals:
            mix: dict[str, float] = defaultdict(float)
            for asset_id, grade in labelled.relevant.items():
                if grade >= MIN_GRADE and asset_id in types:
                    mix[types[asset_id]] += grade
            for question in labelled.deal.get("questions") or ():
                if mix and isinstance(question, str) and question.strip():
                    # whitespace collapsed, as resolve_deal does before the recommender encodes
                    rows.append((library.name, labelled.id, " ".join(question.split()), dict(mix)))
    classes = tuple(sorted({name for *_, mix in rows for name in mix}))
    targets = np.zeros((len(rows), len(classes)), dtype=np.float32)
    for row, (*_, mix) in enumerate(rows):
        for name, value in mix.items():
            targets[row, classes.index(name)] = value
    targets /= np.maximum(targets.sum(axis=1, keepdims=True), 1e-9)
    vectors = _vectors(libraries, rows)
    return IntentExamples(
        [r[2] for r in rows], vectors, targets, [r[0] for r in rows], [r[1] for r in rows], classes
    )


def _vectors(libraries: Sequence[Library], rows: list[tuple[str, str, str, Any]]) -> Floats:
    """The questions' query vectors, encoded a deal at a time as the recommender encodes them.

    Through an evaluation's query memo these are the very vectors ranking uses (int8 query
    encoding depends slightly on what shares a batch, so one big batch would differ).
    """
    encoders = {library.name: library.recommender.encoder for library in libraries}
    dimension = next(iter(encoders.values())).dimension if encoders else 0
    out = np.zeros((len(rows), dimension), dtype=np.float32)
    deals: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (library, deal_id, *_) in enumerate(rows):
        deals[(library, deal_id)].append(index)
    for (library, _), at in deals.items():
        out[at] = encoders[library].encode_queries([rows[i][2] for i in at])
    return out


def _features(examples: IntentExamples, at: Sequence[int]) -> Floats:
    questions = [examples.questions[i] for i in at]
    return np.hstack([examples.vectors[list(at)], cue_features(questions)])


def _fit(examples: IntentExamples, at: Sequence[int], c: float) -> tuple[Floats, Floats]:
    """(coef, intercept) over all `examples.classes`; a class unseen in `at` never wins."""
    from sklearn.linear_model import LogisticRegression

    x, y = _features(examples, at), examples.targets[list(at)]
    rows, labels = np.nonzero(y > 0)
    coef = np.zeros((len(examples.classes), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(examples.classes), -30.0, dtype=np.float32)
    if len(set(labels.tolist())) < 2:  # one type seen: it is all the model can say
        intercept[labels[:1]] = 0.0
        return coef, intercept
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x[rows], labels, sample_weight=y[rows, labels])
    seen = model.classes_.astype(int)
    if len(seen) == 2:  # scikit-learn keeps one row for two classes: logit of the second
        coef[seen[1]], intercept[seen[1]] = model.coef_[0], model.intercept_[0]
        intercept[seen[0]] = 0.0
    else:
        coef[seen], intercept[seen] = model.coef_, model.intercept_
    return coef, intercept


def _folds(examples: IntentExamples) -> list[list[int]]:
    names = sorted(set(examples.groups))
    if len(names) >= 2:
        return [[i for i, g in enumerate(examples.groups) if g == name] for name in names]
    return [list(range(fold, len(examples.groups), 2)) for fold in range(2)]


def _nll(logits: Floats, targets: Floats, temperature: float) -> float:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return float(-(targets * log_p).sum(axis=1).mean())


def fit_intent(examples: IntentExamples, *, encoder: str) -> tuple[TypeIntent, dict[str, Any]]:
    """The model on all `examples`, with C and temperature chosen by out-of-fold log loss.

    Returns the model and what was chosen. Raises ValueError for fewer than two classes.
    """
    if len(examples.classes) < 2:
        raise ValueError("type intent needs at least two asset types among the labels")
    everyone = list(range(len(examples.questions)))
    folds = _folds(examples)
    scores: dict[tuple[float, float], float] = {}
    for c in REGULARISATION:
        logits = np.zeros_like(examples.targets)
        for test in folds:
            held = set(test)
            coef, intercept = _fit(examples, [i for i in everyone if i not in held], c)
            logits[test] = _features(examples, test) @ coef.T + intercept
        for t in TEMPERATURES:
            scores[(c, t)] = _nll(logits, examples.targets, t)
    c, temperature = min(scores, key=lambda key: scores[key])
    coef, intercept = _fit(examples, everyone, c)
    model = TypeIntent(
        examples.classes, coef, intercept, temperature, encoder, examples.vectors.shape[1]
    )
    choice = {
        "C": c,
        "temperature": temperature,
        "out_of_fold_nll": round(scores[(c, temperature)], 4),
    }
    return model, {**choice, "examples": len(everyone)}


def train_intent(libraries: Sequence[Library]) -> tuple[TypeIntent | None, dict[str, Any]]:
    """The intent model trained on `libraries` only (None when their labels cannot train one)."""
    examples = intent_examples(libraries)
    if len(examples.classes) < 2:
        return None, {"skipped": "fewer than two asset types among the labels"}
    encoder = libraries[0].recommender.encoder.name
    return fit_intent(examples, encoder=encoder)


def tune_type_intent(
    libraries: Sequence[Library], config: RecommenderConfig
) -> tuple[RecommenderConfig, dict[str, Any]]:
    """`config` with an intent model trained on `libraries` and its weight chosen among them.

    The weight is scored out of library: each library is ranked with a model trained on the
    other libraries only, so a model never scores the deals it was fitted on.
    """
    if len(libraries) < 2:
        return config, {"type_intent": 0.0, "skipped": "needs two training libraries"}
    held: dict[str, TypeIntent | None] = {}
    for library in libraries:
        held[library.name] = train_intent([o for o in libraries if o is not library])[0]
    scored = {weight: _score(libraries, config, held, weight) for weight in WEIGHTS}
    weight = max(scored, key=lambda w: (scored[w], -w))  # ties keep the smaller weight
    model, fitted = train_intent(libraries)
    tuned = replace(config, intent=model, weights=replace(config.weights, type_intent=weight))
    table = {str(w): round(v, 4) for w, v in scored.items()}
    return tuned, {"type_intent": weight, "type_intent_ndcg@10": table, "intent_model": fitted}


def _score(
    libraries: Sequence[Library], config: RecommenderConfig,
    models: dict[str, TypeIntent | None], weight: float,
) -> float:  # fmt: skip
    values = []
    for library in libraries:
        weights = replace(config.weights, type_intent=weight)
        variant = replace(config, intent=models[library.name], weights=weights)
        base = library.recommender
        ranker = Recommender(base.bundle, base.encoder, base.taxonomy, variant)
        values.append(float(evaluate(ranker, library.deals)["overall"]["ndcg@10"]))
    return sum(values) / len(values)


def tune_intent_only(libraries: Sequence[Library], config: RecommenderConfig) -> Tuned:
    """A leave-one-library-out tuner that keeps `config` and only adds the intent model and its
    weight: what the shipped defaults gain from the feature on a library it never saw."""
    tuned, choice = tune_type_intent(libraries, config)
    return Tuned(tuned, {"fusion": "as given", "weights": asdict(tuned.weights), **choice})
