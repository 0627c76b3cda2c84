"""Team-draft interleaving, the credit a shown list earns each team, and outcomes per deal."""

from __future__ import annotations

import random

import pytest

from enablement.experiments import (
    CONTROL,
    SHARED,
    TREATMENT,
    Counts,
    Credit,
    CreditWeights,
    Interleaving,
    Outcome,
    Placement,
    common_prefix,
    count_outcomes,
    credit,
    per_deal,
    steps_from_actions,
    team_draft,
)
from enablement.learn.logged import NONE, OPENED, SENT, VIEWED


class Coins(random.Random):
    """A Random whose random() answers the given values in turn: scripted coin flips."""

    def __init__(self, values: list[float]) -> None:
        super().__init__(0)
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0)


def rankings(rng: random.Random, length: int) -> tuple[list[str], list[str]]:
    """Two rankings of `length` items drawn from a shared pool, so they overlap in part."""
    pool = [f"a{i}" for i in range(length + length // 2)]
    return rng.sample(pool, length), rng.sample(pool, length)


def test_a_worked_example_follows_the_coin_and_each_teams_order() -> None:
    # Coin 0.9: control first; treatment then has fewer. Coin 0.1: treatment first.
    shown = team_draft(["a", "b", "c", "d"], ["b", "e", "a", "f"], 4, Coins([0.9, 0.1]))
    assert shown.placements == (
        Placement("a", CONTROL),
        Placement("b", TREATMENT),  # treatment's best, b, is not placed yet
        Placement("e", TREATMENT),  # b is placed: its next best
        Placement("c", CONTROL),  # b is placed: control's next best
    )
    assert shown.items == ("a", "b", "e", "c")
    assert shown.picks(TREATMENT) == ("b", "e")


@pytest.mark.parametrize("seed", range(200))
def test_properties_hold_for_random_rankings(seed: int) -> None:
    rng = random.Random(seed)
    control, treatment = rankings(rng, rng.randint(10, 20))
    k = rng.randint(1, 10)
    shown = team_draft(control, treatment, k, rng)
    assert len(shown.items) == len(set(shown.items)) == k  # no duplicates, k placed
    for team, ranking in ((CONTROL, control), (TREATMENT, treatment)):
        ranks = [ranking.index(item) for item in shown.picks(team)]
        assert ranks == sorted(ranks)  # each team's picks keep its own order
    agreed = common_prefix(control, treatment)[:k]
    assert shown.items[: len(agreed)] == agreed  # the top both agree on is shown first, shared
    teams = [p.team for p in shown.placements]
    assert teams[: len(agreed)] == [SHARED] * len(agreed) and SHARED not in teams[len(agreed) :]
    for end in range(1, len(teams) + 1):  # balanced within 1 at every prefix
        assert abs(teams[:end].count(CONTROL) - teams[:end].count(TREATMENT)) <= 1
    twice = [team_draft(control, treatment, k, random.Random(seed)) for _ in range(2)]
    assert twice[0] == twice[1]  # deterministic for a seeded rng


def test_the_coin_is_fair_and_drawn_from_the_rng() -> None:
    rng = random.Random(11)
    first = [team_draft(["a", "b"], ["b", "a"], 2, rng).placements[0].team for _ in range(4000)]
    assert 0.46 < first.count(TREATMENT) / len(first) < 0.54
    lists = {team_draft(["a", "b", "c"], ["c", "b", "a"], 3, random.Random(s)) for s in range(20)}
    assert len(lists) > 1  # the seed matters


def test_the_top_both_rankings_agree_on_is_shared_and_earns_no_credit() -> None:
    shown = team_draft(["a", "b", "c", "d"], ["a", "b", "d", "e"], 5, Coins([0.9, 0.9]))
    assert shown.placements == (
        Placement("a", SHARED),
        Placement("b", SHARED),
        Placement("c", CONTROL),  # below the agreed top, team draft as ever: coin 0.9, control
        Placement("d", TREATMENT),
        Placement("e", TREATMENT),  # control has nothing left
    )
    assert credit(shown, [VIEWED, SENT, NONE, NONE, NONE]) == Credit(0.0, 0.0)
    assert credit(shown, [VIEWED, SENT, OPENED, NONE, NONE]) == Credit(1.0, 0.0)
    assert Interleaving.from_dict(shown.to_dict()) == shown
    same = team_draft(["a", "b", "c"], ["a", "b", "c"], 2, random.Random(0))
    assert [p.team for p in same.placements] == [SHARED, SHARED]  # identical: all shared, k kept


@pytest.mark.parametrize(
    ("control", "treatment", "agreed"),
    [
        (["a", "b", "c"], ["a", "b", "x"], ("a", "b")),
        (["a", "b"], ["a", "b", "c"], ("a", "b")),  # one ends: agreed up to there
        (["x", "b"], ["a", "b"], ()),  # the same below a difference is not shared
        (["a", "a", "b"], ["a", "a", "c"], ("a",)),  # a repeat is shown once, so not shared
        ([], ["a"], ()),
    ],
)
def test_common_prefix(control: list[str], treatment: list[str], agreed: tuple[str, ...]) -> None:
    assert common_prefix(control, treatment) == agreed


@pytest.mark.parametrize(("k", "expected"), [(1, 1), (3, 3), (6, 6), (50, 6)])
def test_k_bounds_the_list_and_exhausted_lists_end_it(k: int, expected: int) -> None:
    shown = team_draft(["a", "b", "c", "d"], ["d", "e", "f", "a"], k, random.Random(k))
    assert len(shown.items) == expected  # 6 distinct items in all


def test_when_one_list_is_exhausted_the_other_keeps_picking() -> None:
    shown = team_draft(["a"], ["b", "c", "a", "d", "e"], 4, Coins([0.9, 0.9]))
    assert shown.placements == (
        Placement("a", CONTROL),
        Placement("b", TREATMENT),
        Placement("c", TREATMENT),  # control has nothing left: treatment picks again
        Placement("d", TREATMENT),  # a was placed by control
    )
    only = team_draft([], ["x", "y"], 5, random.Random(0))
    assert only.picks(TREATMENT) == ("x", "y") and only.picks(CONTROL) == ()
    assert team_draft([], [], 5, random.Random(0)).items == ()


def test_duplicates_within_one_ranking_are_placed_once() -> None:
    shown = team_draft(["a", "a", "b"], ["a", "b", "b", "c"], 10, random.Random(2))
    assert sorted(shown.items) == ["a", "b", "c"]


@pytest.mark.parametrize("k", [0, -1])
def test_k_below_one_is_refused(k: int) -> None:
    with pytest.raises(ValueError, match=f"k must be 1 or more, not {k}"):
        team_draft(["a"], ["b"], k, random.Random(0))


def test_an_interleaving_round_trips_and_refuses_an_unknown_team() -> None:
    shown = team_draft(["a", "b", "c"], ["c", "d"], 4, random.Random(5))
    assert Interleaving.from_dict(shown.to_dict()) == shown
    assert shown.to_dict()["placements"][0].keys() == {"item", "team"}
    with pytest.raises(ValueError, match="unknown team 'B': expected 'control', 'treatment' or"):
        Interleaving.from_dict({"placements": [{"item": "a", "team": "B"}]})
    with pytest.raises(ValueError, match="unknown team"):
        Placement("a", "B")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown team"):
        shown.picks("A")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an interleaving"):
        Interleaving.from_dict({"items": ["a"]})
    with pytest.raises(ValueError, match="shows each item once"):
        Interleaving((Placement("a", CONTROL), Placement("a", TREATMENT)))


SHOWN = Interleaving(
    (
        Placement("a", CONTROL),
        Placement("b", TREATMENT),
        Placement("e", TREATMENT),
        Placement("c", CONTROL),
    )
)


def test_each_team_is_credited_with_actions_on_the_items_it_placed() -> None:
    steps = [OPENED, NONE, VIEWED, SENT]
    assert credit(SHOWN, steps) == Credit(control=2.0, treatment=1.0)  # any action counts 1
    assert credit(SHOWN, steps).outcome is Outcome.loss
    graded = CreditWeights(opened=1, sent=2, viewed=3)  # the highest step, not a sum
    assert credit(SHOWN, steps, weights=graded) == Credit(control=3.0, treatment=3.0)
    assert credit(SHOWN, steps, weights=graded).outcome is Outcome.tie
    assert credit(SHOWN, [NONE, OPENED, NONE, NONE]).outcome is Outcome.win
    assert credit(SHOWN, [NONE] * 4).outcome is Outcome.tie


def test_bad_steps_or_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="4 positions, 3 steps"):
        credit(SHOWN, [NONE, NONE, NONE])
    with pytest.raises(ValueError, match="not 4"):
        credit(SHOWN, [NONE, NONE, NONE, 4])
    with pytest.raises(ValueError, match="credit weight sent must be a finite number >= 0"):
        CreditWeights(sent=-1)


def test_logged_actions_become_ladder_steps() -> None:
    actions = {"b": ["opened", "buyer_viewed"], "c": ["sent"]}
    assert steps_from_actions(SHOWN, actions) == [NONE, VIEWED, NONE, SENT]
    with pytest.raises(ValueError, match="unknown action 'feedback': expected one of opened"):
        steps_from_actions(SHOWN, {"a": ["feedback"]})
    with pytest.raises(ValueError, match=r"did not show: \['z'\]"):
        steps_from_actions(SHOWN, {"z": ["opened"]})


def test_a_tie_survives_float_rounding() -> None:
    assert Credit(control=0.3, treatment=0.1 + 0.2).outcome is Outcome.tie


def test_a_deal_is_decided_by_its_summed_credit_not_by_a_vote_of_its_lists() -> None:
    impressions = [
        ("D1", Credit(control=0, treatment=1)),
        ("D1", Credit(control=0, treatment=1)),
        ("D1", Credit(control=3, treatment=0)),  # two lists won, but the deal is lost 2 to 3
        ("D2", Credit(control=1, treatment=0)),
        ("D2", Credit(control=0, treatment=1)),  # a tie overall
        ("D3", Credit(control=0, treatment=2)),
        ("D4", Credit()),
    ]
    totals = per_deal(impressions)
    assert totals == {
        "D1": Credit(control=3, treatment=2),
        "D2": Credit(control=1, treatment=1),
        "D3": Credit(control=0, treatment=2),
        "D4": Credit(),
    }
    counts = count_outcomes(totals.values())
    assert counts == Counts(wins=1, losses=1, ties=2)
    assert counts.decided == 2 and counts.to_dict() == {"wins": 1, "losses": 1, "ties": 2}
    assert count_outcomes([]) == Counts()


@pytest.mark.parametrize("field", ["wins", "losses", "ties"])
def test_negative_counts_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a whole number >= 0, not -1"):
        Counts(**{field: -1})
