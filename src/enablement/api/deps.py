"""Dependencies as Annotated aliases: the service, the caller's key and role, rate limits."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from enablement.access.keys import Principal, Role
from enablement.errors import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitedError,
    TokenExpiredError,
)
from enablement.service import EnablementService

_KEY_CACHE_SECONDS = 5.0  # a revoked key stops working within this


async def get_service(request: Request) -> EnablementService:
    service: EnablementService = request.app.state.service
    return service


ServiceDep = Annotated[EnablementService, Depends(get_service)]


class KeyCache:
    """Recently verified keys and embed tokens, so a request costs no database round trip."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, Principal | None]] = {}

    def principal(self, service: EnablementService, key: str) -> Principal | None:
        now = time.monotonic()
        hit = self._seen.get(key)
        if hit is not None and now - hit[0] < _KEY_CACHE_SECONDS:
            return hit[1]
        principal = service.principal(key)
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[key] = (now, principal)
        return principal


class RateLimiter:
    """A token bucket per key: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key_id, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise RateLimitedError(f"Rate limit exceeded; retry in {wait} s.", retry_after=wait)
            self._buckets[key_id] = (tokens - 1.0, now)


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from `Authorization: Bearer <key>` or `X-API-Key`."""
    header = headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return headers.get("x-api-key") or None


def authenticate(state: Any, key: str | None, role: Role) -> Principal:
    """The caller for `key` (an API key or embed token), if it may act as `role`; raises 401
    (`token_expired` for an embed token past its time), 403 or 429 errors."""
    if key is None:
        raise AuthenticationError("An API key is required (Authorization: Bearer <key>).")
    principal: Principal | None = state.key_cache.principal(state.service, key)
    if principal is None:
        raise AuthenticationError("The API key or token is not valid or was revoked.")
    if principal.expired(datetime.now(UTC)):
        raise TokenExpiredError("The embed token expired; sign in again for a new one.")
    if principal.role < role:
        raise PermissionDeniedError(
            f"This needs the '{role.name}' role; the key has '{principal.role.name}'."
        )
    state.rate_limiter.take(principal.key_id)
    return principal


def require(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits keys of `role` or above: 401 without a valid key, 403 below."""

    # async: a cheap check that would otherwise cost a thread-pool hop per request
    async def dependency(request: Request) -> Principal:
        principal = authenticate(request.app.state, presented_key(request.headers), role)
        request.state.principal = principal
        return principal

    return dependency


RepDep = Annotated[Principal, Depends(require(Role.rep))]
MarketerDep = Annotated[Principal, Depends(require(Role.marketer))]
AdminDep = Annotated[Principal, Depends(require(Role.admin))]
