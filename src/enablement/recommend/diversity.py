"""Choosing the final k: no near-duplicates, a mix of types, and every question covered."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from enablement.embedding import Vectors


@dataclass(frozen=True)
class DiversityConfig:
    duplicate_similarity: float = 0.95  # asset centroids closer than this are near-duplicates
    max_type_share: float = 0.4  # no asset type takes more than this share of the list

    def max_per_type(self, k: int) -> int:
        return max(1, math.ceil(k * self.max_type_share))


def diversify(
    order: Sequence[int],
    *,
    k: int,
    vectors: Vectors,
    types: npt.NDArray[np.object_],
    covers: Sequence[set[int]],
    config: DiversityConfig,
) -> list[int]:
    """Pick up to k assets from `order` (best first).

    `covers[q]` holds the assets that answer question q. Slots are held back so each question
    that some candidate answers gets one; near-duplicates of a chosen asset are never taken; a type
    beyond its share of the list is taken only when nothing else is left.
    """
    per_type = config.max_per_type(k)
    chosen: list[int] = []
    deferred: list[int] = []
    candidates = set(order)
    uncovered = [q for q, answers in enumerate(covers) if not answers.isdisjoint(candidates)]
    for asset in order:
        if len(chosen) == k:
            break
        helps = [q for q in uncovered if asset in covers[q]]
        held = k - len(chosen) <= len(uncovered)  # the remaining slots await unanswered questions
        if not helps and (held or _type_count(asset, chosen, types) >= per_type):
            deferred.append(asset)
            continue
        if _duplicate(asset, chosen, vectors, config.duplicate_similarity):
            continue
        chosen.append(asset)
        uncovered = [q for q in uncovered if q not in helps]
    for asset in deferred:
        if len(chosen) == k:
            break
        if not _duplicate(asset, chosen, vectors, config.duplicate_similarity):
            chosen.append(asset)
    return chosen


def _duplicate(asset: int, chosen: list[int], vectors: Vectors, threshold: float) -> bool:
    if not chosen:
        return False
    return bool(np.max(vectors[chosen] @ vectors[asset]) >= threshold)


def _type_count(asset: int, chosen: list[int], types: npt.NDArray[np.object_]) -> int:
    kind = types[asset]
    return sum(1 for other in chosen if kind and types[other] == kind)
