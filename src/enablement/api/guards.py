"""Guessing share links is failed sign-in too: unknown /s/<token> opens count per address."""

from __future__ import annotations

import html

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from enablement.api.deps import RateLimiter
from enablement.errors import RateLimitedError

SHARE_PREFIX = "/s/"


class ShareLinkGuard:
    """Counts each /s/<token> answered 404 (no such link) against the client address in the
    failed-sign-in limiter, and answers 429 with Retry-After once the address is over it."""

    def __init__(self, app: ASGIApp, *, failures: RateLimiter) -> None:
        self.app = app
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(SHARE_PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        try:
            self.failures.check(address)
        except RateLimitedError as exc:
            await _refused(send, exc)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 404:
                self.failures.spend(address)
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
