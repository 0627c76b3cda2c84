"""Examination propensities recovered from simulated swap logs, thin evidence flagged, bad input
refused."""

from __future__ import annotations

import math
import random

import pytest

from enablement.errors import InvalidValueError
from enablement.events.clicks import ClickModel
from enablement.learn.logged import NONE, OPENED, SENT, LoggedList
from enablement.learn.propensity import (
    MIN_SWAP_ACTIONS,
    PROPENSITY_FLOOR,
    Propensities,
    estimate_propensities,
)
from tests.learn.swap_logs import labelled_deals, serve


def _best_first_logs(
    model: ClickModel, *, lists: int, length: int, seed: int, share: float = 0.5
) -> list[LoggedList]:
    """Lists of `length` shown best first (so raw clicks per position mix position and grade),
    explored at `share`."""
    rng = random.Random(seed)
    grades = labelled_deals(rng, deals=100, assets=length)
    rankings = {deal: sorted(g, key=lambda asset: -g[asset]) for deal, g in grades.items()}
    return serve(rankings, grades, rng, lists=lists // 100, share=share, model=model)


@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_propensities_are_recovered_from_swap_logs(eta: float) -> None:
    model = ClickModel(eta=eta)
    logs = _best_first_logs(model, lists=40_000, length=5, seed=1)
    estimated = estimate_propensities(logs)
    truth = [model.examination(k) for k in range(1, 6)]
    # Tolerance: within 20% of the true theta at every position after 40,000 lists of 5
    # (over 20 seeds the worst position was 16% off; the deepest rests on ~250 swap actions).
    assert estimated.theta[0] == 1.0
    assert estimated.theta == pytest.approx(truth, rel=0.2)
    assert estimated.thin == ()
    # Raw open rates per position are no estimate: better items sit higher, so they fall faster.
    opened = [sum(log.steps[k] >= OPENED for log in logs if log.swap is None) for k in range(5)]
    assert opened[4] / opened[0] < 0.7 * truth[4]


def test_thin_positions_are_flagged_with_their_counts() -> None:
    logs = _best_first_logs(ClickModel(), lists=3_000, length=10, seed=2)
    estimated = estimate_propensities(logs)
    assert estimated.depth == 10
    assert estimated.thin == tuple(
        k for k in range(2, 11) if estimated.actions[k - 1] < MIN_SWAP_ACTIONS
    )
    assert 2 not in estimated.thin and 10 in estimated.thin  # evidence thins out down the list
    assert estimated.swapped[0] == 0 and all(n > 100 for n in estimated.swapped[1:])
    positions = estimated.to_dict()["positions"]
    assert [p["thin"] for p in positions] == [k in estimated.thin for k in range(1, 11)]
    assert positions[1]["actions"] == estimated.actions[1] >= MIN_SWAP_ACTIONS


def test_without_swaps_no_correction_is_claimed() -> None:
    logs = _best_first_logs(ClickModel(), lists=1_000, length=4, seed=3, share=0.0)
    estimated = estimate_propensities(logs)
    assert estimated.theta == (1.0, 1.0, 1.0, 1.0)
    assert estimated.thin == (2, 3, 4)


def test_the_swap_arithmetic_on_a_small_log() -> None:
    """Pair (1, 2): in swapped lists the ranker's 1st item, shown 2nd, was opened once in 2 and
    its 2nd, shown 1st, twice; in kept lists the 1st was opened 3 times in 4, the 2nd once.
    theta(2) = (1/2 + 1/4) / (3/4 + 2/2) = 0.75 / 1.75."""
    swapped = [
        LoggedList.of("d", ["b", "a"], [OPENED, OPENED], swap=1),
        LoggedList.of("d", ["b", "a"], [SENT, NONE], swap=1),
    ]
    kept = [
        LoggedList.of("d", ["a", "b"], [OPENED, NONE]),
        LoggedList.of("d", ["a", "b"], [OPENED, OPENED]),
        LoggedList.of("d", ["a", "b"], [SENT, NONE]),
        LoggedList.of("d", ["a", "b"], [NONE, NONE]),
    ]
    estimated = estimate_propensities(swapped + kept)
    assert estimated.theta == pytest.approx((1.0, 0.75 / 1.75))
    assert (estimated.swapped, estimated.actions) == ((0, 2), (0, 3))


def test_theta_is_clipped_to_the_floor_and_to_one() -> None:
    never_below = [LoggedList.of("d", ["a", "b"], [OPENED, NONE], swap=s) for s in (1, None)] * 5
    estimated = estimate_propensities(never_below)
    assert estimated.theta == (1.0, PROPENSITY_FLOOR)  # nothing at position 2 ever acted on
    assert estimated.floored == (2,)
    above = [LoggedList.of("d", ["a", "b"], [NONE, OPENED], swap=s) for s in (1, None)] * 5
    assert estimate_propensities(above).theta == (1.0, 1.0)  # a ratio above 1 is noise


def test_given_propensities_are_relative_to_the_first_and_floored() -> None:
    given = Propensities.given([0.8, 0.4, 0.2, 0.001])
    assert given.theta == pytest.approx((1.0, 0.5, 0.25, PROPENSITY_FLOOR))
    assert given.floored == (4,)
    assert given.source == "given" and given.thin == ()
    assert given.at(3) == 0.25
    with pytest.raises(ValueError, match="cover positions 1 to 4, not 5"):
        given.at(5)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "at least one propensity"),
        ([1.0, 0.0], r"position 2 is 0\.0; it must be above 0"),
        ([1.0, 0.5, -0.2], r"position 3 is -0\.2; it must be above 0"),
        ([math.nan], "position 1 is nan"),
        ([1.0, "0.5"], "position 2 is '0.5', not a number"),
    ],
)
def test_bad_propensities_are_refused(values: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        Propensities.given(values)
    assert isinstance(caught.value, InvalidValueError)
    assert caught.value.field == "propensities"


def test_estimating_from_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="No logged lists"):
        estimate_propensities([])
    with pytest.raises(ValueError, match="depth must be 1 or more, not 0"):
        estimate_propensities([LoggedList.of("d", ["a"], [NONE])], depth=0)
