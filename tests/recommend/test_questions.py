"""The question screen: gibberish and other-language questions flagged, real ones never."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enablement.recommend.context import Deal
from enablement.recommend.questions import (
    QuestionScreen,
    english_words,
    latin_language,
    screen,
    script_language,
    unknown_words,
    vocabulary_share,
    words,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "unusable_questions.json").read_text())
GIBBERISH: list[str] = FIXTURE["gibberish"]
OTHER: list[tuple[str, str]] = [(code, q) for code, q in FIXTURE["other_language"]]


def real_questions() -> list[tuple[str, str]]:
    """Every buyer question of the labelled deals under eval/ (read only), with its deal's
    language ("en" when the deal names none)."""
    paths = [
        REPO / "eval" / "deals.jsonl",
        *sorted((REPO / "eval" / "libraries").glob("*/deals.jsonl")),
    ]
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                deal = json.loads(line)["deal"]
                language = deal.get("language") or "en"
                out += [(language, q) for q in deal.get("questions") or [] if q.strip()]
    return out


def english_library(vocabulary: frozenset[str] = frozenset()) -> QuestionScreen:
    return QuestionScreen.for_library(["en", None], vocabulary.__contains__)


@pytest.mark.parametrize("question", GIBBERISH)
def test_gibberish_is_flagged(question: str) -> None:
    assert english_library().problem(question, top_similarity=0.1) == "looks like gibberish"


@pytest.mark.parametrize(("language", "question"), OTHER)
def test_other_languages_are_named(language: str, question: str) -> None:
    by_script = script_language(question)
    found = by_script[0] if by_script else latin_language(words(question))
    assert found == language
    problem = english_library().problem(question, top_similarity=0.9)
    assert problem is not None and problem.startswith("looks like ")
    assert "and the library holds no" in problem


def test_a_short_spanish_question_is_told_by_its_opening_mark() -> None:
    question = "\u00bffirman ustedes un acuerdo BAA?"  # one Spanish stop word only: "un"
    assert latin_language(words(question)) is None
    problem = english_library().problem(question, top_similarity=0.6)
    assert problem == "looks like Spanish, and the library holds no Spanish material"
    assert english_library().problem("\u00bfdo you sign a BAA?", top_similarity=0.6) is None


def test_a_language_the_library_holds_is_fine() -> None:
    spanish, japanese = OTHER[0][1], next(q for code, q in OTHER if code == "ja")
    assert (
        QuestionScreen.for_library(["en", "es-mx"], set().__contains__).problem(
            spanish, top_similarity=0.5
        )
        is None
    )
    assert (
        QuestionScreen.for_library(["ja"], set().__contains__).problem(japanese, top_similarity=0.5)
        is None
    )


def test_unknown_words_pass_when_the_library_knows_them_or_a_passage_is_close() -> None:
    question = "hecvat sbom mds2?"
    assert english_library().problem(question, top_similarity=0.1) == "looks like gibberish"
    assert (
        english_library(frozenset({"hecvat", "sbom"})).problem(question, top_similarity=0.1) is None
    )
    assert english_library().problem(question, top_similarity=0.6) is None


def test_a_real_question_the_library_cannot_answer_is_not_gibberish() -> None:
    assert {"moon", "weather", "pumps"} <= english_words()
    assert english_library().problem("moon weather", top_similarity=0.05) is None
    assert english_library().problem("is it raining on the moon?", top_similarity=0.05) is None


def test_no_real_question_is_another_language_or_wordless() -> None:
    questions = real_questions()
    assert len(questions) > 500
    languages = sorted({language for language, _ in questions})
    assert len(languages) > 1  # the libraries hold a few deals in other languages
    # where the library holds every language the deals use, no question is flagged
    screen_ = QuestionScreen.for_library(languages, set().__contains__)
    assert [q for _, q in questions if screen_.problem(q, top_similarity=1.0)] == []
    # in an English library, exactly the other-language deals' questions are
    english = english_library()
    flagged = [q for _, q in questions if english.problem(q, top_similarity=1.0)]
    assert flagged == [q for language, q in questions if language != "en"]


def test_screen_drops_the_questions_and_names_them() -> None:
    deal = Deal(questions=("asdf qwer", "how much does it cost?"), warnings=("earlier",))
    kept = screen(deal, ["looks like gibberish", None])
    assert kept.questions == ("how much does it cost?",)
    assert kept.warnings == (
        "earlier",
        "questions[0] (\u201casdf qwer\u201d) looks like gibberish; ranked on the deal's fields "
        "and its other questions.",
    )
    alone = screen(Deal(questions=("asdf",)), ["looks like gibberish"])
    assert alone.questions == ()
    assert alone.warnings[0].endswith("ranked on the deal's fields.")


def test_unknown_words_are_content_words_the_library_lacks_once_each() -> None:
    known = {"onboarding", "hours"}.__contains__
    assert unknown_words("Swim hours? Can the onboarding team teach my kids to swim", known) == [
        "swim", "team", "teach", "kids",
    ]  # fmt: skip
    assert unknown_words("what are the onboarding hours?", known) == []


def test_vocabulary_share_is_the_best_sentences() -> None:
    known = {"sign", "baa", "encrypt"}.__contains__
    assert vocabulary_share("do you sign a BAA?", known) == 1.0
    # An email excerpt's signature or greeting does not dilute the question it carries.
    assert vocabulary_share("do you sign a BAA? Sent from my iPhone", known) == 1.0
    assert vocabulary_share("Hi Dana,\ndo you sign a BAA?\nThanks, Raj", known) == 1.0
    assert vocabulary_share("pizza for the party? Sent from my iPhone", known) == 0.0
    assert vocabulary_share("what is it?", known) == 1.0  # nothing left to judge
