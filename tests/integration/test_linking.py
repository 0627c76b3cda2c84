"""Product linking with the real model over the sample library: described, not named."""

from __future__ import annotations

from enablement.recommend.context import Deal
from enablement.service import EnablementService

DESCRIBED = "is there a prebuilt connector to sync records with our ERP?"


def test_a_described_product_links_with_the_real_model(sample_service: EnablementService) -> None:
    recommender = sample_service.recommender
    assert any("connect" in asset.products for asset in recommender.bundle.assets)
    vectors = recommender.encoder.encode_queries([DESCRIBED, "how much does it cost?"])
    links = recommender.linear.product_links(Deal(questions=(DESCRIBED,)), vectors[:1])
    assert list(links) == ["connect"]
    generic_deal = Deal(questions=("how much does it cost?",))
    generic = recommender.linear.product_links(generic_deal, vectors[1:])
    assert generic == {}
    result = sample_service.recommend({"questions": [DESCRIBED], "as_of": "2026-11-25"})
    reasons = [r.text for item in result.items for r in item.reasons if r.code == "product_match"]
    assert "About Connect, linked from the question" in reasons
