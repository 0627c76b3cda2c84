"""The recommender: runs a deal through retrieval, filters, scoring, diversity and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from enablement.embedding import Encoder
from enablement.index.bundle import Bundle
from enablement.recommend.context import Deal
from enablement.recommend.cues import CueReader, QuestionCues
from enablement.recommend.diversity import DiversityConfig, diversify
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.intent import TypeIntent
from enablement.recommend.questions import QuestionScreen, screen
from enablement.recommend.reasons import Passage, Recommendation, explain, passage
from enablement.recommend.retrieval import FusionConfig, QueryMatches, encode_queries, match_assets
from enablement.recommend.scoring import FIT_FEATURES, ScoringWeights, combine, fit_features
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy


@dataclass(frozen=True)
class RecommenderConfig:
    fusion: FusionConfig = field(default_factory=FusionConfig)
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    diversity: DiversityConfig = field(default_factory=DiversityConfig)
    answer_floor: float = 0.6  # an asset answers a question when its relevance reaches this
    # The asset-type intent model; None (or weights.type_intent 0) switches the feature off.
    intent: TypeIntent | None = field(default=None, compare=False, repr=False)
    # Leave out questions that are gibberish or in a language the library lacks, with a warning.
    screen_questions: bool = True


@dataclass(frozen=True)
class RecommendationResult:
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

    def to_dict(self) -> dict[str, Any]:
        deal = self.deal
        return {
            "bundle_version": self.bundle_version,
            "deal": {
                "deal_id": deal.deal_id,
                "stage": deal.stage,
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
            "items": [item.to_dict() for item in self.items],
        }


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
        self._stage_order = taxonomy.stages.ids
        intent = config.intent
        self._intent_rows = intent.class_rows([a.type for a in bundle.assets]) if intent else None
        self._cues = CueReader(self.table, taxonomy)
        languages = (asset.language for asset in bundle.assets)
        self._screen = QuestionScreen.for_library(languages, bundle.lexical.knows)

    def recommend(self, deal: Deal) -> RecommendationResult:
        """The top `deal.k` eligible assets for `deal`, each with reasons and passages."""
        eligible = eligible_assets(self.table, deal)
        deal, vectors, matches = self._read_questions(deal, eligible)
        text = np.mean([m.relevance for m in matches], axis=0).astype(np.float32)
        fits = fit_features(self.table, deal, self._stage_order)
        intent = self._type_intent(deal, vectors)
        cues = self._question_cues(deal) if self.config.weights.question_cues else None
        scores = combine(
            text, fits, self.config.weights, has_questions=bool(deal.questions), intent=intent,
            cues=(cues.stage, cues.persona) if cues else None,
        )  # fmt: skip
        candidates = np.flatnonzero(eligible & ((text > 0) | (fits.max(axis=1) > 0)))
        order = candidates[np.argsort(-scores[candidates], kind="stable")].tolist()
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
        items = [
            self._item(row, rank, float(scores[row]), deal, fits[row], intent, matches, cues)
            for rank, row in enumerate(chosen, start=1)
        ]
        best = tuple(round(m.top_similarity, 4) for m in matches)
        return RecommendationResult(
            deal,
            items,
            self.bundle.meta.version,
            deal.warnings,
            question_scores=best if deal.questions else (),
            question_vectors=vectors if deal.questions else None,
        )

    def _read_questions(
        self, deal: Deal, eligible: np.ndarray, *, screened: bool = False
    ) -> tuple[Deal, np.ndarray, list[QueryMatches]]:
        """The deal less its unusable questions (recommend.questions), with their query vectors
        and matches; the deal's own query when it has no usable question."""
        queries = list(deal.questions) or [self.deal_query(deal)]
        vectors = encode_queries(self.encoder, queries)
        matches = self._matches(queries, vectors, eligible)
        if screened or not deal.questions or not self.config.screen_questions:
            return deal, vectors, matches
        problems = [
            self._screen.problem(q, top_similarity=m.top_similarity)
            for q, m in zip(deal.questions, matches, strict=True)
        ]
        if not any(problems):
            return deal, vectors, matches
        # Encoded again without them: int8 query vectors depend a little on their batch, and the
        # deal should rank as if the dropped questions had never been asked.
        return self._read_questions(screen(deal, problems), eligible, screened=True)

    def deal_query(self, deal: Deal) -> str:
        """The query for a deal without buyer questions: its stage, vertical, persona, products."""
        parts = [
            self.taxonomy.verticals.label(deal.vertical),
            self.taxonomy.personas.label(deal.persona),
            self.taxonomy.stages.label(deal.stage),
            *(p.replace("-", " ") for p in deal.products),
            deal.competitor or "",
        ]
        return " ".join(part for part in parts if part) or "overview"

    def _type_intent(self, deal: Deal, vectors: np.ndarray) -> np.ndarray | None:
        """Per asset, P(its type | the buyer's questions), reusing the questions' vectors."""
        intent = self.config.intent
        if intent is None or self._intent_rows is None or not self.config.weights.type_intent:
            return None
        return intent.asset_intent(vectors, deal.questions, self._intent_rows)

    def _question_cues(self, deal: Deal) -> QuestionCues | None:
        """Per asset, the stage and persona fits the questions imply for the fields the deal
        leaves empty (recommend.cues); None when the questions say nothing. Computed whatever
        the weight, so a learned ranker can take them as features of their own."""
        return self._cues.read(deal)

    def _matches(
        self, queries: list[str], vectors: np.ndarray, eligible: np.ndarray
    ) -> list[QueryMatches]:
        allowed = eligible[self.bundle.chunk_asset]
        return [
            match_assets(self.bundle, query, vectors[i], allowed, self.config.fusion)
            for i, query in enumerate(queries)
        ]

    def _item(
        self, row: int, rank: int, score: float, deal: Deal, fits: np.ndarray,
        intent: np.ndarray | None, matches: list[QueryMatches], cues: QuestionCues | None,
    ) -> Recommendation:  # fmt: skip
        asset = self.bundle.assets[row]
        passages = self._passages(row, deal, matches)
        fit = dict(zip(FIT_FEATURES, (float(v) for v in fits), strict=True))
        fit["type_intent"] = float(intent[row]) if intent is not None else 0.0
        cued = (cues.stage_id, cues.persona_id) if cues else (None, None)
        reasons = explain(asset, deal, fit, passages, self.taxonomy, cued=cued)
        return Recommendation(asset, rank, round(score, 4), reasons, passages)

    def _passages(self, row: int, deal: Deal, matches: list[QueryMatches]) -> list[Passage]:
        """The passage answering each question the asset covers; failing that, its closest one."""
        relevance = [float(m.relevance[row]) for m in matches]
        answered = [i for i, r in enumerate(relevance) if r >= self.config.answer_floor]
        if not answered and relevance and max(relevance) > 0:
            answered = [int(np.argmax(relevance))]
        if not answered:  # chosen on metadata alone: show how the asset opens
            return [self._preview(row)]
        out = []
        for index in answered:
            match = matches[index]
            chunk = int(match.best_chunk[row])
            if chunk < 0:
                continue
            question = deal.questions[index] if deal.questions else None
            title = self.bundle.assets[row].title
            similarity = float(match.similarity[row])
            position = index if question else None
            item = passage(self.bundle.chunks[chunk], title, position, question, similarity)
            out.append(replace(item, answers=relevance[index] >= self.config.answer_floor))
        return out

    def _preview(self, row: int) -> Passage:
        first = int(np.flatnonzero(self.bundle.chunk_asset == row)[0])
        item = passage(self.bundle.chunks[first], self.bundle.assets[row].title, None, None, 0.0)
        return replace(item, answers=False)
