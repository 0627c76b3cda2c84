"""Events are stored once per idempotency key, and deal summaries kept right, on both stores."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from enablement.db import connect, tables
from enablement.events.model import EventType, NewEvent
from enablement.events.store import EventStore

STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"]
T0 = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def event(key: str, kind: EventType = EventType.sent, **fields: object) -> NewEvent:
    values: dict[str, object] = {"deal_id": "d1", "asset_id": "a1", "occurred_at": T0} | fields
    return NewEvent(type=kind, idempotency_key=key, **values)  # type: ignore[arg-type]


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_a_retry_is_a_duplicate_not_a_second_event(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    first = store.record([event("k1"), event("k2")], user_id="rep", known_asset=lambda a: True)
    again = store.record(
        [event("k2"), event("k3"), event("k3")], user_id="rep", known_asset=lambda a: True
    )
    assert [r.status for r in first] == ["stored", "stored"]
    assert [r.status for r in again] == ["duplicate", "stored", "duplicate"]
    assert again[0].id == first[1].id and again[1].id == again[2].id
    assert count(engine, tables.events) == 3


def test_a_store_is_empty_until_its_first_event(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    assert store.is_empty()
    store.record([event("k1")], user_id="rep", known_asset=lambda a: True)
    assert not store.is_empty()


def test_the_same_key_from_another_rep_is_another_event(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    store.record([event("k1")], user_id="ann", known_asset=lambda a: True)
    (other,) = store.record([event("k1")], user_id="bob", known_asset=lambda a: True)
    assert other.status == "stored"


def test_an_unknown_asset_is_stored_and_flagged(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    (result,) = store.record(
        [event("k1", asset_id="ghost")], user_id="rep", known_asset=lambda a: a != "ghost"
    )
    assert result.status == "stored" and result.flags == ("unknown_asset",)
    with engine.connect() as connection:
        assert connection.scalar(select(tables.events.c.asset_known)) is False


def test_deal_summary_keeps_furthest_stage_and_latest_outcome_in_any_order(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    known = lambda a: True  # noqa: E731
    late = T0 + timedelta(days=20)
    store.record(
        [
            event(
                "o2",
                EventType.deal_outcome,
                asset_id=None,
                outcome="won",
                occurred_at=late,
                vertical="retail",
            )
        ],
        user_id="rep",
        known_asset=known,
    )
    store.record(
        [
            event("s1", stage="evaluation", occurred_at=T0 + timedelta(days=3)),
            event("s0", stage="discovery", occurred_at=T0),
        ],
        user_id="rep",
        known_asset=known,
    )
    # an older outcome arriving late does not overwrite the newer one
    store.record(
        [
            event(
                "o1",
                EventType.deal_outcome,
                asset_id=None,
                outcome="lost",
                occurred_at=T0 + timedelta(days=1),
            )
        ],
        user_id="rep",
        known_asset=known,
    )
    with engine.connect() as connection:
        deal = connection.execute(select(tables.deals)).one()._mapping
        sent = connection.execute(select(tables.deal_assets)).one()._mapping
    assert deal["stage"] == "evaluation" and deal["stage_rank"] == 3
    assert deal["outcome"] == "won" and deal["vertical"] == "retail"
    assert sent["stage_rank"] == 2  # first sent in discovery, though posted second


def test_concurrent_clients_with_retries_store_exactly_one_event_per_key(engine: Engine) -> None:
    store = EventStore(engine, STAGES)
    keys = [f"key-{i}" for i in range(20_000)]
    per_client = [keys[i::16] for i in range(16)]
    errors: list[BaseException] = []

    def client(mine: list[str], seed: int) -> None:
        rng = random.Random(seed)
        try:
            for start in range(0, len(mine), 250):
                batch = [
                    event(k, deal_id=f"d{rng.randrange(300)}") for k in mine[start : start + 250]
                ]
                store.record(batch, user_id="rep", known_asset=lambda a: True)
                if rng.random() < 0.5:  # a retry of the same batch, or part of someone's
                    retry = rng.sample(keys, 100) + [e.idempotency_key for e in batch[:50]]
                    store.record(
                        [event(k) for k in retry], user_id="rep", known_asset=lambda a: True
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(mine, i)) for i, mine in enumerate(per_client)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        stored = connection.execute(
            select(tables.events.c.idempotency_key, func.count()).group_by(
                tables.events.c.idempotency_key
            )
        ).all()
    assert len(stored) == 20_000 and all(n == 1 for _, n in stored)
