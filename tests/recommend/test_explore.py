"""Exploration: how often lists are swapped, which pairs, and that nothing but order changes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from enablement.errors import InvalidValueError
from enablement.recommend.context import Deal
from enablement.recommend.eligibility import violations
from enablement.recommend.explore import MAX_SHARE, explore
from enablement.recommend.pipeline import Recommender

RANKING = ("a", "b", "c", "d", "e")


def test_share_zero_leaves_every_list_alone() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        explored = explore(RANKING, 0.0, rng)
        assert explored.shown == RANKING
        assert explored.swap is None


@pytest.mark.parametrize("share", [0.1, 0.3, MAX_SHARE])
def test_the_swap_rate_matches_the_share(share: float) -> None:
    rng = random.Random(7)
    draws = 20_000
    swapped = sum(explore(RANKING, share, rng).swap is not None for _ in range(draws))
    # binomial standard error sqrt(share (1 - share) / draws) <= 0.0036; 0.012 is over 3 of them
    assert swapped / draws == pytest.approx(share, abs=0.012)


def test_only_adjacent_pairs_are_swapped_each_as_often() -> None:
    rng = random.Random(3)
    pairs: Counter[int] = Counter()
    for _ in range(20_000):
        explored = explore(RANKING, 0.5, rng)
        assert sorted(explored.shown) == sorted(RANKING)  # the same items, none added or lost
        if explored.swap is None:
            continue
        k = explored.swap
        moved = [p for p in range(len(RANKING)) if explored.shown[p] != RANKING[p]]
        assert moved == [k - 1, k]  # 1-based positions k and k+1, exchanged
        assert explored.shown[k - 1 : k + 1] == (RANKING[k], RANKING[k - 1])
        pairs[k] += 1
    assert set(pairs) == {1, 2, 3, 4}
    # uniform over the 4 pairs: Pearson's chi-square, 3 degrees of freedom, under its 0.1%
    # critical value (16.27); a pair drawn 10% more often than the others would exceed it
    expected = sum(pairs.values()) / 4
    assert sum((pairs[k] - expected) ** 2 / expected for k in (1, 2, 3, 4)) < 16.27


def test_short_lists_and_a_seed_give_the_same_draws() -> None:
    assert explore([], 0.5, random.Random(0)).shown == ()
    assert explore(["only"], 0.5, random.Random(0)).swap is None
    assert explore(["a", "b"], 0.5, random.Random(2)).to_dict() in (
        {"shown": ["a", "b"], "swap": None},
        {"shown": ["b", "a"], "swap": 1},
    )
    first = [explore(RANKING, 0.5, random.Random(11)) for _ in range(3)]
    assert first[0] == first[1] == first[2]


def test_an_explored_list_never_holds_an_ineligible_asset(recommender: Recommender) -> None:
    """Explore reorders the filtered list it is given, so whatever eligibility removed (an
    expired, internal-only, already shared or wrong-language asset) cannot come back."""
    as_of = date(2026, 6, 1)
    deals = [
        (
            Deal(questions=("business edition costs 72 dollars per user",), as_of=as_of),
            "pricing-old",
        ),
        (
            Deal(questions=("discount bands manager approval",), external_only=True, as_of=as_of),
            "pricing-internal",
        ),
        (
            Deal(
                questions=("hospital prior authorization five days to two",),
                as_of=as_of,
                already_shared=frozenset({"case-hospital"}),
            ),
            "case-hospital",
        ),
    ]
    rng = random.Random(5)
    for deal, excluded in deals:
        items = {item.asset.id: item.asset for item in recommender.recommend(deal).items}
        assert len(items) >= 2 and excluded not in items
        for _ in range(200):
            explored = explore(list(items), MAX_SHARE, rng)
            assert excluded not in explored.shown
            assert set(explored.shown) == set(items)
            assert all(not violations(items[asset], deal) for asset in explored.shown)


@pytest.mark.parametrize("share", [-0.01, 0.51, 1.0, float("nan"), float("inf"), True, "0.2"])
def test_a_share_outside_zero_to_half_is_refused(share: object) -> None:
    with pytest.raises(ValueError, match=r"share must be a number from 0 to 0\.5") as caught:
        explore(RANKING, share, random.Random(0))  # type: ignore[arg-type]
    assert isinstance(caught.value, InvalidValueError)
    assert caught.value.field == "share"


def test_a_ranking_with_an_asset_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="The ranking lists 'b' twice"):
        explore(["a", "b", "b"], 0.2, random.Random(0))
