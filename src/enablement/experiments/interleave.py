"""Team-draft interleaving of two rankings, the credit each ranking earns from what reps and
buyers did with one shown list, and the per-deal win, loss or tie that an experiment counts.

Team draft (Radlinski, Kurup & Joachims 2008, "How does clickthrough data reflect retrieval
quality?"): the two rankings take turns, like captains picking teams, to place their best item
not yet placed; whichever team has fewer picks goes next, and a fair coin decides when they have
as many. Each shown item then belongs to the team that placed it, and an action on it is a vote
for that team's ranking. The coin makes either team equally likely to hold any position, so
position bias favours neither: with two identical rankings each wins as often as the other.

One refinement: the positions at the top where both rankings agree, item for item, are shown as
they are and credited to neither team ("shared"). Team draft would show the same items there
whichever team it gave them to, so credit on them is a coin flip: nothing in expectation, only
noise. Two rankings that differ only lower down (a learned re-ranker over the same scorer often
keeps the first one or two) are otherwise decided by clicks mostly on items they agree on. On
the labelled libraries (eval/interleaving.py) this took the linear scorer against the learned
ranker from 16-20 right calls in 20 experiments of 1,000 lists to 20 in each library.

Control and treatment are named, not "A" and "B", because every outcome here is read from the
treatment's side: a win means the treatment's items drew more credit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal, cast

from enablement.experiments.decision import Counts
from enablement.learn.logged import NONE, OPENED, SENT, STEP_BY_EVENT, VIEWED

Team = Literal["control", "treatment"]
Side = Literal["control", "treatment", "shared"]  # who placed a shown position
CONTROL: Final = "control"
TREATMENT: Final = "treatment"
SHARED: Final = "shared"  # a position both rankings agree on, at the top: credited to neither
TEAMS: Final = (CONTROL, TREATMENT)
SIDES: Final = (CONTROL, TREATMENT, SHARED)


class Outcome(StrEnum):
    """An impression's or a deal's result, always from the treatment's side."""

    win = "win"
    loss = "loss"
    tie = "tie"


@dataclass(frozen=True)
class Placement:
    """One shown position: the item and the team ("control" or "treatment") that placed it, or
    "shared" for one of the top positions both rankings agree on."""

    item: str
    team: Side

    def __post_init__(self) -> None:
        _check_team(self.team, SIDES)


@dataclass(frozen=True)
class Interleaving:
    """The list to show, best first, each position with the team that placed it."""

    placements: tuple[Placement, ...]

    def __post_init__(self) -> None:
        items = self.items
        if len(set(items)) != len(items):
            raise ValueError("an interleaved list shows each item once")

    @property
    def items(self) -> tuple[str, ...]:
        """The item ids in the order to show them."""
        return tuple(placement.item for placement in self.placements)

    def picks(self, team: Team) -> tuple[str, ...]:
        """The items `team` placed, in the order it placed them (shared positions are neither's)."""
        _check_team(team)
        return tuple(p.item for p in self.placements if p.team == team)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: {"placements": [{"item", "team"}, ...]}, what a store keeps per list."""
        return {"placements": [{"item": p.item, "team": p.team} for p in self.placements]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Interleaving:
        """The inverse of to_dict; raises ValueError for a malformed one or an unknown team."""
        try:
            rows = [(str(row["item"]), str(row["team"])) for row in raw["placements"]]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not an interleaving: {exc!r}") from None
        for _, team in rows:
            _check_team(team, SIDES)
        return cls(tuple(Placement(item, cast(Side, team)) for item, team in rows))


def team_draft(
    control: Sequence[str], treatment: Sequence[str], k: int, rng: random.Random
) -> Interleaving:
    """Up to `k` items interleaved from the two rankings (each best first) by team draft.

    The top positions where the two rankings agree item for item are shown first, as "shared".
    Below them the team with fewer picks places next, a coin from `rng` choosing when they have
    as many; it places its highest-ranked item not already shown. When one ranking has nothing
    left to place, the other keeps placing until `k` items or both are exhausted. Deterministic
    for a seeded `rng`. Raises ValueError when `k` < 1.
    """
    if k < 1:
        raise ValueError(f"k must be 1 or more, not {k}")
    agreed = common_prefix(control, treatment)[:k]
    placements = [Placement(item, SHARED) for item in agreed]
    rankings: dict[Team, Sequence[str]] = {CONTROL: control, TREATMENT: treatment}
    cursor: dict[Team, int] = {CONTROL: len(agreed), TREATMENT: len(agreed)}
    count: dict[Team, int] = {CONTROL: 0, TREATMENT: 0}
    shown: set[str] = set(agreed)

    def next_item(team: Team) -> str | None:
        ranking = rankings[team]
        while cursor[team] < len(ranking) and ranking[cursor[team]] in shown:
            cursor[team] += 1
        return ranking[cursor[team]] if cursor[team] < len(ranking) else None

    while len(placements) < k:
        if count[CONTROL] == count[TREATMENT]:
            team: Team = TREATMENT if rng.random() < 0.5 else CONTROL
        else:
            team = CONTROL if count[CONTROL] < count[TREATMENT] else TREATMENT
        item = next_item(team)
        if item is None:  # this team is exhausted: the other keeps picking
            team = TREATMENT if team == CONTROL else CONTROL
            item = next_item(team)
            if item is None:
                break
        shown.add(item)
        count[team] += 1
        placements.append(Placement(item, team))
    return Interleaving(tuple(placements))


def common_prefix(control: Sequence[str], treatment: Sequence[str]) -> tuple[str, ...]:
    """The items both rankings place first, in the same order, up to where they first differ
    (or an item repeats within them, which team draft would show once)."""
    agreed: list[str] = []
    for first, second in zip(control, treatment, strict=False):
        if first != second or first in agreed:
            break
        agreed.append(first)
    return tuple(agreed)


@dataclass(frozen=True)
class CreditWeights:
    """What an item is worth to the team that placed it, by the highest ladder step it reached.

    The default counts any action as 1: an item the rep opened, sent, or whose link the buyer
    viewed is one vote, team draft's original credit (a click), on the first step, which every
    later step implies. It assumes nothing about which difference a new ranking makes. Graded
    weights such as (1, 2, 3) say a send or a buyer view is worth more; in simulation they find
    a better order among the top few relevant items sooner (a send separates a grade 3 from a
    grade 2 better than an open does) but a ranking that is worse all down the list later (an
    open separates relevant from irrelevant items, and the rarer sends add noise). Weights are
    per item, for the highest step reached, not summed along the ladder.
    """

    opened: float = 1.0
    sent: float = 1.0
    viewed: float = 1.0

    def __post_init__(self) -> None:
        for name in ("opened", "sent", "viewed"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"credit weight {name} must be a finite number >= 0, not {value}")

    def of(self, step: int) -> float:
        """The credit for an item whose highest step is `step` (NONE, OPENED, SENT or VIEWED)."""
        if step == NONE:
            return 0.0
        if step == OPENED:
            return self.opened
        if step == SENT:
            return self.sent
        if step == VIEWED:
            return self.viewed
        raise ValueError(
            f"a ladder step is {NONE}-{VIEWED} (none, opened, sent, viewed), not {step}"
        )


DEFAULT_WEIGHTS: Final = CreditWeights()


@dataclass(frozen=True)
class Credit:
    """The credit each ranking earned, from one shown list or summed over a deal's lists."""

    control: float = 0.0
    treatment: float = 0.0

    def __add__(self, other: Credit) -> Credit:
        return Credit(self.control + other.control, self.treatment + other.treatment)

    @property
    def outcome(self) -> Outcome:
        """A treatment win when its items drew more credit, a loss when fewer, else a tie."""
        if math.isclose(self.treatment, self.control, rel_tol=1e-9, abs_tol=1e-9):
            return Outcome.tie
        return Outcome.win if self.treatment > self.control else Outcome.loss


def credit(
    interleaving: Interleaving, steps: Sequence[int], *, weights: CreditWeights = DEFAULT_WEIGHTS
) -> Credit:
    """Each team's credit for the shown list: per position, the weight of the highest ladder step
    reached there (what ClickModel.act returns, or steps_from_actions for logged events), added
    to the team that placed that position (a shared position's to neither). Raises ValueError
    when `steps` does not have one step per position or holds a step outside the ladder."""
    if len(steps) != len(interleaving.placements):
        raise ValueError(
            f"one step per shown position: {len(interleaving.placements)} positions, "
            f"{len(steps)} steps"
        )
    earned = {CONTROL: 0.0, TREATMENT: 0.0, SHARED: 0.0}
    for placement, step in zip(interleaving.placements, steps, strict=True):
        earned[placement.team] += weights.of(step)
    return Credit(control=earned[CONTROL], treatment=earned[TREATMENT])


def steps_from_actions(
    interleaving: Interleaving, actions: Mapping[str, Iterable[str]]
) -> list[int]:
    """Per shown position, the highest ladder step among the actions logged on its item
    (`actions`: item id -> event types among opened, sent and buyer_viewed); NONE for an item
    nobody acted on. Raises ValueError for another action or an item the list did not show."""
    shown = set(interleaving.items)
    stray = sorted(set(actions) - shown)
    if stray:
        raise ValueError(f"actions on items this list did not show: {stray}")
    steps = []
    for item in interleaving.items:
        step = NONE
        for action in actions.get(item, ()):
            if action not in STEP_BY_EVENT:
                valid = ", ".join(str(a) for a in STEP_BY_EVENT)
                raise ValueError(f"unknown action {action!r}: expected one of {valid}")
            step = max(step, STEP_BY_EVENT[action])
        steps.append(step)
    return steps


def per_deal(impressions: Iterable[tuple[str, Credit]]) -> dict[str, Credit]:
    """The credit summed per deal over its impressions ((deal id, credit) pairs): a deal sees
    several lists over time, and it is the deal, not each list, that an experiment counts."""
    totals: dict[str, Credit] = {}
    for deal_id, earned in impressions:
        totals[deal_id] = totals.get(deal_id, Credit()) + earned
    return totals


def count_outcomes(credits: Iterable[Credit]) -> Counts:
    """Wins, losses and ties of the treatment over deals' summed credits (per_deal's values)."""
    tally = dict.fromkeys(Outcome, 0)
    for earned in credits:
        tally[earned.outcome] += 1
    return Counts(wins=tally[Outcome.win], losses=tally[Outcome.loss], ties=tally[Outcome.tie])


def _check_team(team: str, valid: tuple[str, ...] = TEAMS) -> None:
    if team not in valid:
        expected = ", ".join(repr(v) for v in valid[:-1]) + f" or {valid[-1]!r}"
        raise ValueError(f"unknown team {team!r}: expected {expected}")
