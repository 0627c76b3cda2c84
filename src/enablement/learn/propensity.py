"""How much each position of a served list is looked at, relative to the first: estimated from
randomised adjacent swaps (`recommend.explore`), or given.

Position-based model: an item at position k is acted on with probability theta(k) times a chance
set by the item alone. The swap intervention (Joachims, Swaminathan & Schnabel 2017; Wang et al.
2018) moves items at random, whatever they are: when the ranker's positions k and k+1 are
swapped, its k-th item is shown at k+1 and its (k+1)-th at k. So, over the lists where they were
swapped (S) and the lists where neither moved (C, no swap touching k or k+1):

    theta(k+1) / theta(k) = (down_S / |S| + stay_{k+1,C} / |C|) / (stay_{k,C} / |C| + up_S / |S|)

where down_S counts actions on the ranker's k-th item shown one lower, up_S on its (k+1)-th shown
one higher, and stay_{j,C} on the ranker's j-th item at its own place. Numerator and denominator
are each the two items' summed action rates, at position k+1 and at k, so the items' own appeal
cancels; using both items of the pair doubles the evidence over the demoted one alone. The ratios
are chained from theta(1) = 1 (the adjacent chain of Agarwal et al. 2019). Any action counts
(opened or more): each one implies the item was looked at, and opens are the most numerous.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from enablement.errors import InvalidInputError
from enablement.learn.logged import OPENED, LoggedList

# No position counts as looked at less than 1/20th as often as the first. Weights are ratios of
# these, so one action can then count at most 20 times: a few actions deep in a list cannot swamp
# an estimate (truncated importance weights, Ionides 2008, trade a little bias for a bounded
# variance). Under the usual 1/k examination the floor binds only past position 20, so it costs
# no bias in lists of up to 20 (5 are served by default).
PROPENSITY_FLOOR = 0.05
# A position whose ratio rests on fewer actions in swapped lists is flagged thin: the ratio's
# relative standard error is about 1/sqrt(actions), so 100 keeps it near 10% per position (and
# errors compound down the chain).
MIN_SWAP_ACTIONS = 100

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Propensities:
    """theta per position (index 0 is position 1, always 1.0), relative to position 1 and
    floored at PROPENSITY_FLOOR; with `source` "estimated", the evidence behind each position k:
    the lists in which k-1 and k were swapped (`swapped`) and the actions on that pair in them
    (`actions`); position 1 needs none. `floored` lists the positions raised to the floor."""

    theta: tuple[float, ...]
    source: Literal["estimated", "given"]
    swapped: tuple[int, ...]
    actions: tuple[int, ...]
    floored: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.theta or self.theta[0] != 1.0:
            raise InvalidInputError("theta starts at position 1 with 1.0.", field="propensities")
        if not all(math.isfinite(t) and t >= PROPENSITY_FLOOR for t in self.theta):
            raise InvalidInputError(
                f"Every theta must be finite and at least {PROPENSITY_FLOOR}.", field="propensities"
            )
        if not len(self.swapped) == len(self.actions) == len(self.theta):
            raise InvalidInputError(
                "swapped and actions need one count per position.", field="propensities"
            )

    @classmethod
    def given(cls, values: Sequence[float]) -> Propensities:
        """Propensities known from elsewhere (an earlier estimate, a study), one per position
        from 1: divided by the first (only their ratios weigh actions) and floored. Raises
        InvalidInputError (a ValueError) for an empty list or a value that is not above 0."""
        if not values:
            raise InvalidInputError("Give at least one propensity.", field="propensities")
        for position, value in enumerate(values, start=1):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(
                    f"Propensity at position {position} is {value!r}, not a number.",
                    field="propensities",
                )
            if not math.isfinite(value) or value <= 0:
                raise InvalidInputError(
                    f"Propensity at position {position} is {value!r}; it must be above 0 "
                    "(a position never looked at has no actions a weight could correct).",
                    field="propensities",
                )
        relative = [float(v) / float(values[0]) for v in values]
        zeros = (0,) * len(values)
        floored = tuple(k for k, v in enumerate(relative, start=1) if v < PROPENSITY_FLOOR)
        theta = tuple(max(v, PROPENSITY_FLOOR) for v in relative)
        return cls(theta, "given", zeros, zeros, floored)

    @property
    def depth(self) -> int:
        return len(self.theta)

    @property
    def thin(self) -> tuple[int, ...]:
        """Estimated positions (2 on) whose ratio rests on fewer than MIN_SWAP_ACTIONS actions."""
        if self.source == "given":
            return ()
        return tuple(
            k
            for k, actions in enumerate(self.actions, start=1)
            if k > 1 and actions < MIN_SWAP_ACTIONS
        )

    def at(self, position: int) -> float:
        """theta at 1-based `position`; raises InvalidInputError past the known depth."""
        if not 1 <= position <= self.depth:
            raise InvalidInputError(
                f"Propensities cover positions 1 to {self.depth}, not {position}.",
                field="propensities",
            )
        return self.theta[position - 1]

    def to_dict(self) -> dict[str, Any]:
        thin = set(self.thin)
        return {
            "source": self.source,
            "floor": PROPENSITY_FLOOR,
            "positions": [
                {
                    "position": k,
                    "theta": round(theta, 4),
                    "swapped": self.swapped[k - 1],
                    "actions": self.actions[k - 1],
                    "thin": k in thin,
                    "floored": k in self.floored,
                }
                for k, theta in enumerate(self.theta, start=1)
            ],
        }


# Columns of the swap counts of a pair (k, k+1): the lists swapped there (S), the actions in them
# on the ranker's k-th item shown at k+1 (DOWN) and on its (k+1)-th shown at k (UP); the lists
# where neither moved (KEPT) and the actions in them at k (STAY_K) and at k+1 (STAY_NEXT).
SWAPPED, DOWN, UP, KEPT, STAY_K, STAY_NEXT = range(6)
COUNTS = 6


def swap_counts(
    logs: Sequence[LoggedList], depth: int, *, groups: Sequence[int] | None = None
) -> Ints:
    """The counts behind positions 2 to `depth`, shape (depth - 1, COUNTS), row k - 1 for the
    pair (k, k+1); with `groups` (one int from 0 per log: its context, say), one such block per
    group, shape (groups, depth - 1, COUNTS). Counts add up over logs, so a bootstrap can
    resample groups of them."""
    n = len(logs)
    group = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    blocks = int(group.max()) + 1 if n and groups is not None else 1
    acted = np.zeros((n, max(depth, 1)), dtype=bool)
    length = np.zeros(n, dtype=np.int64)
    swap = np.full(n, -2, dtype=np.int64)  # no swap: never k - 1, k or k + 1 of a pair k >= 1
    for i, log in enumerate(logs):
        steps = log.steps[:depth]
        acted[i, : len(steps)] = [step >= OPENED for step in steps]
        length[i] = len(log.steps)
        swap[i] = -2 if log.swap is None else log.swap
    counts = np.zeros((blocks, max(depth - 1, 0), COUNTS), dtype=np.int64)
    for k in range(1, depth):
        fits = length > k
        swapped = fits & (swap == k)
        kept = fits & (np.abs(swap - k) > 1)
        for column, lists in (
            (SWAPPED, swapped),
            (DOWN, swapped & acted[:, k]),
            (UP, swapped & acted[:, k - 1]),
            (KEPT, kept),
            (STAY_K, kept & acted[:, k - 1]),
            (STAY_NEXT, kept & acted[:, k]),
        ):
            counts[:, k - 1, column] = np.bincount(group[lists], minlength=blocks)
    return counts if groups is not None else counts[0]


def chain(counts: npt.NDArray[Any]) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """theta for positions 1 to depth from swap counts of shape (..., depth - 1, COUNTS), any
    leading dimensions (bootstrap resamples) kept: each pair's ratio chained from theta(1) = 1,
    clipped to [PROPENSITY_FLOOR, 1]; a pair without swapped or kept lists, or without actions
    at its upper place, keeps the theta above it. Also which positions were raised to the floor."""
    c = np.asarray(counts, dtype=np.float64)
    swapped, kept = c[..., SWAPPED], c[..., KEPT]
    with np.errstate(divide="ignore", invalid="ignore"):
        below = c[..., DOWN] / swapped + c[..., STAY_NEXT] / kept
        above = c[..., STAY_K] / kept + c[..., UP] / swapped
        ratio = below / above
    ratio = np.where((swapped > 0) & (kept > 0) & (above > 0), ratio, 1.0)
    theta = np.ones((*ratio.shape[:-1], ratio.shape[-1] + 1))
    floored = np.zeros(theta.shape, dtype=bool)
    for k in range(ratio.shape[-1]):  # the chain goes on from the floored value
        chained = np.minimum(theta[..., k] * ratio[..., k], 1.0)
        floored[..., k + 1] = chained < PROPENSITY_FLOOR
        theta[..., k + 1] = np.maximum(chained, PROPENSITY_FLOOR)
    return theta, floored


def estimate_propensities(logs: Iterable[LoggedList], *, depth: int | None = None) -> Propensities:
    """theta for positions 1 to `depth` (default: the longest list logged) from the swaps in
    `logs`, clipped to [PROPENSITY_FLOOR, 1]: position 1 is the most looked at, so a ratio above
    1 is noise. A pair without swapped or unswapped lists, or without any action, has no ratio;
    its positions then keep the theta above them (no correction is claimed without evidence)
    and show as thin. Raises InvalidInputError (a ValueError) for a depth under 1 or no logs."""
    logs = list(logs)
    if not logs:
        raise InvalidInputError("No logged lists to estimate propensities from.", field="logs")
    depth = max(len(log.shown) for log in logs) if depth is None else depth
    if depth < 1:
        raise InvalidInputError(f"depth must be 1 or more, not {depth}.", field="depth")
    return from_counts(swap_counts(logs, depth))


def from_counts(counts: Ints) -> Propensities:
    """Propensities from summed swap counts of shape (depth - 1, COUNTS)."""
    theta, floored = chain(counts)
    return Propensities(
        tuple(float(t) for t in theta),
        "estimated",
        (0, *(int(n) for n in counts[:, SWAPPED])),
        (0, *(int(n) for n in counts[:, DOWN] + counts[:, UP])),
        tuple(int(k) for k in np.flatnonzero(floored) + 1),
    )
