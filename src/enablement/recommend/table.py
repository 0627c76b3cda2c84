"""Column arrays over a bundle's assets, so filters and fit features cost microseconds per deal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import numpy.typing as npt

from enablement.index.bundle import AssetRecord
from enablement.index.dense import Mask

LIST_FIELDS = ("stages", "verticals", "personas", "products", "competitors")
SUGGESTABLE = ("stages", "verticals", "personas")  # the fit fields a suggested tag may stand in
# A suggested value counts for ranking from this confidence (the review list's default): below
# it a guess is as often wrong as right (benchmarks/tag_accuracy.py's calibration).
SUGGESTED_FLOOR = 0.5
_NEVER = date.max.toordinal()


class AssetTable:
    """Inverted lists per metadata field plus the columns the hard filters read."""

    def __init__(self, assets: Sequence[AssetRecord]) -> None:
        self.size = len(assets)
        self.position = {asset.id: row for row, asset in enumerate(assets)}
        self._members: dict[str, dict[str, npt.NDArray[np.int64]]] = {}
        self._declared: dict[str, Mask] = {}
        for name in LIST_FIELDS:
            lists: dict[str, list[int]] = defaultdict(list)
            for row, asset in enumerate(assets):
                for value in getattr(asset, name):
                    lists[value].append(row)
            self._members[name] = {v: np.array(rows, dtype=np.int64) for v, rows in lists.items()}
            self._declared[name] = np.array([bool(getattr(a, name)) for a in assets], dtype=bool)
        self._declared_ones = {n: m.astype(np.float32) for n, m in self._declared.items()}
        self.expires = np.array(
            [a.expires_at.toordinal() if a.expires_at else _NEVER for a in assets], dtype=np.int64
        )
        self.internal = np.array([a.external is False for a in assets], dtype=bool)
        self.language = np.array([(a.language or "").split("-")[0] for a in assets], dtype=object)
        self.types = np.array([a.type or "" for a in assets], dtype=object)
        self.suggested = _suggested_table(assets)
        # an untyped asset's suggested type at SUGGESTED_FLOOR or more ("" for none), and its
        # confidence (0 for none)
        self.suggested_types, self.type_confidence = _suggested_types(assets)

    def confidence(self, name: str) -> npt.NDArray[np.float32]:
        """Per asset, how far the suggested table's `name` stands in for a missing one: the
        highest confidence among its suggested values (0 where it has its own, or none)."""
        if self.suggested is None:
            return np.zeros(self.size, dtype=np.float32)
        return self.suggested[1][name]

    def members(self, name: str, values: Iterable[str]) -> Mask:
        """Assets whose `name` list contains any of `values`."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.member_rows(name, values)] = True
        return mask

    def member_rows(self, name: str, values: Iterable[str]) -> npt.NDArray[np.int64]:
        """The rows of the assets whose `name` list contains any of `values` (a row may repeat):
        an index to assign through, far cheaper than a mask over every asset."""
        lists = self._members[name]
        found = [lists[value] for value in values if value in lists]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def declared_as(self, name: str, value: float) -> npt.NDArray[np.float32]:
        """A new column: `value` for assets with a non-empty `name` list, 0 for the rest."""
        return self._declared_ones[name] * np.float32(value)

    def value_rows(self, name: str) -> Mapping[str, npt.NDArray[np.int64]]:
        """Per value of the list field `name`, the assets that hold it."""
        return self._members[name]

    def declared(self, name: str) -> Mask:
        """Assets with a non-empty `name` list."""
        return self._declared[name]

    def with_suggestions(self) -> AssetTable | None:
        """The same assets with each missing stage, vertical and persona list filled by its
        suggested values at or above SUGGESTED_FLOOR (None when no asset has one)."""
        return None if self.suggested is None else self.suggested[0]

    def rows(self, ids: Iterable[str]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[[self.position[i] for i in ids if i in self.position]] = True
        return mask


def _suggested_table(
    assets: Sequence[AssetRecord],
) -> tuple[AssetTable, dict[str, npt.NDArray[np.float32]]] | None:
    """AssetTable.with_suggestions' table and the confidences behind it."""
    if not any(a.suggested for a in assets):
        return None
    confidence = {name: np.zeros(len(assets), dtype=np.float32) for name in SUGGESTABLE}
    filled = []
    for row, asset in enumerate(assets):
        values: dict[str, list[str]] = defaultdict(list)
        for name, value, score in asset.suggested:
            if name in SUGGESTABLE and not getattr(asset, name) and score >= SUGGESTED_FLOOR:
                values[name].append(value)
                confidence[name][row] = max(confidence[name][row], score)
        filled.append(
            replace(asset, suggested=(), stages=tuple(values["stages"]) or asset.stages,
                    verticals=tuple(values["verticals"]) or asset.verticals,
                    personas=tuple(values["personas"]) or asset.personas)
        )  # fmt: skip
    return AssetTable(filled), confidence


def suggested_type(asset: AssetRecord) -> tuple[str, float] | None:
    """The suggested type that stands in for an untyped asset's missing one, and its
    confidence: the most confident at SUGGESTED_FLOOR or more (None for a typed asset, or
    none so sure)."""
    if asset.type:
        return None
    chances = [(c, v) for name, v, c in asset.suggested if name == "type" and c >= SUGGESTED_FLOOR]
    if not chances:
        return None
    confidence, value = max(chances)
    return value, confidence


def _suggested_types(
    assets: Sequence[AssetRecord],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float32]]:
    kinds = np.full(len(assets), "", dtype=object)
    confidence = np.zeros(len(assets), dtype=np.float32)
    for row, asset in enumerate(assets):
        found = suggested_type(asset)
        if found is not None:
            kinds[row], confidence[row] = found
    return kinds, confidence
