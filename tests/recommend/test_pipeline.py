"""Ranking behaviour on the small library: variants, competitors, reasons, passages, diversity."""

from datetime import date

import numpy as np

from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender

AS_OF = date(2026, 6, 1)


def _ids(recommender: Recommender, deal: Deal) -> list[str]:
    return [item.asset.id for item in recommender.recommend(deal).items]


def test_the_deals_vertical_variant_beats_generic_beats_other_vertical(
    recommender: Recommender,
) -> None:
    question = ("how does workflow handle approvals and intake forms?",)
    for vertical, variant, other in [
        ("healthcare", "datasheet-healthcare", "datasheet-retail"),
        ("retail", "datasheet-retail", "datasheet-healthcare"),
    ]:
        deal = Deal(vertical=vertical, stage="discovery", questions=question, as_of=AS_OF, k=10)
        ids = _ids(recommender, deal)
        assert ids.index(variant) < ids.index("datasheet")
        assert other not in ids[: ids.index("datasheet") + 1]


def test_without_a_vertical_the_generic_datasheet_leads(recommender: Recommender) -> None:
    deal = Deal(stage="discovery", questions=("SLA timers and an audit trail",), as_of=AS_OF, k=10)
    ids = _ids(recommender, deal)
    assert ids.index("datasheet") < min(
        ids.index("datasheet-healthcare"), ids.index("datasheet-retail")
    )


def test_competitor_promotes_the_matching_battlecard(recommender: Recommender) -> None:
    base = Deal(stage="evaluation", questions=("how fast can we go live?",), as_of=AS_OF, k=5)
    with_oxley = Deal(**{**base.__dict__, "competitor": "oxley"})
    ids = _ids(recommender, with_oxley)
    assert ids[0] == "battlecard-oxley"
    assert "battlecard-brightwell" not in ids[:3]
    first = recommender.recommend(with_oxley).items[0]
    assert "competitor" in [r.code for r in first.reasons]
    assert "internal_only" in [r.code for r in first.reasons]
    assert "do not send it" in first.summary


def test_every_result_has_reasons_and_question_passages(recommender: Recommender) -> None:
    deal = Deal(
        persona="it_security",
        stage="evaluation",
        as_of=AS_OF,
        k=5,
        questions=("is our data encrypted at rest?", "which region will our data live in?"),
    )
    result = recommender.recommend(deal)
    assert result.items
    for item in result.items:
        assert item.reasons and all(r.code and r.text for r in item.reasons)
        assert item.summary
    faq = next(item for item in result.items if item.asset.id == "security-faq")
    passages = {p.question_index: p for p in faq.passages}
    assert "AES-256" in passages[0].text and passages[0].heading_path == ("Encryption",)
    assert "region" in passages[1].text and passages[1].location == "Residency"
    codes = [r.code for r in faq.reasons]
    assert codes.count("answers_question") == 2 and "persona_match" in codes


def test_no_questions_uses_the_deal_metadata(recommender: Recommender) -> None:
    ids = _ids(recommender, Deal(stage="proposal", as_of=AS_OF, external_only=True, k=3))
    assert ids[0] == "pricing-public"
    assert "pricing-internal" not in ids


def test_no_near_duplicates_and_a_mix_of_types(recommender: Recommender) -> None:
    deal = Deal(questions=("workflow approvals intake forms SLA audit trail",), as_of=AS_OF, k=6)
    items = recommender.recommend(deal).items
    vectors = recommender.bundle.asset_vectors[
        [recommender.table.position[i.asset.id] for i in items]
    ]
    similarity = vectors @ vectors.T
    assert np.all(
        similarity[~np.eye(len(items), dtype=bool)]
        < recommender.config.diversity.duplicate_similarity
    )
    types = [item.asset.type for item in items]
    assert types.count("datasheet") <= recommender.config.diversity.max_per_type(6) == 3


def test_each_question_is_covered_where_the_library_can(recommender: Recommender) -> None:
    deal = Deal(
        questions=("workflow approvals intake forms", "business edition price per user"),
        as_of=AS_OF,
        external_only=True,
        k=2,
    )
    items = recommender.recommend(deal).items
    covered = {p.question_index for item in items for p in item.passages}
    assert covered == {0, 1}


def test_every_result_shows_a_passage(recommender: Recommender) -> None:
    for deal in [
        Deal(stage="proposal", as_of=AS_OF, k=8),
        Deal(questions=("is our data encrypted?",), stage="evaluation", as_of=AS_OF, k=8),
    ]:
        items = recommender.recommend(deal).items
        assert len(items) == 8
        assert all(item.passages and item.passages[0].text for item in items)
