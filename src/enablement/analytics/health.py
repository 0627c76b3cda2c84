"""Content health: expired, stale and expiring assets, groups of near-duplicates, and how many
assets lack each tag field with how many of those have a suggestion waiting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources
from enablement.analytics.table import AuditTable, tally
from enablement.tagging.store import SuggestionStore
from enablement.tagging.suggestion import FIELDS

ISSUE_ORDER = {"expired": 0, "stale": 1, "expiring_soon": 2, "near_duplicate": 3}


def health_table(
    sources: AuditSources, filters: AuditFilters, *, today: date | None = None
) -> AuditTable:
    """Expired, stale (not updated in a year), expiring soon, and near-duplicate assets, each
    with its owner; `today` defaults to the last day of the period."""
    today = today or (filters.end - timedelta(days=1)).date()
    assets = sources.assets(filters)
    rows = [row for asset in assets for row in _dated_issues(sources, asset, today)]
    rows.extend(_duplicates(sources, {a["id"]: a for a in assets}))
    rows.sort(key=lambda r: (ISSUE_ORDER[r["issue"]], r.get("group", 0), r["asset_id"]))
    return AuditTable(
        "health", filters.to_dict(),
        ["issue", "asset_id", "title", "type", "owner", "detail", "group"], rows,
        summary={"assets": len(assets), **tally([r["issue"] for r in rows], ISSUE_ORDER),
                 **untagged(sources, assets)},
        notes=["Untagged counts the assets without a type, a stage, a vertical or a persona; "
               "suggested, how many of those have a tag suggestion waiting for review."],
    )  # fmt: skip


def untagged(sources: AuditSources, assets: list[dict[str, Any]]) -> dict[str, int]:
    """Per tag field, how many of `assets` lack it (`untagged_<field>`) and how many of those
    have an open suggestion for it (`suggested_<field>`)."""
    waiting = {(asset_id, field)
               for asset_id, open_ in SuggestionStore(sources.engine).open_by_asset().items()
               for field, _, _ in open_}  # fmt: skip
    out: dict[str, int] = {}
    for field in FIELDS:
        bare = [a["id"] for a in assets if a.get("in_catalog", True) and not a.get(field)]
        out[f"untagged_{field}"] = len(bare)
        out[f"suggested_{field}"] = sum(1 for asset_id in bare if (asset_id, field) in waiting)
    return out


def _dated_issues(
    sources: AuditSources, asset: dict[str, Any], today: date
) -> list[dict[str, Any]]:
    options = sources.options
    base = _base(asset)
    expires, updated = asset.get("expires_at"), asset.get("updated_at")
    rows = []
    if expires and expires < today:
        rows.append(base | {"issue": "expired", "detail": f"expired {expires}"})
    elif expires and expires <= today + timedelta(days=options.expiring_within_days):
        rows.append(base | {"issue": "expiring_soon", "detail": f"expires {expires}"})
    if updated and updated < today - timedelta(days=options.stale_after_days):
        rows.append(base | {"issue": "stale", "detail": f"last updated {updated}"})
    return rows


def _duplicates(sources: AuditSources, assets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups of assets whose embeddings are closer than the duplicate threshold (connected
    components of the similarity graph), each row naming its closest twin."""
    bundle = sources.bundle()
    if bundle is None:
        return []
    ids = [a.id for a in bundle.assets]
    similar = bundle.asset_vectors @ bundle.asset_vectors.T
    np.fill_diagonal(similar, 0.0)
    pairs = np.argwhere(np.triu(similar >= sources.options.duplicate_similarity)).tolist()
    rows = []
    for number, members in enumerate(_components(len(ids), pairs), 1):
        for i in members:
            if ids[i] not in assets:
                continue
            closest = max((j for j in members if j != i), key=lambda j: similar[i, j])
            detail = f"{similar[i, closest]:.3f} similar to {ids[closest]}"
            rows.append(_base(assets[ids[i]]) | {"issue": "near_duplicate", "group": number,
                                                 "detail": detail})  # fmt: skip
    return rows


def _components(size: int, pairs: list[list[int]]) -> list[list[int]]:
    """The connected components (of two or more members) of a graph given by its edges, each
    sorted, ordered by their smallest member."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(i)] = root(j)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i in sorted({k for pair in pairs for k in pair}):
        groups[root(i)].append(i)
    return sorted(groups.values(), key=min)


def _base(asset: dict[str, Any]) -> dict[str, Any]:
    return {"asset_id": asset["id"], "title": asset["title"], "type": asset.get("type"),
            "owner": asset.get("owner")}  # fmt: skip
