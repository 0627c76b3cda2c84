"""Per-asset priors a trained ranker adds to its scores: how much more (or less) than the average
impression an asset's impressions earned in this library, overall and within a stage, a vertical
and a persona (fitted from events by `learn.priors`).

An asset's prior for a deal is the sum of its overall cell and the cells of the deal's stage,
vertical and persona (a field the deal leaves empty adds nothing), times the priors' weight. An
asset or cell never shown has prior 0: the ranker's own score stands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.errors import InvalidInputError

# The cells a prior is kept for: the asset alone, and the asset within each deal field.
KINDS = ("asset", "stage", "vertical", "persona")
DEFAULT_STRENGTH = 20.0  # impressions at which a cell's prior is half its raw deviation

Floats = npt.NDArray[np.float64]


def cell(asset_id: str, value: str) -> str:
    """The key of an asset's cell within a deal field's value."""
    return f"{asset_id}\x1f{value}"


@dataclass(frozen=True)
class Priors:
    """Shrunk deviations per cell (`cells[kind][key]`), added to a ranker's score times
    `weight`; `mean` is the mean reward they deviate from and `impressions` how many made them."""

    cells: Mapping[str, Mapping[str, float]]
    weight: float = 1.0
    strength: float = DEFAULT_STRENGTH
    mean: float = 0.0
    impressions: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)  # cells per kind, for people

    def __post_init__(self) -> None:
        if not math.isfinite(self.weight) or self.weight < 0:
            raise InvalidInputError("A priors weight must be a finite number >= 0.", field="weight")
        unknown = set(self.cells) - set(KINDS)
        if unknown:
            raise InvalidInputError(
                f"Unknown prior kinds {sorted(unknown)}; known: {', '.join(KINDS)}.", field="cells"
            )

    def of(
        self,
        asset_ids: Sequence[str],
        *,
        stage: str | None,
        vertical: str | None,
        persona: str | None,
    ) -> Floats:
        """Each asset's weighted prior for a deal with these fields."""
        out = np.zeros(len(asset_ids))
        if self.weight == 0:
            return out
        fields = {"stage": stage, "vertical": vertical, "persona": persona}
        overall = self.cells.get("asset", {})
        for i, asset in enumerate(asset_ids):
            total = overall.get(asset, 0.0)
            for kind, value in fields.items():
                if value is not None:
                    total += self.cells.get(kind, {}).get(cell(asset, value), 0.0)
            out[i] = total
        return out * self.weight

    def with_weight(self, weight: float) -> Priors:
        return Priors(self.cells, weight, self.strength, self.mean, self.impressions, self.counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weight": self.weight,
            "strength": self.strength,
            "mean": self.mean,
            "impressions": self.impressions,
            "cells": {kind: dict(values) for kind, values in self.cells.items()},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Priors:
        """Priors as to_dict wrote them; ValueError (InvalidInputError) for anything else."""
        try:
            cells = {
                str(kind): {str(k): float(v) for k, v in values.items()}
                for kind, values in raw["cells"].items()
            }
            priors = cls(
                cells,
                float(raw["weight"]),
                float(raw["strength"]),
                float(raw["mean"]),
                int(raw["impressions"]),
                {kind: len(values) for kind, values in cells.items()},
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise InvalidInputError(f"Not a priors file ({exc}).", field="priors") from None
        if not all(math.isfinite(v) for values in priors.cells.values() for v in values.values()):
            raise InvalidInputError("A prior is not a finite number.", field="priors")
        return priors
