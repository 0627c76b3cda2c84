"""Products linked from the questions in the ranking and its reasons, on the product library."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.result import RecommendationResult

AS_OF = date(2026, 6, 1)
ACCESS = "how fast does the add-on that handles leavers' access shut accounts off?"
LINKED = "About Gatekeeper, linked from the question"


def without_linking(recommender: Recommender) -> Recommender:
    config = replace(recommender.config, linking=replace(recommender.config.linking, enabled=False))
    return Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)


def scores(result: RecommendationResult) -> dict[str, float]:
    return {item.asset.id: item.score for item in result.items}


def product_reasons(result: RecommendationResult) -> dict[str, list[str]]:
    return {
        item.asset.id: [r.text for r in item.reasons if r.code == "product_match"]
        for item in result.items
    }


def test_a_described_product_counts_as_the_deals_product(
    product_recommender: Recommender,
) -> None:
    deal = Deal(questions=(ACCESS,), as_of=AS_OF, k=8)
    vectors = product_recommender.encoder.encode_queries([ACCESS])
    links = product_recommender.linear.product_links(deal, vectors)
    assert list(links) == ["gatekeeper"]
    linked = product_recommender.linear.linked_products(links)
    assert linked is not None
    rows = {asset.id: row for row, asset in enumerate(product_recommender.bundle.assets)}
    assert linked[rows["gatekeeper-datasheet"]] == links["gatekeeper"]
    assert linked[rows["ledger-datasheet"]] < 0 and linked[rows["security-faq"]] == 0
    on = product_recommender.recommend(deal)
    off = without_linking(product_recommender).recommend(deal)
    weight = product_recommender.config.weights.product
    for asset_id in ("gatekeeper-datasheet", "gatekeeper-guide"):
        gain = scores(on)[asset_id] - scores(off)[asset_id]
        assert gain == pytest.approx(weight * links["gatekeeper"], abs=1e-4)
        assert product_reasons(on)[asset_id] == [LINKED]
        assert product_reasons(off)[asset_id] == []


def test_named_products_are_never_removed(product_recommender: Recommender) -> None:
    deal = Deal(products=("ledger",), questions=(ACCESS,), as_of=AS_OF, k=8)
    on = product_recommender.recommend(deal)
    off = without_linking(product_recommender).recommend(deal)
    assert set(scores(off)) <= set(scores(on))
    for asset_id, before in scores(off).items():
        if asset_id.startswith("gatekeeper"):
            assert scores(on)[asset_id] > before
        else:  # the named product's fit, and every other product's mismatch, stand
            assert scores(on)[asset_id] == pytest.approx(before)
    assert {"ledger-datasheet", "ledger-story", "beacon-datasheet"} <= set(scores(off))
    assert product_reasons(on)["ledger-datasheet"] == ["Covers Ledger"]
    assert product_reasons(on)["gatekeeper-datasheet"] == [LINKED]


def test_a_generic_question_changes_nothing(product_recommender: Recommender) -> None:
    deal = Deal(questions=("can you send me a deck?",), as_of=AS_OF, k=8)
    on = product_recommender.recommend(deal)
    off = without_linking(product_recommender).recommend(deal)
    assert [(i.asset.id, i.score) for i in on.items] == [(i.asset.id, i.score) for i in off.items]
    assert not any(product_reasons(on).values())


def test_without_questions_nothing_links(product_recommender: Recommender) -> None:
    deal = Deal(stage="discovery", as_of=AS_OF)
    vectors = product_recommender.encoder.encode_queries(["gatekeeper access leavers"])
    assert product_recommender.linear.product_links(deal, vectors) == {}
    assert product_recommender.linear.linked_products({}) is None


def test_switched_off_it_builds_nothing(product_recommender: Recommender) -> None:
    off = without_linking(product_recommender)
    deal = Deal(questions=(ACCESS,), as_of=AS_OF)
    assert off.linear.product_links(deal, off.encoder.encode_queries([ACCESS])) == {}


def test_a_library_without_products_ranks_as_before(recommender: Recommender) -> None:
    deal = Deal(questions=("how does workflow handle approvals?",), as_of=AS_OF, k=5)
    on = recommender.recommend(deal)
    off = without_linking(recommender).recommend(deal)
    assert [(i.asset.id, i.score) for i in on.items] == [(i.asset.id, i.score) for i in off.items]
