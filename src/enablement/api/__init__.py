"""The REST API: create_app(settings) builds it; routers stay thin over the service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from mcp.server.transport_security import TransportSecuritySettings

from enablement import __version__
from enablement.access.keys import Role
from enablement.api import docs, errors, logs
from enablement.api.deps import KeyCache
from enablement.api.guards import ShareLinkGuard
from enablement.api.limits import limiter
from enablement.api.metrics import Metrics
from enablement.api.middleware import BodyLimit, Observe, RequireKey, send_json
from enablement.api.openapi import check_operation_ids, operation_id
from enablement.api.params import check_url
from enablement.api.public_url import PublicLocation
from enablement.api.routes import (
    admin,
    analytics,
    catalog,
    events,
    experiments,
    health,
    rankers,
    recommend,
    tags,
    tokens,
)
from enablement.errors import EnablementError
from enablement.mcp_server import build_mcp
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.threads import limit_blas
from enablement.web import mount as mount_pages

log = logging.getLogger(__name__)
DESCRIPTION = """Which sales assets should the rep send next, and why.

The same service is exposed to assistants as MCP tools (recommend_content, search_content,
get_asset) at /mcp/ (streamable HTTP), with the same keys.

Every route except /healthz, /readyz, the docs and the pages needs an API key:
`Authorization: Bearer <key>` (or `X-API-Key`). Roles: `rep` (recommend, search, assets,
taxonomy, events), `crm` (a rep's rights plus deal outcomes), `marketer` (a rep's plus
analytics, reading experiments and rankers, and reviewing tag suggestions), `admin` (all, plus
ingest, rebuild, jobs, metrics, starting and stopping experiments, promoting and rolling back
rankers).
`POST /v1/embed-tokens` trades a key for a short-lived token scoped to one user, which the
embedded pages (/sidebar) use like a key.
Errors share one body: `{"error": {"code", "message", "field"}}`.
"""


def create_app(settings: Settings, *, service: EnablementService | None = None) -> FastAPI:
    """The API over a service built from `settings` (or the one given, in tests)."""
    service = service or EnablementService(settings)
    mcp_endpoint = McpEndpoint(service)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limit_blas(settings.blas_threads)
        await anyio.to_thread.run_sync(_warm, service)
        service.background.worker.start()  # queued ingests and rebuilds, claimed from the store
        service.recommending.watcher.start()  # a new bundle or ranker, with no request too
        async with mcp_endpoint.running():
            yield
        service.close()

    app = FastAPI(
        title="enablement",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.docs from the vendored files, not from a CDN
        redoc_url=None,
        generate_unique_id_function=operation_id,
        dependencies=[Depends(check_url)],  # every route's path and query, one rule
    )
    app.state.service = service
    app.state.metrics = Metrics()
    app.state.key_cache = KeyCache()
    redis_url = settings.redis_url
    app.state.rate_limiter = limiter(
        settings.rate_limit_per_minute, redis_url=redis_url, scope="keys"
    )
    app.state.auth_failures = limiter(
        settings.auth_failures_per_minute, redis_url=redis_url, scope="addresses",
        message="Too many failed attempts from this address",
    )  # fmt: skip
    errors.install(app)
    logs.install()  # keys and tokens never reach the access log
    routers = (
        recommend, events, tokens, analytics, catalog, admin, experiments, rankers, tags, health,
        docs,
    )  # fmt: skip
    check_operation_ids(module.router for module in routers)
    for module in routers:
        app.include_router(module.router)
    app.mount("/mcp", RequireKey(mcp_endpoint, state=app.state, role=Role.rep))
    mount_pages(app, settings)
    app.add_middleware(PublicLocation, public_url=settings.public_url)
    app.add_middleware(Observe, metrics=app.state.metrics, version=service.serving_version)
    app.add_middleware(ShareLinkGuard, failures=app.state.auth_failures)
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
    return app


class McpEndpoint:
    """The MCP streamable-HTTP app; a fresh one per lifespan, as its session manager runs once."""

    def __init__(self, service: EnablementService) -> None:
        self.service = service
        self.app: Any = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        mcp = build_mcp(self.service)
        self.app = mcp.streamable_http_app(
            streamable_http_path="/",
            stateless_http=True,
            json_response=True,
            # API keys guard the endpoint; the DNS-rebinding check would refuse proxied hosts.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with mcp.session_manager.run():
            yield
        self.app = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            error = {"code": "not_ready", "message": "The MCP endpoint is starting."}
            await send_json(send, 503, {"error": error})
            return
        await self.app(scope, receive, send)


def _warm(service: EnablementService) -> None:
    """Load the model and bundle before the first request, so it is not the slow one."""
    try:
        service.recommender.encoder.encode_queries(["warm up"])
    except EnablementError as exc:  # no bundle yet: /readyz says so, the API still serves
        log.warning("not ready: %s", exc.message)
