"""Recommendations and search: what reps and their tools call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from enablement.api import recommend_schemas as schemas
from enablement.api.deps import RepDep, ServiceDep
from enablement.api.schemas import ErrorBody
from enablement.contract import SearchRequest

router = APIRouter(prefix="/v1", tags=["recommendations"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 413, 422, 429, 503)
}


@router.post("/recommendations", response_model=schemas.RecommendationResponse, responses=ERRORS)
def recommend(
    body: schemas.DealContext, request: Request, service: ServiceDep, caller: RepDep
) -> dict[str, Any]:
    """The assets to send next for one deal, each with reasons and the passages that answer.

    Each item shown is logged as a `recommended` event under the caller's user id."""
    recommender = service.recommender
    request.state.bundle_version = recommender.bundle.meta.version
    deal = service.resolve_deal(body.to_raw(), prefix="", recommender=recommender)
    (served,) = service.usage.serve(recommender, [deal], user_id=caller.name)
    request.app.state.metrics.served.inc(len(served.result.items))
    return served.to_dict()


@router.post("/recommendations:batch", response_model=schemas.BatchResponse, responses=ERRORS)
def recommend_batch(
    body: schemas.BatchRequest, request: Request, service: ServiceDep, caller: RepDep
) -> dict[str, Any]:
    """Up to 100 deals in one call (a CRM syncing its pipeline, say)."""
    recommender = service.recommender
    request.state.bundle_version = recommender.bundle.meta.version
    deals = [
        service.resolve_deal(deal.to_raw(), prefix=f"deals[{i}]", recommender=recommender)
        for i, deal in enumerate(body.deals)
    ]
    served = service.usage.serve(recommender, deals, user_id=caller.name)
    request.app.state.metrics.served.inc(sum(len(s.result.items) for s in served))
    return {"results": [item.to_dict() for item in served]}


@router.get("/search", response_model=schemas.SearchPage, responses=ERRORS)
def search(
    request: Request,
    service: ServiceDep,
    _: RepDep,
    params: Annotated[SearchRequest, Query()],
) -> dict[str, Any]:
    """Free-text search over the library with metadata filters, paged: pass `next` back as
    `cursor` for the next page."""
    result = service.search(
        params.q, filters=params.filters(), limit=params.limit, cursor=params.cursor
    )
    request.state.bundle_version = result.bundle_version
    return result.to_dict()
