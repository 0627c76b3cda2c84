"""Served lists read back from the event store as logged lists (`learn.logged.LoggedList`), the
input of propensity and counterfactual estimates: each recommendation's `recommended` events in
rank order, and per shown asset the highest step that opened, sent and buyer_viewed events
quoting the same recommendation id reached."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, select

from enablement.db import tables
from enablement.learn.logged import STEP_BY_EVENT, LoggedList


def logged_lists(
    engine: Engine, *, swaps: Mapping[str, int] | None = None, since: datetime | None = None
) -> list[LoggedList]:
    """Every served list stored (from `since` when given), by recommendation id: its
    deal as the context (the recommendation id when it has none), its assets by rank as shown,
    the ladder steps reached. `swaps` maps a recommendation id to the exploration swap made in
    it (the store does not keep it); the others count as unswapped."""
    events = tables.events
    shown = select(
        events.c.recommendation_id, events.c.deal_id, events.c.asset_id, events.c.rank
    ).where(events.c.type == "recommended", events.c.recommendation_id.is_not(None))
    acted = (
        select(events.c.recommendation_id, events.c.asset_id, events.c.type)
        .where(events.c.type.in_(list(STEP_BY_EVENT)), events.c.recommendation_id.is_not(None))
        .group_by(events.c.recommendation_id, events.c.asset_id, events.c.type)
    )
    if since is not None:
        shown = shown.where(events.c.occurred_at >= since)
        acted = acted.where(events.c.occurred_at >= since)
    with engine.connect() as connection:
        impressions = connection.execute(
            shown.order_by(events.c.recommendation_id, events.c.rank)
        ).all()
        actions = connection.execute(acted).all()
    step: dict[tuple[str, str], int] = {}
    for rec, asset, kind in actions:
        step[rec, asset] = max(step.get((rec, asset), 0), STEP_BY_EVENT[kind])
    lists: dict[str, tuple[str, list[str]]] = {}
    for rec, deal, asset, _rank in impressions:
        lists.setdefault(rec, (deal or rec, []))[1].append(asset)
    swaps = swaps or {}
    return [
        LoggedList.of(context, assets, [step.get((rec, a), 0) for a in assets], swaps.get(rec))
        for rec, (context, assets) in lists.items()
    ]
