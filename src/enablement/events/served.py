"""Served lists read back from the event store as logged lists (`learn.logged.LoggedList`), the
input of propensity and counterfactual estimates: each list's impressions in the order shown
(`events.feedback.learnable`, so each with the highest step its feedback reached, buyer views
through their share links included) and the exploration swap its served list records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from enablement.events.feedback import Impression, learnable
from enablement.learn.logged import LoggedList


def logged_lists(engine: Engine, *, since: datetime | None = None) -> list[LoggedList]:
    """Every served list with impressions shown at or after `since` (all when None), first
    shown first: its deal as the context (the recommendation id when it has none), its assets
    by position as shown, the ladder steps reached, and its swap (None for a list logged
    before served lists were kept, as for an unexplored one)."""
    found = learnable(engine, since=since)
    by_list: dict[str, list[Impression]] = {}
    for impression in found.impressions:
        by_list.setdefault(impression.recommendation_id, []).append(impression)
    logged = []
    for rec, shown in by_list.items():
        shown.sort(key=lambda impression: impression.position)
        served = found.lists.get(rec)
        logged.append(
            LoggedList.of(
                shown[0].deal_id or rec,
                [impression.asset_id for impression in shown],
                [impression.step for impression in shown],
                None if served is None else served.swap,
            )
        )
    return logged
