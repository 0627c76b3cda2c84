"""Unusable questions through the recommender, on the small library."""

from dataclasses import replace
from datetime import date

from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender

AS_OF = date(2026, 6, 1)
GOOD = "how do approvals and intake forms work?"


def unscreened(recommender: Recommender) -> Recommender:
    config = replace(recommender.config, screen_questions=False)
    return Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)


def test_gibberish_is_dropped_with_a_warning(recommender: Recommender) -> None:
    mixed = recommender.recommend(Deal(questions=("sdfkj qwpoe zxmn", GOOD), as_of=AS_OF))
    alone = recommender.recommend(Deal(questions=(GOOD,), as_of=AS_OF))
    assert mixed.warnings == (
        "questions[0] (\u201csdfkj qwpoe zxmn\u201d) looks like gibberish; ranked on the deal's "
        "fields and its other questions.",
    )
    assert mixed.deal.questions == (GOOD,)
    assert [i.asset.id for i in mixed.items] == [i.asset.id for i in alone.items]
    assert len(mixed.question_scores) == 1 and mixed.question_vectors is not None
    assert mixed.question_vectors.shape[0] == 1
    passages = [p for item in mixed.items for p in item.passages if p.question is not None]
    # Numbered as the request numbered them: GOOD was the second question asked.
    assert passages and all(p.question == GOOD and p.question_index == 1 for p in passages)
    assert [q["question_index"] for q in mixed.questions] == [1]


def test_all_questions_unusable_falls_back_to_the_fields(recommender: Recommender) -> None:
    deal = Deal(stage="discovery", vertical="retail", as_of=AS_OF)
    fields_only = recommender.recommend(deal)
    result = recommender.recommend(
        replace(deal, questions=("asdf asdf", "ユーザーあたりの費用は？"))
    )
    assert [i.asset.id for i in result.items] == [i.asset.id for i in fields_only.items]
    assert result.items[0].asset.id == "datasheet-retail"
    assert len(result.warnings) == 2
    assert "looks like Japanese, and the library holds no Japanese material" in result.warnings[1]
    assert result.question_scores == () and result.question_vectors is None


def test_nothing_usable_and_no_fields_still_answers(recommender: Recommender) -> None:
    result = recommender.recommend(Deal(questions=("qwertyuiop",), as_of=AS_OF, k=3))
    plain = recommender.recommend(Deal(as_of=AS_OF, k=3))
    assert [i.asset.id for i in result.items] == [i.asset.id for i in plain.items]
    assert result.items and "gibberish" in result.warnings[0]


def test_a_language_the_library_holds_is_kept(recommender: Recommender) -> None:
    question = "comment configurer les approbations et les formulaires ?"  # guide-fr is French
    result = recommender.recommend(Deal(questions=(question,), as_of=AS_OF))
    assert result.warnings == () and result.deal.questions == (question,)


def test_the_screen_can_be_switched_off(recommender: Recommender) -> None:
    off = unscreened(recommender)
    result = off.recommend(Deal(questions=("sdfkj qwpoe zxmn", GOOD), as_of=AS_OF))
    assert result.warnings == () and len(result.deal.questions) == 2
