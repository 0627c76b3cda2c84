"""Simulated experiments against a known truth: interleaving picks the better of two rankers
(the issue's target: 20 seeded runs of 1,000 impressions, a true difference of at least 0.05
nDCG@10, the right decision in at least 19 and the wrong one in none) and, with no difference,
rarely calls a winner."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest

from enablement.experiments import Verdict
from enablement.experiments.simulation import SimulatedDeal, ndcg_difference, repeated, simulate
from enablement.learn.metrics import ndcg

Reorder = Callable[[list[str], dict[str, float], random.Random], list[str]]
GRADES = (3, 3, 2, 2, 1, 1, 1)  # per deal, among 20 assets: like a labelled deal's 2-6 labels


def synthetic_deals(reorder: Reorder, *, deals: int = 100, seed: int = 1) -> list[SimulatedDeal]:
    """Deals whose control ranks by grade plus noise (a good, imperfect ranker: nDCG@10 about
    0.85) and whose treatment is `reorder` of the control's ranking; both shown to 10."""
    rng = random.Random(seed)
    out = []
    for number in range(deals):
        assets = [f"d{number}-a{i}" for i in range(20)]
        grades = dict(zip(rng.sample(assets, len(GRADES)), GRADES, strict=True))
        score = {a: grades.get(a, 0) + rng.gauss(0, 0.8) for a in assets}
        control = sorted(assets, key=lambda a: -score[a])
        treatment = reorder(control, score, rng)
        out.append(SimulatedDeal(f"D{number}", grades, tuple(control[:10]), tuple(treatment[:10])))
    return out


def top_three_reversed(
    control: list[str], score: dict[str, float], rng: random.Random
) -> list[str]:
    return control[:3][::-1] + control[3:]


def noisier(control: list[str], score: dict[str, float], rng: random.Random) -> list[str]:
    """A ranker worse all down the list: the control's scores with more noise."""
    noisy = {asset: value + rng.gauss(0, 0.8) for asset, value in score.items()}
    return sorted(control, key=lambda a: -noisy[a])


def swapped(deals: list[SimulatedDeal]) -> list[SimulatedDeal]:
    return [replace(d, control=d.treatment, treatment=d.control) for d in deals]


def verdicts(deals: list[SimulatedDeal], impressions: int = 1000) -> Counter[Verdict]:
    return Counter(d.decision for d in repeated(deals, runs=20, impressions=impressions, seed=3))


def test_the_true_difference_is_mean_ndcg_at_10_from_learn_metrics() -> None:
    deal = SimulatedDeal("D", {"a": 3, "b": 1}, control=("a", "b", "c"), treatment=("c", "b", "a"))
    expected = ndcg(["c", "b", "a"], {"a": 3, "b": 1}, 10) - ndcg(["a", "b", "c"], deal.grades, 10)
    assert ndcg_difference([deal, deal]) == pytest.approx(expected)
    assert ndcg_difference(swapped([deal])) == pytest.approx(-expected)


def test_interleaving_picks_the_better_ranker_at_a_difference_of_005_ndcg() -> None:
    deals = synthetic_deals(top_three_reversed)
    assert 0.05 <= -ndcg_difference(deals) <= 0.06  # the control is better by 0.05-0.06
    found = verdicts(deals)
    assert found[Verdict.control_better] >= 19 and found[Verdict.treatment_better] == 0
    found = verdicts(swapped(deals))  # the same pair the other way round
    assert found[Verdict.treatment_better] >= 19 and found[Verdict.control_better] == 0


def test_a_difference_spread_over_the_list_and_the_deals_needs_more_impressions() -> None:
    # A ranker noisier all down the list, as much worse but the better one on 19 of the 100
    # deals (the reversal: 9), is found less easily: at 1,000 impressions the experiment is
    # sometimes undecided (right in 17 of 20 here) but never wrong; at 3,000 it is right in 19+.
    deals = synthetic_deals(noisier)
    assert 0.05 <= -ndcg_difference(deals) <= 0.06
    at_1000 = verdicts(deals)
    assert at_1000[Verdict.treatment_better] == 0 and at_1000[Verdict.undecided] > 0
    at_3000 = verdicts(deals, impressions=3000)
    assert at_3000[Verdict.control_better] >= 19 and at_3000[Verdict.treatment_better] == 0


def test_identical_rankers_are_never_decided() -> None:
    # Every position is one both agree on: shared, credited to neither, every deal a tie.
    deals = synthetic_deals(lambda control, score, rng: list(control))
    assert ndcg_difference(deals) == 0.0
    runs = repeated(deals, runs=20, impressions=1000, seed=4)
    assert {(d.decision, d.wins, d.losses) for d in runs} == {(Verdict.undecided, 0, 0)}


def test_equally_good_rankers_are_almost_always_undecided() -> None:
    # Per deal, the two rankings are two draws of the same noisy ranker, so neither is better
    # in expectation. The exact interval calls a winner with no difference at most 5% of the
    # time (see test_decision), so about 5 of 100 runs at worst; more than 10 means a biased
    # credit or an interval too narrow.
    deals = two_draws()
    assert abs(ndcg_difference(deals)) < 0.02
    runs = repeated(deals, runs=100, impressions=1000, seed=4)
    called = sum(1 for d in runs if d.decision is not Verdict.undecided)
    assert called <= 10
    assert min(d.wins + d.losses for d in runs) >= 50  # each run had deals to decide on


def two_draws(deals: int = 100, seed: int = 2) -> list[SimulatedDeal]:
    """Deals like synthetic_deals', each ranking a separate draw of the same noisy ranker."""
    rng = random.Random(seed)
    out = []
    for number in range(deals):
        assets = [f"d{number}-a{i}" for i in range(20)]
        grades = dict(zip(rng.sample(assets, len(GRADES)), GRADES, strict=True))
        control, treatment = (
            tuple(sorted(assets, key=lambda a: -(grades.get(a, 0) + rng.gauss(0, 0.8)))[:10])
            for _ in range(2)
        )
        out.append(SimulatedDeal(f"D{number}", grades, control, treatment))
    return out


def test_runs_are_reproducible_from_their_seed() -> None:
    deals = synthetic_deals(top_three_reversed, deals=20)
    first = simulate(deals, impressions=200, rng=random.Random("7:0"))
    assert repeated(deals, runs=2, impressions=200, seed=7)[0] == first


def test_bad_simulations_are_refused() -> None:
    deals = synthetic_deals(top_three_reversed, deals=2)
    with pytest.raises(ValueError, match="no deals"):
        simulate([], impressions=10, rng=random.Random(0))
    with pytest.raises(ValueError, match="impressions must be 1 or more, not 0"):
        simulate(deals, impressions=0, rng=random.Random(0))
    with pytest.raises(ValueError, match="runs must be 1 or more, not 0"):
        repeated(deals, runs=0, impressions=10)
