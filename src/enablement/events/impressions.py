"""What one served list leaves behind: the list as served (with its experiment, arms and
rankers when served under one) and the log entry it writes, its impressions (`recommended`
events), asked questions and weak questions' vectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from enablement.events.model import AskedQuestion, EventType, NewEvent, RecommendationLogEntry
from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.result import RecommendationResult

# Questions scoring under this keep their query vectors, so the demand report (whose default cut
# is 0.5) clusters them without encoding them again; a higher cut just encodes the rest.
KEEP_VECTORS_BELOW = 0.6


@dataclass(frozen=True)
class Served:
    """One recommendation as served: its id (which events quote) and the result; under an
    experiment, its id and per shown item the arm and the ranker that placed it (never shown
    to the rep: the response is the same as without one)."""

    id: str
    result: RecommendationResult
    experiment_id: str | None = None
    arms: tuple[str, ...] | None = None
    rankers: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"recommendation_id": self.id, **self.result.to_dict()}


# How one deal's list is served: (recommender, deal, recommendation id) -> Served. The default
# ranks with the recommender; the service passes experiments.serving's, which applies a running
# experiment.
Arrange = Callable[[Recommender, Deal, str], Served]


def plain(recommender: Recommender, deal: Deal, served_id: str) -> Served:
    """The list the recommender serves, as it is."""
    return Served(served_id, recommender.recommend(deal))


def _answered(result: RecommendationResult) -> list[dict[str, Any]]:
    """Per question, what the answer model said of it (nothing when none was loaded)."""
    return [
        {"answered": q["answered"], "answer_score": q["answer_score"]} for q in result.questions
    ]


def _unanswered(question: AskedQuestion) -> bool:
    """Whether the demand report counts it: by the answer model, else by its closest cosine."""
    if question.answered is not None:
        return not question.answered
    return question.best_score < KEEP_VECTORS_BELOW


def log_entry(
    served: Served,
    user_id: str,
    *,
    model: str,
    ranker: str,
    experiment_id: str | None = None,
    arm: str | None = None,
    at: datetime | None = None,
) -> RecommendationLogEntry:
    """The `recommended` events (impressions: each item's 1-based position as served, `ranker`
    the name of what ordered the list, the experiment and arm if served under one), asked
    questions and weak questions' vectors (from the encoder called `model`) one served
    recommendation leaves behind. A list served under an experiment (`served.experiment_id`)
    logs its own experiment, and per item its arm and ranker, over `experiment_id`, `arm` and
    `ranker`."""
    result, deal = served.result, served.result.deal
    count = len(result.items)
    if served.experiment_id is not None:
        experiment_id = served.experiment_id
    arms = served.arms or (arm,) * count
    rankers = served.rankers or (ranker,) * count
    now = at or datetime.now(UTC)
    context: dict[str, Any] = {"deal_id": deal.deal_id, "stage": deal.stage,
                               "vertical": deal.vertical, "persona": deal.persona}  # fmt: skip
    events = [
        NewEvent(
            EventType.recommended,
            f"rec:{served.id}:{item.rank}",
            now,
            asset_id=item.asset.id,
            recommendation_id=served.id,
            rank=item.rank,
            score=item.score,
            reason_codes=[reason.code for reason in item.reasons],
            position=position,
            ranker=rankers[position - 1],
            experiment_id=experiment_id,
            arm=arms[position - 1],
            **context,
        )
        for position, item in enumerate(result.items, start=1)
    ]
    questions = [
        AskedQuestion(served.id, now, text, score, **context, **answered)
        for text, score, answered in zip(
            deal.questions, result.question_scores, _answered(result), strict=False
        )
    ]
    vectors = result.question_vectors
    weak = {} if vectors is None else {
        q.text: vectors[i] for i, q in enumerate(questions) if _unanswered(q)
    }  # fmt: skip
    return RecommendationLogEntry(user_id, events, questions, model=model, vectors=weak)
