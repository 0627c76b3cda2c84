"""The recommender over one bundle: the linear scorer's candidates (recommend.linear), re-ordered
by the learned ranker when one is loaded, diversified into the top k and written up with reasons
and passages (recommend.items)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.embedding import Encoder
from enablement.index.bundle import Bundle
from enablement.recommend.answers import Asked
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal
from enablement.recommend.diversity import diversify
from enablement.recommend.features import AssetFeatures, candidate_features, feature_names
from enablement.recommend.items import ItemBuilder
from enablement.recommend.linear import LinearScorer, Scored
from enablement.recommend.result import RecommendationResult
from enablement.recommend.scoring import FIT_FEATURES, Floats
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy


class Recommender:
    """Holds one loaded bundle; safe to share between threads (it never mutates)."""

    def __init__(
        self, bundle: Bundle, encoder: Encoder, taxonomy: Taxonomy, config: RecommenderConfig
    ) -> None:
        self.bundle = bundle
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.config = config
        self.table = AssetTable(bundle.assets)
        self.linear = LinearScorer(bundle, self.table, encoder, taxonomy, config)
        self._items = ItemBuilder(bundle, taxonomy, config)
        if config.ranker is not None:  # built with the bundle, not by the first request
            _ = self._asset_features

    def recommend(self, deal: Deal) -> RecommendationResult:
        """The top `deal.k` eligible assets for `deal`, each with reasons and passages."""
        return self.rank(self.score(deal))

    def rank(self, scored: Scored) -> RecommendationResult:
        """The top `k` of a scored deal: ordered, diversified, each with reasons and passages."""
        deal, matches = scored.deal, scored.matches
        order, scores = self._order(scored)
        floor = self.config.answer_floor
        covers = [{int(a) for a in np.flatnonzero(m.relevance >= floor)} for m in matches]
        if not deal.questions:
            covers = []
        chosen = diversify(
            order,
            k=deal.k,
            vectors=self.bundle.asset_vectors,
            types=self.table.types,
            covers=covers,
            config=self.config.diversity,
        )
        answers = self.answer_scores(scored, np.array(chosen, dtype=np.int64))
        items = [
            self._items.item(row, rank, float(scores[row]), scored, answers)
            for rank, row in enumerate(chosen, start=1)
        ]
        best = tuple(round(m.top_similarity, 4) for m in matches)
        return RecommendationResult(
            deal,
            items,
            self.bundle.meta.version,
            deal.warnings,
            question_scores=best if deal.questions else (),
            question_vectors=scored.vectors if deal.questions else None,
            **self._answered(answers),
        )

    def _answered(self, answers: Floats | None) -> dict[str, tuple[Any, ...]]:
        """Per question, the best probability that a recommended asset answers it, and whether
        that is a claim; nothing when no answer model scored the deal."""
        model = self.config.answers
        if answers is None or model is None:
            return {}
        best = answers.max(axis=1, initial=0.0)
        return {
            "answer_scores": tuple(round(float(v), 4) for v in best),
            "answered": tuple(bool(v >= model.threshold) for v in best),
        }

    def answer_scores(self, scored: Scored, chosen: npt.NDArray[np.int64]) -> Floats | None:
        """(questions, len(chosen)): P(the recommended asset answers the question), `chosen`
        best first; None when no answer model is loaded or the deal has no buyer question."""
        model = self.config.answers
        if model is None or not scored.deal.questions:
            return None
        asked = Asked(
            scored.deal.questions, scored.vectors, self.bundle.lexical.knows,
            self.encoder.encode_queries,
        )  # fmt: skip
        return model.scores(scored.matches, chosen, asked)

    def score(self, deal: Deal) -> Scored:
        """What the linear scorer sees and says for `deal` (see recommend.linear)."""
        return self.linear.score(deal)

    def _order(self, scored: Scored) -> tuple[list[int], Floats]:
        """The candidates best first, and the score shown for each: the learned ranker's over the
        linear scorer's best `depth` when one is loaded, else the linear scorer's."""
        ranker = self.config.ranker
        if ranker is None or len(scored.candidates) == 0:
            return scored.candidates.tolist(), scored.scores
        head = scored.candidates[: ranker.depth]
        # Material about another competitor than the deal's never outranks the rest: the model
        # weighs it, this keeps the rule the linear scorer states (other battlecards demoted).
        rival = scored.fits[head, FIT_FEATURES.index("competitor")] < 0
        rival &= scored.deal.competitor is not None
        assets = [self.bundle.assets[row].id for row in head] if ranker.priors else []
        reordered, shown = ranker.order(
            head, self.features(scored, head), demoted=rival, assets=assets, deal=scored.deal
        )
        scores = np.full_like(scored.scores, float(shown.min()) - 1.0)
        scores[head] = shown
        return [*reordered.tolist(), *scored.candidates[ranker.depth :].tolist()], scores

    def features(self, scored: Scored, rows: npt.NDArray[np.int64]) -> Floats:
        """The learned ranker's features (feature_names order) of candidate `rows`."""
        return candidate_features(
            scored, rows, self._asset_features, self.bundle.asset_vectors, self.config.answer_floor
        )

    @property
    def feature_names(self) -> tuple[str, ...]:
        return feature_names(self.taxonomy.asset_types.ids)

    @cached_property
    def _asset_features(self) -> AssetFeatures:
        return AssetFeatures.of(self.bundle, self.table, self.taxonomy.asset_types.ids)
