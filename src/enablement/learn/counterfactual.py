"""How a candidate ranking would do online, estimated from lists another ranking served.

The measure is the reward per served list from the candidate's top k: each action on an item is
worth its ladder step's reward (`Reward`), and under the position-based model an item placed at
q earns theta(q) times what it would earn if always looked at.

- naive: the logged actions on the items the candidate puts in its top k, as they were logged.
  Position bias leaks in: a good item the logging ranker buried got few actions, so a candidate
  that promotes it is credited with those few.
- IPS (Wang et al. 2016; Joachims, Swaminathan & Schnabel 2017): each logged action on item i
  shown at p is weighted theta(q) / theta(p), q the candidate's position of i. Unbiased when the
  propensities are right and every item of the candidate's top k was shown in the logs; an item
  never shown earns nothing, so IPS is low for a candidate that reaches beyond them.
- SNIPS, self-normalised: an action needs its item looked at (probability theta(p)), so the
  weights' expected total in a list is the sum of theta(q) over the candidate's top-k items the
  list showed. Had it shown them all, that is the candidate's whole examination, the sum of
  theta(q) for q <= k. SNIPS divides by the realised total instead of the whole (the
  self-normalisation of Swaminathan & Joachims 2015, with the unobserved looks replaced by their
  expectation): IPS / coverage, coverage being the share of the candidate's examination the logs
  showed. It equals IPS at full coverage and otherwise credits unshown items like the shown ones
  (an assumption: the logging ranker may have left them out for a reason). The textbook
  sum(w r) / sum(w) does not apply: these weights are fixed by the positions, not random
  likelihood ratios with mean 1, and dividing by their sum would pull every candidate back
  towards the logging ranker.

Intervals: a percentile bootstrap over contexts (deals), from a seeded generator. Contexts, not
lists, are resampled because lists served to one deal share its assets and are not independent;
the percentile bootstrap needs no variance formula for SNIPS (a ratio) and follows the skew that
a few heavily weighted actions give IPS, where a normal approximation is symmetric and
under-covers on the side that matters. When the propensities come from the same logs, every
resample estimates them again, so their own uncertainty (large at thin positions) is in the
interval too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.errors import InvalidInputError
from enablement.learn.logged import DEFAULT_REWARD, NONE, LoggedList, Reward
from enablement.learn.propensity import COUNTS, Propensities, chain, from_counts, swap_counts

RESAMPLES = 1000  # bootstrap resamples: the 2.5% tails then rest on 25 resamples each
MIN_RESAMPLES = 100
_CELLS = 2_000_000  # resampled context counts held at once (16 MB), so memory stays bounded

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """An estimate of reward per served list, with its bootstrap interval."""

    value: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {name: round(v, 4) for name, v in asdict(self).items()}


@dataclass(frozen=True)
class Evaluation:
    """A candidate's naive, IPS and SNIPS estimates over `lists` logged lists of `contexts`
    deals; `coverage` is the share of its top-k examination that the logs showed (SNIPS is None
    when they showed none of it)."""

    k: int
    lists: int
    contexts: int
    coverage: float
    naive: Estimate
    ips: Estimate
    snips: Estimate | None
    propensities: Propensities
    reward: Reward = field(default=DEFAULT_REWARD)
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "lists": self.lists,
            "contexts": self.contexts,
            "coverage": round(self.coverage, 4),
            "reward": asdict(self.reward),
            "confidence": self.confidence,
            "naive": self.naive.to_dict(),
            "ips": self.ips.to_dict(),
            "snips": None if self.snips is None else self.snips.to_dict(),
            "propensities": self.propensities.to_dict(),
        }


def estimate(
    candidate: Mapping[str, Sequence[str]],
    logs: Iterable[LoggedList],
    propensities: Propensities | None = None,
    *,
    k: int = 10,
    reward: Reward = DEFAULT_REWARD,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Evaluation:
    """Naive, IPS and SNIPS estimates of the reward per list of `candidate` (per context of the
    logs, its ranked asset ids, best first) cut at `k`, from `logs`. With `propensities` None
    they are estimated from the logs' own swaps, to the longest list's depth, and again in every
    bootstrap resample, so the intervals carry their uncertainty too; given ones are held fixed.

    Raises InvalidInputError (a ValueError) when there are no logs, the candidate misses a
    logged context or lists an id twice, k is under 1 or past the propensities' depth, a logged
    list is longer than that depth, or confidence or resamples are out of range."""
    logs = list(logs)
    if not logs:
        raise InvalidInputError("No logged lists to estimate from.", field="logs")
    depth = max(len(log.shown) for log in logs) if propensities is None else propensities.depth
    _check(candidate, logs, depth, k=k, confidence=confidence, resamples=resamples)
    layout = _Layout(k, depth)
    rows = _context_rows(candidate, logs, layout, reward=reward)
    total = rows.sum(axis=0)
    reestimate = propensities is None
    if propensities is None:
        propensities = from_counts(layout.swaps(total).astype(np.int64))
    theta = np.array(propensities.theta)
    point = layout.values(total, theta)
    boot_sums = _resampled_sums(rows, resamples=resamples, seed=seed)
    boot = layout.values(boot_sums, chain(layout.swaps(boot_sums))[0] if reestimate else theta)
    tail = (1 - confidence) / 2

    def interval(name: str) -> Estimate:
        samples = boot[name][np.isfinite(boot[name])]
        value = float(point[name])
        if not samples.size:
            return Estimate(value, value, value)
        low, high = np.quantile(samples, [tail, 1 - tail])
        return Estimate(value, float(low), float(high))

    return Evaluation(
        k=k,
        lists=len(logs),
        contexts=len(rows),
        coverage=float(point["coverage"]),
        naive=interval("naive"),
        ips=interval("ips"),
        snips=interval("snips") if point["coverage"] > 0 else None,
        propensities=propensities,
        reward=reward,
        confidence=confidence,
    )


@dataclass(frozen=True)
class _Layout:
    """The sums kept per context, side by side in one row so contexts can be resampled: lists,
    naive reward, the reward of actions by (candidate place q, logged position p), displays by
    q, lists ranking at least q items, and the swap counts of the propensity estimate."""

    k: int
    depth: int

    @property
    def width(self) -> int:
        return 2 + self.k * self.depth + 2 * self.k + (self.depth - 1) * COUNTS

    def swaps(self, sums: Floats) -> Floats:
        start = 2 + self.k * self.depth + 2 * self.k
        return sums[..., start:].reshape(*sums.shape[:-1], self.depth - 1, COUNTS)

    def values(self, sums: Floats, theta: Floats) -> dict[str, Floats]:
        """naive, ips, snips and coverage from summed rows (any leading dimensions) and theta."""
        k, depth = self.k, self.depth
        lists, naive = sums[..., 0], sums[..., 1]
        by_place = sums[..., 2 : 2 + k * depth].reshape(*sums.shape[:-1], k, depth)
        shown = sums[..., 2 + k * depth : 2 + k * depth + k]
        ranked = sums[..., 2 + k * depth + k : 2 + k * depth + 2 * k]
        placed = theta[..., :k]
        weights = placed[..., :, None] / theta[..., None, :]  # theta(q) / theta(p)
        ips = (by_place * weights).sum(axis=(-2, -1))
        covered, full = (shown * placed).sum(axis=-1), (ranked * placed).sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return {
                "naive": naive / lists,
                "ips": ips / lists,
                "snips": ips * full / covered / lists,
                "coverage": covered / full,
            }


def _context_rows(
    candidate: Mapping[str, Sequence[str]],
    logs: Sequence[LoggedList],
    layout: _Layout,
    *,
    reward: Reward,
) -> Floats:
    """One row of `layout` sums per context, in order of first appearance."""
    k, depth = layout.k, layout.depth
    by_context: dict[str, list[LoggedList]] = {}
    for log in logs:
        by_context.setdefault(log.context, []).append(log)
    rows = np.zeros((len(by_context), layout.width))
    index = {context: i for i, context in enumerate(by_context)}
    swaps = swap_counts(logs, depth, groups=[index[log.context] for log in logs])
    rows[:, 2 + k * depth + 2 * k :] = swaps.reshape(len(rows), -1)
    for row, (context, served) in zip(rows, by_context.items(), strict=True):
        place = {item: q for q, item in enumerate(candidate[context][:k])}  # 0-based here
        by_place = [0.0] * (k * depth)
        shown = [0] * k
        naive = 0.0
        for log in served:
            for p, (item, step) in enumerate(zip(log.shown, log.steps, strict=True)):
                q = place.get(item)
                if q is None:
                    continue
                shown[q] += 1
                if step != NONE:
                    gain = reward.of(step)
                    naive += gain
                    by_place[q * depth + p] += gain
        row[:2] = len(served), naive
        row[2 : 2 + k * depth] = by_place
        row[2 + k * depth : 2 + k * depth + k] = shown
        row[2 + k * depth + k : 2 + k * depth + k + len(place)] = len(served)
    return rows


def _resampled_sums(rows: Floats, *, resamples: int, seed: int) -> Floats:
    """Column sums of `resamples` bootstrap samples of `rows` (contexts): each draws as many
    contexts as there are, with replacement (as multinomial counts)."""
    rng = np.random.default_rng(seed)
    contexts = len(rows)
    uniform = np.full(contexts, 1.0 / contexts)
    out = np.empty((resamples, rows.shape[1]))
    step = max(1, _CELLS // contexts)
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        counts = rng.multinomial(contexts, uniform, size=stop - start)
        out[start:stop] = counts @ rows
    return out


def _check(
    candidate: Mapping[str, Sequence[str]],
    logs: Sequence[LoggedList],
    depth: int,
    *,
    k: int,
    confidence: float,
    resamples: int,
) -> None:
    if not 1 <= k <= depth:
        raise InvalidInputError(
            f"k must be 1 to {depth} (the positions with propensities), not {k}.", field="k"
        )
    if not 0 < confidence < 1:
        raise InvalidInputError(
            f"confidence must be between 0 and 1, not {confidence}.", field="confidence"
        )
    if resamples < MIN_RESAMPLES:
        raise InvalidInputError(
            f"resamples must be {MIN_RESAMPLES} or more, not {resamples}.", field="resamples"
        )
    longest = max(len(log.shown) for log in logs)
    if longest > depth:
        raise InvalidInputError(
            f"A logged list shows {longest} items but the propensities cover {depth} "
            f"positions; estimate them to depth {longest}.",
            field="propensities",
        )
    missing = sorted({log.context for log in logs} - set(candidate))
    if missing:
        named = ", ".join(f"'{c}'" for c in missing[:3]) + (" …" if len(missing) > 3 else "")
        raise InvalidInputError(
            f"The candidate ranks no list for {len(missing)} logged context(s): {named}.",
            field="candidate",
        )
    for context, ranked in candidate.items():
        if len(set(ranked)) != len(ranked):
            twice = next(item for item in ranked if list(ranked).count(item) > 1)
            raise InvalidInputError(
                f"The candidate ranks '{twice}' twice for '{context}'.", field="candidate"
            )
