"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from enablement.api import schemas
from enablement.api.deps import AdminDep, ServiceDep
from enablement.errors import EnablementError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=schemas.Health)
@router.head("/healthz", include_in_schema=False)  # uptime monitors probe with HEAD
def healthz(service: ServiceDep) -> dict[str, Any]:
    """The process is up. `bundle_version` names the index build this worker serves (as the
    X-Bundle-Version header does), null until one is loaded; the probe never loads one."""
    return {"status": "ok", "bundle_version": service.serving_version()}


@router.get("/readyz", response_model=schemas.Health, responses={503: {"model": schemas.Health}})
@router.head("/readyz", include_in_schema=False)
def readyz(service: ServiceDep, response: Response) -> dict[str, Any]:
    """Ready when a bundle is loaded: 503 without one. With the store unreachable the node is
    still ready but `degraded` (it serves reads from its bundle, and writes get 503 until the
    store answers): failing the probe then would take every node out of the load balancer at
    once. `checks` says which check failed. `scorer` says what ranks: the learned ranker's
    name, or "linear" (with why in the note). A node that cannot switch to the live bundle stays
    ready on the one it has, and says why in `bundle_problem`."""
    checks: dict[str, str] = {}
    version = None
    try:
        version = service.recommender.bundle.meta.version
        checks["bundle"] = "ok"
    except EnablementError as exc:
        checks["bundle"] = exc.message
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["store"] = "ok"
    except Exception as exc:  # any failure: the store cannot be used
        checks["store"] = f"unreachable: {type(exc).__name__}"
    ready = checks["bundle"] == "ok"
    response.status_code = 200 if ready else 503
    status = "ready" if checks["store"] == "ok" else "degraded"
    return {
        "status": status if ready else "not ready",
        "bundle_version": version,
        **service.bundle_sync(),
        "checks": checks,
        **service.scorer,
    }


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}},
        **{code: {"model": schemas.ErrorBody} for code in (401, 403)},
    },
)
def metrics(request: Request, service: ServiceDep, _: AdminDep) -> Response:
    """Prometheus metrics: latency by route, recommendations served, index size, bundle."""
    state = request.app.state
    try:
        bundle = service.recommender.bundle
        state.metrics.set_bundle(bundle.meta.version, bundle.meta.assets, bundle.meta.chunks)
    except EnablementError:
        pass
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")
