"""The background log isolates a failing entry: one poisoned recommendation in a batch loses only
itself, never another request's events and questions, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from enablement.db import connect, tables
from enablement.events.log import RecommendationLog
from enablement.events.model import AskedQuestion, EventType, NewEvent, RecommendationLogEntry
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache
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
