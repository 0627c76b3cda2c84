"""Free-text search for the rep who just wants to find something, with metadata filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from enablement import clean
from enablement.errors import InvalidValueError
from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.eligibility import eligible_assets
from enablement.recommend.questions import vocabulary_share
from enablement.recommend.reasons import Passage, passage
from enablement.recommend.retrieval import encode_queries, match_assets
from enablement.taxonomy import Taxonomy

if TYPE_CHECKING:
    from enablement.recommend.pipeline import Recommender

_FACETS = {"stage": "stages", "vertical": "verticals", "persona": "personas", "type": "asset_types"}
MAX_LIMIT = 100


@dataclass(frozen=True)
class SearchFilters:
    stage: str | None = None
    vertical: str | None = None
    persona: str | None = None
    type: str | None = None
    external_only: bool = False
    include_expired: bool = False
    as_of: date = field(default_factory=date.today)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], taxonomy: Taxonomy) -> SearchFilters:
        """Filters from loose input (empty values mean no filter); raises InvalidValueError
        naming the field."""
        unknown = sorted(set(raw) - {*_FACETS, "external_only", "include_expired"})
        if unknown:
            raise InvalidValueError(f"Unknown filter '{unknown[0]}'", field=unknown[0])
        values: dict[str, Any] = {
            name: taxonomy.facet(facet).resolve(str(raw[name]), field=name)
            for name, facet in _FACETS.items()
            if raw.get(name)
        }
        return cls(
            **values,
            external_only=bool(raw.get("external_only", False)),
            include_expired=bool(raw.get("include_expired", False)),
        )


@dataclass(frozen=True)
class SearchHit:
    asset: AssetRecord
    score: float
    passage: Passage


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    bundle_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "bundle_version": self.bundle_version,
            "hits": [
                {
                    "asset_id": hit.asset.id,
                    "title": hit.asset.title,
                    "type": hit.asset.type,
                    "url": hit.asset.url,
                    "score": hit.score,
                    "passage": hit.passage.to_dict(),
                }
                for hit in self.hits
            ],
        }


def search(
    recommender: Recommender, query: str, filters: SearchFilters, *, limit: int
) -> SearchResult:
    """Assets best matching `query` among those passing the filters, best first."""
    clean.check(query, field="q")
    query = " ".join(query.split())
    if not query:
        raise InvalidValueError("The search query is empty.", field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValueError(f"limit must be from 1 to {MAX_LIMIT}", field="limit")
    bundle, table = recommender.bundle, recommender.table
    as_of = date.min if filters.include_expired else filters.as_of
    allowed = eligible_assets(table, Deal(external_only=filters.external_only, as_of=as_of))
    for name, column in (("stage", "stages"), ("vertical", "verticals"), ("persona", "personas")):
        value = getattr(filters, name)
        if value is not None:
            allowed &= table.members(column, [value])
    if filters.type is not None:
        allowed &= table.types == filters.type
    vector = encode_queries(recommender.encoder, [query])[0]
    match = match_assets(
        bundle, query, vector, allowed[bundle.chunk_asset], recommender.config.fusion
    )
    rows = np.flatnonzero(match.relevance > 0)
    rows = rows[np.argsort(-match.relevance[rows], kind="stable")][:limit]
    model = recommender.config.answers
    share = vocabulary_share(query, bundle.lexical.knows)
    claims = model.scores([match], rows, [share])[0] if model is not None else None
    hits = []
    for position, row in enumerate(rows):
        asset, chunk = bundle.assets[row], int(match.best_chunk[row])
        best = passage(bundle.chunks, chunk, asset.title, None, None, float(match.similarity[row]))
        if claims is not None and model is not None:  # the query stands for the question
            score = float(claims[position])
            best = replace(best, answers=score >= model.threshold, answer_score=round(score, 4))
        hits.append(SearchHit(asset, round(float(match.relevance[row]), 4), best))
    return SearchResult(query, hits, bundle.meta.version)
