"""Exploration for measuring position bias: now and then, swap two adjacent items of a served list.

A randomised swap of positions k and k+1 (the swap intervention of Joachims, Swaminathan &
Schnabel 2017 and Wang et al. 2018, here on adjacent pairs only, one pair per list) shows an item
one place lower, at random and whatever it is. Comparing how often it is acted on
there and at its own place measures how much less the lower position is looked at
(`learn.propensity`). Only adjacent pairs are swapped, so an explored list is never more than one
place off what the ranker chose.

`explore` only reorders the list it is given: it adds nothing and drops nothing, so it cannot
place an asset that eligibility removed (an expired, internal-only or wrong-stage one); the caller
explores the final, filtered list.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from enablement.errors import InvalidInputError

# At most every other list is explored: past one half, the list a rep sees would more often be
# the perturbed one than the ranker's, so exploring would cost more than the lists it serves,
# and half is already plenty to measure position bias (a swap per pair every 2(n-1) lists).
MAX_SHARE = 0.5


@dataclass(frozen=True)
class Explored:
    """The list to show, and the swap made: None, or k when positions k and k+1 (1-based) of
    the ranker's list were swapped."""

    shown: tuple[str, ...]
    swap: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"shown": list(self.shown), "swap": self.swap}


def explore(ranking: Sequence[str], share: float, rng: random.Random) -> Explored:
    """With probability `share`, `ranking` with one adjacent pair swapped, the pair drawn
    uniformly among its len - 1 pairs; otherwise `ranking` as it is. A list of fewer than two
    items is never swapped. Raises InvalidInputError (a ValueError) for a share outside
    [0, MAX_SHARE] or an id listed twice."""
    check_share(share)
    items = tuple(ranking)
    if len(set(items)) != len(items):
        twice = next(item for item in items if items.count(item) > 1)
        raise InvalidInputError(f"The ranking lists '{twice}' twice.", field="ranking")
    if len(items) < 2 or rng.random() >= share:
        return Explored(items, None)
    k = rng.randrange(len(items) - 1) + 1
    shown = (*items[: k - 1], items[k], items[k - 1], *items[k + 1 :])
    return Explored(shown, k)


def check_share(share: float) -> None:
    """Raises InvalidInputError unless `share` is a number in [0, MAX_SHARE]."""
    if (
        isinstance(share, bool)
        or not isinstance(share, int | float)
        or not math.isfinite(share)
        or not 0.0 <= share <= MAX_SHARE
    ):
        raise InvalidInputError(
            f"share must be a number from 0 to {MAX_SHARE} (the share of lists explored), "
            f"not {share!r}.",
            field="share",
        )
