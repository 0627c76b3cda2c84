"""Usage events and share links: what reps do with assets, and what buyers open."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse

from enablement.access.keys import Role
from enablement.api import event_schemas as schemas
from enablement.api.deps import RepDep, ServiceDep
from enablement.api.schemas import ErrorBody
from enablement.catalog.sharing import BuyerCopy
from enablement.errors import EnablementError, PermissionDeniedError
from enablement.events.links import VIEW_WINDOW

router = APIRouter(tags=["usage"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 413, 422, 429)
}

VISITOR_COOKIE = "enb_visitor"
# Set on the rep's own browser by a link's preview URL, so its later opens are not buyer views.
SENDER_COOKIE = "enb_sender"
SENDER_DAYS = 365
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
PDF_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

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
def create_link(body: schemas.ShareLinkIn, service: ServiceDep, caller: RepDep) -> dict[str, Any]:
    """A trackable link to send a buyer; each buyer open is recorded as `buyer_viewed`."""
    link, token = service.usage.share(user_id=caller.name, **body.model_dump())
    # On the configured public URL: the Host header is the client's to choose.
    url = f"{service.settings.public_url}/s/{token}"
    return {**link.to_dict(), "url": url, "preview_url": f"{url}?preview={link.id}"}


@router.get("/v1/share-links", response_model=schemas.ShareLinkList, responses=ERRORS)
def list_links(
    service: ServiceDep,
    _: RepDep,
    deal_id: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """A deal's share links, with how often and when the buyer last opened each."""
    return {"items": [link.to_dict() for link in service.usage.links.for_deal(deal_id)]}


@router.post(
    "/v1/share-links/{link_id}:revoke",
    response_model=schemas.ShareLinkOut,
    responses=ERRORS | {404: {"model": ErrorBody}},
)
def revoke_link(link_id: str, service: ServiceDep, caller: RepDep) -> dict[str, Any]:
    """Withdraw a link (its creator or an admin): the buyer then sees that it was withdrawn."""
    link = service.usage.links.get(link_id)
    if link.user_id != caller.name and caller.role < Role.admin:
        raise PermissionDeniedError("Only the rep who created a link, or an admin, may revoke it.")
    return service.usage.links.revoke(link_id).to_dict()


# HEAD too: mail gateways and link checkers probe links with it; a probe is never a view.
@router.api_route("/s/{token}", methods=["GET", "HEAD"], include_in_schema=False, name="open_link")
def open_link(token: str, request: Request, service: ServiceDep) -> Response:
    """What a buyer's browser opens: the document (never its metadata), or a plain page. The
    rep's own opens (its preview URL, then that browser's cookie) are not buyer views."""
    cookie = request.cookies.get(VISITOR_COOKIE)
    sender = request.cookies.get(SENDER_COOKIE)
    try:
        view = service.usage.view(
            token,
            user_agent=request.headers.get("user-agent"),
            visitor=cookie,
            count=request.method == "GET",
            sender=request.query_params.get("preview") or sender,
        )
    except EnablementError as exc:
        return _guarded(_page(exc.status, exc.message), PAGE_POLICY)
    response, policy = _answer(view.copy)
    if view.visitor != cookie:
        response.set_cookie(VISITOR_COOKIE, view.visitor, max_age=int(VIEW_WINDOW.total_seconds()),
                            path="/s/", httponly=True, samesite="lax")  # fmt: skip
    if view.by_sender and sender != view.link.id:
        # Only this link's path: it marks the rep's browser for this link, not for others.
        response.set_cookie(SENDER_COOKIE, view.link.id, max_age=SENDER_DAYS * 86400,
                            path=f"/s/{token}", httponly=True, samesite="lax")  # fmt: skip
    return _guarded(response, policy)


def _answer(copy: BuyerCopy) -> tuple[Response, str]:
    if copy.kind == "redirect":
        return RedirectResponse(copy.url, status_code=302), FILE_POLICY
    if copy.kind == "file" and copy.file is not None:
        disposition = "inline" if copy.inline else "attachment"
        response = FileResponse(copy.file, media_type=copy.media_type, filename=copy.filename,
                                content_disposition_type=disposition)  # fmt: skip
        # Browsers will not show a PDF under `sandbox`; the viewer runs apart from our origin.
        return response, PDF_POLICY if copy.inline else FILE_POLICY
    return PlainTextResponse(copy.text, media_type="text/plain; charset=utf-8"), FILE_POLICY


def _guarded(response: Response, policy: str) -> Response:
    """Headers for every /s/ response: no referrer leaks the token, no sniffing, no framing."""
    response.headers["Content-Security-Policy"] = policy
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page(status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'><title>Link unavailable</title>"
        "<body style='font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em'>"
        f"<h1 style='font-size:1.3em'>This link is not available</h1><p>{html.escape(message)}</p>"
    )
    return HTMLResponse(body, status_code=status)
