"""The decision an experiment supports: the treatment's share of the deals that were not a tie,
with an exact binomial interval, and which ranking is better or that it cannot say yet."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from scipy.stats import beta

# Below this many decided (non-tied) deals no ranking is called better, whatever the interval.
# The exact interval alone would call 6 wins out of 6. It is valid at any size under its premise,
# deals drawn independently from the mix the ranker will serve, but that premise holds worst at
# the start, when the first deals come from whichever reps and verticals moved first. At 20 a
# call needs at least 15 of 20 (a 75% share), and one deal moves the share by 5 points, not 17.
MIN_DECIDED_DEALS: Final = 20
DEFAULT_CONFIDENCE: Final = 0.95


class Verdict(StrEnum):
    treatment_better = "treatment_better"
    control_better = "control_better"
    undecided = "undecided"


@dataclass(frozen=True)
class Counts:
    """How many deals the treatment won, lost and tied."""

    wins: int = 0
    losses: int = 0
    ties: int = 0

    def __post_init__(self) -> None:
        for name in ("wins", "losses", "ties"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, not {value!r}")

    @property
    def decided(self) -> int:
        """Deals that were not a tie: the ones a decision is made on."""
        return self.wins + self.losses

    def to_dict(self) -> dict[str, int]:
        return {"wins": self.wins, "losses": self.losses, "ties": self.ties}


@dataclass(frozen=True)
class Decision:
    """The treatment's win share among decided deals (None when there are none), its interval at
    `confidence`, the counts it came from and the verdict."""

    share: float | None
    low: float
    high: float
    wins: int
    losses: int
    ties: int
    decision: Verdict
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, figures rounded to 4 places."""
        return {
            "share": None if self.share is None else round(self.share, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "wins": self.wins,
            "losses": self.losses,
            "ties": self.ties,
            "decision": str(self.decision),
            "confidence": self.confidence,
        }


def decide(
    wins: int, losses: int, *, ties: int = 0, confidence: float = DEFAULT_CONFIDENCE
) -> Decision:
    """Whether the treatment is better, from the deals it won and lost (ties only reported).

    The interval is Clopper-Pearson's (exact: the binomial test inverted, via scipy's beta
    quantiles), not Wilson's. Calling a ranking better when the interval excludes 0.5 is then
    the two-sided exact sign test, so a call is wrong, when the rankings are equal, at most
    1 - `confidence` of the time at every number of deals. Wilson's interval is narrower but
    its test overshoots: at 95% and a true share of 0.5 it calls a winner 7.8% of the time at
    21 decided deals, 6.5% at 50 (and 12.5% at 4). An experiment whose point is a decision that
    can be trusted pays the slightly wider interval instead. Verdict: treatment_better when the
    interval's low end is above 0.5, control_better when its high end is below 0.5, otherwise,
    or with fewer than MIN_DECIDED_DEALS decided deals, undecided.

    It is a fixed-horizon test: decide once, after a number of impressions or deals chosen in
    advance. Deciding after every new deal and stopping at the first verdict makes a false call
    far likelier than 1 - `confidence`.

    Raises ValueError for a negative or non-integer count or a confidence outside (0, 1).
    """
    counts = Counts(wins=wins, losses=losses, ties=ties)
    if not (isinstance(confidence, float | int) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence!r}")
    n = counts.decided
    if n == 0:
        return Decision(None, 0.0, 1.0, wins, losses, ties, Verdict.undecided, confidence)
    low, high = clopper_pearson(wins, n, confidence=confidence)
    verdict = Verdict.undecided
    if n >= MIN_DECIDED_DEALS and low > 0.5:
        verdict = Verdict.treatment_better
    elif n >= MIN_DECIDED_DEALS and high < 0.5:
        verdict = Verdict.control_better
    return Decision(wins / n, low, high, wins, losses, ties, verdict, confidence)


def clopper_pearson(successes: int, trials: int, *, confidence: float) -> tuple[float, float]:
    """The exact two-sided interval for a binomial share: `successes` of `trials` (>= 1)."""
    alpha = 1.0 - confidence
    low = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, trials - successes + 1))
    high = (
        1.0
        if successes == trials
        else float(beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    )
    if math.isnan(low) or math.isnan(high):  # scipy answers NaN only for impossible arguments
        raise ValueError(f"no interval for {successes} of {trials}")
    return low, high
