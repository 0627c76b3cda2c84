"""Per (deal, asset) features for the learned ranker: text evidence, metadata fit, type intent,
linked products, what the deal gives, and what the asset is. (The stage and persona cues of
recommend/cues.py are left out: held out they did not help, mean 0.817 with them, 0.820 without.)

Every feature is library-agnostic: scores are relative to the query's best or bounded cosines,
and nothing names a product, customer or vertical. The linear score itself is not a feature:
its weights were first tuned on one library, and held out the ranker did better without it
(mean proxy nDCG@10 0.834 against 0.822 with it, corvane-medical 0.828 against 0.791).
The same function builds training rows (learn/ranker.py) and serving rows, so the two cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from enablement.index.bundle import Bundle
from enablement.recommend.scoring import FIT_FEATURES
from enablement.recommend.table import SUGGESTABLE, AssetTable

if TYPE_CHECKING:
    from enablement.recommend.linear import Scored

Floats = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]

TEXT_FEATURES = (
    "text_max", "text_mean", "dense_max", "dense_mean", "dense_gap", "lexical_max",
    "lexical_mean", "asset_cosine_max", "asset_cosine_gap", "coverage", "text_rank",
)  # fmt: skip
DEAL_FEATURES = (
    "has_questions", "questions", "stage_given", "vertical_given", "persona_given",
    "products_given", "competitor_given",
)  # fmt: skip
ASSET_FEATURES = ("age_years", "declared_fields", "chunks_log")
# How well the question matches the asset's product as a whole: its best-matching sibling.
PRODUCT_FEATURES = ("product_text", "product_top")


def feature_names(asset_types: Sequence[str]) -> tuple[str, ...]:
    """The columns, in order, for a taxonomy with these asset type ids."""
    return (
        *TEXT_FEATURES,
        *(f"fit_{name}" for name in FIT_FEATURES),
        "type_intent",
        "linked_product",
        *PRODUCT_FEATURES,
        *DEAL_FEATURES,
        *ASSET_FEATURES,
        *(f"type_{name}" for name in (*asset_types, "none")),
    )


@dataclass(frozen=True, eq=False)
class AssetFeatures:
    """What a bundle's assets are, computed once per bundle: (assets, columns) arrays."""

    updated: npt.NDArray[np.float64]  # proleptic ordinal of updated_at; NaN when unknown
    declared: Floats  # how many of type, stages, verticals, personas, products are set
    chunks_log: Floats
    types: Floats  # one-hot over the taxonomy's types plus "none"
    product_rows: tuple[npt.NDArray[np.int64], ...]  # per product, the assets declaring it
    asset_products: tuple[tuple[int, ...], ...]  # per asset, its products' positions

    @classmethod
    def of(cls, bundle: Bundle, table: AssetTable, asset_types: Sequence[str]) -> AssetFeatures:
        """Dates and chunk counts from `bundle`; metadata from its `table`."""
        assets = bundle.assets
        updated = np.array(
            [a.updated_at.toordinal() if a.updated_at else np.nan for a in assets], np.float64
        )
        declared = (table.types != "").astype(np.float32) + table.type_confidence
        for name in ("stages", "verticals", "personas", "products"):
            declared += table.declared(name)
        for name in SUGGESTABLE:  # a suggested tag counts as far as its confidence
            declared += table.confidence(name)
        counts = np.bincount(bundle.chunk_asset, minlength=len(assets)).astype(np.float32)
        columns = {name: index for index, name in enumerate(asset_types)}
        types = np.zeros((len(assets), len(asset_types) + 1), dtype=np.float32)
        types[np.arange(len(assets)), [columns.get(t, len(asset_types)) for t in table.types]] = 1.0
        guessed = np.flatnonzero(table.type_confidence)  # untyped, a suggested type: c and 1 - c
        for row in guessed:
            c = table.type_confidence[row]
            types[row, len(asset_types)] = 1.0 - c
            types[row, columns.get(table.suggested_types[row], len(asset_types))] += c
        by_product = table.value_rows("products")
        names = sorted(by_product)
        position = {name: index for index, name in enumerate(names)}
        product_rows = tuple(by_product[name] for name in names)
        asset_products = tuple(tuple(position[p] for p in a.products) for a in assets)
        return cls(updated, declared, np.log1p(counts), types, product_rows, asset_products)


def candidate_features(
    scored: Scored, rows: Rows, assets: AssetFeatures, asset_vectors: Floats, answer_floor: float
) -> Floats:
    """(len(rows), len(feature_names)) features of the candidate assets `rows` for one deal."""
    deal = scored.deal
    matches = scored.matches
    relevance = np.stack([m.relevance[rows] for m in matches])  # (queries, rows)
    dense = np.stack([_or_zeros(m.dense, rows) for m in matches])
    lexical = np.stack([_or_zeros(m.lexical, rows) for m in matches])
    cosine = scored.vectors @ asset_vectors[rows].T  # (queries, rows)
    text_max = relevance.max(axis=0)
    columns = [
        text_max,
        relevance.mean(axis=0),
        dense.max(axis=0),
        dense.mean(axis=0),
        dense.max(axis=0) - dense.max(),
        lexical.max(axis=0),
        lexical.mean(axis=0),
        cosine.max(axis=0),
        cosine.max(axis=0) - cosine.max(),
        (relevance >= answer_floor).mean(axis=0) if deal.questions else np.zeros(len(rows)),
        _rank(text_max),
        *scored.fits[rows].T,
        _or_zeros(scored.intent, rows),
        _or_zeros(scored.linked, rows),
        *product_evidence(scored, rows, assets),
    ]
    given = (
        bool(deal.questions), len(deal.questions), deal.stage is not None,
        deal.vertical is not None, deal.persona is not None, bool(deal.products),
        deal.competitor is not None,
    )  # fmt: skip
    columns += [np.full(len(rows), float(value)) for value in given]
    age = (deal.as_of.toordinal() - assets.updated[rows]) / 365.25
    columns += [age, assets.declared[rows], assets.chunks_log[rows]]
    matrix = np.column_stack([np.asarray(c, dtype=np.float32) for c in columns])
    return np.hstack([matrix, assets.types[rows]]).astype(np.float32)


def product_evidence(scored: Scored, rows: Rows, assets: AssetFeatures) -> tuple[Floats, Floats]:
    """Per candidate: the best text relevance of any asset sharing one of its products, over
    the best product's (0 for an asset without products); and 1 when it shares the best one."""
    zeros = np.zeros(len(rows), dtype=np.float32)
    if not assets.product_rows:
        return zeros, zeros.copy()
    relevance = np.max([m.relevance for m in scored.matches], axis=0)
    best = np.array([relevance[members].max() for members in assets.product_rows], np.float32)
    top, scale = int(np.argmax(best)), float(best.max()) or 1.0
    text = np.array(
        [max((best[p] for p in assets.asset_products[r]), default=0.0) for r in rows], np.float32
    )
    shares = np.array([top in assets.asset_products[r] for r in rows], dtype=np.float32)
    return text / scale, shares


def _or_zeros(values: Floats | None, rows: Rows) -> Floats:
    return values[rows] if values is not None else np.zeros(len(rows), dtype=np.float32)


def _rank(values: Floats) -> Floats:
    """0 for the highest value, 1 for the next, ... (ties by position)."""
    out = np.empty(len(values), dtype=np.float32)
    out[np.argsort(-values, kind="stable")] = np.arange(len(values), dtype=np.float32)
    return out
