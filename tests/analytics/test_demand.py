"""Unanswered demand: grouped counts, the clustering cap, and vectors kept from serving time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from enablement.analytics import demand
from enablement.analytics.filters import AuditFilters
from enablement.catalog.build import BuildOptions
from enablement.events.model import AskedQuestion
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache, cache_key, query_model
from tests.api.conftest import make_env
from tests.fakes import HashingEncoder

DAY = datetime(2026, 11, 2, 12, tzinfo=UTC)


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_queries(texts)


def test_a_question_asked_again_counts_again_and_old_ones_past_the_cap_are_not_clustered(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path, build_options)
    service = env.service
    asked = [("do you sign a BAA", 0.2, 3), ("is there a BAA template", 0.3, 1)]
    asked += [(f"old question number {i}", 0.1, 1) for i in range(5)]
    rows = [
        AskedQuestion(f"rec-{i}-{n}", DAY - timedelta(hours=i), text, score,
                      stage="discovery", vertical="healthcare")
        for i, (text, score, times) in enumerate(asked)
        for n in range(times)
    ]  # fmt: skip
    rows.append(AskedQuestion("rec-ok", DAY, "approvals", 0.9, stage="discovery"))
    EventStore(service.engine, service.taxonomy.stages.ids).record_questions(rows, user_id="r")
    monkeypatch.setattr(demand, "MAX_TEXTS", 4)

    table = service.audit.demand(AuditFilters.parse({"since": "2026-10-01"}, service.taxonomy))

    assert table.summary["questions_asked"] == 10
    assert table.summary["unanswered"] == 9
    assert table.summary["clustered"] == 6  # the 4 most recent texts: 3 + 1 + 1 + 1
    assert sum(row["questions"] for row in table.rows) == 6
    clustered = {text for row in table.rows for text in row["examples"]}
    assert "old question number 4" not in clustered
    env.client.close()
    service.close()


def test_weak_questions_keep_their_vectors_from_serving_so_demand_encodes_nothing(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options)
    answered = "Oxley implementations take nine months. We go live in six weeks."
    deal = {"stage": "evaluation", "questions": [answered, "weather on the moon tonight"]}
    body = env.client.post("/v1/recommendations", json=deal, headers=env.auth("rep")).json()
    assert env.service.usage.log.flush()
    model = query_model(env.service.encoder.name)
    cached = EmbeddingCache(env.service.engine).get_many(
        [cache_key(model, "weather on the moon tonight"), cache_key(model, answered)]
    )
    assert list(cached) == [cache_key(model, "weather on the moon tonight")]  # only the weak one
    counting = CountingEncoder()
    env.service.audit.sources.encoder = lambda: counting
    today = datetime.now(UTC).date().isoformat()
    table = env.service.audit.demand(AuditFilters.parse({"since": today}, env.service.taxonomy))
    assert body["items"] and table.summary["unanswered"] == 1
    assert counting.encoded == []
    env.client.close()
    env.service.close()


def test_the_answer_models_verdict_decides_unanswered_and_weak_cells(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options)
    service = env.service
    cell = {"stage": "discovery", "vertical": "healthcare"}
    rows = [
        # The verdict wins over the cosine, either way.
        AskedQuestion("r1", DAY, "close but not an answer", 0.8, **cell, answered=False,
                      answer_score=0.3),
        AskedQuestion("r2", DAY, "far but answered", 0.2, **cell, answered=True,
                      answer_score=0.9),
        AskedQuestion("r3", DAY, "another miss", 0.7, **cell, answered=False, answer_score=0.1),
        # Stored before the answer model: judged by the cosine, as then.
        AskedQuestion("r4", DAY, "legacy far question", 0.1, **cell),
        AskedQuestion("r5", DAY, "legacy close question", 0.9, **cell),
    ]  # fmt: skip
    EventStore(service.engine, service.taxonomy.stages.ids).record_questions(rows, user_id="r")
    period = AuditFilters.parse({"since": "2026-10-01"}, service.taxonomy)

    table = service.audit.demand(period)
    assert table.summary["questions_asked"] == 5
    assert table.summary["unanswered"] == 3
    examples = {text for row in table.rows for text in row["examples"]}
    assert "far but answered" not in examples and "legacy close question" not in examples
    # Each theme is named by one of its questions, and the CSV carries it under `theme`.
    missed = {"close but not an answer", "another miss", "legacy far question"}
    assert {row["theme"] for row in table.rows} <= missed
    assert {row["theme"] for row in csv.DictReader(io.StringIO(table.to_csv()))} <= missed
    assert "answer model" in table.notes[0]

    cells = {(r["stage"], r["vertical"]): r for r in service.audit.coverage(period).rows}
    asked = cells[("discovery", "healthcare")]
    assert asked["questions"] == 5 and asked["answered_share"] == 0.4
    assert asked["weak"], "3 of 5 unanswered is under half answered"
    env.client.close()
    service.close()


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def _asked(text: str, count: int = 1) -> dict[str, object]:
    return {"text": text, "count": count, "best_score": 0.2, "stage": "discovery",
            "vertical": "healthcare"}  # fmt: skip


# Three questions on one line of meaning (the middle one nearest their centre) and one apart.
BAA = {
    "do you sign a BAA?": _unit(1, 0, 0),
    "will you sign our business associate agreement?": _unit(1, 0.25, 0),
    "can you share a BAA template?": _unit(1, 0.5, 0),
}
APART = {"how long does implementation take?": _unit(0, 0, 1)}


def test_a_theme_is_named_by_the_question_nearest_its_centre() -> None:
    vectors = BAA | APART
    found = demand.themes([_asked(text) for text in vectors], vectors)
    assert [(t.label, t.count) for t in found] == [
        ("will you sign our business associate agreement?", 3),  # not the first, not key words
        ("how long does implementation take?", 1),
    ]


def test_the_most_asked_questions_pull_the_centre_towards_them() -> None:
    counts = {"do you sign a BAA?": 12, "will you sign our business associate agreement?": 1,
              "can you share a BAA template?": 1}  # fmt: skip
    # The same text asked in two stages is one question asked twice as often.
    rows = [_asked(text, count) for text, count in counts.items()]
    rows.append(_asked("can you share a BAA template?", 1) | {"stage": "evaluation"})
    (theme,) = demand.themes(rows, BAA)
    assert theme.label == "do you sign a BAA?" and theme.count == 15
