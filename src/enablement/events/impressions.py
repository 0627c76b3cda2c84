"""What one served list leaves behind: the list as served (with its experiment, arms and
rankers when served under one, and the exploration swap made in it) and the log entry it
writes: the served list itself, its impressions (`recommended` events), asked questions and
weak questions' vectors."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from enablement.events.model import (
    AskedQuestion,
    EventType,
    NewEvent,
    RecommendationLogEntry,
    ServedList,
)
from enablement.recommend.context import Deal
from enablement.recommend.explore import explore
from enablement.recommend.pipeline import Recommender
from enablement.recommend.result import RecommendationResult

# The arm of an interleave experiment's lists (experiments.assign): team-drafted per request,
# each item placed by one of two rankers.
INTERLEAVE = "interleave"

# Questions scoring under this keep their query vectors, so the demand report (whose default cut
# is 0.5) clusters them without encoding them again; a higher cut just encodes the rest.
KEEP_VECTORS_BELOW = 0.6


@dataclass(frozen=True)
class Served:
    """One recommendation as served: its id (which events quote) and the result, its items in
    the order shown; under an experiment, its id, per shown item the arm and the ranker that
    placed it, the list's `arm` and, when not the live one, the `ranker` that ordered it (none
    of which is shown to the rep: the response is the same as without one); and the
    exploration `swap` made (k: the ranker's positions k and k+1 shown swapped)."""

    id: str
    result: RecommendationResult
    experiment_id: str | None = None
    arms: tuple[str, ...] | None = None
    rankers: tuple[str, ...] | None = None
    arm: str | None = None
    ranker: str | None = None
    swap: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"recommendation_id": self.id, **self.result.to_dict()}


# How one deal's list is served: (recommender, deal, recommendation id) -> Served. The default
# ranks with the recommender; the service passes experiments.serving's, which applies a running
# experiment.
Arrange = Callable[[Recommender, Deal, str], Served]


def plain(recommender: Recommender, deal: Deal, served_id: str) -> Served:
    """The list the recommender serves, as it is."""
    return Served(served_id, recommender.recommend(deal))


def explored(served: Served, share: float, rng: random.Random | None = None) -> Served:
    """`served` as shown after exploration (`recommend.explore`): with probability `share`, one
    adjacent pair of its final list swapped, ranks renumbered in the shown order, `swap` set.
    The coin is `rng`, by default one seeded by the list's id (so a list's exploration can be
    replayed). Only reorders: nothing eligibility removed can come back. An interleaved list is
    returned as it is (team-draft interleaving randomises it already). Raises
    InvalidInputError for a share outside [0, 0.5]."""
    if served.arm == INTERLEAVE:
        return served
    items = served.result.items
    done = explore([item.asset.id for item in items], share, rng or random.Random(served.id))
    if done.swap is None:
        return served
    k = done.swap
    order = [*range(k - 1), k, k - 1, *range(k + 1, len(items))]
    shown = [replace(items[i], rank=rank) for rank, i in enumerate(order, start=1)]

    def reorder(per_item: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if per_item is None else tuple(per_item[i] for i in order)

    return replace(
        served, result=replace(served.result, items=shown), arms=reorder(served.arms),
        rankers=reorder(served.rankers), swap=k,
    )  # fmt: skip


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
    deal: Deal | None = None,
) -> RecommendationLogEntry:
    """The served list (its deal as served, swap, ranker, experiment and arm), its
    `recommended` events (impressions: each item's 1-based position as served, `ranker` the
    name of what ordered the list, the experiment and arm if served under one), asked
    questions and weak questions' vectors (from the encoder called `model`) one served
    recommendation leaves behind. A list served under an experiment (`served.experiment_id`)
    logs its own experiment, arm and ranker, and per item its arm and ranker, over
    `experiment_id`, `arm` and `ranker`; an interleaved list logs no ranker of its own. The
    served list keeps `deal`, the deal as asked for (default: the result's, which lacks the
    questions the recommender screened out), so that ranking it again repeats the request."""
    asked = deal or served.result.deal
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
    interleaved = served.arm == INTERLEAVE
    listed = ServedList(
        served.id, deal.deal_id, now, asked, served.swap,
        ranker=None if interleaved else served.ranker or ranker,
        experiment_id=experiment_id, arm=served.arm or arm,
    )  # fmt: skip
    return RecommendationLogEntry(
        user_id, events, questions, model=model, vectors=weak, served=listed
    )
