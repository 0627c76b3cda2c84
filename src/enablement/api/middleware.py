"""ASGI middleware: body size limits, the bundle version header, and request metrics."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from enablement.api.deps import authenticate, presented_key
from enablement.api.metrics import Metrics
from enablement.errors import EnablementError, PayloadTooLargeError

Headers = list[tuple[bytes, bytes]]


class BodyLimit:
    """Refuse bodies over the limit with 413, whether or not Content-Length is declared.

    The body is read (up to the limit) before the app sees the request, so a chunked body that
    runs over is refused with 413 like a declared one, not as a parse error inside the app."""

    def __init__(self, app: ASGIApp, *, default: int, uploads: int) -> None:
        self.app = app
        self.default = default
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads if scope["path"].endswith("catalog:ingest") else self.default
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        body = await _read_body(receive, limit)
        if body is None:
            await _too_large(send, limit)
            return
        if not isinstance(body, bytes):  # the client went away mid-body
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, limit: int) -> bytes | Message | None:
    """The whole body; None once it runs over `limit`; the disconnect message if one came."""
    parts: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        part = message.get("body", b"")
        seen += len(part)
        if seen > limit:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then what the server sends (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _too_large(send: Send, limit: int) -> None:
    error = PayloadTooLargeError(f"The request body is over {limit} bytes.")
    await send_json(send, error.status, error.to_dict())


class Observe:
    """Adds X-Bundle-Version to every response and times requests by route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, version: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.version = version  # a callable returning the serving bundle version, or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                version = scope.get("state", {}).get("bundle_version") or self.version()
                if version:
                    headers: Headers = list(message.get("headers", []))
                    headers.append((b"x-bundle-version", str(version).encode()))
                    message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(
                scope["method"], template, status[0], time.perf_counter() - started
            )


class RequireKey:
    """Guards a mounted ASGI app (the MCP endpoint) with the API's keys and roles."""

    def __init__(self, app: ASGIApp, *, state: Any, role: Any) -> None:
        self.app = app
        self.state = state
        self.role = role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            client = scope.get("client")
            try:
                principal = authenticate(
                    self.state, presented_key(headers), self.role, client=client and client[0]
                )
            except EnablementError as exc:
                retry = getattr(exc, "retry_after", None)
                extra = {"retry-after": str(retry)} if retry is not None else {}
                await send_json(send, exc.status, exc.to_dict(), extra)
                return
            # the mounted app reads the caller from request.state, as the routes do
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


async def send_json(
    send: Send, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None
) -> None:
    body = json.dumps(payload).encode()
    headers: Headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
