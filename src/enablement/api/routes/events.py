"""Usage events and share links: what reps do with assets, and what buyers open."""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from enablement.access.keys import Role
from enablement.api import event_schemas as schemas
from enablement.api.deps import RepDep, ServiceDep
from enablement.api.schemas import ErrorBody
from enablement.errors import EnablementError, NotFoundError, PermissionDeniedError

router = APIRouter(tags=["usage"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 413, 422, 429)
}

RETRY: dict[int | str, dict[str, Any]] = {
    200: {"model": schemas.RecordedOut, "description": "A retry: already stored."}
}


@router.post(
    "/v1/events",
    response_model=schemas.RecordedOut,
    status_code=201,
    responses=RETRY | ERRORS,
)
def post_event(
    body: schemas.EventIn, response: Response, service: ServiceDep, caller: RepDep
) -> dict[str, Any]:
    """Record one event for the caller. 201 when stored, 200 when the key was seen before."""
    (recorded,) = service.usage.record(
        [body.model_dump(exclude_none=True)], user_id=caller.name, role=caller.role, field=None
    )
    if recorded.status == "duplicate":
        response.status_code = 200
    return recorded.to_dict()


@router.post("/v1/events:batch", response_model=schemas.BatchRecorded, responses=ERRORS)
def post_events(body: schemas.EventBatch, service: ServiceDep, caller: RepDep) -> dict[str, Any]:
    """Up to 1,000 events in one transaction: all stored, or none if one is invalid."""
    raw = [event.model_dump(exclude_none=True) for event in body.events]
    results = service.usage.record(raw, user_id=caller.name, role=caller.role)
    return {
        "stored": sum(r.status == "stored" for r in results),
        "duplicates": sum(r.status == "duplicate" for r in results),
        "flagged": sum(bool(r.flags) for r in results),
        "results": [r.to_dict() for r in results],
    }


@router.post(
    "/v1/share-links", response_model=schemas.NewShareLink, status_code=201, responses=ERRORS
)
def create_link(
    body: schemas.ShareLinkIn, request: Request, service: ServiceDep, caller: RepDep
) -> dict[str, Any]:
    """A trackable link to send a buyer; each buyer open is recorded as `buyer_viewed`."""
    link, token = service.usage.share(user_id=caller.name, **body.model_dump())
    return {**link.to_dict(), "url": str(request.url_for("open_link", token=token))}


@router.get("/v1/share-links", response_model=schemas.ShareLinkList, responses=ERRORS)
def list_links(
    service: ServiceDep,
    _: RepDep,
    deal_id: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """A deal's share links, with how often and when the buyer last opened each."""
    return {"links": [link.to_dict() for link in service.usage.links.for_deal(deal_id)]}


@router.post(
    "/v1/share-links/{link_id}:revoke", response_model=schemas.ShareLinkOut, responses=ERRORS
)
def revoke_link(link_id: str, service: ServiceDep, caller: RepDep) -> dict[str, Any]:
    """Withdraw a link (its creator or an admin): the buyer then sees that it was withdrawn."""
    link = service.usage.links.get(link_id)
    if link.user_id != caller.name and caller.role < Role.admin:
        raise PermissionDeniedError("Only the rep who created a link, or an admin, may revoke it.")
    return service.usage.links.revoke(link_id).to_dict()


@router.get("/s/{token}", include_in_schema=False, name="open_link")
def open_link(token: str, request: Request, service: ServiceDep) -> Response:
    """What a buyer's browser opens: the asset itself, or a plain page saying why not."""
    try:
        view = service.usage.view(token, request.headers.get("user-agent"))
        asset = service.store.get(view.link.asset_id)
        if asset is None:
            raise NotFoundError("The document behind this link was removed.")
    except EnablementError as exc:
        return _page(exc.status, exc.message)
    file = _asset_file(asset)
    if file is not None:
        media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if media.startswith("text/") or file.suffix == ".md":
            media = "text/plain; charset=utf-8"
        return FileResponse(file, media_type=media, content_disposition_type="inline")
    if asset.get("url"):
        return RedirectResponse(asset["url"], status_code=302)
    return _page(404, "The document behind this link is not available.")


def _asset_file(asset: dict[str, Any]) -> Path | None:
    source, locator = Path(asset["source"]), asset.get("path")
    if not locator or not source.is_dir():
        return None
    file = (source / locator).resolve()
    return file if file.is_file() and file.is_relative_to(source.resolve()) else None


def _page(status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'><title>Link unavailable</title>"
        "<body style='font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em'>"
        f"<h1 style='font-size:1.3em'>This link is not available</h1><p>{html.escape(message)}</p>"
    )
    return HTMLResponse(body, status_code=status)
