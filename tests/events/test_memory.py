"""Deal memory: what a deal's buyer already has, from `sent` events and share links, on both
stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from enablement.db import connect, tables
from enablement.events.links import ShareLinkStore, new_visitor
from enablement.events.memory import DealMemory
from enablement.events.model import EventType, NewEvent
from enablement.events.store import EventStore
from enablement.recommend.context import SentAsset

STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"]
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    with engine.begin() as connection:
        for asset_id in ("faq", "deck", "brief"):
            connection.execute(insert(tables.assets).values(**_asset(asset_id)))
    yield engine
    engine.dispose()


def _asset(asset_id: str) -> dict[str, object]:
    return {
        "id": asset_id, "source": "lib", "locator": f"{asset_id}.md", "format": "md",
        "title": asset_id.title(), "stages": [], "verticals": [], "personas": [], "products": [],
        "competitors": [], "extra": {}, "content_hash": "0" * 64, "pipeline": "p",
        "word_count": 1, "chunk_count": 1, "ingested_at": T0,
    }  # fmt: skip


def send(engine: Engine, key: str, asset_id: str, at: datetime, deal_id: str = "d1") -> None:
    event = NewEvent(EventType.sent, key, at, deal_id=deal_id, asset_id=asset_id)
    EventStore(engine, STAGES).record([event], user_id="rep", known_asset=lambda _: True)


def test_sent_assets_and_shared_links_are_remembered_per_deal(engine: Engine) -> None:
    send(engine, "k1", "faq", T0)
    send(engine, "k2", "faq", T0 - timedelta(days=1))  # the first send is the one remembered
    send(engine, "k3", "gone-from-catalog", T0 + timedelta(hours=1))
    send(engine, "k4", "brief", T0, deal_id="d2")
    links = ShareLinkStore(engine)
    deck, _ = links.create(user_id="rep", deal_id="d1", asset_id="deck")
    for minutes in (0, 45):  # two counted views by one browser, half an hour apart
        links.count_view(deck, visitor="v" * 22, at=T0 + timedelta(minutes=minutes))
    links.create(user_id="rep", deal_id="d1", asset_id="faq")  # a link, not opened yet

    memory = DealMemory(engine).sent(["d1", "d2", "d3"])

    assert set(memory) == {"d1", "d2"}  # a deal with nothing sent is left out
    by_id = {item.asset_id: item for item in memory["d1"]}
    assert by_id["faq"] == SentAsset("faq", "Faq", T0 - timedelta(days=1), "sent", 0, None)
    assert by_id["gone-from-catalog"] == SentAsset(
        "gone-from-catalog", None, T0 + timedelta(hours=1), "sent", None, None
    )
    shared = by_id["deck"]
    assert (shared.via, shared.buyer_views, shared.title) == ("link", 2, "Deck")
    assert shared.sent_at == links.get(deck.id).created_at.replace(tzinfo=UTC)
    assert shared.last_viewed_at == T0 + timedelta(minutes=45)
    newest_first = sorted(by_id.values(), key=lambda item: item.sent_at, reverse=True)
    assert list(memory["d1"]) == newest_first
    assert [item.asset_id for item in memory["d2"]] == ["brief"]


def test_a_revoked_link_alone_is_forgotten_but_its_views_still_count(engine: Engine) -> None:
    links = ShareLinkStore(engine)
    withdrawn, _ = links.create(user_id="rep", deal_id="d1", asset_id="deck")
    links.revoke(withdrawn.id)
    assert DealMemory(engine).sent(["d1"]) == {}  # the rep took it back: it may be offered again

    viewed, _ = links.create(user_id="rep", deal_id="d1", asset_id="faq")
    links.count_view(viewed, visitor=new_visitor(), at=T0)
    links.revoke(viewed.id)
    send(engine, "k1", "faq", T0 + timedelta(days=1))
    (faq,) = DealMemory(engine).sent(["d1"])["d1"]
    assert (faq.via, faq.buyer_views, faq.last_viewed_at) == ("sent", 1, T0)


def test_a_send_is_seen_the_moment_it_is_stored(engine: Engine) -> None:
    memory = DealMemory(engine)
    assert memory.sent(["d1"]) == {}
    send(engine, "k1", "faq", datetime.now(UTC))
    assert [item.asset_id for item in memory.sent(["d1"])["d1"]] == ["faq"]
