"""The one-line summary: the strongest two reasons, answered questions counted as one."""

from __future__ import annotations

import pytest

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.reasons import Reason, Recommendation, explain
from enablement.taxonomy import Taxonomy


def summary(*reasons: Reason, external: bool | None = True) -> str:
    asset = AssetRecord(id="a", title="A", external=external)
    return Recommendation(asset, 1, 0.5, list(reasons)).summary


ANSWERS_BAA = Reason("answers_question", "Answers “do you sign a BAA?” (page 2)")
ANSWERS_SSO = Reason("answers_question", "Answers “do you support SSO?” (Security > SSO)")
VERTICAL = Reason("vertical_variant", "The Healthcare version")
STAGE = Reason("stage_match", "Made for the Discovery stage")
INTERNAL = Reason("internal_only", "Internal only: use it to prepare, do not send it")


def test_one_answered_question_is_named_with_where() -> None:
    assert summary(STAGE, ANSWERS_BAA, VERTICAL) == (
        "Answers “do you sign a BAA?” (page 2); The Healthcare version"
    )


def test_several_answered_questions_count_as_one_reason() -> None:
    assert summary(ANSWERS_BAA, STAGE, ANSWERS_SSO, VERTICAL) == (
        "Answers 2 buyer questions; The Healthcare version"
    )


def test_the_do_not_send_warning_is_always_shown() -> None:
    assert summary(ANSWERS_BAA, VERTICAL, STAGE, INTERNAL, external=False).endswith(
        "; Internal only: use it to prepare, do not send it"
    )
    assert summary() == "Relevant to this deal"


@pytest.mark.parametrize(
    ("products", "linked", "text"),
    [
        ((), {"flowsure": 0.8}, "About Flowsure, linked from the question"),
        (("flowsure",), {"alarmiq": 1.0}, "Covers Flowsure"),
        (("fleetcare",), {"flowsure": 1.0}, "About Flowsure, linked from the question"),
    ],
)
def test_product_match_says_whether_the_product_was_named_or_linked(
    taxonomy: Taxonomy, products: tuple[str, ...], linked: dict[str, float], text: str
) -> None:
    asset = AssetRecord(id="a", title="A", products=("flowsure", "alarmiq"), external=True)
    fits = dict.fromkeys(("stage", "vertical", "persona", "competitor"), 0.0)
    deal = Deal(products=products)
    reasons = explain(asset, deal, {**fits, "product": 1.0}, [], taxonomy, linked=linked)
    assert [r for r in reasons if r.code == "product_match"] == [Reason("product_match", text)]


def test_a_cue_gives_its_reason_only_where_the_deal_is_silent(taxonomy: Taxonomy) -> None:
    asset = AssetRecord(id="a", title="A", stages=("proposal",), personas=("finance",))
    fits = dict.fromkeys(("stage", "vertical", "persona", "product", "competitor"), 0.0)

    def codes(deal: Deal, fit: dict[str, float]) -> list[tuple[str, str]]:
        reasons = explain(asset, deal, fit, [], taxonomy, cued=("proposal", "finance"))
        return [(r.code, r.text) for r in reasons if r.code.endswith("_match")]

    assert codes(Deal(), fits) == [
        ("stage_match", "Made for the Proposal stage, from the question"),
        ("persona_match", "Written for Finance buyers, from the question"),
    ]
    stated = Deal(stage="proposal", persona="finance")
    assert codes(stated, {**fits, "stage": 1.0, "persona": 1.0}) == [
        ("stage_match", "Made for the Proposal stage"),
        ("persona_match", "Written for Finance buyers"),
    ]
    other = AssetRecord(id="b", title="B", stages=("discovery",))
    assert explain(other, Deal(), fits, [], taxonomy, cued=("proposal", None))[0].code == (
        "related_content"
    )
