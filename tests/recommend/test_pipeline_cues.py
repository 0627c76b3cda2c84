"""Stage and persona cues of the questions through the recommender, on the small library."""

from dataclasses import replace
from datetime import date

import numpy as np

from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender

AS_OF = date(2026, 6, 1)
PRICE = "what would it cost per user per month?"


def with_cues(recommender: Recommender, share: float) -> Recommender:
    weights = replace(recommender.config.weights, question_cues=share)
    config = replace(recommender.config, weights=weights)
    return Recommender(recommender.bundle, recommender.encoder, recommender.taxonomy, config)


def test_cues_fill_an_empty_stage_with_a_reason(recommender: Recommender) -> None:
    deal = Deal(questions=(PRICE,), as_of=AS_OF, k=10)
    on = with_cues(recommender, 0.5)
    cues = on.linear.question_cues(deal)
    assert cues is not None and cues.stage_id == "proposal"
    assert cues.stage[on.table.position["pricing-public"]] == 1.0
    item = next(i for i in on.recommend(deal).items if i.asset.id == "pricing-public")
    assert {"stage_match": "Made for the Proposal stage, from the question"}.items() <= {
        r.code: r.text for r in item.reasons
    }.items()
    plain = next(i for i in recommender.recommend(deal).items if i.asset.id == "pricing-public")
    assert item.score - plain.score == np.float32(0.5 * on.config.weights.stage)
    assert all(r.code != "stage_match" for r in plain.reasons)


def test_off_by_default_yet_the_arrays_are_there(recommender: Recommender) -> None:
    assert recommender.config.weights.question_cues == 0.0
    cues = recommender.linear.question_cues(Deal(questions=(PRICE,)))
    assert cues is not None and cues.stage.shape == (recommender.table.size,)


def test_cues_never_override_the_deal(recommender: Recommender) -> None:
    on = with_cues(recommender, 1.0)
    deal = Deal(stage="discovery", questions=(PRICE,), as_of=AS_OF, k=10)
    assert on.linear.question_cues(deal) is None  # the stage is stated and no persona cue fires
    assert [i.score for i in on.recommend(deal).items] == [
        i.score for i in recommender.recommend(deal).items
    ]
    texts = [r.text for item in on.recommend(deal).items for r in item.reasons]
    assert not [t for t in texts if "from the question" in t]


def test_share_is_capped_below_the_stated_field(recommender: Recommender) -> None:
    deal = Deal(questions=(PRICE,), as_of=AS_OF, k=10)
    capped = {i.asset.id: i.score for i in with_cues(recommender, 5.0).recommend(deal).items}
    full = {i.asset.id: i.score for i in with_cues(recommender, 1.0).recommend(deal).items}
    assert capped == full


def test_persona_cue_gives_its_reason(recommender: Recommender) -> None:
    deal = Deal(questions=("our CISO asks how data is encrypted at rest",), as_of=AS_OF)
    items = with_cues(recommender, 0.5).recommend(deal).items
    faq = next(i for i in items if i.asset.id == "security-faq")
    assert ("persona_match", "Written for IT & Security buyers, from the question") in [
        (r.code, r.text) for r in faq.reasons
    ]
