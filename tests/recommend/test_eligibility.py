"""Hard filters on adversarial cases, and the vectorised filter equal to the per-asset one."""

import itertools
from datetime import date

import numpy as np

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.eligibility import eligible_assets, violations
from enablement.recommend.pipeline import Recommender
from enablement.recommend.table import AssetTable


def _assets() -> list[AssetRecord]:
    combos = itertools.product(
        [None, date(2026, 1, 1), date(2027, 1, 1)], [None, True, False], [None, "en", "fr", "en-gb"]
    )
    return [
        AssetRecord(id=f"a{i}", title=f"A{i}", expires_at=exp, external=ext, language=lang)
        for i, (exp, ext, lang) in enumerate(combos)
    ]


def test_vectorised_filter_agrees_with_the_rules() -> None:
    assets = _assets()
    table = AssetTable(assets)
    for deal in [
        Deal(as_of=date(2026, 6, 1)),
        Deal(as_of=date(2026, 6, 1), external_only=True, language="en"),
        Deal(as_of=date(2028, 1, 1), already_shared=frozenset({"a0", "a5"}), language="fr"),
    ]:
        mask = eligible_assets(table, deal)
        assert mask.tolist() == [not violations(a, deal) for a in assets]


def test_each_rule() -> None:
    deal = Deal(
        as_of=date(2026, 6, 1),
        external_only=True,
        language="en",
        already_shared=frozenset({"shared"}),
    )
    assert violations(AssetRecord("x", "X", expires_at=date(2026, 5, 31)), deal) == ["expired"]
    assert violations(AssetRecord("x", "X", expires_at=date(2026, 6, 1)), deal) == []
    assert violations(AssetRecord("shared", "S"), deal) == ["already_shared"]
    assert violations(AssetRecord("x", "X", external=False), deal) == ["internal_only"]
    assert violations(AssetRecord("x", "X", external=None), deal) == []
    assert violations(AssetRecord("x", "X", language="fr"), deal) == ["language"]
    assert violations(AssetRecord("x", "X", language="en-us"), deal) == []


def test_filters_hold_even_when_the_text_matches_best(recommender: Recommender) -> None:
    """Each question below is answered best by an asset that the deal excludes."""
    as_of = date(2026, 6, 1)
    cases = [
        (
            Deal(questions=("business edition costs 72 dollars per user",), as_of=as_of, k=10),
            "pricing-old",
        ),
        (
            Deal(
                questions=("discount bands manager approval",),
                external_only=True,
                as_of=as_of,
                k=10,
            ),
            "pricing-internal",
        ),
        (
            Deal(
                questions=("hospital prior authorization five days to two",),
                as_of=as_of,
                k=10,
                already_shared=frozenset({"case-hospital"}),
            ),
            "case-hospital",
        ),
        (
            Deal(questions=("configurer les approbations",), language="en", as_of=as_of, k=10),
            "guide-fr",
        ),
    ]
    for deal, excluded in cases:
        ids = [item.asset.id for item in recommender.recommend(deal).items]
        assert excluded not in ids
        assert ids and all(
            not violations(item.asset, deal) for item in recommender.recommend(deal).items
        )


def test_everything_filtered_gives_no_items(recommender: Recommender) -> None:
    everything = frozenset(a.id for a in recommender.bundle.assets)
    result = recommender.recommend(Deal(questions=("pricing",), already_shared=everything))
    assert result.items == []
    assert (
        np.count_nonzero(eligible_assets(recommender.table, Deal(already_shared=everything))) == 0
    )
