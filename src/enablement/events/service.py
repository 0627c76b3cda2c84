"""The usage side of the service: served recommendations, client events and share links."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError

from enablement.access.keys import Role
from enablement.catalog.loaders import Limits
from enablement.catalog.sharing import BuyerCopy, buyer_copy, share_refusal
from enablement.catalog.store import CatalogStore
from enablement.errors import InvalidValueError, NotFoundError, PermissionDeniedError
from enablement.events.impressions import Arrange, Served, explored, log_entry, plain
from enablement.events.links import (
    LinkGoneError,
    NotShareableError,
    ShareLink,
    ShareLinkStore,
    new_visitor,
    user_agent_family,
    valid_visitor,
)
from enablement.events.log import RecommendationLog
from enablement.events.memory import DealMemory
from enablement.events.model import (
    EventType,
    NewEvent,
    Recorded,
)
from enablement.events.parse import parse_event
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache
from enablement.recommend.context import Deal
from enablement.recommend.explore import check_share
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import scorer_name
from enablement.taxonomy import Taxonomy

MAX_LINK_DAYS = 365


@dataclass(frozen=True)
class View:
    """A share link opened: the link, what to send, whether it counted as a buyer view, the
    browser's visitor id (new when it had none), and whether its sender opened it (`by_sender`:
    never a buyer view)."""

    link: ShareLink
    copy: BuyerCopy
    counted: bool
    visitor: str
    by_sender: bool = False


log = logging.getLogger(__name__)


class Usage:
    def __init__(
        self,
        engine: Engine,
        taxonomy: Taxonomy,
        catalog: CatalogStore,
        *,
        limits: Limits | None = None,
        arrange: Arrange = plain,
        explore_share: float = 0.0,
    ) -> None:
        check_share(explore_share)
        self.arrange = arrange
        self.explore_share = explore_share
        self.taxonomy = taxonomy
        self.catalog = catalog
        self.limits = limits or Limits()
        self.events = EventStore(engine, taxonomy.stages.ids)
        self.links = ShareLinkStore(engine)
        self.memory = DealMemory(engine)
        self._log: RecommendationLog | None = None
        self._memory_warned = -60.0

    @property
    def log(self) -> RecommendationLog:
        if self._log is None:
            self._log = RecommendationLog(self.events, EmbeddingCache(self.events.engine))
        return self._log

    def serve(
        self, recommender: Recommender, deals: Sequence[Deal], *, user_id: str
    ) -> list[Served]:
        """Recommend for each deal, less what its buyer already has (see `remember`), as `arrange`
        serves it (a running experiment's arm), explored (`explore_share` of the lists shown
        with one adjacent pair swapped, see impressions.explored), and log what was shown: the
        served list (its deal, swap, ranker, experiment and arm) and its `recommended` events
        (with the name of the ranker that placed each item and any experiment and arm)."""
        asked = self.remember(deals)
        served = [
            explored(self.arrange(recommender, deal, secrets.token_hex(12)), self.explore_share)
            for deal in asked
        ]
        ranker, model = scorer_name(recommender.config.ranker), recommender.encoder.name
        for deal, item in zip(asked, served, strict=True):
            self.log.submit(log_entry(item, user_id, model=model, ranker=ranker, deal=deal))
        return served

    def remember(self, deals: Sequence[Deal]) -> list[Deal]:
        """The deals with what the store knows of each `deal_id` merged in: the assets marked
        sent or shared by a live link, which are then never recommended (like `already_shared`)
        and are listed in the response as `already_sent`."""
        ids = [deal.deal_id for deal in deals if deal.deal_id]
        try:
            known = self.memory.sent(ids) if ids else {}
        except (OperationalError, DisconnectionError):  # the store is down: serve on, say so
            now = time.monotonic()
            if now - self._memory_warned >= 60:
                self._memory_warned = now
                log.warning("deal memory unavailable (the store does not answer); serving without")
            known = {}
        return [
            replace(deal, sent=known[deal.deal_id]) if deal.deal_id in known else deal
            for deal in deals
        ]

    def record(
        self,
        raw: Sequence[Mapping[str, Any]],
        *,
        user_id: str,
        role: Role = Role.rep,
        field: str | None = "events",
    ) -> list[Recorded]:
        """Validate and store client events from a caller with `role`; the whole batch is refused
        if one is invalid (422) or is a deal_outcome the role may not write (403: crm and admin
        only). Errors name the field as `events[3].rating`, or `rating` when `field` is None."""
        events: list[NewEvent] = []
        for i, item in enumerate(raw):
            prefix = f"{field}[{i}]" if field else ""
            event = parse_event(item, self.taxonomy, field=prefix)
            if event.type is EventType.deal_outcome and not role.may_write_outcomes:
                raise PermissionDeniedError(
                    f"Only crm and admin keys may record deal outcomes; this key is '{role.name}'.",
                    field=f"{prefix}.type" if prefix else "type",
                )
            events.append(event)
        return self.events.record(events, user_id=user_id, known_asset=self._known(events))

    def share(
        self,
        *,
        user_id: str,
        deal_id: str,
        asset_id: str,
        stage: str | None = None,
        vertical: str | None = None,
        expires_in_days: int | None = None,
    ) -> tuple[ShareLink, str]:
        """A trackable link for one asset in one deal. Raises InvalidValueError for an asset
        not in the catalog and NotShareableError for an internal-only or expired one."""
        asset = self.catalog.get(asset_id)
        if asset is None:
            raise InvalidValueError(f"No asset with id '{asset_id}'.", field="asset_id")
        refusal = share_refusal(asset, today=datetime.now(UTC).date())
        if refusal is not None:
            raise NotShareableError(refusal, field="asset_id")
        if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LINK_DAYS:
            raise InvalidValueError(
                f"expires_in_days must be between 1 and {MAX_LINK_DAYS}.", field="expires_in_days"
            )
        return self.links.create(
            user_id=user_id,
            deal_id=deal_id,
            asset_id=asset_id,
            stage=self.taxonomy.stages.resolve_optional(stage, field="stage"),
            vertical=self.taxonomy.verticals.resolve_optional(vertical, field="vertical"),
            expires_in_days=expires_in_days,
        )

    def view(
        self,
        token: str,
        *,
        user_agent: str | None,
        visitor: str | None = None,
        at: datetime | None = None,
        count: bool = True,
        sender: str | None = None,
    ) -> View:
        """Open `token` for a buyer: what to send, counted once per browser per VIEW_WINDOW
        (link checkers never, nor a HEAD probe: `count=False`, nor the rep who made the link:
        `sender` is then its id, which only the rep's API answers ever show). Raises
        NotFoundError or LinkGoneError when there is nothing to send, including for an asset
        that has since become internal or expired."""
        now = at or datetime.now(UTC)
        link = self.links.open(token)
        by_sender = sender is not None and secrets.compare_digest(sender.encode(), link.id.encode())
        copy = self._buyer_copy(link, now)
        visitor = valid_visitor(visitor) or new_visitor()
        family = user_agent_family(user_agent)
        probe = not count or family == "bot" or by_sender
        if probe or not self.links.count_view(link, visitor=visitor, at=now):
            return View(link, copy, counted=False, visitor=visitor, by_sender=by_sender)
        event = _view_event(link, now, family)
        self.events.record([event], user_id=link.user_id, known_asset=lambda _asset: True)
        return View(link, copy, counted=True, visitor=visitor)

    def _buyer_copy(self, link: ShareLink, now: datetime) -> BuyerCopy:
        """What a buyer opening `link` gets; raises LinkGoneError for an asset withdrawn or no
        longer shareable, NotFoundError when there is nothing to send."""
        asset = self.catalog.get(link.asset_id)
        if asset is None:  # withdrawn from the catalog: gone (410), not a guess at a token (404)
            raise LinkGoneError("This document was withdrawn. Ask the sender for another.")
        if share_refusal(asset, today=now.date()) is not None:
            raise LinkGoneError("This document is no longer available. Ask the sender for another.")
        copy = buyer_copy(asset, limits=self.limits)
        if copy is None:
            raise NotFoundError("The document behind this link is not available.")
        return copy

    def close(self) -> None:
        if self._log is not None:
            self._log.close()

    def _known(self, events: Sequence[NewEvent]) -> Callable[[str], bool]:
        known = self.catalog.existing_ids({e.asset_id for e in events if e.asset_id})
        return known.__contains__


def _view_event(link: ShareLink, now: datetime, family: str) -> NewEvent:
    """The buyer_viewed event of a counted open of `link` (`family`: the browser's)."""
    return NewEvent(
        type=EventType.buyer_viewed,
        idempotency_key=f"view:{link.id}:{secrets.token_hex(8)}",
        occurred_at=now,
        deal_id=link.deal_id,
        asset_id=link.asset_id,
        stage=link.stage,
        vertical=link.vertical,
        link_id=link.id,
        user_agent=family,
    )
