"""What happened to an asset in a deal: the event types and the shape of one event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from enablement.recommend.context import Deal
from enablement.recommend.stored import deal_to_json


class EventType(StrEnum):
    recommended = "recommended"  # written by the recommender for every item it returns
    opened = "opened"  # the rep opened the asset
    sent = "sent"  # the rep sent it to a buyer
    feedback = "feedback"  # thumbs up or down, with an optional reason
    buyer_viewed = "buyer_viewed"  # a buyer opened a share link
    deal_outcome = "deal_outcome"  # won or lost, with amount and close date


# What API clients may post; the others are written by enablement itself.
CLIENT_TYPES = (EventType.opened, EventType.sent, EventType.feedback, EventType.deal_outcome)
OUTCOMES = ("won", "lost")


@dataclass(frozen=True)
class NewEvent:
    """One event to store. `idempotency_key` is unique per user: a retry stores nothing new."""

    type: EventType
    idempotency_key: str
    occurred_at: datetime
    deal_id: str | None = None
    asset_id: str | None = None
    stage: str | None = None
    vertical: str | None = None
    persona: str | None = None
    recommendation_id: str | None = None
    rank: int | None = None
    score: float | None = None
    reason_codes: list[str] | None = None
    rating: int | None = None  # +1 up, -1 down
    comment: str | None = None
    outcome: str | None = None
    amount: float | None = None
    close_date: date | None = None
    link_id: str | None = None
    user_agent: str | None = None
    # Impressions (`recommended`) only: the 1-based place in the list as served, what ranked
    # the list, and the experiment and arm it was served under (None outside experiments).
    position: int | None = None
    ranker: str | None = None
    experiment_id: str | None = None
    arm: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What became of one posted event."""

    index: int
    id: int
    status: str  # stored | duplicate
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "status": self.status,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class AskedQuestion:
    """A buyer question the recommender was asked, with how well the library answered it."""

    recommendation_id: str
    occurred_at: datetime
    text: str
    best_score: float  # the closest eligible passage's cosine
    deal_id: str | None = None
    stage: str | None = None
    vertical: str | None = None
    persona: str | None = None
    answered: bool | None = None  # by the answer model; None when served without one
    answer_score: float | None = None


@dataclass(frozen=True)
class ServedList:
    """One served list as a whole (the `served_lists` row; its items are its impressions): the
    deal as it was resolved and served, the exploration swap made in it (k: the ranker's
    positions k and k+1 shown swapped; None: shown as ranked), the ranker that ordered it (None
    for an interleaved list, whose items name their own), and its experiment and arm. Lists
    logged before these were kept have none (see `events.feedback.Learnable.lists`)."""

    recommendation_id: str
    deal_id: str | None
    served_at: datetime
    deal: Deal
    swap: int | None = None
    ranker: str | None = None
    experiment_id: str | None = None
    arm: str | None = None

    def row(self) -> dict[str, Any]:
        """The `served_lists` row (the deal as recommend.stored's JSON)."""
        return {**vars(self), "deal": deal_to_json(self.deal)}


@dataclass
class RecommendationLogEntry:
    """Everything one served recommendation leaves behind: the list (`served`), its items, its
    questions, and the query vectors of the poorly answered ones (for the demand report), by
    the model's name."""

    user_id: str
    events: list[NewEvent] = field(default_factory=list)
    questions: list[AskedQuestion] = field(default_factory=list)
    model: str = ""
    vectors: dict[str, Any] = field(default_factory=dict)  # question text -> float32 vector
    served: ServedList | None = None
