"""What a recommender is configured with: fusion, weights, diversity and the optional models."""

from __future__ import annotations

from dataclasses import dataclass, field

from enablement.recommend.answers import AnswerModel
from enablement.recommend.diversity import DiversityConfig
from enablement.recommend.intent import TypeIntent
from enablement.recommend.linking import LinkingConfig
from enablement.recommend.ranker import LearnedRanker
from enablement.recommend.retrieval import FusionConfig
from enablement.recommend.scoring import ScoringWeights


@dataclass(frozen=True)
class RecommenderConfig:
    """How a Recommender fuses, scores and diversifies, and the optional models it uses."""

    fusion: FusionConfig = field(default_factory=FusionConfig)
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    diversity: DiversityConfig = field(default_factory=DiversityConfig)
    answer_floor: float = 0.6  # an asset answers a question when its relevance reaches this
    # The asset-type intent model; None (or weights.type_intent 0) switches the feature off.
    intent: TypeIntent | None = field(default=None, compare=False, repr=False)
    # Products linked from the questions' words count as deal products (recommend.linking).
    linking: LinkingConfig = field(default_factory=LinkingConfig)
    # The learned ranker over the linear scorer's best candidates; None: the linear scorer ranks.
    ranker: LearnedRanker | None = field(default=None, compare=False, repr=False)
    # Leave out questions that are gibberish or in a language the library lacks, with a warning.
    screen_questions: bool = True
    # P(an asset's best passage answers a question) and the claim made from it; None: no claims.
    answers: AnswerModel | None = field(default=None, compare=False, repr=False)
