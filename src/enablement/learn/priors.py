"""Fitting per-asset priors (`recommend.priors`) from a library's own impressions.

Each impression brings a reward already corrected for its position (the IPS reward of
`learn.outcomes`: what the action was worth, divided by how often its position is looked at).
A cell's prior is its mean reward's deviation from the mean over all impressions, shrunk toward
zero by n / (n + strength): a cell seen a handful of times moves an asset little, one seen
hundreds of times moves it by what it earned (empirical-Bayes shrinkage, as click models use for
thin evidence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from enablement.errors import InvalidInputError
from enablement.recommend.priors import DEFAULT_STRENGTH, KINDS, Priors, cell


@dataclass(frozen=True)
class Shown:
    """One impression as priors see it: the asset, the deal's fields, and its IPS reward."""

    asset_id: str
    stage: str | None
    vertical: str | None
    persona: str | None
    reward: float

    def cells(self) -> Iterable[tuple[str, str]]:
        """(kind, cell key) of each cell this impression counts in."""
        yield "asset", self.asset_id
        for kind, value in (("stage", self.stage), ("vertical", self.vertical),
                            ("persona", self.persona)):  # fmt: skip
            if value is not None:
                yield kind, cell(self.asset_id, value)


def fit_priors(shown: Iterable[Shown], *, strength: float = DEFAULT_STRENGTH) -> Priors:
    """Priors from impressions: per cell, (sum of rewards - n * mean) / (n + strength)."""
    if not strength > 0:
        raise InvalidInputError("strength must be above 0.", field="strength")
    sums: dict[str, dict[str, list[float]]] = {kind: {} for kind in KINDS}
    total, count = 0.0, 0
    for impression in shown:
        total += impression.reward
        count += 1
        for kind, key in impression.cells():
            acc = sums[kind].setdefault(key, [0.0, 0.0])
            acc[0] += impression.reward
            acc[1] += 1.0
    mean = total / count if count else 0.0
    cells = {
        kind: {key: (s - n * mean) / (n + strength) for key, (s, n) in values.items()}
        for kind, values in sums.items()
    }
    counts = {kind: len(values) for kind, values in cells.items()}
    return Priors(cells, 1.0, strength, mean, count, counts)
