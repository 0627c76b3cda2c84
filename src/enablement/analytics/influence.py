"""Win rate of deals an asset was sent in, against comparable deals it was not sent in.

Comparable means: closed in the period, same vertical, and reached at least the stage at which the
asset was sent (a won deal reached every stage). Control win rates are averaged with the treated
deals' weights per (vertical, stage), so an asset sent late is not credited for late-stage deals
winning more often. This is an association, not a cause: reps choose what to send.

Intervals are normal approximations, Bonferroni-adjusted over the assets shown, so that across the
whole table the chance of any interval missing its true value is at most 1 - confidence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from sqlalchemy import select

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources
from enablement.analytics.table import AuditTable
from enablement.db import tables

COLUMNS = [
    "asset_id", "title", "owner", "deals_sent", "deals_compared", "win_rate_sent",
    "win_rate_comparable", "difference", "low", "high",
]  # fmt: skip


@dataclass(frozen=True)
class ClosedDeal:
    id: str
    vertical: str | None
    stage_rank: int  # furthest stage reached
    won: bool


@dataclass(frozen=True)
class Influence:
    asset_id: str
    deals_sent: int  # closed deals the asset was sent in, with comparable deals
    deals_compared: int  # comparable deals it was not sent in
    win_rate_sent: float
    win_rate_comparable: float
    difference: float
    low: float
    high: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset_id": self.asset_id,
            "deals_sent": self.deals_sent,
            "deals_compared": self.deals_compared,
            "win_rate_sent": round(self.win_rate_sent, 4),
            "win_rate_comparable": round(self.win_rate_comparable, 4),
            "difference": round(self.difference, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


def influence(
    deals: list[ClosedDeal],
    sent: dict[str, dict[str, int]],
    *,
    top_rank: int,
    min_deals: int = 10,
    confidence: float = 0.95,
) -> list[Influence]:
    """`sent[asset][deal]` is the stage rank at which the asset was first sent in the deal.

    Assets with fewer than `min_deals` treated or comparable deals are left out. Sorted by the
    interval's lower bound, highest first: an asset clearly associated with winning comes before
    one with a larger difference but too few deals to tell."""
    by_id = {deal.id: deal for deal in deals}
    # reached[(vertical, rank)] = (deals, wins) among deals that reached at least `rank`
    reached: dict[tuple[str | None, int], tuple[int, int]] = {}
    counts: Counter[tuple[str | None, int]] = Counter()
    wins: Counter[tuple[str | None, int]] = Counter()
    for deal in deals:
        furthest = top_rank if deal.won else deal.stage_rank
        counts[(deal.vertical, furthest)] += 1
        wins[(deal.vertical, furthest)] += deal.won
    for vertical in {deal.vertical for deal in deals}:
        total = won = 0
        for rank in range(top_rank, -1, -1):
            total += counts[(vertical, rank)]
            won += wins[(vertical, rank)]
            reached[(vertical, rank)] = (total, won)
    candidates = [
        row
        for asset_id, in_deals in sorted(sent.items())
        if (row := _compare(asset_id, in_deals, by_id, reached, min_deals)) is not None
    ]
    if not candidates:
        return []
    z = NormalDist().inv_cdf(1 - (1 - confidence) / (2 * len(candidates)))
    return sorted(
        (_interval(row, z) for row in candidates),
        key=lambda r: (-r.low, -r.difference, r.asset_id),
    )


@dataclass(frozen=True)
class _Raw:
    asset_id: str
    n_sent: int
    won_sent: int
    n_compared: int
    control_rate: float
    control_variance: float


def _compare(
    asset_id: str,
    in_deals: dict[str, int],
    by_id: dict[str, ClosedDeal],
    reached: dict[tuple[str | None, int], tuple[int, int]],
    min_deals: int,
) -> _Raw | None:
    treated = [(by_id[d], rank) for d, rank in in_deals.items() if d in by_id]
    strata: defaultdict[tuple[str | None, int], list[ClosedDeal]] = defaultdict(list)
    for deal, rank in treated:
        strata[(deal.vertical, rank)].append(deal)
    n_sent = won_sent = compared = 0
    rate = variance = 0.0
    parts = []
    for key, members in strata.items():
        total, won = reached.get(key, (0, 0))
        # the stratum's deals minus the treated ones (treated deals reached this stage too)
        inside = [d for d, r in treated if d.vertical == key[0] and _reached(d, key[1], r)]
        n_control = total - len(inside)
        won_control = won - sum(d.won for d in inside)
        if n_control <= 0:
            continue
        parts.append((len(members), n_control, won_control))
        n_sent += len(members)
        won_sent += sum(d.won for d in members)
        compared += n_control
    if n_sent < min_deals or compared < min_deals:
        return None
    for size, n_control, won_control in parts:
        weight = size / n_sent
        p = won_control / n_control
        rate += weight * p
        smoothed = (won_control + 1) / (n_control + 2)
        variance += weight**2 * smoothed * (1 - smoothed) / n_control
    return _Raw(asset_id, n_sent, won_sent, compared, rate, variance)


def _reached(deal: ClosedDeal, rank: int, _sent_rank: int) -> bool:
    return deal.won or deal.stage_rank >= rank


def _interval(raw: _Raw, z: float) -> Influence:
    p_sent = raw.won_sent / raw.n_sent
    smoothed = (raw.won_sent + 1) / (raw.n_sent + 2)
    se = math.sqrt(smoothed * (1 - smoothed) / raw.n_sent + raw.control_variance)
    difference = p_sent - raw.control_rate
    return Influence(
        asset_id=raw.asset_id,
        deals_sent=raw.n_sent,
        deals_compared=raw.n_compared,
        win_rate_sent=p_sent,
        win_rate_comparable=raw.control_rate,
        difference=difference,
        low=max(-1.0, difference - z * se),
        high=min(1.0, difference + z * se),
    )


def influence_table(sources: AuditSources, filters: AuditFilters) -> AuditTable:
    """Win rate where each catalog asset was sent against comparable deals where it was not,
    over the deals closed in the period."""
    deals, sent = _closed_deals(sources, filters)
    catalog = {a["id"]: a for a in sources.assets(filters)}
    options = sources.options
    found = influence(
        deals,
        {a: d for a, d in sent.items() if a in catalog},
        top_rank=len(sources.taxonomy.stages.ids),
        min_deals=options.min_deals,
        confidence=options.confidence,
    )
    rows = [
        {"asset_id": r.asset_id, "title": catalog[r.asset_id]["title"],
         "owner": catalog[r.asset_id].get("owner"), **r.to_dict()}
        for r in found
    ]  # fmt: skip
    return AuditTable(
        "influence", filters.to_dict(), COLUMNS, rows,
        notes=["Association, not cause: reps choose what to send. Comparable deals closed in "
               "the period, are in the same vertical and reached the stage at which the asset "
               f"was sent. Intervals are {options.confidence:.0%} simultaneous (Bonferroni over "
               f"the assets shown), sorted by their lower end; an interval wholly above or below "
               f"0 is a clear association. Assets with fewer than {options.min_deals} deals "
               "either way are not shown."],
        summary={"closed_deals": len(deals), "won": sum(d.won for d in deals),
                 "assets_shown": len(rows)},
    )  # fmt: skip


def _closed_deals(
    sources: AuditSources, filters: AuditFilters
) -> tuple[list[ClosedDeal], dict[str, dict[str, int]]]:
    """The deals closed in the period (in the vertical, if one is set), and for each asset the
    stage rank at which it was first sent in each of them."""
    d, s = tables.deals.c, tables.deal_assets.c
    closed = [d.outcome.is_not(None), d.outcome_at >= filters.start, d.outcome_at < filters.end]
    if filters.vertical:
        closed.append(d.vertical == filters.vertical)
    deals_query = select(d.id, d.vertical, d.stage_rank, d.outcome).where(*closed)
    sent_query = (
        select(s.asset_id, s.deal_id, s.stage_rank)
        .select_from(tables.deal_assets.join(tables.deals, d.id == s.deal_id))
        .where(*closed)
    )
    sent: defaultdict[str, dict[str, int]] = defaultdict(dict)
    with sources.engine.connect() as connection:
        deals = [
            ClosedDeal(i, v, int(r), o == "won") for i, v, r, o in connection.execute(deals_query)
        ]
        for asset_id, deal_id, rank in connection.execute(sent_query):
            sent[asset_id][deal_id] = int(rank)
    return deals, sent
