"""Guessing share links is failed sign-in too: unknown /s/<token> opens count per address."""

from __future__ import annotations

import html

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from enablement.api.limits import Limiter
from enablement.errors import RateLimitedError

SHARE_PREFIX = "/s/"


class ShareLinkGuard:
    """Counts each /s/<token> answered 404 (no such link) against the client address in the
    failed-sign-in limiter; once the address is over it, such answers become 429 with
    Retry-After. A real link still opens, as a valid key still signs in."""

    def __init__(self, app: ASGIApp, *, failures: Limiter) -> None:
        self.app = app
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(SHARE_PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        refused = False

        async def counting(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 404:
                try:
                    self.failures.take(address)
                except RateLimitedError as exc:
                    refused = True
                    await _refused(send, exc)
                    return
            if not refused:  # the 404's body is dropped once the 429 is sent instead
                await send(message)

        await self.app(scope, receive, counting)


async def _refused(send: Send, exc: RateLimitedError) -> None:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Too many attempts</title>"
        f"<p>{html.escape(exc.message)}</p>"
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(exc.retry_after).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
