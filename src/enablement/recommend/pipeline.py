"""The recommender: runs a deal through retrieval, filters, scoring, diversity and reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.embedding import Encoder
from enablement.index.bundle import Bundle
from enablement.recommend.answers import AnswerModel, Asked
from enablement.recommend.context import Deal
from enablement.recommend.cues import CueReader, QuestionCues
from enablement.recommend.diversity import DiversityConfig, diversify
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.features import AssetFeatures, candidate_features, feature_names
from enablement.recommend.intent import TypeIntent
from enablement.recommend.linking import LinkingConfig, ProductLinker
from enablement.recommend.questions import QuestionScreen, screen
from enablement.recommend.ranker import LearnedRanker
from enablement.recommend.reasons import Passage, Recommendation, explain, passage
from enablement.recommend.retrieval import FusionConfig, QueryMatches, encode_queries, match_assets
from enablement.recommend.scoring import (
    FIT_FEATURES,
    Floats,
    ScoringWeights,
    combine,
    fit_features,
    linked_fit,
    with_linked,
)
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
    # Products linked from the questions' words count as deal products (recommend.linking).
    linking: LinkingConfig = field(default_factory=LinkingConfig)
    # The learned ranker over the linear scorer's best candidates; None: the linear scorer ranks.
    ranker: LearnedRanker | None = field(default=None, compare=False, repr=False)
    # Leave out questions that are gibberish or in a language the library lacks, with a warning.
    screen_questions: bool = True
    # P(an asset's best passage answers a question) and the claim made from it; None: no claims.
    answers: AnswerModel | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False)
class Scored:
    """One deal as the linear scorer saw it: per query its matches, per asset its fits, type
    intent and linear score, and the candidates best first (what a learned ranker re-orders)."""

    deal: Deal
    vectors: np.ndarray  # (queries, dimension): the questions' vectors, or the deal query's
    matches: list[QueryMatches]
    fits: Floats  # (assets, len(FIT_FEATURES))
    intent: Floats | None  # (assets,) P(type | questions), None when the feature is off
    scores: Floats  # (assets,) the linear score
    candidates: npt.NDArray[np.int64]  # eligible assets with any evidence, best first
    links: Mapping[str, float] = field(default_factory=dict)  # products linked from questions
    linked: Floats | None = None  # (assets,) fit to the linked products; None: nothing linked
    cues: QuestionCues | None = None  # what the questions imply; None: nothing, or weight 0


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
        if config.ranker is not None:  # built with the bundle, not by the first request
            _ = self._asset_features
        self._linker = ProductLinker.from_bundle(bundle) if config.linking.enabled else None

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
            self._item(row, rank, float(scores[row]), scored, answers)
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
        """What the linear scorer sees and says for `deal` (less its unusable questions): matches,
        fits, intent, scores, and the candidates (eligible assets with any evidence), best first."""
        eligible = eligible_assets(self.table, deal)
        deal, vectors, matches = self._read_questions(deal, eligible)
        text = np.mean([m.relevance for m in matches], axis=0).astype(np.float32)
        fits = fit_features(self.table, deal, self._stage_order)
        links = self._product_links(deal, vectors)
        linked = self._linked_products(links)
        if linked is not None:
            fits = with_linked(fits, linked, named=bool(deal.products))
        intent = self._type_intent(deal, vectors)
        cues = self._question_cues(deal) if self.config.weights.question_cues else None
        scores = combine(
            text, fits, self.config.weights, has_questions=bool(deal.questions), intent=intent,
            cues=(cues.stage, cues.persona) if cues else None,
        )  # fmt: skip
        candidates = np.flatnonzero(eligible & ((text > 0) | (fits.max(axis=1) > 0)))
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return Scored(deal, vectors, matches, fits, intent, scores, order, links, linked, cues)

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
        reordered, shown = ranker.order(head, self.features(scored, head), demoted=rival)
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

    def _product_links(self, deal: Deal, vectors: np.ndarray) -> dict[str, float]:
        """The products the buyer's questions describe, with their link scores (see linking)."""
        if self._linker is None or not deal.questions:
            return {}
        return self._linker.link(deal.questions, vectors, self.config.linking)

    def _linked_products(self, links: Mapping[str, float]) -> Floats | None:
        """Per asset, its fit to the linked products (None when nothing links); kept apart from
        the product column so a learned ranker can take it as a feature of its own."""
        return linked_fit(self.table, links) if links else None

    def _question_cues(self, deal: Deal) -> QuestionCues | None:
        """Per asset, the stage and persona fits the questions imply for the fields the deal
        leaves empty (recommend.cues); None when the questions say nothing."""
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
        self, row: int, rank: int, score: float, scored: Scored, answers: Floats | None
    ) -> Recommendation:
        asset, deal, intent = self.bundle.assets[row], scored.deal, scored.intent
        claims = answers[:, rank - 1] if answers is not None else None
        passages = self._passages(row, deal, scored.matches, claims)
        fit = dict(zip(FIT_FEATURES, (float(v) for v in scored.fits[row]), strict=True))
        fit["type_intent"] = float(intent[row]) if intent is not None else 0.0
        cues = scored.cues  # read only when their weight is on, so a reason only when they count
        cued = (cues.stage_id, cues.persona_id) if cues else (None, None)
        reasons = explain(asset, deal, fit, passages, self.taxonomy, linked=scored.links, cued=cued)
        return Recommendation(asset, rank, round(score, 4), reasons, passages)

    def _passages(
        self, row: int, deal: Deal, matches: list[QueryMatches], claims: Floats | None
    ) -> list[Passage]:
        """The passage answering each question the asset covers; failing that, its closest one.
        A passage claims to answer only when the answer model says so."""
        relevance = [float(m.relevance[row]) for m in matches]
        shown = [i for i, r in enumerate(relevance) if r >= self.config.answer_floor]
        model = self.config.answers
        if claims is not None and model is not None:  # every question it answers has its passage
            claimed = np.flatnonzero(claims >= model.threshold).tolist()
            shown = sorted(set(shown) | set(claimed))
        if not shown and relevance and max(relevance) > 0:
            shown = [int(np.argmax(relevance))]
        if not shown:  # chosen on metadata alone: show how the asset opens
            return [self._preview(row)]
        out = []
        for index in shown:
            match = matches[index]
            chunk = int(match.best_chunk[row])
            if chunk < 0:
                continue
            question = deal.questions[index] if deal.questions else None
            title = self.bundle.assets[row].title
            similarity = float(match.similarity[row])
            position = deal.position(index) if question else None
            item = passage(self.bundle.chunks, chunk, title, position, question, similarity)
            out.append(replace(item, **self._claim(claims, index, question)))
        return out

    def _claim(self, claims: Floats | None, question: int, text: str | None) -> dict[str, Any]:
        """A passage's answer score (`claims`: the asset's per question), and whether it claims
        to answer its question."""
        model = self.config.answers
        if claims is None or model is None or text is None:
            return {"answers": False, "answer_score": None}
        score = float(claims[question])
        return {"answers": score >= model.threshold, "answer_score": round(score, 4)}

    def _preview(self, row: int) -> Passage:
        first = int(np.flatnonzero(self.bundle.chunk_asset == row)[0])
        item = passage(self.bundle.chunks, first, self.bundle.assets[row].title, None, None, 0.0)
        return replace(item, answers=False, answer_score=None)
