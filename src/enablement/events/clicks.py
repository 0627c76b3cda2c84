"""A click model of how reps and buyers act on a served list, for simulations checked against a
known truth (learning from events, counterfactual estimates, interleaving).

Position-based (Craswell et al. 2008; Joachims et al. 2017): the item at position k (1-based) is
looked at with probability (1/k) ** eta, whatever it is, and acted on once looked at with a
probability set by its true grade (0-3, as in labelled deals). Acting is a ladder: a rep opens an
asset, sends some of what they opened, and the buyer views some of what was sent; each step's
chance also grows with the grade. Position bias is then exactly known: it is what an estimator
that corrects for it must recover, and what a naive count of clicks gets wrong.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# The ladder of what can happen to a shown item, each step implying the ones before it.
from enablement.learn.logged import NONE, OPENED, SENT, VIEWED

GRADES = 4  # labelled grades run 0..3


@dataclass(frozen=True)
class ClickModel:
    """Examination (1/k) ** `eta` at position k; per grade, the chance of opening a looked-at
    item (`attraction`), of sending an opened one (`send`) and of the buyer viewing a sent one
    (`view`)."""

    eta: float = 1.0
    attraction: tuple[float, ...] = (0.05, 0.25, 0.55, 0.85)
    send: tuple[float, ...] = (0.05, 0.2, 0.45, 0.7)
    view: tuple[float, ...] = (0.2, 0.35, 0.5, 0.65)

    def __post_init__(self) -> None:
        if self.eta < 0:
            raise ValueError("eta must be 0 or more")
        for name in ("attraction", "send", "view"):
            values = getattr(self, name)
            if len(values) != GRADES or not all(0.0 <= v <= 1.0 for v in values):
                raise ValueError(f"{name} must be {GRADES} probabilities, one per grade 0-3")

    def examination(self, position: int) -> float:
        """P(the item at 1-based `position` is looked at)."""
        if position < 1:
            raise ValueError("positions start at 1")
        return float((1.0 / position) ** self.eta)

    def open_probability(self, position: int, grade: int) -> float:
        """P(an item of `grade` shown at `position` is opened)."""
        return self.examination(position) * self.attraction[_grade(grade)]

    def expected_opens(self, grades: Sequence[int]) -> float:
        """The expected number of opens of a list whose items have `grades`, best first: the
        online metric a simulation scores a ranking by."""
        return sum(self.open_probability(k, g) for k, g in enumerate(grades, start=1))

    def act(self, grades: Sequence[int], rng: random.Random) -> list[int]:
        """What happens to each item of a list shown with `grades`, best first: per position,
        the highest step of the ladder reached (NONE, OPENED, SENT or VIEWED)."""
        out = []
        for position, grade in enumerate(grades, start=1):
            step = NONE
            g = _grade(grade)
            if rng.random() < self.open_probability(position, g):
                step = OPENED
                if rng.random() < self.send[g]:
                    step = SENT
                    if rng.random() < self.view[g]:
                        step = VIEWED
            out.append(step)
        return out


def _grade(grade: int) -> int:
    if not 0 <= grade < GRADES:
        raise ValueError(f"grades run 0 to {GRADES - 1}, not {grade}")
    return grade
