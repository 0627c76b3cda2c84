"""Rendering and securing the pages: templates, Content-Security-Policy, static file headers."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from enablement.settings import Settings

WEB = Path(str(resources.files("enablement"))) / "web"
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"
PAGES = ("sidebar", "dashboard")  # each is templates/NAME.html served at /NAME

# Everything comes from this server: no inline script or style, no other origin. `data:` images
# are the only exception (the pages' empty favicon). The dashboard saves its CSV downloads from
# `blob:` URLs, which navigation (not a fetch) opens, so connect-src stays 'self'.
POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)


def content_security_policy(frame_ancestors: list[str]) -> str:
    """The pages' CSP: the strict policy above, framed only by the configured origins."""
    return "; ".join((*POLICY, "frame-ancestors " + " ".join(frame_ancestors)))


def page_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings.frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        # A token may arrive in the URL: never send the page's address to another site.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def render(name: str, settings: Settings) -> str:
    """templates/NAME.html with `{{frame_ancestors}}` filled in (the sources, HTML-escaped)."""
    template = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
    return template.replace("{{frame_ancestors}}", html.escape(" ".join(settings.frame_ancestors)))


class Pages:
    """One GET route per page, each returning its rendered template with the security headers."""

    def __init__(self, settings: Settings) -> None:
        self.headers = page_headers(settings)
        self.router = APIRouter(include_in_schema=False)
        for name in PAGES:
            self._add(name, render(name, settings))

    def _add(self, name: str, body: str) -> None:
        def page() -> HTMLResponse:
            return HTMLResponse(body, headers=self.headers)

        self.router.add_api_route(f"/{name}", page, methods=["GET", "HEAD"], name=f"page_{name}")


class StaticAssets(StaticFiles):
    """Static files, revalidated on each load (ETag) so a new release is picked up at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-cache")
        return response
