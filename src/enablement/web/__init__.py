"""The pages reps and marketers use (the CRM sidebar, the marketer dashboard), served by the API.

Plain HTML, CSS and JavaScript modules from `static/`, with no build step; each page is one
template under `templates/` with the site's settings filled in once, at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from enablement.settings import Settings
from enablement.web.pages import STATIC, Pages, StaticAssets

__all__ = ["mount"]


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the pages (/sidebar, /dashboard) and their static files (/static/...) from `app`."""
    app.include_router(Pages(settings).router)
    app.mount("/static", StaticAssets(directory=STATIC), name="static")
