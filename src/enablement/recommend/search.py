"""Free-text search for the rep who just wants to find something, with metadata filters."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from enablement import clean
from enablement.errors import InvalidValueError
from enablement.index.bundle import AssetRecord
from enablement.recommend.answers import Asked
from enablement.recommend.context import Deal
from enablement.recommend.eligibility import eligible_assets
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
    language: str | None = None
    as_of: date = field(default_factory=date.today)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], taxonomy: Taxonomy) -> SearchFilters:
        """Filters from loose input (empty values mean no filter); raises InvalidValueError
        naming the field."""
        unknown = sorted(set(raw) - {*_FACETS, "external_only", "include_expired", "language"})
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
            language=str(raw["language"]).strip().casefold() or None
            if raw.get("language")
            else None,
        )


@dataclass(frozen=True)
class SearchHit:
    asset: AssetRecord
    score: float
    passage: Passage


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, and the cursor of the next page (None on the last)."""

    query: str
    hits: list[SearchHit]
    bundle_version: str
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The page as every adapter returns it: the list envelope `items` plus `next`."""
        return {
            "query": self.query,
            "bundle_version": self.bundle_version,
            "items": [
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
            "next": self.next,
        }


def cursor_for(offset: int) -> str:
    """The opaque cursor of the page starting at `offset`."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def offset_of(cursor: str | None) -> int:
    """The offset a cursor from `cursor_for` stands for (0 for none); raises InvalidValueError
    naming `cursor` for anything else."""
    if not cursor:
        return 0
    try:
        kind, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        offset = int(value)
        if kind != "o" or not 0 <= offset < MAX_LIMIT:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise InvalidValueError(
            "The cursor is not one this API returned.", field="cursor"
        ) from None
    return offset


def search(
    recommender: Recommender,
    query: str,
    filters: SearchFilters,
    *,
    limit: int,
    cursor: str | None = None,
) -> SearchResult:
    """A page of the assets best matching `query` among those passing the filters, best first:
    `limit` of them from `cursor` on, at most MAX_LIMIT deep."""
    clean.check(query, field="q")
    query = " ".join(query.split())
    if not query:
        raise InvalidValueError("The search query is empty.", field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValueError(f"limit must be from 1 to {MAX_LIMIT}", field="limit")
    offset = offset_of(cursor)
    end = min(offset + limit, MAX_LIMIT)
    bundle, table = recommender.bundle, recommender.table
    as_of = date.min if filters.include_expired else filters.as_of
    only = Deal(external_only=filters.external_only, as_of=as_of, language=filters.language)
    allowed = eligible_assets(table, only)
    for name, column in (("stage", "stages"), ("vertical", "verticals"), ("persona", "personas")):
        value = getattr(filters, name)
        if value is not None:
            allowed &= table.members(column, [value])
    if filters.type is not None:
        allowed &= table.types == filters.type
    vector = encode_queries(recommender.encoder, [query])[0]
    match = match_assets(
        bundle, query, vector, np.take(allowed, bundle.chunk_asset), recommender.config.fusion
    )
    rows = np.flatnonzero(match.relevance > 0)
    rows = rows[np.argsort(-match.relevance[rows], kind="stable")]
    more = len(rows) > end and end < MAX_LIMIT
    rows = rows[offset:end]
    model = recommender.config.answers
    claims = None
    if model is not None:
        asked = Asked(
            [query], vector[None, :], bundle.lexical.knows, recommender.encoder.encode_queries
        )
        claims = model.scores([match], rows, asked)[0]
    hits = []
    for position, row in enumerate(rows):
        asset, chunk = bundle.assets[row], int(match.best_chunk[row])
        best = passage(bundle.chunks, chunk, asset.title, None, None, float(match.similarity[row]))
        if claims is not None and model is not None:  # the query stands for the question
            score = float(claims[position])
            best = replace(best, answers=score >= model.threshold, answer_score=round(score, 4))
        hits.append(SearchHit(asset, round(float(match.relevance[row]), 4), best))
    return SearchResult(query, hits, bundle.meta.version, cursor_for(end) if more else None)
