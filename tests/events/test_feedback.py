"""Impressions joined to their feedback, on both stores: by recommendation and asset, buyer views
through their share link, outcomes through the deal, orphans counted and left out; each list's
own record (its swap and deal) beside them, and the logged lists built on them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select

from enablement.db import connect, tables
from enablement.events.feedback import Impression, Learnable, learnable
from enablement.events.links import ShareLinkStore
from enablement.events.model import EventType, NewEvent, ServedList
from enablement.events.served import logged_lists
from enablement.events.store import EventStore
from enablement.learn.logged import NONE, OPENED, SENT, VIEWED
from enablement.recommend.context import Deal

STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"]
# Impressions an hour apart, ending before now: share links are made at the current time.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
HOUR = timedelta(hours=1)
RANKER = "lambdarank:3f2a9c01b7de"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def record(engine: Engine, *events: NewEvent) -> None:
    results = EventStore(engine, STAGES).record(events, user_id="rep", known_asset=lambda a: True)
    assert {r.status for r in results} == {"stored"}


def shown(
    rec: str, *assets: str, at: datetime = T0, deal: str = "d1", **extra: object
) -> list[NewEvent]:
    """A served list: one impression per asset, at positions 1, 2, ..."""
    values: dict[str, object] = {"ranker": RANKER, "stage": "discovery", "persona": "cfo"} | extra
    return [
        NewEvent(
            EventType.recommended, f"rec:{rec}:{n}", at, deal_id=deal, asset_id=asset,
            recommendation_id=rec, rank=n, position=n, **values,  # type: ignore[arg-type]
        )
        for n, asset in enumerate(assets, start=1)
    ]  # fmt: skip


def did(kind: EventType, rec: str | None, asset: str, at: datetime, **extra: object) -> NewEvent:
    key = f"{kind}:{rec}:{asset}:{at.isoformat()}"
    values: dict[str, object] = {"deal_id": "d1", "recommendation_id": rec} | extra
    return NewEvent(kind, key, at, asset_id=asset, **values)  # type: ignore[arg-type]


def by_item(result: Learnable) -> dict[tuple[str, str], Impression]:
    return {(i.recommendation_id, i.asset_id): i for i in result.impressions}


def test_feedback_joins_the_impression_at_the_position_it_was_shown(engine: Engine) -> None:
    record(
        engine,
        *shown("r1", "a1", "a2", "a3", vertical="healthcare"),
        did(EventType.opened, "r1", "a2", T0 + HOUR),
        did(EventType.sent, "r1", "a2", T0 + 2 * HOUR),
        did(EventType.opened, "r1", "a2", T0 + 3 * HOUR),  # opened again after sending
        did(EventType.opened, "r1", "a3", T0 + HOUR),
        did(EventType.feedback, "r1", "a1", T0 + HOUR, rating=1),
        did(EventType.feedback, "r1", "a1", T0 + 2 * HOUR, rating=-1),  # changed their mind
        did(EventType.feedback, "r1", "a3", T0 + HOUR, rating=1),
    )
    rows = learnable(engine).impressions
    assert [(i.asset_id, i.position, i.step, i.rating) for i in rows] == [
        ("a1", 1, NONE, -1),
        ("a2", 2, SENT, None),
        ("a3", 3, OPENED, 1),
    ]
    first = rows[0]
    assert (first.recommendation_id, first.deal_id, first.ranker) == ("r1", "d1", RANKER)
    assert (first.stage, first.vertical, first.persona) == ("discovery", "healthcare", "cfo")
    assert (first.experiment_id, first.arm, first.outcome) == (None, None, None)
    assert first.shown_at == T0 and first.shown_at.utcoffset() == timedelta(0)
    assert rows[1].to_dict()["reached"] == "sent" and rows[0].to_dict()["reached"] is None


def test_feedback_joins_only_its_own_list(engine: Engine) -> None:
    """The same asset shown in two lists: each list's feedback stays with its impression."""
    record(
        engine,
        *shown("r1", "a1", "a2"),
        *shown("r2", "a2", "a1", at=T0 + HOUR),
        did(EventType.sent, "r2", "a1", T0 + 2 * HOUR),
    )
    rows = by_item(learnable(engine))
    assert rows["r1", "a1"].step == NONE
    assert (rows["r2", "a1"].step, rows["r2", "a1"].position) == (SENT, 2)


def test_experiment_and_arm_are_kept(engine: Engine) -> None:
    record(engine, *shown("r1", "a1", experiment_id="exp-1", arm="control"))
    (row,) = learnable(engine).impressions
    assert (row.experiment_id, row.arm) == ("exp-1", "control")


def test_a_buyer_view_reaches_the_latest_impression_before_its_link_was_made(
    engine: Engine,
) -> None:
    links = ShareLinkStore(engine)
    record(engine, *shown("r1", "a2", "a1"), *shown("r2", "a1", at=T0 + HOUR))
    record(engine, *shown("r1-other-deal", "a1", deal="d2", at=T0 + 2 * HOUR))
    link, _token = links.create(user_id="rep", deal_id="d1", asset_id="a1")
    record(engine, *shown("r3", "a1", at=datetime.now(UTC) + HOUR))  # after the link was made
    record(engine, did(EventType.buyer_viewed, None, "a1", T0 + 3 * HOUR, link_id=link.id))
    result = learnable(engine)
    rows = by_item(result)
    assert rows["r2", "a1"].step == VIEWED
    assert {rows[k].step for k in [("r1", "a1"), ("r3", "a1"), ("r1-other-deal", "a1")]} == {NONE}
    assert result.unlearnable.unmatched_views == 0


def test_a_buyer_view_quoting_its_recommendation_joins_it_directly(engine: Engine) -> None:
    record(
        engine,
        *shown("r1", "a1"),
        *shown("r2", "a1", at=T0 + HOUR),
        did(EventType.buyer_viewed, "r1", "a1", T0 + 2 * HOUR),
    )
    rows = by_item(learnable(engine))
    assert (rows["r1", "a1"].step, rows["r2", "a1"].step) == (VIEWED, NONE)


def test_a_link_with_no_earlier_impression_is_an_unmatched_view(engine: Engine) -> None:
    link, _token = ShareLinkStore(engine).create(user_id="rep", deal_id="d1", asset_id="a1")
    record(
        engine,
        *shown("r1", "a1", at=datetime.now(UTC) + HOUR),
        did(EventType.buyer_viewed, None, "a1", T0, link_id=link.id),
        did(EventType.buyer_viewed, None, "a1", T0 + HOUR, link_id="no-such-link"),
    )
    result = learnable(engine)
    assert [i.step for i in result.impressions] == [NONE]
    assert result.unlearnable.unmatched_views == 2


def test_the_outcome_joins_through_the_deal(engine: Engine) -> None:
    def outcome(deal: str, value: str, at: datetime) -> NewEvent:
        return NewEvent(EventType.deal_outcome, f"out:{deal}:{at}", at, deal_id=deal, outcome=value)

    record(
        engine,
        *shown("r1", "a1"),
        *shown("r2", "a1", deal="d2"),
        *shown("r3", "a1", deal="d3"),
        outcome("d1", "lost", T0 + HOUR),
        outcome("d1", "won", T0 + 2 * HOUR),  # the latest outcome counts
        outcome("d2", "lost", T0 + HOUR),
    )
    rows = by_item(learnable(engine))
    assert [rows[r, "a1"].outcome for r in ("r1", "r2", "r3")] == ["won", "lost", None]


def test_orphans_are_stored_counted_and_never_learned_from(engine: Engine) -> None:
    record(
        engine,
        *shown("r1", "a1"),
        did(EventType.opened, "ghost", "a1", T0 + HOUR),
        did(EventType.sent, "ghost", "a1", T0 + HOUR),
        did(EventType.feedback, "ghost", "a1", T0 + HOUR, rating=1),
        did(EventType.buyer_viewed, "ghost", "a1", T0 + HOUR),
        did(EventType.opened, "r1", "a9", T0 + HOUR),  # a real list that did not show a9
        did(EventType.opened, "r1", "a1", T0 + HOUR),
        did(EventType.opened, None, "a1", T0 + HOUR),  # quotes no list: not feedback on one
    )
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(tables.events))
    assert stored == 8
    result = learnable(engine)
    assert [(i.recommendation_id, i.asset_id, i.step) for i in result.impressions] == [
        ("r1", "a1", OPENED)
    ]
    gone = result.unlearnable
    assert gone.orphans == {"opened": 1, "sent": 1, "feedback": 1, "buyer_viewed": 1}
    assert gone.not_shown == {"opened": 1}
    assert gone.total == 5 and gone.to_dict()["total"] == 5


def test_the_window_takes_impressions_by_when_shown_and_orphans_by_when_they_came(
    engine: Engine,
) -> None:
    record(
        engine,
        *shown("old", "a1", at=T0 - 10 * HOUR),
        *shown("new", "a1", "a2", at=T0 + HOUR),
        did(EventType.sent, "old", "a1", T0 + 2 * HOUR),  # late feedback on an old list
        did(EventType.opened, "new", "a2", T0 + 2 * HOUR),
        did(EventType.opened, "ghost", "a1", T0 - 5 * HOUR),
        did(EventType.opened, "ghost", "a1", T0 + 5 * HOUR),
    )
    since = T0.astimezone(timezone(timedelta(hours=-5)))  # another zone, the same moment
    result = learnable(engine, since=since)
    assert [(i.recommendation_id, i.position, i.step) for i in result.impressions] == [
        ("new", 1, NONE),
        ("new", 2, OPENED),
    ]
    assert result.unlearnable.orphans == {"opened": 1}
    everything = learnable(engine)
    assert by_item(everything)["old", "a1"].step == SENT
    assert everything.unlearnable.orphans == {"opened": 2}


def test_impressions_logged_before_positions_take_their_rank(engine: Engine) -> None:
    old = [
        NewEvent(EventType.recommended, f"rec:r0:{n}", T0, deal_id="d1", asset_id=a,
                 recommendation_id="r0", rank=n)
        for n, a in enumerate(["a1", "a2"], start=1)
    ]  # fmt: skip
    record(engine, *old)
    rows = learnable(engine).impressions
    assert [(i.position, i.ranker) for i in rows] == [(1, None), (2, None)]


def test_the_position_as_shown_wins_over_the_rank(engine: Engine) -> None:
    """A list shown in another order than ranked (an exploration swap, say) is learned from
    at the place each item was seen."""
    swapped = [
        NewEvent(EventType.recommended, f"rec:r1:{rank}", T0, deal_id="d1", asset_id=asset,
                 recommendation_id="r1", rank=rank, position=position)
        for asset, rank, position in [("a1", 1, 2), ("a2", 2, 1)]
    ]  # fmt: skip
    record(engine, *swapped)
    rows = learnable(engine).impressions
    assert [(i.asset_id, i.position) for i in rows] == [("a2", 1), ("a1", 2)]


def listed(rec: str, at: datetime, *, swap: int | None = None, deal: str = "d1") -> ServedList:
    """A served list's own record, as the recommendation log writes it with its impressions."""
    served = Deal(deal_id=deal, stage="discovery", persona="cfo", questions=("Price?",),
                  already_shared=frozenset({"a9"}), k=3, as_of=at.date())  # fmt: skip
    return ServedList(rec, deal, at, served, swap, RANKER)


def test_each_list_comes_with_its_swap_and_deal_in_the_window(engine: Engine) -> None:
    old, new = listed("old", T0 - 10 * HOUR), listed("new", T0 + HOUR, swap=1)
    store = EventStore(engine, STAGES)
    events = [*shown("old", "a1", at=T0 - 10 * HOUR), *shown("new", "a1", "a2", at=T0 + HOUR)]
    store.record(events, user_id="rep", known_asset=lambda a: True, lists=[old, new])
    record(engine, *shown("before", "a3", at=T0 + 2 * HOUR))  # logged before lists were kept
    everything = learnable(engine)
    assert everything.lists == {"old": old, "new": new}
    assert everything.lists["new"].deal == new.deal  # the deal rebuilt from its JSON
    assert learnable(engine, since=T0).lists == {"new": new}
    logged = {log.context + ":" + ",".join(log.shown): log.swap for log in logged_lists(engine)}
    assert logged == {"d1:a1": None, "d1:a1,a2": 1, "d1:a3": None}
    assert [log.shown for log in logged_lists(engine, since=T0)] == [("a1", "a2"), ("a3",)]
