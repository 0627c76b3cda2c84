"""Simulated served lists for propensity and counterfactual tests: a logging ranking per deal,
explored with adjacent swaps, acted on by the click model on the deal's true grades."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from enablement.events.clicks import ClickModel
from enablement.learn.logged import LoggedList
from enablement.recommend.explore import explore

Grades = Mapping[str, Mapping[str, int]]  # deal -> asset -> true grade 0-3


def labelled_deals(rng: random.Random, *, deals: int, assets: int) -> dict[str, dict[str, int]]:
    """Synthetic labelled deals: per deal, `assets` asset ids with grades 0-3, most of them low."""
    return {
        f"d{d}": {f"d{d}-a{i}": rng.choice((0, 0, 1, 1, 2, 3)) for i in range(assets)}
        for d in range(deals)
    }


def noisy_ranking(grades: Grades, rng: random.Random, *, noise: float) -> dict[str, list[str]]:
    """Per deal, its assets sorted by grade plus Gaussian noise: a mediocre ranker that buries
    some good assets."""
    return {
        deal: sorted(g, key=lambda asset: -(0.6 * g[asset] + rng.gauss(0.0, noise)))
        for deal, g in grades.items()
    }


def serve(
    rankings: Mapping[str, Sequence[str]],
    grades: Grades,
    rng: random.Random,
    *,
    lists: int,
    share: float,
    model: ClickModel,
    shown: int | None = None,
) -> list[LoggedList]:
    """`lists` served lists per deal: its ranking cut at `shown`, explored at `share`, with the
    ladder step the click model draws at each position."""
    logs = []
    for deal, ranked in rankings.items():
        for _ in range(lists):
            explored = explore(ranked[:shown], share, rng)
            steps = model.act([grades[deal][asset] for asset in explored.shown], rng)
            logs.append(LoggedList(deal, explored.shown, tuple(steps), explored.swap))
    return logs


def true_opens(
    ranking: Mapping[str, Sequence[str]], grades: Grades, model: ClickModel, *, k: int
) -> float:
    """The online metric: expected opens of the top k per served list, averaged over deals."""
    return sum(
        model.expected_opens([grades[deal][asset] for asset in ranked[:k]])
        for deal, ranked in ranking.items()
    ) / len(ranking)
