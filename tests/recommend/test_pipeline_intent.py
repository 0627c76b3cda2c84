"""The type-intent feature in the scorer and its reason, on the small library."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.intent import CUES, TypeIntent
from enablement.recommend.pipeline import Recommender
from enablement.recommend.reasons import explain
from enablement.recommend.scoring import ScoringWeights, combine
from enablement.taxonomy import Taxonomy

AS_OF = date(2026, 6, 1)
QUESTION = "has anyone like us automated approvals and intake forms with workflow?"


def peers_model(dimension: int) -> TypeIntent:
    """Asking about peers means a case study; anything else, no particular type."""
    classes = ("case_study", "datasheet", "none")
    coef = np.zeros((3, dimension + len(CUES)), dtype=np.float32)
    coef[0, dimension + [name for name, _ in CUES].index("peers")] = 6.0
    return TypeIntent(classes, coef, np.zeros(3, np.float32), 1.0, "fake", dimension)


def with_intent(recommender: Recommender, weight: float) -> Recommender:
    weights = replace(recommender.config.weights, type_intent=weight)
    config = replace(
        recommender.config, intent=peers_model(recommender.encoder.dimension), weights=weights
    )
    return Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)


def test_combine_adds_the_weighted_intent() -> None:
    text, fits = np.array([0.5, 0.5], np.float32), np.zeros((2, 5), np.float32)
    weights = ScoringWeights(type_intent=0.4)
    intent = np.array([0.0, 1.0], np.float32)
    scores = combine(text, fits, weights, has_questions=True, intent=intent)
    assert scores[1] - scores[0] == pytest.approx(0.4)
    assert combine(text, fits, weights, has_questions=True).tolist() == [0.375, 0.375]


def test_asked_for_type_moves_up_with_a_reason(recommender: Recommender) -> None:
    deal = Deal(questions=(QUESTION,), as_of=AS_OF, k=10)
    before = [item.asset.id for item in recommender.recommend(deal).items]
    items = with_intent(recommender, 1.0).recommend(deal).items
    assert before[0] != "case-hospital"  # so the feature is what moves it
    assert items[0].asset.id == "case-hospital"
    assert {"type_match": "You asked for a case study"}.items() <= {
        r.code: r.text for r in items[0].reasons
    }.items()
    assert all(r.code != "type_match" for item in items[1:] for r in item.reasons)


def test_weight_zero_or_no_model_changes_nothing(recommender: Recommender) -> None:
    deal = Deal(questions=(QUESTION,), as_of=AS_OF, k=10)
    plain = recommender.recommend(deal).items
    off = with_intent(recommender, 0.0).recommend(deal).items
    assert [(i.asset.id, i.score) for i in off] == [(i.asset.id, i.score) for i in plain]
    assert all(r.code != "type_match" for item in off for r in item.reasons)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("case_study", "You asked for a case study"),
        ("email_template", "You asked for an email template"),
        ("roi_calculator", "You asked for an ROI calculator"),
        ("faq", "You asked for an FAQ"),
    ],
)
def test_type_match_reason_text(taxonomy: Taxonomy, kind: str, text: str) -> None:
    asset = AssetRecord(id="a", title="A", type=kind, external=True)
    fits = dict.fromkeys(("stage", "vertical", "persona", "product", "competitor"), 0.0)
    reasons = explain(asset, Deal(), {**fits, "type_intent": 0.8}, [], taxonomy)
    assert [r.text for r in reasons if r.code == "type_match"] == [text]
    weak = explain(asset, Deal(), {**fits, "type_intent": 0.3}, [], taxonomy)
    assert all(r.code != "type_match" for r in weak)
