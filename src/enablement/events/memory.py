"""Deal memory: the assets a deal's buyer already has (marked `sent`, or shared by a link), with
what the buyer did with the links. The service merges it into a deal before ranking, so the CRM
need not pass `already_shared`; the recommender itself never reads the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from enablement.db import tables
from enablement.recommend.context import SentAsset

DEALS_PER_STATEMENT = 400  # deal ids per lookup, well under any bound-parameter limit


@dataclass
class _Found:
    """What the two tables say of one asset in one deal, before it becomes a SentAsset."""

    title: str | None = None
    sent_at: datetime | None = None  # the first `sent` event (deal_assets)
    shared_at: datetime | None = None  # the first live (not revoked) share link
    views: list[int] = field(default_factory=list)  # per link, revoked ones too
    last_viewed_at: datetime | None = None

    def result(self, asset_id: str) -> SentAsset | None:
        at = self.sent_at or self.shared_at
        if at is None:  # only revoked links: the rep took it back, so it may be offered again
            return None
        return SentAsset(
            asset_id=asset_id,
            title=self.title,
            sent_at=at,
            via="sent" if self.sent_at is not None else "link",
            buyer_views=sum(self.views) if self.views else None,
            last_viewed_at=self.last_viewed_at,
        )


class DealMemory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sent(self, deal_ids: Iterable[str]) -> dict[str, tuple[SentAsset, ...]]:
        """Per deal id, the assets sent in it or shared by a live link, newest first (deals with
        none are left out). Reads committed rows, so an event stored a moment ago is seen."""
        ordered = sorted(set(deal_ids))
        found: dict[str, dict[str, _Found]] = defaultdict(lambda: defaultdict(_Found))
        with self.engine.connect() as connection:
            for start in range(0, len(ordered), DEALS_PER_STATEMENT):
                batch = ordered[start : start + DEALS_PER_STATEMENT]
                for row in connection.execute(_sent_query(batch)):
                    item = found[row.deal_id][row.asset_id]
                    item.title, item.sent_at = row.title, _utc(row.first_sent_at)
                for row in connection.execute(_links_query(batch)):
                    _add_link(found[row.deal_id][row.asset_id], row)
        remembered = {deal_id: _newest_first(assets) for deal_id, assets in found.items()}
        return {deal_id: sent for deal_id, sent in remembered.items() if sent}


def _sent_query(deal_ids: Sequence[str]) -> Any:
    sent, assets = tables.deal_assets, tables.assets
    return (
        select(sent.c.deal_id, sent.c.asset_id, sent.c.first_sent_at, assets.c.title)
        .select_from(sent.outerjoin(assets, assets.c.id == sent.c.asset_id))
        .where(sent.c.deal_id.in_(deal_ids))
    )


def _links_query(deal_ids: Sequence[str]) -> Any:
    links, assets = tables.share_links, tables.assets
    return (
        select(
            links.c.deal_id,
            links.c.asset_id,
            links.c.created_at,
            links.c.revoked_at,
            links.c.views,
            links.c.last_viewed_at,
            assets.c.title,
        )
        .select_from(links.outerjoin(assets, assets.c.id == links.c.asset_id))
        .where(links.c.deal_id.in_(deal_ids))
    )


def _add_link(item: _Found, row: Any) -> None:
    item.title = item.title or row.title
    item.views.append(int(row.views))
    if row.revoked_at is None:
        created = _utc(row.created_at)
        item.shared_at = min(item.shared_at or created, created)
    if row.last_viewed_at is not None:
        viewed = _utc(row.last_viewed_at)
        item.last_viewed_at = max(item.last_viewed_at or viewed, viewed)


def _newest_first(assets: dict[str, _Found]) -> tuple[SentAsset, ...]:
    results = [r for asset_id, item in assets.items() if (r := item.result(asset_id)) is not None]
    return tuple(sorted(results, key=lambda r: (r.sent_at, r.asset_id), reverse=True))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
