"""Scoring: text relevance combined with stage, vertical, persona, product and competitor fit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from enablement.recommend.context import Deal
from enablement.recommend.table import SUGGESTABLE, AssetTable

Floats = npt.NDArray[np.float32]
FIT_FEATURES = ("stage", "vertical", "persona", "product", "competitor")
PRODUCT_MISMATCH = -0.3  # an asset about other products than the deal's


@dataclass(frozen=True)
class ScoringWeights:
    """Weights of each fit feature next to text relevance; tuned with `enablement eval`."""

    text: float = 0.75
    text_without_questions: float = 0.05
    stage: float = 0.17
    vertical: float = 0.25
    persona: float = 0.11
    product: float = 0.08
    competitor: float = 0.6
    # P(asset type | questions) from recommend.intent (models/intent); chosen out of library by
    # scripts/train_intent.py. It serves only with a model file that passes its checks.
    type_intent: float = 0.35
    # Stage and persona cues in the questions (recommend.cues), for fields the deal leaves empty:
    # a share of the stage and persona weights, so a cue never counts more than the field would
    # (capped at 1). 0 switches the feature off, as shipped: chosen on two libraries and scored
    # on the third (benchmarks/eval_cues.py), no chosen share raised a held-out library.
    question_cues: float = 0.0

    def fit_vector(self) -> Floats:
        return np.array([getattr(self, name) for name in FIT_FEATURES], dtype=np.float32)


def fit_features(table: AssetTable, deal: Deal, stage_order: Sequence[str]) -> Floats:
    """(assets, 5) metadata fit in [-1, 1]; 0 wherever the deal or the asset says nothing.

    The deal's vertical variant earns its bonus only as far as the asset suits the deal's stage:
    the right industry's material for the wrong stage is not what the rep needs next.

    Where an asset leaves a stage, vertical or persona empty and a suggested tag stands in
    (AssetTable.with_suggestions), that column is the fit it would have with the suggested
    tags, weighted by their confidence c, and the fit without them weighted 1 - c: soft
    evidence, never a filter.
    """
    tags = _tag_fit(table, deal, stage_order)
    suggested = table.with_suggestions()
    if suggested is not None:
        guessed = _tag_fit(suggested, deal, stage_order)
        for column, name in enumerate(SUGGESTABLE):
            c = table.confidence(name)
            tags[:, column] = (1.0 - c) * tags[:, column] + c * guessed[:, column]
    rest = [_overlap(table, "products", deal.products, mismatch=PRODUCT_MISMATCH),
            competitor_fit(table, deal)]  # fmt: skip
    return np.concatenate([tags, np.stack(rest, axis=1)], axis=1).astype(np.float32)


def _tag_fit(table: AssetTable, deal: Deal, stage_order: Sequence[str]) -> Floats:
    """The columns a suggested tag may stand in for, in SUGGESTABLE's order: stage, vertical
    and persona fit."""
    stage = stage_fit(table, deal, stage_order)
    vertical = _match(table, "verticals", deal.vertical, mismatch=-1.0, unknown=-0.3)
    vertical = np.where(vertical > 0, vertical * np.clip(1.0 + stage, 0.0, 1.0), vertical)
    return np.stack([stage, vertical, persona_fit(table, deal.persona)], axis=1).astype(np.float32)


def stage_fit(table: AssetTable, deal: Deal, stage_order: Sequence[str]) -> Floats:
    """1 for the deal's stage, 0 for a neighbouring one or none declared, -1 further away."""
    if deal.stage is None or deal.stage not in stage_order:
        return np.zeros(table.size, dtype=np.float32)
    here = stage_order.index(deal.stage)
    neighbours = [stage_order[i] for i in (here - 1, here + 1) if 0 <= i < len(stage_order)]
    out = table.declared_as("stages", -1.0)
    out[table.member_rows("stages", neighbours)] = 0.0
    out[table.member_rows("stages", [deal.stage])] = 1.0
    return out


def persona_fit(table: AssetTable, persona: str | None) -> Floats:
    """1 for assets written for `persona`, -0.5 for those written for others, 0 otherwise."""
    return _match(table, "personas", persona, mismatch=-0.5)


def competitor_fit(table: AssetTable, deal: Deal) -> Floats:
    """The battlecard for the deal's competitor 1; material about another competitor -1."""
    out = table.declared_as("competitors", -1.0 if deal.competitor else -0.2)
    if deal.competitor:
        out[table.member_rows("competitors", [deal.competitor])] = 1.0
    return out


def _match(
    table: AssetTable, name: str, value: str | None, *, mismatch: float, unknown: float = 0.0
) -> Floats:
    """The deal's value 1, an asset declaring nothing 0, other values `mismatch`."""
    out = table.declared_as(name, unknown if value is None else mismatch)
    if value is not None:
        out[table.member_rows(name, [value])] = 1.0
    return out


def _overlap(table: AssetTable, name: str, values: Sequence[str], *, mismatch: float) -> Floats:
    if not values:
        return np.zeros(table.size, dtype=np.float32)
    out = table.declared_as(name, mismatch)
    out[table.member_rows(name, values)] = 1.0
    return out


def linked_fit(table: AssetTable, links: Mapping[str, float]) -> Floats:
    """Per asset, the product fit to products linked from the questions (recommend.linking),
    each counted as a deal product weighted by its link score: the best score among the asset's
    products; an asset about other products only, PRODUCT_MISMATCH x the best score; 0 for an
    asset that declares no product, or when nothing is linked."""
    if not links:
        return np.zeros(table.size, dtype=np.float32)
    out = table.declared_as("products", PRODUCT_MISMATCH * max(links.values()))
    for product, score in sorted(links.items(), key=lambda item: item[1]):  # the best one last
        out[table.member_rows("products", [product])] = score
    return out


def with_linked(fits: Floats, linked: Floats, *, named: bool) -> Floats:
    """`fits` with `linked` (linked_fit) in the product column. With products named on the
    deal (`named`), those stand: a linked product can raise an asset's fit, never lower it."""
    column = FIT_FEATURES.index("product")
    out = fits.copy()
    current = fits[:, column]
    out[:, column] = np.where(linked > 0, np.maximum(current, linked), current if named else linked)
    return out


def combine(
    text: Floats, fits: Floats, weights: ScoringWeights, *, has_questions: bool,
    intent: Floats | None = None, cues: tuple[Floats, Floats] | None = None,
) -> Floats:  # fmt: skip
    """Final score per asset: weighted text relevance, metadata fit, type intent and the stage
    and persona fits the questions imply (`cues`)."""
    text_weight = weights.text if has_questions else weights.text_without_questions
    score = text_weight * text + fits @ weights.fit_vector()
    if intent is not None:
        score = score + weights.type_intent * intent
    if cues is not None:
        share = min(weights.question_cues, 1.0)
        score = score + share * (weights.stage * cues[0] + weights.persona * cues[1])
    return score.astype(np.float32)
