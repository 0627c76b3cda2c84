"""The linear scorer's pass over a deal: its questions screened, encoded and matched, the metadata
fits, linked products, type intent and question cues combined into one score per asset, and the
candidates best first (Scored, what a learned ranker re-orders)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from enablement.embedding import Encoder
from enablement.index.bundle import Bundle
from enablement.index.dense import best_first
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal
from enablement.recommend.cues import CueReader, QuestionCues
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.linking import ProductLinker
from enablement.recommend.questions import QuestionScreen, screen
from enablement.recommend.retrieval import QueryMatches, encode_queries, match_assets
from enablement.recommend.scoring import Floats, combine, fit_features, linked_fit, with_linked
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy

# Candidates kept per deal, best first: what diversity draws a list of at most MAX_K from (its
# near-duplicates skipped) and a learned ranker re-orders the head of (DEFAULT_DEPTH, 50).
CANDIDATES = 1000


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
    candidates: npt.NDArray[np.int64]  # the best CANDIDATES eligible assets with any evidence
    links: Mapping[str, float] = field(default_factory=dict)  # products linked from questions
    linked: Floats | None = None  # (assets,) fit to the linked products; None: nothing linked
    cues: QuestionCues | None = None  # what the questions imply; None: nothing, or weight 0


def any_positive(fits: Floats) -> npt.NDArray[np.bool_]:
    """Per row of `fits`, whether any column is above 0, a column at a time: NumPy reduces
    along 5-wide rows an order of magnitude slower."""
    out = fits[:, 0] > 0
    for column in range(1, fits.shape[1]):
        out |= fits[:, column] > 0
    return out


def deal_query(deal: Deal, taxonomy: Taxonomy) -> str:
    """The query for a deal without buyer questions: its stage, vertical, persona, products."""
    parts = [
        taxonomy.verticals.label(deal.vertical),
        taxonomy.personas.label(deal.persona),
        taxonomy.stages.label(deal.stage),
        *(p.replace("-", " ") for p in deal.products),
        deal.competitor or "",
    ]
    return " ".join(part for part in parts if part) or "overview"


class LinearScorer:
    """Scores deals against one bundle's assets, holding what that takes per bundle (question
    screen, cue reader, product linker, the assets' intent rows); never mutates."""

    def __init__(
        self,
        bundle: Bundle,
        table: AssetTable,
        encoder: Encoder,
        taxonomy: Taxonomy,
        config: RecommenderConfig,
    ) -> None:
        self.bundle = bundle
        self.table = table
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.config = config
        self._stage_order = taxonomy.stages.ids
        intent = config.intent
        self._intent_rows = intent.class_rows([a.type for a in bundle.assets]) if intent else None
        self._guessed_rows = (
            intent.class_rows(list(table.suggested_types))
            if intent is not None and table.type_confidence.any()
            else None
        )
        self._cues = CueReader(table, taxonomy)
        languages = (asset.language for asset in bundle.assets)
        self._screen = QuestionScreen.for_library(languages, bundle.lexical.knows)
        self._linker = ProductLinker.from_bundle(bundle) if config.linking.enabled else None

    def score(self, deal: Deal) -> Scored:
        """What the linear scorer sees and says for `deal` (less its unusable questions): matches,
        fits, intent, scores, and the candidates (eligible assets with any evidence), best first."""
        eligible = eligible_assets(self.table, deal)
        deal, vectors, matches = self._read_questions(deal, eligible)
        text = np.mean([m.relevance for m in matches], axis=0).astype(np.float32)
        fits = fit_features(self.table, deal, self._stage_order)
        links = self.product_links(deal, vectors)
        linked = self.linked_products(links)
        if linked is not None:
            fits = with_linked(fits, linked, named=bool(deal.products))
        intent = self._type_intent(deal, vectors)
        cues = self.question_cues(deal) if self.config.weights.question_cues else None
        scores = combine(
            text, fits, self.config.weights, has_questions=bool(deal.questions), intent=intent,
            cues=(cues.stage, cues.persona) if cues else None,
        )  # fmt: skip
        candidates = np.flatnonzero(eligible & ((text > 0) | any_positive(fits)))
        order = best_first(candidates, scores, CANDIDATES)
        return Scored(deal, vectors, matches, fits, intent, scores, order, links, linked, cues)

    def _read_questions(
        self, deal: Deal, eligible: np.ndarray, *, screened: bool = False
    ) -> tuple[Deal, np.ndarray, list[QueryMatches]]:
        """The deal less its unusable questions (recommend.questions), with their query vectors
        and matches; the deal's own query when it has no usable question."""
        queries = list(deal.questions) or [deal_query(deal, self.taxonomy)]
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

    def _type_intent(self, deal: Deal, vectors: np.ndarray) -> np.ndarray | None:
        """Per asset, P(its type | the buyer's questions), reusing the questions' vectors."""
        intent = self.config.intent
        if intent is None or self._intent_rows is None or not self.config.weights.type_intent:
            return None
        declared = intent.asset_intent(vectors, deal.questions, self._intent_rows)
        if self._guessed_rows is None:
            return declared
        # an untyped asset's suggested type, as far as its confidence c (its own "none" 1 - c)
        c = self.table.type_confidence
        guessed = intent.asset_intent(vectors, deal.questions, self._guessed_rows)
        return np.where(c > 0, (1.0 - c) * declared + c * guessed, declared).astype(np.float32)

    def product_links(self, deal: Deal, vectors: np.ndarray) -> dict[str, float]:
        """The products the buyer's questions describe, with their link scores (see linking)."""
        if self._linker is None or not deal.questions:
            return {}
        return self._linker.link(deal.questions, vectors, self.config.linking)

    def linked_products(self, links: Mapping[str, float]) -> Floats | None:
        """Per asset, its fit to the linked products (None when nothing links); kept apart from
        the product column so a learned ranker can take it as a feature of its own."""
        return linked_fit(self.table, links) if links else None

    def question_cues(self, deal: Deal) -> QuestionCues | None:
        """Per asset, the stage and persona fits the questions imply for the fields the deal
        leaves empty (recommend.cues); None when the questions say nothing."""
        return self._cues.read(deal)

    def _matches(
        self, queries: list[str], vectors: np.ndarray, eligible: np.ndarray
    ) -> list[QueryMatches]:
        allowed = np.take(eligible, self.bundle.chunk_asset)  # per chunk (take: faster than [])
        return [
            match_assets(self.bundle, query, vectors[i], allowed, self.config.fusion)
            for i, query in enumerate(queries)
        ]
