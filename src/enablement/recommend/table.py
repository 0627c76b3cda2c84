"""Column arrays over a bundle's assets, so filters and fit features cost microseconds per deal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from enablement.index.bundle import AssetRecord
from enablement.index.dense import Mask

LIST_FIELDS = ("stages", "verticals", "personas", "products", "competitors")
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
        self.expires = np.array(
            [a.expires_at.toordinal() if a.expires_at else _NEVER for a in assets], dtype=np.int64
        )
        self.internal = np.array([a.external is False for a in assets], dtype=bool)
        self.language = np.array([(a.language or "").split("-")[0] for a in assets], dtype=object)
        self.types = np.array([a.type or "" for a in assets], dtype=object)

    def members(self, name: str, values: Iterable[str]) -> Mask:
        """Assets whose `name` list contains any of `values`."""
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            rows = self._members[name].get(value)
            if rows is not None:
                mask[rows] = True
        return mask

    def value_rows(self, name: str) -> Mapping[str, npt.NDArray[np.int64]]:
        """Per value of the list field `name`, the assets that hold it."""
        return self._members[name]

    def declared(self, name: str) -> Mask:
        """Assets with a non-empty `name` list."""
        return self._declared[name]

    def rows(self, ids: Iterable[str]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[[self.position[i] for i in ids if i in self.position]] = True
        return mask
