"""The library as data: assets (paged), one asset with its chunks, the taxonomy; removing one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from enablement.api import catalog_schemas as schemas
from enablement.api.deps import AdminDep, RepDep, ServiceDep
from enablement.api.removal_schemas import RemovalPublic
from enablement.api.routes.recommend import ERRORS
from enablement.api.schemas import ErrorBody
from enablement.catalog.store import Actor
from enablement.contract import public_asset
from enablement.errors import InvalidValueError, NotFoundError

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get("/assets", response_model=schemas.AssetPage, responses=ERRORS)
def list_assets(
    service: ServiceDep,
    _: RepDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="`next` of a page")] = None,
    type: Annotated[str | None, Query(max_length=200)] = None,
    owner: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Assets in id order, `limit` at a time; pass `next` back as `cursor` for the next page."""
    type_id = service.taxonomy.asset_types.resolve(type, field="type") if type else None
    rows = service.store.page(after=cursor, limit=limit + 1, type_=type_id, owner=owner)
    items = [public_asset(row) for row in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}


@router.get(
    "/assets/{asset_id}",
    response_model=schemas.AssetPublic,
    responses=ERRORS | {404: {"model": ErrorBody}},
)
def get_asset(
    asset_id: str,
    service: ServiceDep,
    _: RepDep,
    include_chunks: Annotated[bool, Query(description="Also return the asset's chunks.")] = False,
) -> dict[str, Any]:
    """One asset's metadata, and its chunks with provenance on request."""
    row = service.store.get(asset_id)
    if row is None:
        raise NotFoundError(f"No asset with id '{asset_id}'.", field="asset_id")
    return public_asset(row, service.store.chunks(asset_id) if include_chunks else None)


@router.delete(
    "/assets/{asset_id}",
    response_model=RemovalPublic,
    responses=ERRORS | {404: {"model": ErrorBody}},
)
def remove_asset(
    asset_id: Annotated[str, Path(min_length=1, max_length=200)],
    service: ServiceDep,
    principal: AdminDep,
) -> dict[str, Any]:
    """Remove an asset (admin): it leaves recommendations with the index rebuild queued here,
    keeps its events, and leaves an audit row naming the key (`GET /v1/audit-log`). Ingesting its
    file again restores it. An unknown id is a 404 naming the closest known one."""
    actor = Actor(principal.name, "api", key_id=principal.key_id)
    removal, job = service.remove([asset_id], actor=actor, rebuild=True)
    return {**removal.to_dict(), "job": job.to_dict() if job else None}


@router.delete("/assets/", include_in_schema=False)
def remove_no_asset(_: AdminDep) -> None:
    """`DELETE /v1/assets/` (no id): the usual error body, not a redirect to a list that cannot
    be deleted."""
    raise InvalidValueError(
        "Name the asset id to remove: DELETE /v1/assets/{id}.", field="asset_id"
    )


@router.get("/taxonomy", response_model=schemas.TaxonomyPublic, responses=ERRORS)
def taxonomy(service: ServiceDep, _: RepDep) -> dict[str, Any]:
    """Stage, vertical, persona and asset-type ids with labels and aliases, for pickers."""
    return service.taxonomy.to_dict()
