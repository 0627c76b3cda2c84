"""The answer model: its file checks, its gates, and the claims the recommender makes from it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from enablement.recommend.answers import (
    FEATURES,
    GATES,
    MANIFEST_FILE,
    MAX_QUESTION_RANK,
    AnswerModel,
    Asked,
    load_answers,
    params_sha256,
    save_answers,
)
from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from tests.fakes import relevance_answers

AS_OF = date(2026, 11, 1)
ENCODER = "test-hashing-384"


def _model(**changes: object) -> AnswerModel:
    return replace(relevance_answers(ENCODER), **changes)  # type: ignore[arg-type]


def test_a_saved_model_loads_back_and_is_named_by_its_hash(tmp_path: Path) -> None:
    saved = save_answers(_model(floors=(0.3, 0.5), ceiling=0.4), tmp_path, date="2026-12-05")
    loaded, note = load_answers(tmp_path, encoder=ENCODER)
    assert loaded is not None and loaded.name == saved.name and saved.sha256
    assert loaded.floors == (0.3, 0.5) and loaded.ceiling == 0.4 and loaded.threshold == 0.5
    assert saved.name in note
    rows = np.random.default_rng(1).random((20, len(FEATURES))).astype(np.float32)
    assert np.allclose(loaded.probability(rows), saved.probability(rows))


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("missing", "could not be read"),
        ("tampered", "does not match the sha256"),
        ("other encoder", "was fitted for"),
        ("other features", "other features"),
        ("not json", "could not be read"),
        ("bad threshold", "could not be read"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_claimed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str, why: str
) -> None:
    save_answers(_model(), tmp_path)
    path = tmp_path / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    if damage == "missing":
        path.unlink()
    elif damage == "tampered":
        manifest["model"]["intercept"] += 1.0
        path.write_text(json.dumps(manifest))
    elif damage == "other encoder":
        save_answers(_model(encoder="another-model"), tmp_path)
    elif damage == "other features":
        manifest["model"]["features"] = ["dense"]
        manifest["sha256"] = params_sha256(manifest["model"])
        path.write_text(json.dumps(manifest))
    elif damage == "not json":
        path.write_text("{not json")
    else:
        manifest["model"]["threshold"] = 1.5
        manifest["sha256"] = params_sha256(manifest["model"])
        path.write_text(json.dumps(manifest))
    model, note = load_answers(tmp_path, encoder=ENCODER)
    assert model is None
    assert str(path) in note and why in note and "no passage is claimed" in note
    assert note in caplog.text


def test_a_question_under_either_floor_gets_no_probability() -> None:
    model = _model(floors=(0.4, 0.6))
    rows = np.zeros((3, len(FEATURES)), dtype=np.float32)
    rows[:, FEATURES.index("relevance")] = 1.0  # the fake model would claim all three
    top, share = FEATURES.index("top_similarity"), FEATURES.index("vocabulary_share")
    rows[:, top], rows[:, share] = 0.5, 0.9
    rows[1, top] = 0.39  # the library's closest passage is too far from the question
    rows[2, share] = 0.5  # the library does not use most of its words
    assert GATES == ("top_similarity", "vocabulary_share")
    probability = model.probability(rows)
    assert probability[0] > 0.99 and probability[1] == 0.0 and probability[2] == 0.0


def test_unknown_meaning_is_the_cosine_with_the_words_the_library_lacks() -> None:
    known = {"onboarding", "specialist", "teach", "hours", "go", "live", "analysts"}.__contains__
    said: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        said.append(texts)
        return np.array([[1.0, 0.0] if "swim" in t else [0.0, 1.0] for t in texts], np.float32)

    questions = ["can your onboarding specialist teach my kids to swim?",
                 "analysts are nervous about go-live", "onboarding hours?"]  # fmt: skip
    vectors = np.array([[0.8, 0.6], [0.6, 0.8], [1.0, 0.0]], np.float32)
    asked = Asked(questions, vectors, known, encode)
    assert asked.unknown_meaning([0, 1, 2]).tolist() == pytest.approx([0.8, 0.8, 0.0])
    assert said == [["kids swim", "nervous"]], "one call, for the questions with unknown words"
    assert asked.unknown_meaning([2]).tolist() == [0.0]
    assert len(said) == 1, "no call when the library knows every word"


def test_only_questions_that_would_be_claimed_are_measured_and_gated(
    recommender: Recommender,
) -> None:
    deal = _deal("is our data encrypted at rest?", "which region will our data live in?")
    scored = recommender.score(deal)
    rows = np.array(
        [recommender.table.position[i.asset.id] for i in recommender.rank(scored).items]
    )
    measured: list[list[int]] = []

    class Spy(Asked):
        def unknown_meaning(self, which: Sequence[int]) -> np.ndarray:
            measured.append(list(which))
            return np.array([0.9 if i == 0 else 0.1 for i in which], np.float32)

    asked = Spy(
        deal.questions, scored.vectors, lambda word: True, recommender.encoder.encode_queries
    )
    model = relevance_answers(ENCODER, floor=0.15)
    free = model.scores(scored.matches, rows, Asked(deal.questions, scored.vectors,
                        lambda word: True, lambda texts: np.zeros((len(texts), 2))))  # fmt: skip
    assert (free.max(axis=1) >= model.threshold).all(), "both questions would be claimed"
    gated = replace(model, ceiling=0.5).scores(scored.matches, rows, asked)
    assert measured == [[0, 1]]
    assert (gated[0] == 0).all() and (gated[1] == free[1]).all()
    measured.clear()
    far = replace(model, floors=(0.99, 0.0)).scores(scored.matches, rows, asked)
    assert measured == [] and far.max() == 0.0, "nothing claimed, nothing measured"


def _deal(*questions: str) -> Deal:
    return Deal(stage="evaluation", as_of=AS_OF, k=5, questions=tuple(questions))


def test_passages_and_questions_carry_the_claims(recommender: Recommender) -> None:
    result = recommender.recommend(_deal("is our data encrypted at rest?"))
    claimed = [p for item in result.items for p in item.passages if p.answers]
    assert claimed and all(p.answer_score is not None and p.answer_score >= 0.5 for p in claimed)
    for item in result.items:
        codes = [r.code for r in item.reasons]
        assert ("answers_question" in codes) == any(p.answers for p in item.passages)
    [question] = result.questions
    assert question["question"] == "is our data encrypted at rest?"
    assert question["answered"] is True
    assert question["answer_score"] == max(p.answer_score or 0 for p in claimed)
    assert result.to_dict()["questions"] == result.questions


def test_without_a_model_nothing_is_claimed_and_answered_is_unknown(
    recommender: Recommender,
) -> None:
    plain = Recommender(
        recommender.bundle, recommender.encoder, recommender.taxonomy,
        replace(recommender.config, answers=None),
    )  # fmt: skip
    result = plain.recommend(_deal("is our data encrypted at rest?"))
    assert result.items
    passages = [p for item in result.items for p in item.passages]
    assert not any(p.answers or p.answer_score is not None for p in passages)
    assert not any(r.code == "answers_question" for i in result.items for r in i.reasons)
    assert result.questions == [
        {
            "question": "is our data encrypted at rest?",
            "question_index": 0,
            "answered": None,
            "answer_score": None,
        }
    ]


def test_an_off_topic_question_gets_assets_but_no_claim(recommender: Recommender) -> None:
    gated = Recommender(
        recommender.bundle, recommender.encoder, recommender.taxonomy,
        replace(recommender.config, answers=relevance_answers(ENCODER, gates=(0.2, 0.6))),
    )  # fmt: skip
    result = gated.recommend(_deal("can your product make pizza for our office party?"))
    assert result.items, "the deal still gets the assets that fit it"
    assert not any(p.answers for item in result.items for p in item.passages)
    assert result.questions[0]["answered"] is False
    answered = gated.recommend(_deal("is our data encrypted at rest?"))
    assert answered.questions[0]["answered"] is True


def test_every_question_answered_has_a_passage_that_answers_it(recommender: Recommender) -> None:
    """The model may claim a passage below the floor passages are shown from: it is shown."""
    config = replace(
        recommender.config, answer_floor=0.95, answers=relevance_answers(ENCODER, floor=0.15)
    )
    loose = Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)
    deal = _deal("is our data encrypted at rest?", "which region will our data live in?")
    result = loose.recommend(deal)
    claimed = {p.question_index for item in result.items for p in item.passages if p.answers}
    answered = {i for i, q in enumerate(result.questions) if q["answered"]}
    assert answered and answered == claimed
    rows = np.array([loose.table.position[item.asset.id] for item in result.items])
    scores = loose.answer_scores(loose.score(deal), rows)
    assert scores is not None
    for column, item in enumerate(result.items):
        shown = {p.question_index for p in item.passages}
        for index, score in enumerate(scores[:, column]):
            if score >= 0.5:
                assert index in shown, (item.asset.id, index)


def test_the_lists_first_asset_is_not_taken_to_answer_every_question(
    recommender: Recommender,
) -> None:
    """Its rank in the list says how well it fits the deal; per question, only the recommended
    assets closest to that question may claim to answer it (MAX_QUESTION_RANK)."""
    everything = replace(relevance_answers(ENCODER, floor=0.0))  # would claim any passage
    config = replace(recommender.config, answers=everything)
    loose = Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)
    deal = replace(_deal("is our data encrypted at rest?", "who won the 1966 world cup?"), k=8)
    result = loose.recommend(deal)
    per_question = [
        sum(
            1 for item in result.items for p in item.passages if p.answers and p.question_index == q
        )
        for q in range(2)
    ]
    assert len(result.items) > MAX_QUESTION_RANK
    assert all(0 < claims <= MAX_QUESTION_RANK for claims in per_question), per_question
