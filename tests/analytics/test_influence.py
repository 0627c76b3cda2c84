"""Influence compares like with like: deals that reached the stage where the asset was sent."""

from __future__ import annotations

import random

from enablement.analytics.influence import ClosedDeal, influence


def history(seed: int, effect: float) -> tuple[list[ClosedDeal], dict[str, dict[str, int]]]:
    """Deals reach stage 1..5; later stages win more. 'late' is sent only at stage 4 and has no
    effect; 'good' is sent at stage 2 and raises the win chance by `effect`."""
    rng = random.Random(seed)
    deals, sent = [], {"late": {}, "good": {}}
    for i in range(4000):
        reached = rng.choice([1, 2, 3, 4, 5])
        gets_good = reached >= 2 and rng.random() < 0.3
        won = reached == 5 and rng.random() < 0.4 + (effect if gets_good else 0)
        deal = ClosedDeal(f"d{i}", rng.choice(["a", "b"]), reached, won)
        deals.append(deal)
        if reached >= 4 and rng.random() < 0.5:
            sent["late"][deal.id] = 4
        if gets_good:
            sent["good"][deal.id] = 2
    return deals, sent


def test_a_late_stage_asset_is_not_credited_for_late_stage_wins() -> None:
    deals, sent = history(1, effect=0.3)
    rows = {r.asset_id: r for r in influence(deals, sent, top_rank=6)}
    late, good = rows["late"], rows["good"]
    assert late.low <= 0 <= late.high  # naive comparison would show a large positive gap
    naive = sum(d.won for d in deals if d.id in sent["late"]) / len(sent["late"]) - sum(
        d.won for d in deals if d.id not in sent["late"]
    ) / (len(deals) - len(sent["late"]))
    assert naive > 0.1
    truth = 0.3 * 0.25  # P(reach 5 | reached 2) is 1/4 in this history
    assert good.low > 0 and good.low <= truth <= good.high


def test_too_few_deals_show_nothing() -> None:
    deals, sent = history(2, effect=0.0)
    assert influence(deals[:30], sent, top_rank=6, min_deals=10) == []


def test_assets_are_sorted_by_the_lower_end_of_their_interval() -> None:
    """'wide' has the larger difference but few deals; 'narrow' the surer gain."""
    deals, sent = [], {"narrow": {}, "wide": {}}
    for i in range(400):
        won = i % 10 < 3  # 30% of the deals neither asset was sent in are won
        if i < 200:
            won = i % 10 < 5  # 100 of the 200 'narrow' was sent in
            sent["narrow"][f"d{i}"] = 1
        elif i < 212:
            won = i < 209  # 9 of the 12 'wide' was sent in
            sent["wide"][f"d{i}"] = 1
        deals.append(ClosedDeal(f"d{i}", "a", 3, won))
    rows = influence(deals, sent, top_rank=6)
    assert [r.asset_id for r in rows] == ["narrow", "wide"]
    narrow, wide = rows
    assert wide.difference > narrow.difference and narrow.low > wide.low > 0
