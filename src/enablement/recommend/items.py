"""A chosen asset written up for the rep: its reasons, and the passages that answer the deal's
questions (or how it opens), each carrying the answer model's claim."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from enablement.index.bundle import Bundle
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal
from enablement.recommend.linear import Scored
from enablement.recommend.reasons import Passage, Recommendation, explain, passage
from enablement.recommend.retrieval import QueryMatches
from enablement.recommend.scoring import FIT_FEATURES, Floats
from enablement.taxonomy import Taxonomy


class ItemBuilder:
    """Writes up the recommended assets of one bundle; never mutates."""

    def __init__(self, bundle: Bundle, taxonomy: Taxonomy, config: RecommenderConfig) -> None:
        self.bundle = bundle
        self.taxonomy = taxonomy
        self.config = config

    def item(
        self, row: int, rank: int, score: float, scored: Scored, answers: Floats | None
    ) -> Recommendation:
        """Asset `row` at `rank` with its reasons and passages; `answers` holds the chosen assets'
        answer scores, best first, as Recommender.answer_scores gives them."""
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
