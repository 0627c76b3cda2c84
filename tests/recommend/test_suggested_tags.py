"""Unreviewed tag suggestions in ranking: soft fit features weighted by their confidence, only
for fields the asset leaves empty, never a filter, and named in the reasons."""

from __future__ import annotations

import numpy as np
import pytest

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.reasons import explain
from enablement.recommend.scoring import FIT_FEATURES, fit_features
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy

STAGES = ["discovery", "evaluation", "proposal"]
VERTICAL, STAGE, PERSONA = (FIT_FEATURES.index(n) for n in ("vertical", "stage", "persona"))
ASSETS = [
    AssetRecord("tagged", "T", verticals=("healthcare",)),
    AssetRecord(
        "guessed",
        "G",
        suggested=(("verticals", "healthcare", 0.8), ("personas", "finance", 0.6)),
    ),
    AssetRecord("unsure", "U", suggested=(("verticals", "healthcare", 0.4),)),
    AssetRecord(
        "own", "O", verticals=("education",), suggested=(("verticals", "healthcare", 0.9),)
    ),
    AssetRecord("bare", "B"),
]
TABLE = AssetTable(ASSETS)


def test_only_missing_fields_are_filled_and_only_from_the_floor() -> None:
    filled = TABLE.with_suggestions()
    assert filled is not None
    assert filled.members("verticals", ["healthcare"]).tolist() == [True, True, False, False, False]
    assert TABLE.confidence("verticals").tolist() == pytest.approx([0, 0.8, 0, 0, 0])
    assert TABLE.confidence("personas").tolist() == pytest.approx([0, 0.6, 0, 0, 0])
    assert AssetTable([AssetRecord("x", "X")]).with_suggestions() is None


def test_a_suggested_tag_counts_as_far_as_its_confidence() -> None:
    match = fit_features(TABLE, Deal(vertical="healthcare", persona="finance"), STAGES)
    assert match[:, VERTICAL].tolist() == pytest.approx([1.0, 0.8, 0.0, -1.0, 0.0])
    assert match[:, PERSONA].tolist() == pytest.approx([0.0, 0.6, 0.0, 0.0, 0.0])
    other = fit_features(TABLE, Deal(vertical="manufacturing"), STAGES)
    assert other[:, VERTICAL].tolist() == pytest.approx([-1.0, -0.8, 0.0, -1.0, 0.0])
    bare = AssetTable([AssetRecord(a.id, a.title, verticals=a.verticals) for a in ASSETS])
    plain = fit_features(bare, Deal(vertical="healthcare"), STAGES)
    assert plain[:, VERTICAL].tolist() == pytest.approx([1.0, 0.0, 0.0, -1.0, 0.0])


def test_a_suggestion_never_filters() -> None:
    deal = Deal(vertical="manufacturing", stage="proposal", external_only=True)
    bare = AssetTable([AssetRecord(a.id, a.title, verticals=a.verticals) for a in ASSETS])
    assert np.array_equal(eligible_assets(TABLE, deal), eligible_assets(bare, deal))


def test_reasons_say_when_a_suggested_tag_carried_the_item(taxonomy: Taxonomy) -> None:
    fits = dict.fromkeys(FIT_FEATURES, 0.0) | {"vertical": 0.8, "persona": 0.6}
    deal = Deal(vertical="healthcare", persona="finance")
    texts = [r.text for r in explain(ASSETS[1], deal, fits, [], taxonomy)]
    assert texts[:2] == ["The Healthcare version (suggested tag)",
                         "Written for Finance buyers (suggested tag)"]  # fmt: skip
    own = [r.text for r in explain(ASSETS[0], deal, fits | {"persona": 0.0}, [], taxonomy)]
    assert own[0] == "The Healthcare version"


def test_suggestions_round_trip_through_a_bundles_json() -> None:
    record = ASSETS[1]
    assert AssetRecord.from_json(record.to_json()) == record
    assert AssetRecord.from_json({"id": "a", "title": "A"}).suggested == ()  # older bundles


def test_a_suggested_type_stands_in_from_the_floor_and_says_so(taxonomy: Taxonomy) -> None:
    fits = dict.fromkeys(FIT_FEATURES, 0.0) | {"type_intent": 0.9}
    typed = AssetRecord("t", "T", suggested=(("type", "case_study", 0.7), ("type", "faq", 0.6)))
    texts = [r.text for r in explain(typed, Deal(), fits, [], taxonomy)]
    assert texts[0] == "You asked for a case study (suggested tag)"
    table = AssetTable([typed, AssetRecord("u", "U", suggested=(("type", "faq", 0.4),))])
    assert table.suggested_types.tolist() == ["case_study", ""]
    assert table.type_confidence.tolist() == pytest.approx([0.7, 0.0])
