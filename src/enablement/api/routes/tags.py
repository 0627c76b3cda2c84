"""Tag suggestions: a marketer lists the open ones (recomputed when the catalog changed) and
accepts or rejects them; an accepted tag is written to the catalog with who and when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from enablement.api import tag_schemas as schemas
from enablement.api.deps import MarketerDep, ServiceDep
from enablement.api.routes.recommend import ERRORS
from enablement.api.schemas import ErrorBody

router = APIRouter(prefix="/v1", tags=["tags"])
SuggestionId = Annotated[str, Path(min_length=1, max_length=100)]
DECIDED: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}}


@router.get("/tag-suggestions", response_model=schemas.TagSuggestionPage, responses=ERRORS)
def list_tag_suggestions(
    service: ServiceDep,
    _: MarketerDep,
    field: Annotated[
        str | None, Query(max_length=20, description="type, stages, verticals or personas.")
    ] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    status: Annotated[
        str, Query(max_length=20, description="open, accepted, rejected or void.")
    ] = "open",
    asset_id: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next` of a page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Tag suggestions of `status` (open by default), highest confidence first; pass `next`
    back as `cursor`. They are recomputed at every index build (so after every change of the
    catalog); voided ones say why (`void_reason`: a value the taxonomy no longer has is
    `value_removed`). A bad field or status is a 422 naming it, with the `valid` values."""
    return service.suggesting.page(
        field=field, min_confidence=min_confidence, status=status, asset_id=asset_id,
        cursor=cursor, limit=limit,
    )  # fmt: skip


@router.post(
    "/tag-suggestions/{suggestion_id}:accept",
    response_model=schemas.TagSuggestionPublic,
    responses=ERRORS | DECIDED,
)
def accept_tag_suggestion(
    suggestion_id: SuggestionId, service: ServiceDep, principal: MarketerDep
) -> dict[str, Any]:
    """Accept a suggestion: its value is written to the asset in the catalog, with who and when
    (`tag_sources` of GET /v1/assets/{id}); it survives re-ingest until the source file sets
    the field. An unknown id is a 404, one already decided (or whose asset changed since) a
    409, each naming the id."""
    (row,) = service.suggesting.accept([suggestion_id], actor=principal.name, field="suggestion_id")
    return row


@router.post(
    "/tag-suggestions/{suggestion_id}:reject",
    response_model=schemas.TagSuggestionPublic,
    responses=ERRORS | DECIDED,
)
def reject_tag_suggestion(
    suggestion_id: SuggestionId, service: ServiceDep, principal: MarketerDep
) -> dict[str, Any]:
    """Reject a suggestion: it is not proposed again for the asset's current content. Errors
    as for accept."""
    (row,) = service.suggesting.reject([suggestion_id], actor=principal.name, field="suggestion_id")
    return row


@router.post(
    "/tag-suggestions:accept",
    response_model=schemas.TagSuggestionDecided,
    responses=ERRORS | DECIDED,
)
def accept_tag_suggestions(
    body: schemas.TagAccept, service: ServiceDep, principal: MarketerDep
) -> dict[str, Any]:
    """Accept several suggestions at once (the dashboard's bulk accept), all or nothing: the
    first unknown id is a 404 and the first decided one a 409, naming it; nothing is accepted
    then."""
    return {"items": service.suggesting.accept(body.ids, actor=principal.name, field="ids")}
