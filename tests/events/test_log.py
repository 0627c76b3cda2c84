"""The background log isolates a failing entry: one poisoned recommendation in a batch loses only
itself, never another request's events and questions, on SQLite and PostgreSQL; a served list
is stored with its impressions, in one transaction, once however often it is retried."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from enablement.db import connect, tables
from enablement.events.lists import served_lists
from enablement.events.log import RecommendationLog
from enablement.events.model import (
    AskedQuestion,
    EventType,
    NewEvent,
    RecommendationLogEntry,
    ServedList,
)
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache
from enablement.recommend.context import Deal
from enablement.taxonomy import Taxonomy

# NUL cannot be stored by PostgreSQL; a lone surrogate cannot be encoded for SQLite (or anything)
POISONS = ["bad\x00question", "bad\ud800question"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def _entry(user: str, rec: str, question: str) -> RecommendationLogEntry:
    now = datetime.now(UTC)
    event = NewEvent(
        type=EventType.recommended, idempotency_key=f"rec:{rec}:a1", occurred_at=now,
        deal_id=f"deal-{rec}", asset_id="a1", recommendation_id=rec, rank=1,
    )  # fmt: skip
    asked = AskedQuestion(recommendation_id=rec, occurred_at=now, text=question, best_score=0.5)
    return RecommendationLogEntry(user_id=user, events=[event], questions=[asked])


@pytest.mark.parametrize("poison", POISONS, ids=["nul", "surrogate"])
def test_one_poisoned_entry_loses_only_itself(
    engine: Engine, taxonomy: Taxonomy, poison: str, caplog: pytest.LogCaptureFixture
) -> None:
    log = RecommendationLog(
        EventStore(engine, taxonomy.stages.ids), EmbeddingCache(engine), interval=0.05
    )
    good = [("rep-a", "r1"), ("rep-b", "r2"), ("rep-b", "r4"), ("rep-c", "r5")]
    entries = [_entry(user, rec, f"question {rec}") for user, rec in good]
    entries.insert(2, _entry("rep-b", "r3", poison))  # same user as good ones, mid-batch
    with caplog.at_level(logging.WARNING, logger="enablement.events.log"):
        for entry in entries:
            log.submit(entry)
        log.close()  # whatever the thread has not stored yet is stored here, as one batch
    e, q = tables.events.c, tables.questions.c
    with engine.connect() as connection:
        events = connection.execute(select(e.user_id, e.recommendation_id)).all()
        questions = connection.execute(select(q.recommendation_id, q.text)).all()
    stored = sorted((row.user_id, row.recommendation_id) for row in events)
    assert [row for row in stored if row[1] != "r3"] == sorted(good)  # each once
    assert sorted(r for r, _ in questions if r != "r3") == ["r1", "r2", "r4", "r5"]
    lost = not any(text == poison for _, text in questions)
    if lost:  # where the poison could not be stored, the log says which recommendation
        assert any("r3" in record.getMessage() for record in caplog.records)


def _listed(
    user: str, rec: str, asset: str = "a1", swap: int | None = None
) -> RecommendationLogEntry:
    """An entry with its served list, whose one impression shows `asset`."""
    entry = _entry(user, rec, f"question {rec}")
    event = replace(entry.events[0], asset_id=asset)
    deal = Deal(deal_id=f"deal-{rec}", stage="discovery", k=3, as_of=date(2026, 11, 2))
    at = event.occurred_at
    served = ServedList(rec, deal.deal_id, at, deal, swap, "linear", "exp-1", "live")
    return replace(entry, events=[event], served=served)


def _lists(engine: Engine) -> dict[str, ServedList]:
    with engine.connect() as connection:
        return served_lists(connection)


def test_a_served_list_is_stored_once_with_its_impressions(
    engine: Engine, taxonomy: Taxonomy
) -> None:
    log = RecommendationLog(
        EventStore(engine, taxonomy.stages.ids), EmbeddingCache(engine), interval=0.05
    )
    first = _listed("rep-a", "r1", swap=1)
    log.submit(first)
    assert log.flush()
    log.submit(first)  # a retried write: nothing fails, nothing is stored twice
    log.submit(_listed("rep-b", "r2"))
    log.close()
    lists = _lists(engine)
    assert sorted(lists) == ["r1", "r2"]
    assert lists["r1"] == first.served and lists["r2"].swap is None
    with engine.connect() as connection:
        shown = connection.execute(select(tables.events.c.recommendation_id)).scalars().all()
    assert sorted(shown) == ["r1", "r2"]


@pytest.mark.parametrize("poison", POISONS, ids=["nul", "surrogate"])
def test_a_list_whose_impressions_cannot_be_stored_is_not_stored_either(
    engine: Engine, taxonomy: Taxonomy, poison: str, caplog: pytest.LogCaptureFixture
) -> None:
    # One transaction: a served list never outlives its impressions, nor they it.
    log = RecommendationLog(
        EventStore(engine, taxonomy.stages.ids), EmbeddingCache(engine), interval=0.05
    )
    with caplog.at_level(logging.WARNING, logger="enablement.events.log"):
        for entry in (
            _listed("rep", "r1"),
            _listed("rep", "r2", asset=poison),
            _listed("rep", "r3"),
        ):
            log.submit(entry)
        log.close()
    with engine.connect() as connection:
        shown = set(connection.execute(select(tables.events.c.recommendation_id)).scalars())
    stored = set(_lists(engine))
    assert stored == shown
    assert {"r1", "r3"} <= stored
