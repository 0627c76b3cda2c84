"""Redirects point at the public URL, never at whatever Host header a client sent."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class PublicLocation:
    """Rewrite a `Location` the framework built from the request's Host (Starlette's trailing
    slash redirects do: `/mcp` -> `http://<Host>/mcp/`) onto the configured public URL."""

    def __init__(self, app: ASGIApp, *, public_url: str) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (name, self._public(value, host) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, sending)

    def _public(self, location: bytes, host: str) -> bytes:
        parts = urlsplit(location.decode("latin-1"))
        if not parts.netloc or parts.netloc.lower() != host:
            return location  # relative, or somewhere else on purpose (a share link's asset url)
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{self.public_url}{rest}".encode("latin-1")
