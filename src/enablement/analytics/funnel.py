"""The funnel (recommended → opened → sent → buyer viewed → won) and unused content views."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Integer, func, select

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources
from enablement.analytics.table import AuditTable, rate, tally
from enablement.db import tables
from enablement.events.model import EventType

STEPS = ("recommended", "opened", "sent", "buyer_viewed")
UNUSED_REASONS = ("never_recommended", "recommended_never_used")
COLUMNS = [
    "asset_id", "title", "type", "owner", *STEPS, "deals_sent", "deals_won", "open_rate",
    "send_rate", "view_rate", "won_deal_rate", "thumbs_up", "thumbs_down", "in_catalog",
]  # fmt: skip


def funnel_table(sources: AuditSources, filters: AuditFilters) -> AuditTable:
    """Per asset: recommended → opened → sent → buyer viewed → in a won deal, with rates."""
    counts = _event_counts(sources, filters)
    ratings = _ratings(sources, filters)
    deals_sent, deals_won = _won(sources, filters)
    rows = []
    for asset in sources.assets(filters, extra=set(counts)):
        asset_id = asset["id"]
        up, down = ratings.get(asset_id, (0, 0))
        row = {
            "asset_id": asset_id, "title": asset["title"], "type": asset.get("type"),
            "owner": asset.get("owner"), **{s: counts.get(asset_id, {}).get(s, 0) for s in STEPS},
            "deals_sent": deals_sent.get(asset_id, 0), "deals_won": deals_won.get(asset_id, 0),
            "thumbs_up": up, "thumbs_down": down, "in_catalog": asset.get("in_catalog", True),
        }  # fmt: skip
        row["open_rate"] = rate(row["opened"], row["recommended"])
        row["send_rate"] = rate(row["sent"], row["recommended"])
        row["view_rate"] = rate(row["buyer_viewed"], row["sent"])
        row["won_deal_rate"] = rate(row["deals_won"], row["deals_sent"])
        rows.append(row)
    rows.sort(key=lambda r: (-r["sent"], -r["recommended"], r["asset_id"]))
    return AuditTable(
        "funnel", filters.to_dict(), COLUMNS, rows,
        notes=["Rates are per recommendation (open, send), per send (view) and per deal the "
               "asset was sent in (won deal rate)."],
        summary={step: sum(r[step] for r in rows) for step in (*STEPS, "deals_won")},
    )  # fmt: skip


def unused_table(sources: AuditSources, filters: AuditFilters) -> AuditTable:
    """Assets never recommended in the period, or recommended but never opened or sent."""
    rows = []
    funnel = funnel_table(sources, filters).rows
    for row in funnel:
        if not row["in_catalog"]:
            continue
        if row["recommended"] == 0 and row["sent"] == 0:
            reason = "never_recommended"
        elif row["opened"] == 0 and row["sent"] == 0:
            reason = "recommended_never_used"
        else:
            continue
        rows.append({**{k: row[k] for k in ("asset_id", "title", "type", "owner")},
                     "reason": reason, "recommended": row["recommended"]})  # fmt: skip
    rows.sort(key=lambda r: (r["reason"], -r["recommended"], r["asset_id"]))
    return AuditTable(
        "unused", filters.to_dict(),
        ["asset_id", "title", "type", "owner", "reason", "recommended"], rows,
        summary={"assets": sum(r["in_catalog"] for r in funnel),
                 **tally([r["reason"] for r in rows], UNUSED_REASONS)},
    )  # fmt: skip


def _event_counts(sources: AuditSources, filters: AuditFilters) -> defaultdict[str, dict[str, int]]:
    e = tables.events.c
    # by type, then asset: the order of ix_events_type_asset, so the database need not sort
    query = (
        select(e.type, e.asset_id, func.count())
        .where(e.type.in_(STEPS), *filters.conditions(e))
        .group_by(e.type, e.asset_id)
    )
    counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
    with sources.engine.connect() as connection:
        for kind, asset_id, count in connection.execute(query):
            if asset_id is not None:
                counts[asset_id][kind] = int(count)
    return counts


def _ratings(sources: AuditSources, filters: AuditFilters) -> dict[str, tuple[int, int]]:
    e = tables.events.c
    query = (
        select(e.asset_id, e.rating, func.count())
        .where(*filters.conditions(e), e.type == EventType.feedback.value)
        .group_by(e.asset_id, e.rating)
    )
    out: dict[str, tuple[int, int]] = {}
    with sources.engine.connect() as connection:
        for asset_id, rating, count in connection.execute(query):
            up, down = out.get(asset_id, (0, 0))
            out[asset_id] = (up + count, down) if rating > 0 else (up, down + count)
    return out


def _won(sources: AuditSources, filters: AuditFilters) -> tuple[dict[str, int], dict[str, int]]:
    """Per asset: deals it was first sent in during the period, and how many of those were won."""
    sent, deals = tables.deal_assets.c, tables.deals.c
    won = func.sum(func.coalesce((deals.outcome == "won").cast(Integer), 0))
    query = (
        select(sent.asset_id, func.count(), won)
        .select_from(tables.deal_assets.join(tables.deals, deals.id == sent.deal_id))
        .where(sent.first_sent_at >= filters.start, sent.first_sent_at < filters.end)
        .group_by(sent.asset_id)
    )
    if filters.vertical:
        query = query.where(deals.vertical == filters.vertical)
    if filters.stage:
        query = query.where(sent.stage_rank == sources.rank(filters.stage))
    with sources.engine.connect() as connection:
        rows = connection.execute(query).all()
    return ({a: int(n) for a, n, _ in rows}, {a: int(w or 0) for a, _, w in rows})
