from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from enablement.learn.outcomes import THUMBS_DOWN, WON, context_key, outcomes, reward
from enablement.recommend.context import Deal

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    recommendation_id: str
    asset_id: str
    position: int
    step: int = 0
    rating: int | None = None
    outcome: str | None = None
    deal_id: str | None = "d1"
    stage: str | None = "discovery"
    vertical: str | None = "healthcare"
    persona: str | None = None
    shown_at: datetime = T0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (Row("r", "a", 1), 0.0),
        (Row("r", "a", 1, step=1), 1.0),
        (Row("r", "a", 1, step=2), 2.0),
        (Row("r", "a", 1, step=3), 3.0),
        (Row("r", "a", 1, step=1, outcome="won"), 1.0),  # opened only: not in the won deal
        (Row("r", "a", 1, step=2, outcome="won"), WON),
        (Row("r", "a", 1, step=3, outcome="lost"), 3.0),
        (Row("r", "a", 1, step=3, outcome="won", rating=-1), THUMBS_DOWN),
        (Row("r", "a", 1, step=1, rating=1), 1.0),
    ],
)
def test_the_reward_climbs_the_ladder_and_a_thumbs_down_overrides_it(
    row: Row, expected: float
) -> None:
    assert reward(row) == expected


def _list(rec: str, assets: list[str], steps: list[int], **fields: object) -> list[Row]:
    return [
        Row(rec, asset, p, step, **fields)  # type: ignore[arg-type]
        for p, (asset, step) in enumerate(zip(assets, steps, strict=True), start=1)
    ]


def test_lists_for_the_same_fields_and_questions_pool_into_one_context() -> None:
    deal = Deal(deal_id="d1", stage="discovery", questions=("do you sign a BAA?",))
    other_deal = Deal(deal_id="d2", stage="discovery", questions=("do you sign a BAA?",))
    asked_else = Deal(deal_id="d3", stage="discovery", questions=("what does it cost?",))
    rows = (
        _list("r1", ["a", "b"], [1, 0])
        + _list("r2", ["b", "a"], [0, 0], deal_id="d2", shown_at=T0 + timedelta(days=1))
        + _list("r3", ["a", "c"], [0, 3], deal_id="d3")
    )
    found = outcomes(rows, swaps={}, deals={"r1": deal, "r2": other_deal, "r3": asked_else})
    assert context_key(deal) == context_key(other_deal) != context_key(asked_else)
    pooled = found.contexts[context_key(deal)]
    assert pooled.lists == 2 and pooled.shown == {"a": 2, "b": 2}
    assert pooled.deal.deal_id == "d2"  # the latest list's deal is the one replayed
    theta = found.propensities.theta
    assert pooled.mean_rewards() == pytest.approx({"a": 1.0 / theta[0] / 2, "b": 0.0})
    assert found.contexts[context_key(asked_else)].mean_rewards()["c"] == pytest.approx(
        3.0 / theta[1]
    )
    assert (found.impressions, found.lists, found.actions) == (6, 3, 2)


def test_a_list_without_its_deal_still_counts_for_priors_and_propensities() -> None:
    rows = _list("old", ["a", "b"], [1, 0]) + _list("new", ["a", "b"], [0, 2])
    found = outcomes(rows, swaps={}, deals={"new": Deal(deal_id="d1")})
    assert len(found.contexts) == 1 and len(found.logs) == 2
    assert [key for key, _ in found.shown].count(None) == 2
    assert {log.context for log in found.logs} == {"d1", context_key(Deal(deal_id="d1"))}


def test_rewards_are_divided_by_their_positions_propensity() -> None:
    # Swapped lists where the lower place gets half the actions: theta(2) is estimated near 1/2
    rows: list[Row] = []
    swaps: dict[str, int | None] = {}
    for n in range(400):
        swapped = n % 2 == 0
        steps = [1, 0] if n % 4 in (0, 1) else [0, 1] if n % 8 == 2 else [0, 0]
        rows += _list(f"r{n}", ["a", "b"], steps, deal_id=f"d{n}")
        swaps[f"r{n}"] = 1 if swapped else None
    found = outcomes(rows, swaps=swaps, deals={})
    theta2 = found.propensities.theta[1]
    assert theta2 < 1.0
    second = [s.reward for _, s in found.shown if s.asset_id == "b" and s.reward > 0]
    assert second and all(value == pytest.approx(1.0 / theta2) for value in second)


def test_a_swap_that_names_no_pair_of_the_list_is_ignored() -> None:
    rows = _list("r1", ["a", "b"], [1, 0])
    found = outcomes(rows, swaps={"r1": 5}, deals={})
    assert found.logs[0].swap is None
