"""One error body everywhere: our errors, validation errors, 404/405 and the unexpected."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from starlette.exceptions import HTTPException

from enablement.api.logs import redact
from enablement.contract import describe
from enablement.errors import EnablementError, StoreUnavailableError

log = logging.getLogger(__name__)
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(EnablementError, _ours)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _store_down)  # type: ignore[arg-type]
    app.add_exception_handler(DisconnectionError, _store_down)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _ours(request: Request, exc: EnablementError) -> JSONResponse:
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(exc.status, exc.to_dict(), headers)


async def _store_down(request: Request, exc: DBAPIError | DisconnectionError) -> JSONResponse:
    """The database did not answer (a connection refused or dropped): 503 with Retry-After, so
    clients and the load balancer retry; nothing was stored, so nothing is half done."""
    log.warning("store unavailable on %s %s: %s", request.method, redact(request.url.path),
                type(getattr(exc, "orig", None) or exc).__name__)  # fmt: skip
    return await _ours(request, StoreUnavailableError())


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    described = [describe(error) for error in exc.errors()] or [("", "Invalid request")]
    field, message = described[0]
    detail: dict[str, Any] = {"code": "invalid_request", "message": message, "field": field or None}
    detail["errors"] = [{"field": f, "message": m} for f, m in described]
    return error_response(422, {"error": detail})


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail) if exc.detail else code.replace("_", " ")
    if exc.status_code == 404 and message == "Not Found":
        message = f"No route {request.method} {request.url.path}."
    return error_response(exc.status_code, {"error": {"code": code, "message": message}})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path))
    body = {"error": {"code": "internal_error", "message": "Something went wrong on our side."}}
    return error_response(500, body)
