"""The REST API: create_app(settings) builds it; routers stay thin over the service."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from enablement import __version__
from enablement.api import errors
from enablement.api.deps import KeyCache, RateLimiter
from enablement.api.metrics import Metrics
from enablement.api.middleware import BodyLimit, Observe
from enablement.api.routes import admin, catalog, health, recommend
from enablement.errors import EnablementError
from enablement.service import EnablementService
from enablement.settings import Settings

log = logging.getLogger(__name__)
DESCRIPTION = """Which sales assets should the rep send next, and why.

Every route except /healthz, /readyz and the docs needs an API key:
`Authorization: Bearer <key>` (or `X-API-Key`). Roles: `rep` (recommend, search, assets,
taxonomy), `marketer` (plus analytics), `admin` (plus ingest, rebuild, jobs, metrics).
Errors share one body: `{"error": {"code", "message", "field"}}`.
"""


def create_app(settings: Settings, *, service: EnablementService | None = None) -> FastAPI:
    """The API over a service built from `settings` (or the one given, in tests)."""
    service = service or EnablementService(settings)
    app = FastAPI(title="enablement", version=__version__, description=DESCRIPTION)
    app.state.service = service
    app.state.metrics = Metrics()
    app.state.key_cache = KeyCache()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    errors.install(app)
    for router in (recommend.router, catalog.router, admin.router, health.router):
        app.include_router(router)
    app.add_middleware(Observe, metrics=app.state.metrics, version=lambda: _serving(service))
    app.add_middleware(
        BodyLimit, default=settings.max_body_kb * 1024, uploads=settings.max_file_bytes
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["X-Bundle-Version", "Retry-After"],
        )
    app.router.add_event_handler("startup", lambda: _warm(service))
    app.router.add_event_handler("shutdown", service.close)
    return app


def _warm(service: EnablementService) -> None:
    """Load the model and bundle before the first request, so it is not the slow one."""
    try:
        service.recommender.encoder.encode_queries(["warm up"])
    except EnablementError as exc:  # no bundle yet: /readyz says so, the API still serves
        log.warning("not ready: %s", exc.message)


def _serving(service: EnablementService) -> Any:
    current = service.live.current if "live" in service.__dict__ else None
    return current.bundle.meta.version if current is not None else None
