"""Hard filters: an asset that fails one is never recommended, whatever its score."""

from __future__ import annotations

import numpy as np

from enablement.catalog.sharing import is_expired
from enablement.index.bundle import AssetRecord
from enablement.index.dense import Mask
from enablement.recommend.context import Deal
from enablement.recommend.table import AssetTable


def eligible_assets(table: AssetTable, deal: Deal) -> Mask:
    """True for assets that may be recommended for `deal` (vectorised `violations`)."""
    mask = table.expires >= deal.as_of.toordinal()  # not is_expired(), vectorised
    mask &= ~table.rows(deal.excluded)
    if deal.external_only:
        mask &= ~table.internal
    if deal.language:
        wanted = _base(deal.language)
        mask &= (table.language == "") | (table.language == wanted)
    return np.asarray(mask, dtype=bool)


def violations(asset: AssetRecord, deal: Deal) -> list[str]:
    """The hard filters `asset` breaks for `deal` (empty when it is eligible)."""
    broken = []
    if is_expired(asset.expires_at, today=deal.as_of):
        broken.append("expired")
    if asset.id in deal.excluded:
        broken.append("already_shared")
    if deal.external_only and asset.external is False:
        broken.append("internal_only")
    if deal.language and asset.language and _base(asset.language) != _base(deal.language):
        broken.append("language")
    return broken


def _base(language: str) -> str:
    return language.split("-")[0]
