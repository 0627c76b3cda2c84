"""A deal's recommendations as the service answers them: the items, warnings and per-question
answers, and their JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from enablement.recommend.context import Deal
from enablement.recommend.reasons import Recommendation


@dataclass(frozen=True)
class RecommendationResult:
    """One deal's recommendations, as Recommender.recommend returns them."""

    deal: Deal
    items: list[Recommendation]
    bundle_version: str
    warnings: tuple[str, ...] = ()
    # For each buyer question, the cosine similarity of the closest eligible passage: how well
    # the library answers it (low values feed the marketer's "unanswered demand" report).
    question_scores: tuple[float, ...] = ()
    # The buyer questions' query vectors, so the usage log can keep those of the poorly answered
    # ones for the demand report without encoding them again.
    question_vectors: np.ndarray | None = field(default=None, compare=False, repr=False)
    # Per buyer question, the highest probability that a recommended asset answers it, and
    # whether that reaches the answer model's claim; empty when no answer model is loaded.
    answer_scores: tuple[float, ...] = ()
    answered: tuple[bool, ...] = ()

    @property
    def questions(self) -> list[dict[str, Any]]:
        """Per buyer question: whether a recommended asset answers it (None: not known, as no
        answer model is loaded) and the best probability that one does."""
        known = len(self.answered) == len(self.deal.questions)
        return [
            {
                "question": question,
                "question_index": self.deal.position(i),
                "answered": self.answered[i] if known else None,
                "answer_score": self.answer_scores[i] if known else None,
            }
            for i, question in enumerate(self.deal.questions)
        ]

    def to_dict(self) -> dict[str, Any]:
        deal = self.deal
        return {
            "bundle_version": self.bundle_version,
            "deal": {
                "deal_id": deal.deal_id,
                "stage": deal.stage,
                "stage_name": deal.stage_name,
                "vertical": deal.vertical,
                "persona": deal.persona,
                "products": list(deal.products),
                "competitor": deal.competitor,
                "questions": list(deal.questions),
                "already_shared": sorted(deal.already_shared),
                "external_only": deal.external_only,
                "language": deal.language,
                "k": deal.k,
                "as_of": deal.as_of.isoformat(),
            },
            "warnings": list(self.warnings),
            "questions": self.questions,
            "items": [item.to_dict() for item in self.items],
            "already_sent": [item.to_dict() for item in deal.sent],
        }
