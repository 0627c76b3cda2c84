"""What can be learned from served lists: each impression joined to what happened to it.

An impression is one `recommended` event: an asset shown at a position in a served list. The
feedback that quotes its `recommendation_id` and asset (`opened`, `sent`, thumbs) joins it
directly. A `buyer_viewed` event joins the same way when it carries a recommendation id;
otherwise (views of share links, which do not record the list they came from) through its link:
the latest impression of the link's deal and asset shown at or before the link was made, the
list the rep most likely made it from. The deal's outcome joins through the deal (the `deals`
summary: the latest outcome by `occurred_at`).

Feedback quoting a recommendation id that no impression has ("orphans"), or a list that did not
show its asset, is stored like any event but never learned from: `learnable` counts it.
Each list's own record (`served_lists`: the deal as served, the exploration swap) comes beside
the impressions, by recommendation id.
A few set-based queries (SQLAlchemy Core), never one per row, so a million events take seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)

from enablement.db import tables
from enablement.events.lists import served_lists
from enablement.events.model import EventType, ServedList
from enablement.learn.logged import NONE, STEP_BY_EVENT, VIEWED

# The ladder a shown item climbs (learn.logged.STEP_BY_EVENT): each step implies the ones before.
STEP_NAMES = {NONE: None, **{step: kind for kind, step in STEP_BY_EVENT.items()}}
FEEDBACK_TYPES = (*STEP_BY_EVENT, EventType.feedback.value)  # what can quote a recommendation


@dataclass(frozen=True)
class Impression:
    """One shown item and what came of it: `step` the highest rung reached (0 none, 1 opened,
    2 sent, 3 buyer viewed), `rating` the latest thumb (+1, -1, None), `outcome` the deal's
    (won, lost, None). `position` is 1-based as shown; `ranker` None for lists logged before
    rankers were recorded."""

    recommendation_id: str
    deal_id: str | None
    asset_id: str
    position: int
    ranker: str | None
    experiment_id: str | None
    arm: str | None
    stage: str | None
    vertical: str | None
    persona: str | None
    shown_at: datetime
    step: int
    rating: int | None
    outcome: str | None

    def to_dict(self) -> dict[str, Any]:
        values = dict(vars(self))
        values["shown_at"] = self.shown_at.isoformat()
        values["reached"] = STEP_NAMES[self.step]
        return values


@dataclass(frozen=True)
class Unlearnable:
    """Feedback stored but not learned from, per event type: `orphans` quote a recommendation
    id no impression has; `not_shown` quote a real one whose list did not show their asset;
    `unmatched_views` are buyer views whose share link reaches no impression."""

    orphans: Mapping[str, int]
    not_shown: Mapping[str, int]
    unmatched_views: int

    @property
    def total(self) -> int:
        return sum(self.orphans.values()) + sum(self.not_shown.values()) + self.unmatched_views

    def to_dict(self) -> dict[str, Any]:
        return {
            "orphans": dict(self.orphans),
            "not_shown": dict(self.not_shown),
            "unmatched_views": self.unmatched_views,
            "total": self.total,
        }


@dataclass(frozen=True)
class Learnable:
    """The impressions of a window, each with its feedback, what was left out, and per
    recommendation id its served list (the deal as served, the swap made; see events.lists).
    A list logged before lists were kept has none: its swap and deal are not known."""

    impressions: list[Impression]
    unlearnable: Unlearnable
    lists: dict[str, ServedList] = field(default_factory=dict)


def learnable(engine: Engine, *, since: datetime | None = None) -> Learnable:
    """The impressions shown at or after `since` (all when None), oldest first, each joined to
    its feedback and its deal's outcome; the feedback of the window (by its own time) that
    could not be joined; and the served lists of the window. Times are UTC."""
    since = None if since is None else _utc(since)
    with engine.connect() as connection:
        rows = connection.execute(_impressions(since)).all()
        unlearnable = _unlearnable(connection, since)
        lists = served_lists(connection, since=since)
    return Learnable([_impression(row._mapping) for row in rows], unlearnable, lists)


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC (naive is taken as UTC), as events are stored: SQLite compares the text."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _impression(row: RowMapping) -> Impression:
    fields = {key: row[key] for key in Impression.__dataclass_fields__ if key != "step"}
    fields["shown_at"] = _utc(fields["shown_at"])  # SQLite gives it back naive
    return Impression(**fields, step=int(row["step"] or NONE))


def _shown() -> Any:
    return tables.events.alias("shown")


def _impressions(since: datetime | None) -> Select[Any]:
    """One row per impression in the window with its highest step, latest thumb and outcome."""
    shown, actions, deals = _shown(), _actions(), tables.deals

    same_item = and_(
        actions.c.recommendation_id == shown.c.recommendation_id,
        actions.c.asset_id == shown.c.asset_id,
    )
    # Lists logged before positions were: the rank was the place shown.
    position = func.coalesce(shown.c.position, shown.c.rank)
    query = (
        select(
            shown.c.recommendation_id,
            shown.c.deal_id,
            shown.c.asset_id,
            position.label("position"),
            shown.c.ranker,
            shown.c.experiment_id,
            shown.c.arm,
            shown.c.stage,
            shown.c.vertical,
            shown.c.persona,
            shown.c.occurred_at.label("shown_at"),
            actions.c.step,
            _latest_thumb(shown).label("rating"),
            deals.c.outcome,
        )
        .select_from(
            shown.outerjoin(actions, same_item).outerjoin(deals, deals.c.id == shown.c.deal_id)
        )
        .where(shown.c.type == EventType.recommended.value)
        .order_by(shown.c.occurred_at, shown.c.recommendation_id, position)
    )
    return query if since is None else query.where(shown.c.occurred_at >= since)


def _view_target() -> Any:
    """For a buyer view without a recommendation id: the recommendation of the latest impression
    of its link's deal and asset shown at or before the link was made (None if there was none)."""
    earlier, view, links = tables.events.alias("earlier"), _views(), tables.share_links
    latest = (
        select(earlier.c.recommendation_id)
        .where(
            earlier.c.type == EventType.recommended.value,
            earlier.c.deal_id == links.c.deal_id,
            earlier.c.asset_id == links.c.asset_id,
            earlier.c.occurred_at <= links.c.created_at,
        )
        .order_by(earlier.c.occurred_at.desc(), earlier.c.id.desc())
        .limit(1)
        .correlate(links)
        .scalar_subquery()
    )
    return (
        select(
            view.c.asset_id,
            view.c.occurred_at,
            func.coalesce(view.c.recommendation_id, latest).label("recommendation_id"),
        )
        .select_from(view.outerjoin(links, links.c.id == view.c.link_id))
        .where(view.c.type == EventType.buyer_viewed.value)
        .subquery("view_target")
    )


def _views() -> Any:
    return tables.events.alias("buyer_view")


def _actions() -> Subquery:
    """Per (recommendation id, asset): the highest step its opened, sent and buyer_viewed
    events reached."""
    action = tables.events.alias("action")
    step = case(dict(STEP_BY_EVENT), value=action.c.type)
    rep = select(action.c.recommendation_id, action.c.asset_id, step.label("step")).where(
        action.c.type.in_([EventType.opened.value, EventType.sent.value]),
        action.c.recommendation_id.is_not(None),
    )
    target = _view_target()
    viewed = select(target.c.recommendation_id, target.c.asset_id, literal(VIEWED).label("step"))
    both = union_all(rep, viewed.where(target.c.recommendation_id.is_not(None))).subquery("steps")
    return (
        select(both.c.recommendation_id, both.c.asset_id, func.max(both.c.step).label("step"))
        .group_by(both.c.recommendation_id, both.c.asset_id)
        .subquery("actions")
    )


def _latest_thumb(shown: Any) -> Any:
    """The latest thumb (+1 or -1) on the impression `shown`: a rep may change their mind. A
    correlated lookup on the recommendation's few events (ix_events_recommendation_id): SQLite
    scans a joined window-function subquery once per impression instead."""
    thumb = tables.events.alias("thumb")
    return (
        select(thumb.c.rating)
        .where(
            thumb.c.type == EventType.feedback.value,
            thumb.c.recommendation_id == shown.c.recommendation_id,
            thumb.c.asset_id == shown.c.asset_id,
        )
        .order_by(thumb.c.occurred_at.desc(), thumb.c.id.desc())
        .limit(1)
        .correlate(shown)
        .scalar_subquery()
    )


def _unlearnable(connection: Connection, since: datetime | None) -> Unlearnable:
    """Counts of the window's feedback that joins no impression (see Unlearnable)."""
    event, lists, items = (
        tables.events.alias("quoting"),
        _served("lists", by_asset=False),
        _served("items", by_asset=True),
    )
    # Joins to the distinct served lists and items, not EXISTS: SQLite's planner looks those up
    # through the index on type, scanning every impression per feedback event.
    kind = case(
        (lists.c.recommendation_id.is_(None), "orphans"),
        (items.c.recommendation_id.is_(None), "not_shown"),
        else_="joined",
    )
    quoting = (
        select(event.c.type, kind.label("kind"))
        .select_from(
            event.outerjoin(
                lists, lists.c.recommendation_id == event.c.recommendation_id
            ).outerjoin(
                items,
                and_(
                    items.c.recommendation_id == event.c.recommendation_id,
                    items.c.asset_id == event.c.asset_id,
                ),
            )
        )
        .where(event.c.type.in_(FEEDBACK_TYPES), event.c.recommendation_id.is_not(None))
    )
    if since is not None:
        quoting = quoting.where(event.c.occurred_at >= since)
    counted = quoting.subquery("quoting_kinds")
    counts: dict[str, dict[str, int]] = {"orphans": {}, "not_shown": {}, "joined": {}}
    for kind_name, type_name, n in connection.execute(
        select(counted.c.kind, counted.c.type, func.count()).group_by(
            counted.c.kind, counted.c.type
        )
    ):
        counts[kind_name][type_name] = int(n)
    return Unlearnable(counts["orphans"], counts["not_shown"], _unmatched_views(connection, since))


def _served(name: str, *, by_asset: bool) -> Subquery:
    """The distinct served lists (by recommendation id), or items (and asset) when `by_asset`."""
    shown = _shown()
    keys = [shown.c.recommendation_id, *([shown.c.asset_id] if by_asset else [])]
    query = select(*keys).where(shown.c.type == EventType.recommended.value).group_by(*keys)
    return query.subquery(name)


def _unmatched_views(connection: Connection, since: datetime | None) -> int:
    """Buyer views of the window with no recommendation id whose link reaches no impression."""
    target = _view_target()
    query = select(func.count()).where(target.c.recommendation_id.is_(None))
    if since is not None:
        query = query.where(target.c.occurred_at >= since)
    return int(connection.scalar(query) or 0)
