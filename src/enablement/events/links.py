"""Trackable share links: an unguessable token per (deal, asset) that records buyer views."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from enablement.db import tables
from enablement.db.engine import dialect_insert
from enablement.errors import EnablementError, InvalidValueError, NotFoundError

# Reloads by one browser within this window count as one view.
VIEW_WINDOW = timedelta(minutes=30)
_VISITOR = re.compile(r"[A-Za-z0-9_-]{22}")  # what new_visitor() makes; anything else is ignored

# Link checkers in mail gateways and chat previews fetch links before any human does.
_BOTS = re.compile(r"bot|crawl|spider|preview|scanner|safelinks|python-|curl/|wget", re.I)
_FAMILIES = (
    ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)  # fmt: skip


class LinkGoneError(EnablementError):
    """The link expired or its sender revoked it."""

    status = 410
    code = "link_gone"


class NotShareableError(InvalidValueError):
    """The asset may not go to a buyer: it is internal only or expired."""

    code = "not_shareable"


@dataclass(frozen=True)
class ShareLink:
    id: str
    user_id: str
    deal_id: str
    asset_id: str
    stage: str | None
    vertical: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    views: int
    last_viewed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return _aware(moment).isoformat() if moment else None

        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "asset_id": self.asset_id,
            "created_by": self.user_id,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "revoked_at": iso(self.revoked_at),
            "views": self.views,
            "last_viewed_at": iso(self.last_viewed_at),
        }


def user_agent_family(user_agent: str | None) -> str:
    """A browser family (never the raw string): Chrome, Safari, ..., 'bot' or 'other'."""
    if not user_agent:
        return "other"
    if _BOTS.search(user_agent):
        return "bot"
    return next((family for marker, family in _FAMILIES if marker in user_agent), "other")


def new_visitor() -> str:
    """A random id for one browser (kept in a cookie), to count its reloads once."""
    return secrets.token_urlsafe(16)


def valid_visitor(value: str | None) -> str | None:
    """`value` if it could be a visitor id we made; a forged or mangled cookie gives None."""
    return value if value is not None and _VISITOR.fullmatch(value) else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class ShareLinkStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        *,
        user_id: str,
        deal_id: str,
        asset_id: str,
        stage: str | None = None,
        vertical: str | None = None,
        expires_in_days: int | None = None,
    ) -> tuple[ShareLink, str]:
        """A new link and its token (shown once; only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        row = {
            "id": secrets.token_hex(8),
            "token_hash": _hash(token),
            "user_id": user_id,
            "deal_id": deal_id,
            "asset_id": asset_id,
            "stage": stage,
            "vertical": vertical,
            "created_at": now,
            "expires_at": now + timedelta(days=expires_in_days) if expires_in_days else None,
            "revoked_at": None,
            "views": 0,
            "last_viewed_at": None,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(tables.share_links).values(**row))
        return self.get(str(row["id"])), token

    def get(self, link_id: str) -> ShareLink:
        condition = tables.share_links.c.id == link_id
        return self._one(condition, f"No share link '{link_id}'.", field="link_id")

    def open(self, token: str) -> ShareLink:
        """The link behind `token` if it may still be opened; raises NotFound or LinkGone."""
        link = self._one(
            tables.share_links.c.token_hash == _hash(token), "This link does not exist.",
            field="token",
        )  # fmt: skip
        if link.revoked_at is not None:
            raise LinkGoneError("The sender withdrew this link. Ask them for a new one.")
        if link.expires_at is not None and _aware(link.expires_at) <= datetime.now(UTC):
            raise LinkGoneError("This link has expired. Ask the sender for a new one.")
        return link

    def count_view(self, link: ShareLink, *, visitor: str, at: datetime) -> bool:
        """Count a view by `visitor` unless one was counted in the last VIEW_WINDOW; returns
        whether it counted. One statement decides, so concurrent workers count it once."""
        views, links = tables.link_views, tables.share_links
        row = {"link_id": link.id, "visitor": _hash(visitor), "counted_at": at}
        claim = (
            dialect_insert(self.engine, views)
            .values(**row)
            .on_conflict_do_update(
                index_elements=[views.c.link_id, views.c.visitor],
                set_={"counted_at": at},
                where=views.c.counted_at <= at - VIEW_WINDOW,
            )
            .returning(views.c.link_id)  # a row only when inserted or updated (rowcount is -1)
        )
        with self.engine.begin() as connection:
            if connection.execute(claim).first() is None:
                return False
            connection.execute(
                update(links)
                .where(links.c.id == link.id)
                .values(views=links.c.views + 1, last_viewed_at=at)
            )
        return True

    def revoke(self, link_id: str) -> ShareLink:
        links = tables.share_links
        with self.engine.begin() as connection:
            connection.execute(
                update(links)
                .where(links.c.id == link_id, links.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        return self.get(link_id)

    def for_deal(self, deal_id: str) -> list[ShareLink]:
        links = tables.share_links
        query = select(links).where(links.c.deal_id == deal_id).order_by(links.c.created_at)
        with self.engine.connect() as connection:
            return [_link(row._mapping) for row in connection.execute(query)]

    def _one(self, condition: Any, message: str, *, field: str) -> ShareLink:
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.share_links).where(condition)).first()
        if row is None:
            raise NotFoundError(message, field=field)
        return _link(row._mapping)


def _link(row: Any) -> ShareLink:
    values = {key: row[key] for key in ShareLink.__dataclass_fields__}
    return ShareLink(**values)
